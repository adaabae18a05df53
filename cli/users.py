"""`almaty-map users`: the desk's accounts, managed by whoever runs the database.

There is no self-registration: an account exists because someone with the database's URL
made it here (or an admin on the desk's own pages). Passwords are read from a prompt that
does not echo them, or from standard input for scripts, never from the command line, where
other users of the machine could read them in the process list and the shell's history.
Every change is written to the desk's audit log. Only click is imported until a
subcommand runs, so `--help` answers at once.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from almaty_map.cli.db_options import database_option

if TYPE_CHECKING:
    from sqlalchemy import Connection

# desk.accounts.ROLES, spelled out so --help needs no import (a test keeps them equal).
ROLES = ("editor", "reviewer", "admin")
NAME = click.argument("name")


def _role_option(func: Callable) -> Callable:
    return click.option(
        "--role",
        required=True,
        type=click.Choice(ROLES),
        help="editor: writes and submits; reviewer: also publishes others' changes; "
        "admin: also manages accounts and reads the audit log.",
    )(func)


def _password_stdin_option(func: Callable) -> Callable:
    return click.option(
        "--password-stdin",
        is_flag=True,
        help="Read the password from standard input (its first line) instead of a prompt.",
    )(func)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt(
        "Password (12 characters or more)", hide_input=True, confirmation_prompt=True
    )


def _actor() -> str:
    """Who the audit log names for a change made here: the system account that ran it."""
    return f"{getpass.getuser()} (command line)"


@contextmanager
def _desk(db: str) -> Iterator[Connection]:
    """One transaction on a database with this almaty-map's schema; a refused change (a
    ValueError or LookupError from desk.accounts, whose message names what is wrong) is
    one line and exit status 1, the database as it was."""
    from almaty_map.cli.db_options import engine_or_exit, schema_or_exit, shown_url

    engine = engine_or_exit(db)
    schema_or_exit(engine, shown_url(db))
    try:
        with engine.begin() as connection:
            yield connection
    except (ValueError, LookupError) as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(1) from None
    finally:
        engine.dispose()


def _record(connection: Connection, action: str, name: str, detail: dict | None = None) -> None:
    from almaty_map.desk import audit

    audit.record(connection, action, actor=_actor(), target=name, address=None, detail=detail)


@click.group("users")
def command() -> None:
    """Manage the editors' desk accounts: add, list, disable, reset-password, set-role.

    Every subcommand takes --db URL (or ALMATY_MAP_DATABASE_URL), the database the desk is
    served from. Passwords are asked for without echo (or read with --password-stdin).

    \b
    Examples:
      almaty-map users add alice --role editor --db postgresql://almaty@localhost/almaty_map
      almaty-map users list --db postgresql://almaty@localhost/almaty_map
    """


@command.command("add")
@NAME
@_role_option
@database_option
@_password_stdin_option
def add(name: str, role: str, db: str, password_stdin: bool) -> None:
    """Add an account that can sign in to the desk.

    NAME is what the person types to sign in (unique whatever its case).

    \b
    Example:
      almaty-map users add alice --role editor --db postgresql://almaty@localhost/almaty_map
      printf '%s\\n' "$PASSWORD" | almaty-map users add bot --role editor --password-stdin --db …
    """
    from almaty_map.desk import accounts

    password = _password(password_stdin)
    with _desk(db) as connection:
        account = accounts.add_account(connection, name, role, password)
        _record(connection, "account_add", account.name, {"role": account.role})
    click.echo(f"Added {account.name} ({account.role}).")


@command.command("list")
@database_option
def list_(db: str) -> None:
    """List the accounts: name, role and whether each can sign in."""
    from almaty_map.desk import accounts

    with _desk(db) as connection:
        found = accounts.list_accounts(connection)
    if not found:
        click.echo("No accounts yet: `almaty-map users add NAME --role ROLE --db URL` adds one.")
        return
    width = max(len(account.name) for account in found)
    for account in found:
        state = "disabled" if account.disabled else "active"
        click.echo(f"{account.name:<{width}}  {account.role:<8}  {state}")


@command.command("disable")
@NAME
@database_option
def disable(name: str, db: str) -> None:
    """Stop an account from signing in; its sessions end at once. Its history stays."""
    from almaty_map.desk import accounts

    with _desk(db) as connection:
        accounts.disable_account(connection, name)
        _record(connection, "account_disable", name)
    click.echo(f"Disabled {name}: it can no longer sign in.")


@command.command("reset-password")
@NAME
@database_option
@_password_stdin_option
def reset_password(name: str, db: str, password_stdin: bool) -> None:
    """Give an account a new password (asked for without echo)."""
    from almaty_map.desk import accounts

    password = _password(password_stdin)
    with _desk(db) as connection:
        accounts.reset_password(connection, name, password)
        _record(connection, "password_reset", name)
    click.echo(f"Set a new password for {name}.")


@command.command("set-role")
@NAME
@_role_option
@database_option
def set_role(name: str, role: str, db: str) -> None:
    """Change what an account may do on the desk."""
    from almaty_map.desk import accounts

    with _desk(db) as connection:
        accounts.set_role(connection, name, role)
        _record(connection, "role_change", name, {"role": role})
    click.echo(f"{name} is now {role}.")
