"""Two real servers on one database, as replicas behind a proxy are: a desk session begun on
one is good on the other, and a sign-out on one ends it on both (sessions live in the
database, and the servers share SECRET_KEY)."""

from __future__ import annotations

import http.client
import re
import urllib.parse
from http.cookies import SimpleCookie

import pytest

from harness.serving import running
from tests.deskhelp import PASSWORD, csrf_token, make_account

pytestmark = pytest.mark.server
COOKIE = "__Host-desk"


def _ask(server_url: str, method: str, path: str, cookie: str = "", form: dict | None = None):
    """One request without following redirects: (status, headers, body)."""
    host, port = urllib.parse.urlsplit(server_url).netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = {"Cookie": f"{COOKIE}={cookie}"} if cookie else {}
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        connection.close()


def _cookie(headers, before: str = "") -> str:
    """The session cookie a response set, or the one the browser had (as a browser keeps)."""
    jar = SimpleCookie()
    for line in headers.get_all("Set-Cookie") or []:
        jar.load(line)
    return jar[COOKIE].value if COOKIE in jar else before


@pytest.fixture
def two_servers(desk_database):
    with running("--db", desk_database) as one, running("--db", desk_database) as two:
        yield one.url, two.url


def test_a_session_is_good_on_every_replica_and_a_sign_out_ends_it_on_all(
    two_servers, desk_database
):
    one, two = two_servers
    account = make_account(desk_database, "editor")
    status, headers, page = _ask(one, "GET", "/desk/signin")
    assert status == 200
    form = {"csrf_token": csrf_token(page), "name": account.name, "password": PASSWORD}
    status, headers, _ = _ask(one, "POST", "/desk/signin", _cookie(headers), form)
    assert status == 302
    signed = _cookie(headers)
    for server in (one, two):
        status, headers, page = _ask(server, "GET", "/desk/", signed)
        assert status == 200 and account.name in page, server
        signed = _cookie(headers, signed)  # now with the CSRF token the page carries
    token = csrf_token(page)
    status, _, _ = _ask(two, "POST", "/desk/signout", signed, {"csrf_token": token})
    assert status == 302
    for server in (one, two):
        status, headers, _ = _ask(server, "GET", "/desk/", signed)
        assert status == 302 and re.match(r"/desk/signin\?next=", headers["Location"]), server
