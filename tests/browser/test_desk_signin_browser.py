"""Signing in to the desk in real Chromium, on a phone and a desktop: the form works under
the desk's policy (no console error, nothing external), the header names the account and
its role, sign-out works, and axe finds nothing serious."""

from __future__ import annotations

import pytest

from harness.serving import running
from tests.browser.conftest import Watched
from tests.browser.test_reader_experience import serious_violations
from tests.deskhelp import PASSWORD, make_account

SIZES = {"phone": (390, 844), "desktop": (1366, 800)}


@pytest.fixture(scope="module")
def desk_server(desk_database):
    """The desk over plain HTTP on this machine, as `make desk` serves it."""
    with running("--db", desk_database, env={"ALMATY_MAP_DESK_SECURE_COOKIES": "false"}) as one:
        yield one.url


@pytest.mark.parametrize("size", SIZES)
def test_an_editor_signs_in_and_out_in_chromium(
    browser, desk_server, desk_database, size, tmp_path
):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    watch = Watched(context.new_page(), [desk_server + "/"])
    page = watch.page
    account = make_account(desk_database, "reviewer")
    try:
        page.goto(desk_server + "/desk/")
        assert page.url.startswith(desk_server + "/desk/signin?next=")
        assert serious_violations(page) == []
        page.get_by_label("Name").fill(account.name)
        page.get_by_label("Password").fill("a wrong password")
        page.get_by_role("button", name="Sign in").click()
        assert page.get_by_role("alert").inner_text().startswith("The name or the password")
        # The refused sign-in is answered 401, which Chromium logs; nothing else may be.
        assert [e for e in watch.errors if "401" not in e] == []
        watch.errors.clear()
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(desk_server + "/desk/")
        header = page.locator("header").inner_text()
        assert account.name in header and "(reviewer)" in header
        sign_out = page.get_by_role("button", name="Sign out")
        box = sign_out.bounding_box()
        assert box["x"] + box["width"] <= width and box["height"] >= 44
        assert serious_violations(page) == []
        page.screenshot(path=tmp_path / f"desk-{size}.png", full_page=True)
        sign_out.click()
        page.wait_for_url(desk_server + "/desk/signin")
        page.goto(desk_server + "/desk/")
        assert page.url.startswith(desk_server + "/desk/signin?next=")
    finally:
        context.close()
    assert watch.errors == [], watch.errors
    assert watch.external == [], watch.external
