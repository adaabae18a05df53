"""The desk's admin pages: the accounts (add, disable, new password, role) and the audit log.

Admins only, enforced on every route by role_required (editors and reviewers get 403, not
a hidden link). Each change is one transaction that also writes its audit entry, so the
log cannot miss a change that happened. An admin cannot disable or demote themselves:
the last admin doing so would lock everyone out of these pages, and `almaty-map users`
is the way back for whoever runs the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC

from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import Connection
from werkzeug.wrappers import Response

from almaty_map.desk import accounts, audit
from almaty_map.desk.accounts import Account
from almaty_map.geodata.errors import QueryProblem
from almaty_map.web.desk import ROW_ID, blueprint
from almaty_map.web.deskauth import client_address, current_account, desk_connection, role_required
from almaty_map.web.deskforms import AddAccountForm, DisableForm, PasswordForm, RoleForm
from almaty_map.web.errors import bad_request

AUDIT_PAGE = 50
Page = tuple[str, int]
Change = Callable[[Connection, Account, FlaskForm], str]


def _accounts_page(
    add_form: AddAccountForm | None = None,
    row_errors: dict[int, list[str]] | None = None,
    status: int = 200,
) -> Page:
    with desk_connection() as connection:
        found = accounts.list_accounts(connection)
    page = render_template(
        "desk/accounts.html",
        accounts=found,
        roles=accounts.ROLES,
        add_form=add_form or AddAccountForm(formdata=None),
        row_errors=row_errors or {},
        me=current_account(),
    )
    return page, status


def _record(connection: Connection, action: str, target: str, detail: dict | None = None) -> None:
    audit.record(
        connection,
        action,
        actor=current_account().name,
        target=target,
        address=client_address(),
        detail=detail,
    )


@blueprint.get("/admin/accounts")
@role_required("admin")
def admin_accounts() -> Page:
    return _accounts_page()


@blueprint.post("/admin/accounts")
@role_required("admin")
def admin_add_account() -> Response | Page:
    form = AddAccountForm()
    if not form.validate():
        return _accounts_page(form, status=400)
    try:
        with desk_connection() as connection:
            added = accounts.add_account(
                connection, form.name.data.strip(), form.role.data, form.password.data
            )
            _record(connection, "account_add", added.name, {"role": added.role})
    except ValueError as exc:
        form.name.errors = [*form.name.errors, str(exc)]
        return _accounts_page(form, status=400)
    flash(f"Added {added.name} ({added.role}).")
    return redirect(url_for("desk.admin_accounts"))


def _change(account_id: int, form_class: type[FlaskForm], change: Change) -> Response | Page:
    """Apply ``change(connection, account, form)`` to the account with that id (404 if there
    is none) when its form checks out and the account is not the admin's own; otherwise the
    page again, the problems beside that account's row, and nothing written."""
    try:
        with desk_connection() as connection:
            target = accounts.account_by_id(connection, account_id)
            if target is None:
                abort(404)
            form = form_class()
            if not form.validate():
                raise ValueError(" ".join(_messages(form)))
            if target.id == current_account().id:
                raise ValueError("You cannot do this to your own account; another admin can.")
            done = change(connection, target, form)
    except ValueError as exc:
        return _accounts_page(row_errors={account_id: [str(exc)]}, status=400)
    flash(done)
    return redirect(url_for("desk.admin_accounts"))


def _messages(form: FlaskForm) -> list[str]:
    return [message for messages in form.errors.values() for message in messages]


def _disable(connection: Connection, target: Account, _form: DisableForm) -> str:
    accounts.disable_account(connection, target.name)
    _record(connection, "account_disable", target.name)
    return f"Disabled {target.name}: their sessions have ended."


def _reset(connection: Connection, target: Account, form: PasswordForm) -> str:
    accounts.reset_password(connection, target.name, form.password.data)
    _record(connection, "password_reset", target.name)
    return f"Set a new password for {target.name}; their sessions have ended."


def _set_role(connection: Connection, target: Account, form: RoleForm) -> str:
    role = form.role.data
    accounts.set_role(connection, target.name, role)
    _record(connection, "role_change", target.name, {"from": target.role, "to": role})
    return f"{target.name} is now {role}."


@blueprint.post(f"/admin/accounts/<{ROW_ID}:account_id>/disable")
@role_required("admin")
def admin_disable(account_id: int) -> Response | Page:
    return _change(account_id, DisableForm, _disable)


@blueprint.post(f"/admin/accounts/<{ROW_ID}:account_id>/password")
@role_required("admin")
def admin_reset_password(account_id: int) -> Response | Page:
    return _change(account_id, PasswordForm, _reset)


@blueprint.post(f"/admin/accounts/<{ROW_ID}:account_id>/role")
@role_required("admin")
def admin_set_role(account_id: int) -> Response | Page:
    return _change(account_id, RoleForm, _set_role)


@blueprint.get("/admin/audit")
@role_required("admin")
def admin_audit() -> Response | str:
    """The newest entries first, a page at a time; ``before`` is the id the next page
    starts below, so a page stays the same while new entries arrive."""
    given = request.args.get("before")
    before = None
    if given is not None:
        if not given.isascii() or not given.isdigit() or not 0 < int(given) < 2**63:
            return bad_request([QueryProblem.expecting("before", "an entry number", given)])
        before = int(given)
    with desk_connection() as connection:
        found = list(audit.entries(connection, limit=AUDIT_PAGE + 1, before_id=before))
    shown = [replace(entry, at=entry.at.astimezone(UTC)) for entry in found[:AUDIT_PAGE]]
    more = len(found) > AUDIT_PAGE
    return render_template(
        "desk/audit.html",
        entries=shown,
        next_before=shown[-1].id if more and shown else None,
        newest=before is not None,
    )
