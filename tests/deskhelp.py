"""Signing in to the desk in tests: an account made directly, then the real sign-in form.

The form is posted with the CSRF token read from the page, as a browser would, so tests
that use this run with every protection of the desk switched on.
"""

from __future__ import annotations

import re
import uuid

from almaty_map.database.connect import open_engine
from almaty_map.desk.accounts import Account, add_account

PASSWORD = "correct horse battery staple"
PREFIX = "/desk"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_account(database_url: str, role: str, name: str | None = None) -> Account:
    """A new account with PASSWORD, committed (the app reads it in its own transactions)."""
    engine = open_engine(database_url)
    try:
        with engine.begin() as conn:
            return add_account(conn, name or f"{role}-{uuid.uuid4().hex[:8]}", role, PASSWORD)
    finally:
        engine.dispose()


def csrf_token(html: str) -> str:
    """The CSRF token a desk page's form carries."""
    found = _TOKEN.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client, name: str, password: str = PASSWORD, prefix: str = PREFIX):
    """Post the sign-in form as a browser would; the response to the post."""
    page = client.get(f"{prefix}/signin")
    assert page.status_code == 200, page.status_code
    token = csrf_token(page.get_data(as_text=True))
    form = {"csrf_token": token, "name": name, "password": password}
    return client.post(f"{prefix}/signin", data=form)


def signed_in(client, database_url: str, role: str, name: str | None = None) -> Account:
    """A new account with ``role``, signed in on ``client`` (a Flask test client of an app
    serving ``database_url``; make it with base_url="https://localhost" when the desk's
    cookies are secure, as by default)."""
    account = make_account(database_url, role, name)
    response = sign_in(client, account.name)
    assert response.status_code == 302, response.get_data(as_text=True)
    return account


# What every desk form field and parameter is tried with: markup, template syntax, SQL,
# NUL and line breaks, bidirectional overrides and a very long value.
HOSTILE = (
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "{{7*7}}{% raw %}",
    "' OR '1'='1' --",
    "Robert'); DROP TABLE users;--",
    "nul\x00byte",
    "line\r\nSet-Cookie: x=1",
    "\u202eevil\u202c",
    "%00%0d%0a",
    "x" * 10_000,
)
