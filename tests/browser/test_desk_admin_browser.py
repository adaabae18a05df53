"""The admin pages in Chromium on a phone and a laptop: an admin signs in, adds an account,
changes its role and reads the audit log, with nothing wider than the screen, every control
big enough to tap, and no console error under the desk's policy."""

from __future__ import annotations

import uuid

import pytest

from harness.serving import running
from tests.browser.conftest import Watched
from tests.deskhelp import PASSWORD, make_account

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.db]
SCREENS = [(390, 844), (1366, 800)]
# Widths past the screen's, and controls shorter than a fingertip (44 px), on this page.
MEASURE = """() => {
  const controls = 'main button, main select, main input:not([type=hidden])';
  const small = [...document.querySelectorAll(controls)]
    .filter((e) => e.getBoundingClientRect().height < 44)
    .map((e) => `${e.getBoundingClientRect().height}px ${e.outerHTML.slice(0, 60)}`);
  return {overflow: document.scrollingElement.scrollWidth - window.innerWidth, small};
}"""


@pytest.fixture(scope="module")
def desk_server(desk_database):
    env = {"ALMATY_MAP_DESK_SECURE_COOKIES": "false"}
    with running("--db", desk_database, env=env) as server:
        yield server.url


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_an_admin_manages_an_account_on_any_screen(browser, desk_server, desk_database, screen):
    admin = make_account(desk_database, "admin")
    phone = screen[0] < 600
    context = browser.new_context(
        viewport={"width": screen[0], "height": screen[1]}, is_mobile=phone, has_touch=phone
    )
    watched = Watched(context.new_page(), [desk_server + "/"])
    page = watched.page
    try:
        page.goto(desk_server + "/desk/admin/accounts")
        page.fill("#name", admin.name)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]:has-text('Sign in')")
        page.wait_for_url("**/desk/admin/accounts")
        name = f"new-{uuid.uuid4().hex[:8]}"
        page.fill("form.desk-form input[name=name]", name)
        page.select_option("form.desk-form select[name=role]", "editor")
        page.fill("form.desk-form input[name=password]", PASSWORD)
        with page.expect_navigation(wait_until="load"):  # its styles applied, too
            page.click("form.desk-form button[type=submit]")
        assert page.locator(".desk-notice").inner_text() == f"Added {name} (editor)."
        assert page.evaluate(MEASURE) == {"overflow": 0, "small": []}
        row = page.locator("tr", has=page.locator("th", has_text=name))
        row.locator("select[name=role]").select_option("reviewer")
        with page.expect_navigation(wait_until="load"):
            row.locator("button:has-text('Change role')").click()
        assert page.locator(".desk-notice").inner_text() == f"{name} is now reviewer."
        with page.expect_navigation(wait_until="load"):
            page.click("header a:has-text('Audit log')")
        log = page.locator("table.desk-audit tbody").inner_text()
        assert "role_change" in log and "account_add" in log and name in log
        assert page.evaluate(MEASURE)["overflow"] == 0
    finally:
        context.close()
    assert watched.errors == [] and watched.external == [] and watched.dialogs == []
