"""Who is signed in to the desk, and what each desk view requires of them.

Flask-Login finds the account per request from the server-side session whose token the
signed session cookie carries (desk.sessions), so every replica agrees, and a revoked,
expired or idle session, or a disabled account, is signed out on its next request.
Every desk view declares the roles it admits with ``role_required``; the blueprint refuses
anyone not signed in before any view runs (web/desk.py), so a view that forgot would still
not be public, and tests/test_desk_security.py checks that none forgot.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator

from flask import Flask, Response, current_app, redirect, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user
from sqlalchemy import Connection

from almaty_map.desk import sessions
from almaty_map.desk.accounts import ROLES, Account
from almaty_map.web.errors import JSON, ErrorShape, respond

SESSION_FIELD = "desk_token"


class DeskUser(UserMixin):
    """Flask-Login's view of a signed-in account."""

    def __init__(self, account: Account) -> None:
        self.account = account

    def get_id(self) -> str:
        return str(self.account.id)


def install(app: Flask) -> None:
    """Flask-Login, minus what would touch the session on every public response and so
    put Vary: Cookie on pages caches keep: its template context processor (which looks up
    the account) and its remember-me cookie refresh (the desk has no remember-me)."""
    manager = LoginManager()
    manager.session_protection = None
    manager.init_app(app, add_context_processor=False)
    app.after_request_funcs[None].remove(manager._update_remember_cookie)
    manager.request_loader(_signed_in)
    manager.unauthorized_handler(unauthorized)


def _signed_in(_request) -> DeskUser | None:
    token = session.get(SESSION_FIELD)
    if not isinstance(token, str):
        return None
    idle = float(current_app.config["DESK_IDLE_MINUTES"])
    with desk_connection() as conn:
        account = sessions.session_account(conn, token, idle)
    return None if account is None else DeskUser(account)


def current_account() -> Account:
    """The signed-in account (only inside a view role_required admits)."""
    return current_user.account


@contextlib.contextmanager
def desk_connection() -> Iterator[Connection]:
    """A transaction on the primary database (never the read replica: the desk writes, and
    reads what it just wrote), committed when the block ends, rolled back on an error."""
    backend = current_app.extensions["almaty_map"].backend
    with backend.primary.begin() as conn:
        yield conn


def client_address() -> str:
    """The client's address, as the trusted proxies (PROXIES) forwarded it."""
    return request.remote_addr or "unknown"


def wants_json() -> bool:
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return True
    return request.accept_mimetypes.best_match(("text/html", JSON)) == JSON


def unauthorized() -> Response:
    """A page goes to the sign-in form (and back here after); a script gets 401."""
    if wants_json() or request.method != "GET":
        error = ErrorShape(401, "Unauthorized", "Sign in to the editors' desk first.")
        return respond(error)
    return redirect(url_for("desk.signin", next=request.full_path.rstrip("?")))


def forbidden(roles: tuple[str, ...]) -> Response:
    needed = " or ".join(roles)
    role = current_account().role
    description = f"This needs the {needed} role; you are signed in as {role}."
    return respond(ErrorShape(403, "Forbidden", description))


def role_required(*roles: str) -> Callable:
    """Admit signed-in accounts with one of ``roles``: others signed in get 403, anyone
    not signed in the sign-in page (or 401)."""
    unknown = [r for r in roles if r not in ROLES]
    if not roles or unknown:
        raise ValueError(f"role_required: expected roles among {ROLES}, found {roles!r}")

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return unauthorized()
            if current_account().role not in roles:
                return forbidden(roles)
            return view(*args, **kwargs)

        guarded.desk_roles = roles  # type: ignore[attr-defined]
        return guarded

    return decorate


def public(view: Callable) -> Callable:
    """Mark the few desk views anyone may open (the sign-in form)."""
    view.desk_public = True  # type: ignore[attr-defined]
    return view
