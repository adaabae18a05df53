"""The editors' desk's whole flow in real Chromium against a real server on a throwaway
database: an editor corrects an event, another person reviews and publishes it, the
reader's page shows the correction with its reason, the history shows both revisions, and
restoring the earlier one brings the old text back once it too is reviewed and published.

Each step is checked on the screen a person sees, not in the database."""

from __future__ import annotations

import time

import pytest

from almaty_map.geodata.bundled import BUNDLED
from harness.serving import running
from tests.browser.conftest import Watched
from tests.conftest import loaded_database, new_database
from tests.deskhelp import PASSWORD, make_account

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.db]

EVENT = "2022-01-07-shoot-to-kill-order"
NEW_TITLE = "Tokayev orders troops to fire without warning (title corrected at the desk)"
NEW_QUOTE = "The quotation as corrected at the desk, word for word."
REASON = "correction: the order was given on television"
RESTORE_REASON = "restore: the first wording was right after all"
CITED = "Akorda, 7 January 2022: https://www.akorda.kz/ru/obrashchenie-glavy-gosudarstva"
# A publication reaches every server within 2 s; the reader's page is reloaded until then.
SWITCH_SECONDS = 15


@pytest.fixture(scope="module")
def desk_server(postgres):
    _, url = new_database(postgres)
    loaded_database(url, BUNDLED)
    env = {"ALMATY_MAP_DESK_SECURE_COOKIES": "false"}
    with running("--db", url, env=env) as server:
        yield server.url, url


class Person:
    """One person in their own browser context, signed in to the desk."""

    def __init__(self, browser, base: str, name: str | None = None):
        context = browser.new_context(viewport={"width": 1366, "height": 800})
        self.watch = Watched(context.new_page(), [base + "/"])
        self.page = self.watch.page
        self.base = base
        if name:
            self.page.goto(base + "/desk/signin")
            self.page.fill("#name", name)
            self.page.fill("#password", PASSWORD)
            self.page.click("button[type=submit]")
            self.page.wait_for_url(base + "/desk/")

    def done(self) -> None:
        self.page.context.close()
        assert self.watch.errors == [] and self.watch.external == [], self.watch.errors


def submit_edit(person: Person, changes: dict[str, str], reason: str) -> None:
    page = person.page
    page.goto(f"{person.base}/desk/events/{EVENT}")
    for selector, value in changes.items():
        page.fill(selector, value)
    page.fill("#f-reason", reason)
    page.fill("#f-correction_source", CITED)
    page.click("button[value=submit]")
    page.wait_for_url(f"{person.base}/desk/events/{EVENT}?saved=submitted")
    said = page.inner_text("main")
    assert "Submitted for review." in said and "is in review" in said
    assert page.locator("button[value=submit]").count() == 0  # not again while in review


def publish(person: Person, expected_after: str, editor: Person | None = None) -> str:
    """The reviewer finds the event in review, reads the diff and publishes it; the review
    page's address. An editor given it is refused the review page and the publication."""
    page = person.page
    page.goto(person.base + "/desk/events?status=in_review")
    page.click(f"tr:has(a[href='/desk/events/{EVENT}']) a[href$='/review']")
    review = page.url
    if editor is not None:
        assert editor.page.goto(review).status == 403
        assert "needs the reviewer or admin role" in editor.page.inner_text("body")
        # The browser logs the refusal as a failed load: expected here, and only here.
        assert editor.watch.errors == [
            "error: Failed to load resource: the server responded with a status of 403 (FORBIDDEN)"
        ]
        editor.watch.errors.clear()
    assert expected_after in page.inner_text("table.diff")
    page.click('button:text-is("Publish")')
    page.wait_for_url(f"{person.base}/desk/events/{EVENT}/history")
    assert f"of {EVENT}: readers see it now." in page.inner_text("main [role=status]")
    return review


def reader_card(browser, base: str, title: str) -> tuple[Person, str]:
    """The reader's page once it serves ``title``: the event's popup text, opened as a
    reader opens it (its button in the list)."""
    reader = Person(browser, base)
    page = reader.page
    deadline = time.monotonic() + SWITCH_SECONDS
    while True:
        page.goto(base + "/")
        page.wait_for_function("() => window.almatyMap !== undefined")
        page.evaluate(f"almatyMap.open({EVENT!r})")
        page.wait_for_selector(".am-pane .am-card")
        card = page.inner_text(".am-pane .am-card")
        if title in card or time.monotonic() > deadline:
            return reader, card
        time.sleep(0.5)


def test_a_correction_published_shown_to_readers_and_restored(browser, desk_server):
    base, database_url = desk_server
    editor = make_account(database_url, "editor")
    reviewer = make_account(database_url, "reviewer")

    reader, card = reader_card(browser, base, "Tokayev")
    old_title = reader.page.inner_text(".am-pane .am-card-title")
    assert NEW_TITLE not in card
    reader.done()

    alice = Person(browser, base, editor.name)
    alice.page.goto(f"{base}/desk/events/{EVENT}")
    old_quote = alice.page.input_value("#f-sources-0-quote")
    assert old_title == alice.page.input_value("#f-title")
    submit_edit(alice, {"#f-title": NEW_TITLE, "#f-sources-0-quote": NEW_QUOTE}, REASON)

    bob = Person(browser, base, reviewer.name)
    publish(bob, NEW_TITLE, editor=alice)
    history = bob.page.inner_text(".history")
    # The correction, with who and why, and the event as loaded before it.
    assert "Revision 1" in history and "published" in history and REASON in history
    assert "As loaded" in bob.page.inner_text("main")
    diff = bob.page.inner_text(".history .revision:first-child table.diff")
    assert old_title in diff and NEW_TITLE in diff
    assert old_quote.split()[0] in diff and NEW_QUOTE in diff

    reader, card = reader_card(browser, base, NEW_TITLE)
    page = reader.page
    assert page.inner_text(".am-pane .am-card-title") == NEW_TITLE
    assert NEW_QUOTE in page.inner_text(".am-pane .am-card .am-sources")
    correction = page.inner_text(".am-pane .am-card .am-correction")
    assert "title" in correction and REASON in correction
    page.click("#corrections-heading")
    log = page.inner_text(".corrections")
    assert NEW_TITLE in log and REASON in log and "Changed title" in log and CITED in log
    reader.done()

    # The history restores the event as loaded as a new draft.
    page = alice.page
    page.goto(f"{base}/desk/events/{EVENT}/history")
    page.fill("#restore-reason-0", RESTORE_REASON)
    page.click("form.restore:has(#restore-reason-0) button")
    page.wait_for_url(f"{base}/desk/events/{EVENT}?saved=restored")
    assert page.input_value("#f-title") == old_title
    assert page.input_value("#f-sources-0-quote") == old_quote
    submit_edit(alice, {}, RESTORE_REASON)
    alice.done()

    publish(bob, old_title)
    assert "Revision 2" in bob.page.inner_text(".history")
    bob.done()

    reader, card = reader_card(browser, base, old_title)
    page = reader.page
    assert page.inner_text(".am-pane .am-card-title") == old_title
    assert NEW_QUOTE not in page.inner_text(".am-pane .am-card .am-sources")
    assert RESTORE_REASON in page.inner_text(".am-pane .am-card")
    reader.done()
