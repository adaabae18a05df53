"""What the desk tells the people using it: a front page and a navigation leading to the
work, the state of an event in review said on its form, what a publication or a send-back
did, and the reason and source a correction is published with."""

from __future__ import annotations

import html
import re

import pytest

from almaty_map.app import create_app
from almaty_map.database.connect import open_engine
from almaty_map.desk.revisions import latest_revision
from tests.conftest import DATA, loaded_database, new_database, stop_listening
from tests.deskhelp import HOSTILE, csrf_token, signed_in
from tests.deskrows import CITED
from tests.test_desk_pages import form_of, new_event, post_form

pytestmark = pytest.mark.db
EVENT = "spans-midnight"


@pytest.fixture(scope="module")
def guided(postgres):
    """An app on a database of its own (these tests submit and publish)."""
    _, url = new_database(postgres)
    loaded_database(url, DATA / "base")
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    yield app, url
    stop_listening(app)


def client_as(guided, role: str):
    app, url = guided
    client = app.test_client()
    signed_in(client, url, role)
    return client


def latest(guided, event_id: str):
    engine = open_engine(guided[1])
    try:
        with engine.connect() as conn:
            return latest_revision(conn, event_id)
    finally:
        engine.dispose()


def nav_links(page: str) -> list[str]:
    found = re.search(r'<nav class="desk-nav"[^>]*>(.*?)</nav>', page, re.S)
    assert found, "the page has no desk navigation"
    return re.findall(r">([^<]+)</a>", found.group(1))


def submitted(client, event_id: str, title: str) -> None:
    fields = form_of(client, event_id)
    fields.update(title=title, reason="correction: the title", correction_source=CITED)
    done = post_form(client, event_id, fields, action="submit")
    assert done.status_code == 303, done.get_data(as_text=True)[:2000]


@pytest.mark.parametrize(
    ("role", "links"),
    [
        ("editor", ["Desk", "Events", "New event", "Import"]),
        ("reviewer", ["Desk", "Events", "New event", "Import"]),
        ("admin", ["Desk", "Events", "New event", "Import", "Accounts", "Audit log"]),
    ],
)
def test_every_desk_page_leads_to_the_pages_its_role_may_open(guided, role, links):
    client = client_as(guided, role)
    for address in ("/desk/", "/desk/events", f"/desk/events/{EVENT}", "/desk/import"):
        page = client.get(address).get_data(as_text=True)
        assert nav_links(page) == links, address
        assert 'action="/desk/signout"' in page, address
    home = client.get("/desk/").get_data(as_text=True)
    assert 'href="/desk/events" aria-current="page"' not in home
    assert 'href="/desk/" aria-current="page"' in home


def test_the_front_page_counts_what_waits_and_links_to_it(guided):
    editor = client_as(guided, "editor")
    submitted(editor, "after-midnight-local", "Counted in review")
    page = editor.get("/desk/").get_data(as_text=True)
    assert 'href="/desk/events?status=draft"' in page
    assert 'href="/desk/events?status=returned"' in page
    in_review = re.search(r'status=in_review">In review: <strong>(\d+)</strong></a>\s*'
                          r'<span class="own">\((\d+) yours\)', page)  # fmt: skip
    assert in_review, page
    assert int(in_review.group(1)) >= 1 and in_review.group(2) == "1"


def test_the_list_with_a_slash_leads_to_the_list_with_its_filters(guided):
    client = client_as(guided, "editor")
    found = client.get("/desk/events/?status=draft&q=rally")
    assert found.status_code == 308
    assert found.headers["Location"] == "/desk/events?status=draft&q=rally"
    assert client.get("/desk/events/", follow_redirects=True).status_code == 200


def test_an_event_in_review_says_so_and_offers_no_save(guided):
    editor = client_as(guided, "editor")
    submitted(editor, EVENT, "Rally, in review")
    landed = editor.get(f"/desk/events/{EVENT}?saved=submitted").get_data(as_text=True)
    revision = latest(guided, EVENT)
    assert f"Revision {revision.number} is in review" in landed
    assert f"Submitted by {revision.author} on " in landed
    assert "a reviewer other than its author" in landed
    assert 'value="submit"' not in landed and 'value="save"' not in landed
    again = form_of(editor, EVENT)
    again.update(reason="again", correction_source=CITED)
    refused = post_form(editor, EVENT, again, action="submit")
    assert refused.status_code == 409
    assert latest(guided, EVENT).number == revision.number  # no revision made


def test_a_publication_and_a_send_back_say_what_they_did(guided):
    editor, reviewer = client_as(guided, "editor"), client_as(guided, "reviewer")
    submitted(editor, "home", "A flat, corrected")
    revision = latest(guided, "home")
    review = reviewer.get(f"/desk/revisions/{revision.id}/review").get_data(as_text=True)
    sent = reviewer.post(
        f"/desk/revisions/{revision.id}/send-back",
        data={"csrf_token": csrf_token(review), "comment": "cite the lease"},
        follow_redirects=True,
    ).get_data(as_text=True)
    said = f"Sent revision {revision.number} of home back to {revision.author} with your comment."
    assert said in sent
    assert "cite the lease" in editor.get("/desk/events/home").get_data(as_text=True)
    submitted(editor, "home", "A flat, corrected again")
    revision = latest(guided, "home")
    review = reviewer.get(f"/desk/revisions/{revision.id}/review").get_data(as_text=True)
    done = reviewer.post(
        f"/desk/revisions/{revision.id}/publish",
        data={"csrf_token": csrf_token(review)},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert f"Published revision {revision.number} of home: readers see it now." in done
    later = reviewer.get("/desk/events/home/history").get_data(as_text=True)
    assert "readers see it now" not in later  # said once, not on every visit


def test_the_form_says_readers_see_the_reason_and_source(guided):
    page = client_as(guided, "editor").get("/desk/events/new").get_data(as_text=True)
    assert "readers see it in the corrections log and on the event's card" in page
    assert 'name="correction_source"' in page and "Source of this correction" in page


def test_the_event_s_own_sources_are_offered_to_cite(guided):
    editor = client_as(guided, "editor")
    event_id = new_event(editor)
    page = editor.get(f"/desk/events/{event_id}").get_data(as_text=True)
    options = re.search(r'<datalist id="cited-sources">(.*?)</datalist>', page, re.S).group(1)
    assert re.findall(r'<option value="([^"]+)">', options) == ["Kloop, Report, 2022-01-05"]
    assert 'list="cited-sources"' in page


@pytest.mark.parametrize(
    ("source", "problem"),
    [("   ", "give the correction&#39;s source"), ("x" * 501, "within 500 characters")],
)
def test_a_submit_without_a_usable_source_is_refused_by_field(guided, source, problem):
    editor = client_as(guided, "editor")
    event_id = new_event(editor)
    before = latest(guided, event_id).number
    fields = form_of(editor, event_id)
    fields.update(reason="correction", correction_source=source)
    refused = post_form(editor, event_id, fields, action="submit")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="e-correction_source"' in text and problem in text
    assert latest(guided, event_id).number == before  # nothing saved


def test_the_review_page_shows_the_cited_source_escaped(guided):
    editor, reviewer = client_as(guided, "editor"), client_as(guided, "admin")
    event_id = new_event(editor)
    fields = form_of(editor, event_id)
    cited = "Vlast " + "".join(HOSTILE[:3])  # markup a page must never carry as such
    fields.update(reason="correction", correction_source=cited)
    assert post_form(editor, event_id, fields, action="submit").status_code == 303
    revision = latest(guided, event_id)
    assert revision.correction_source == cited
    page = reviewer.get(f"/desk/revisions/{revision.id}/review").get_data(as_text=True)
    for payload in HOSTILE[:3]:
        assert payload not in page
    assert html.escape(cited, quote=False)[:40] in page


@pytest.mark.parametrize("cited", HOSTILE)
def test_a_hostile_source_is_kept_as_text_or_refused_by_field(guided, cited):
    editor = client_as(guided, "editor")
    event_id = new_event(editor)
    fields = form_of(editor, event_id)
    fields.update(reason="correction", correction_source=cited)
    answer = post_form(editor, event_id, fields, action="submit")
    text = answer.get_data(as_text=True)
    if answer.status_code == 303:
        assert latest(guided, event_id).correction_source == cited.strip()
    else:
        assert answer.status_code == 422, text[:2000]
        assert 'id="e-correction_source"' in text
    if any(c in cited for c in "<>\"'"):
        assert cited not in text
