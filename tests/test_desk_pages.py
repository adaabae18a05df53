"""The desk's editing pages through the real sign-in: the list, the edit form with its
problems by field, a lost update refused with what changed, review, history and restore,
import, and a sensitive place withheld from editors."""

from __future__ import annotations

import json
import re
import uuid

import pytest

from almaty_map.app import create_app
from tests.conftest import DATA, loaded_database, new_database, stop_listening
from tests.deskhelp import csrf_token, signed_in
from tests.deskrows import CITED

EVENT = "spans-midnight"
SENSITIVE = "home"
NEW_EVENT = {
    "title": "A new event",
    "category": "protest",
    "start": "2022-01-05T10:00:00+06:00",
    "time_precision": "day",
    "place": "Almaty",
    "geo_precision": "city",
    "geometry_kind": "point",
    "longitude": "76.9",
    "latitude": "43.25",
    "sources-0-publication": "Kloop",
    "sources-0-title": "Report",
    "sources-0-date": "2022-01-05",
    "sources-0-quote": "It happened.",
}


@pytest.fixture(scope="module")
def pages_app(postgres):
    """An app on a database of its own, so what these tests submit and publish meets no
    other module's tests (nor theirs these)."""
    _, url = new_database(postgres)
    loaded_database(url, DATA / "base")
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    yield app, url
    stop_listening(app)


def client_as(pages_app, role: str):
    app, url = pages_app
    client = app.test_client()
    signed_in(client, url, role)
    return client


def new_event(client, **fields) -> str:
    """A new event made through the form; its id."""
    event_id = "new-" + uuid.uuid4().hex[:10]
    token = csrf_token(client.get("/desk/events/new").get_data(as_text=True))
    form = {**NEW_EVENT, "id": event_id, "csrf_token": token, **fields}
    saved = post_form(client, None, form)
    assert saved.status_code == 303, saved.get_data(as_text=True)[:3000]
    return event_id


def form_of(client, event_id: str) -> dict[str, str]:
    """The edit form's fields as the page gives them (inputs, selects, textareas, boxes)."""
    page = client.get(f"/desk/events/{event_id}")
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    return read_form(page.get_data(as_text=True))


def read_form(html: str) -> dict[str, str]:
    from html.parser import HTMLParser

    fields: dict[str, str] = {}

    class Reader(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.area: str | None = None
            self.select: str | None = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            name = a.get("name")
            if tag == "input" and name and "disabled" not in a:
                kind = a.get("type", "text")
                if kind in ("checkbox", "radio"):
                    if "checked" in a:
                        fields[name] = a.get("value", "on")
                elif kind != "submit":
                    fields[name] = a.get("value", "")
            elif tag == "textarea" and name:
                self.area = name
                fields[name] = ""
            elif tag == "select" and name:
                self.select = name
            elif tag == "option" and self.select and "selected" in a:
                fields[self.select] = a.get("value", "")

        def handle_endtag(self, tag):
            if tag == "textarea":
                self.area = None
            if tag == "select":
                self.select = None

        def handle_data(self, data):
            if self.area:
                fields[self.area] += data

    Reader().feed(html)
    for name, value in list(fields.items()):
        if name.startswith("f-"):
            del fields[name]
        fields[name] = value.removeprefix("\n") if isinstance(value, str) else value
    return fields


def post_form(client, event_id: str | None, fields: dict[str, str], action: str = "save"):
    url = "/desk/events/new" if event_id is None else f"/desk/events/{event_id}"
    return client.post(url, data={**fields, "action": action})


@pytest.fixture
def editor(pages_app):
    return client_as(pages_app, "editor")


def test_the_list_shows_each_event_with_its_status(editor):
    page = editor.get("/desk/events")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f'href="/desk/events/{EVENT}"' in text
    assert "status-published" in text


def test_the_list_filters_like_the_reader_and_names_a_bad_filter(editor):
    page = editor.get("/desk/events?status=nonsense&start=yesterday")
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "found &#39;nonsense&#39;" in text
    assert 'id="e-status"' in text


def test_an_untouched_save_keeps_the_event_as_it_was(editor):
    fields = form_of(editor, EVENT)
    saved = post_form(editor, EVENT, fields)
    assert saved.status_code == 303, saved.get_data(as_text=True)[:2000]
    history = editor.get(f"/desk/events/{EVENT}/history").get_data(as_text=True)
    assert "No field changed." in history


def test_problems_are_shown_next_to_their_fields_and_the_input_kept(editor):
    fields = form_of(editor, EVENT)
    fields.update(title="", start="the sixth", **{"sources-0-quote": ""})
    fields["description"] = "kept as typed"
    page = post_form(editor, EVENT, fields)
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    for name in ("title", "start", "sources-0-quote"):
        assert f'id="e-{name}"' in text, name
        assert f'aria-describedby="e-{name}' in text
    assert "kept as typed</textarea>" in text
    assert 'value="the sixth"' in text


def test_a_lost_update_is_refused_with_what_changed_and_the_input_kept(pages_app):
    first, second = client_as(pages_app, "editor"), client_as(pages_app, "editor")
    event_id = new_event(first)
    mine, theirs = form_of(first, event_id), form_of(second, event_id)
    mine["title"] = "Saved first"
    assert post_form(first, event_id, mine).status_code == 303
    theirs["title"] = "Typed second"
    page = post_form(second, event_id, theirs)
    assert page.status_code == 409
    text = page.get_data(as_text=True)
    assert "Someone saved this event while you were editing" in text
    assert "Saved first" in text  # what changed meanwhile
    assert 'value="Typed second"' in text  # the second editor's input, not lost
    again = read_form(text)
    assert post_form(second, event_id, again).status_code == 303  # now building on theirs
    assert form_of(first, event_id)["title"] == "Typed second"


def test_submit_needs_a_reason(editor):
    event_id = new_event(editor)
    fields = form_of(editor, event_id)
    page = post_form(editor, event_id, {**fields, "reason": "   "}, action="submit")
    assert page.status_code == 422
    assert 'id="e-reason"' in page.get_data(as_text=True)


def _submitted(client, title: str, reason: str = "correction: the title") -> tuple[str, int]:
    """A new event changed and submitted by ``client``: its id and the revision's."""
    event_id = new_event(client)
    fields = form_of(client, event_id)
    fields.update(title=title, reason=reason, correction_source=CITED)
    assert post_form(client, event_id, fields, action="submit").status_code == 303
    listed = client.get("/desk/events?status=in_review").get_data(as_text=True)
    assert event_id in listed
    history = client.get(f"/desk/events/{event_id}/history").get_data(as_text=True)
    assert "in review" in history
    numbers = re.findall(r"Revision (\d+) <span", history)
    assert numbers[0] == "2"  # newest first: the submitted one
    return event_id, _revision_id(client, event_id)


def _revision_id(client, event_id: str) -> int:
    """The id of the event's latest revision, as the list links its review."""
    from almaty_map.database.connect import open_engine
    from almaty_map.desk.revisions import latest_revision

    engine = open_engine(client.application.config["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return latest_revision(conn, event_id).id
    finally:
        engine.dispose()


def test_a_reviewer_sees_the_diff_and_publishes(pages_app):
    author, reviewer = client_as(pages_app, "editor"), client_as(pages_app, "reviewer")
    event_id, revision = _submitted(author, "A corrected title")
    assert author.get(f"/desk/revisions/{revision}/review").status_code == 403
    listed = reviewer.get("/desk/events?status=in_review").get_data(as_text=True)
    assert f'href="/desk/revisions/{revision}/review"' in listed
    page = reviewer.get(f"/desk/revisions/{revision}/review")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<code>title</code>" in text
    assert "A corrected title" in text  # a new event: every field is new
    token = csrf_token(text)
    done = reviewer.post(f"/desk/revisions/{revision}/publish", data={"csrf_token": token})
    assert done.status_code == 303
    assert "status-published" in author.get(f"/desk/events/{event_id}").get_data(as_text=True)
    again = reviewer.post(f"/desk/revisions/{revision}/publish", data={"csrf_token": token})
    assert again.status_code == 409  # published already: not in review


def test_a_reviewer_cannot_review_their_own_change(pages_app):
    reviewer = client_as(pages_app, "reviewer")
    _, revision = _submitted(reviewer, "My own change")
    page = reviewer.get(f"/desk/revisions/{revision}/review")
    text = page.get_data(as_text=True)
    assert "a different reviewer must publish it" in text
    assert "/publish" not in text
    refused = reviewer.post(
        f"/desk/revisions/{revision}/publish", data={"csrf_token": csrf_token(text)}
    )
    assert refused.status_code == 403


def test_send_back_needs_a_comment(pages_app):
    author, reviewer = client_as(pages_app, "editor"), client_as(pages_app, "admin")
    event_id, revision = _submitted(author, "Sent back soon")
    token = csrf_token(reviewer.get(f"/desk/revisions/{revision}/review").get_data(as_text=True))
    empty = reviewer.post(f"/desk/revisions/{revision}/send-back", data={"csrf_token": token})
    assert empty.status_code == 422
    sent = reviewer.post(
        f"/desk/revisions/{revision}/send-back",
        data={"csrf_token": token, "comment": "cite the decree"},
    )
    assert sent.status_code == 303
    history = author.get(f"/desk/events/{event_id}/history").get_data(as_text=True)
    assert "cite the decree" in history


def test_history_restores_an_earlier_revision_as_a_new_draft(editor):
    event_id = new_event(editor, title="First title")
    fields = form_of(editor, event_id)
    fields["title"] = "To be undone"
    assert post_form(editor, event_id, fields).status_code == 303
    history = editor.get(f"/desk/events/{event_id}/history").get_data(as_text=True)
    assert "To be undone" in history and "First title" in history
    restored = editor.post(
        f"/desk/events/{event_id}/restore",
        data={"csrf_token": csrf_token(history), "number": "1", "reason": "undo"},
    )
    assert restored.status_code == 303
    assert form_of(editor, event_id)["title"] == "First title"
    assert "Revision 3" in editor.get(f"/desk/events/{event_id}/history").get_data(as_text=True)


EXACT = {"longitude": "76.91234", "latitude": "43.24321", "geo_precision": "exact"}


def test_a_sensitive_place_is_exact_for_reviewers_and_admins_only(pages_app):
    editor = client_as(pages_app, "editor")
    event_id = new_event(editor, sensitive="on", **EXACT)
    seen = form_of(editor, event_id)
    assert (seen["longitude"], seen["latitude"]) == ("76.915", "43.245")
    assert seen["geo_precision"] == "area"
    page = editor.get(f"/desk/events/{event_id}").get_data(as_text=True)
    assert "its exact place is shown only to reviewers and admins" in page
    assert "76.91234" not in page
    for role in ("reviewer", "admin"):
        exact = form_of(client_as(pages_app, role), event_id)
        assert (exact["longitude"], exact["latitude"]) == ("76.91234", "43.24321"), role
        assert exact["geo_precision"] == "exact"


def test_an_editor_cannot_move_or_unmark_a_sensitive_place(pages_app):
    editor = client_as(pages_app, "editor")
    event_id = new_event(editor, sensitive="on", **EXACT)
    fields = form_of(editor, event_id)
    more = post_form(editor, event_id, fields, action="more").get_data(as_text=True)
    assert "its exact place is shown only to reviewers and admins" in more
    assert "76.91234" not in more
    fields.update(title="Retitled by an editor", longitude="76.8", latitude="43.2")
    fields.pop("sensitive", None)
    assert post_form(editor, event_id, fields).status_code == 303
    history = editor.get(f"/desk/events/{event_id}/history").get_data(as_text=True)
    assert "76.91234" not in history and "76.8" not in history
    exact = form_of(client_as(pages_app, "reviewer"), event_id)
    assert exact["title"] == "Retitled by an editor"
    assert exact["sensitive"] == "on"
    assert (exact["longitude"], exact["latitude"]) == ("76.91234", "43.24321")


def test_import_adds_drafts_or_names_the_problems(editor, tmp_path):
    page = editor.get("/desk/import").get_data(as_text=True)
    token = csrf_token(page)
    good = json.loads((DATA / "base" / "events.geojson").read_text(encoding="utf-8"))
    for feature in good["features"]:
        feature["properties"]["id"] = "imported-" + feature["properties"]["id"]
        feature.pop("id", None)
    body = json.dumps(good).encode()
    from io import BytesIO

    done = editor.post(
        "/desk/import",
        data={"csrf_token": token, "file": (BytesIO(body), "events.geojson")},
        content_type="multipart/form-data",
    )
    assert done.status_code == 200, done.get_data(as_text=True)[:3000]
    assert "imported-spans-midnight" in done.get_data(as_text=True)
    good["features"][0]["properties"]["title"] = ""
    bad = editor.post(
        "/desk/import",
        data={"csrf_token": token, "file": (BytesIO(json.dumps(good).encode()), "e.geojson")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    assert "title" in bad.get_data(as_text=True)


def test_every_page_needs_a_signed_in_account(pages_app):
    desk_client = pages_app[0].test_client()
    for url in (
        "/desk/events",
        f"/desk/events/{EVENT}",
        "/desk/events/new",
        "/desk/import",
        f"/desk/events/{EVENT}/history",
        "/desk/revisions/1/review",
    ):
        response = desk_client.get(url)
        assert response.status_code == 302 and "/desk/signin" in response.location, url


def test_unknown_events_and_revisions_are_404(editor, pages_app):
    assert editor.get("/desk/events/no-such-event").status_code == 404
    assert editor.get("/desk/events/no-such-event/history").status_code == 404
    reviewer = client_as(pages_app, "reviewer")
    assert reviewer.get("/desk/revisions/999999/review").status_code == 404


def test_another_source_row_keeps_the_input_and_saves_nothing(editor):
    fields = form_of(editor, EVENT)
    rows = len({k.split("-")[1] for k in fields if k.startswith("sources-")})
    page = post_form(editor, EVENT, {**fields, "title": "Not saved yet"}, action="more")
    assert page.status_code == 200
    again = read_form(page.get_data(as_text=True))
    assert again["title"] == "Not saved yet"
    assert len({k.split("-")[1] for k in again if k.startswith("sources-")}) == rows + 1
    assert form_of(editor, EVENT)["title"] != "Not saved yet"


# --- The list's time and area filters, read as the reader reads them ------------------------

LATE = "after-midnight-local"


def _listed(client, query: str) -> set[str]:
    """The events a filtered list shows (every one, the tests' data being a page)."""
    page = client.get("/desk/events?" + query)
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]
    return set(re.findall(r'<code class="id">([^<]+)</code>', page.get_data(as_text=True)))


def test_the_list_filters_by_time_as_the_reader_does(editor):
    # A date is a whole local day (end included); an event is [start, end):
    # spans-midnight ends at 01:00 on the 7th, home at midnight before the 6th.
    on_the_7th = _listed(editor, "start=2022-01-07&end=2022-01-07")
    assert {EVENT, LATE} <= on_the_7th
    assert SENSITIVE not in on_the_7th
    before = _listed(editor, "end=2022-01-05")
    assert SENSITIVE in before
    assert not {EVENT, LATE} & before
    # A time: an event ending at it is over.
    assert _listed(editor, "start=2022-01-07T00:30:00%2B06:00") >= {EVENT, LATE}
    assert EVENT not in _listed(editor, "start=2022-01-07T01:00:00%2B06:00")


def test_the_list_filters_by_area(editor):
    near_the_square = _listed(editor, "bbox=76.94,43.23,76.96,43.26")
    assert {EVENT, LATE} <= near_the_square
    assert SENSITIVE not in near_the_square


def test_the_list_filters_a_draft_by_its_own_time_and_place(editor):
    corner = {"longitude": "77.1", "latitude": "43.4"}
    march = new_event(editor, title="Far in March", start="2023-03-01T10:00:00+06:00", **corner)
    april = new_event(editor, title="Far in April", start="2023-04-01T10:00:00+06:00", **corner)
    box = "bbox=77.05,43.35,77.12,43.42"
    assert _listed(editor, box) >= {march, april}
    assert _listed(editor, "start=2023-03-01&end=2023-03-01") & {march, april} == {march}
    assert _listed(editor, box + "&start=2023-03-15") & {march, april} == {april}
    assert _listed(editor, box + "&start=2023-03-15&q=March") & {march, april} == set()
    assert _listed(editor, box + "&end=2023-03-15&status=draft&q=Far") & {march, april} == {march}
    assert _listed(editor, box + "&status=published") & {march, april} == set()
    assert march not in _listed(editor, "bbox=76.94,43.23,76.96,43.26")


def test_a_box_finds_a_sensitive_event_only_at_its_published_cell(pages_app):
    editor = client_as(pages_app, "editor")
    # home is a square 76.90-76.92 × 43.20-43.22, published at its cell's centre.
    assert SENSITIVE not in _listed(editor, "bbox=76.90,43.20,76.905,43.205")
    assert SENSITIVE in _listed(editor, "bbox=76.914,43.214,76.916,43.216")
    # A draft at an exact place: its cell (76.915, 43.245) finds it, its place does not.
    drafted = new_event(editor, sensitive="on", **EXACT)
    assert drafted not in _listed(editor, "bbox=76.912,43.243,76.913,43.244")
    assert drafted in _listed(editor, "bbox=76.914,43.244,76.916,43.246")


@pytest.mark.parametrize(
    ("query", "parameter", "message"),
    [
        ("start=yesterday", "start", "expected"),
        ("end=2022-13-40", "end", "expected"),
        ("start=2022-01-08&end=2022-01-07", "end", ""),
        ("bbox=1,2,3", "bbox", "expected four numbers"),
        ("bbox=10,50,0,40", "bbox", "min_lat 50 is greater than max_lat 40"),
        ("bbox=1,2,3,nan", "bbox", "expected"),
    ],
)
def test_a_bad_time_or_area_is_a_400_naming_it(editor, pages_app, query, parameter, message):
    page = editor.get("/desk/events?" + query)
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert f'id="e-{parameter}"' in text
    assert message in text
    # The reader's page says the same of the same value.
    app, _ = pages_app
    public = app.test_client().get("/?" + query).get_data(as_text=True)
    shown = re.search(rf'id="e-{parameter}">([^<]+)<', text).group(1)
    assert shown in public


@pytest.mark.parametrize("parameter", ["start", "end", "bbox"])
def test_a_hostile_time_or_area_is_escaped(editor, parameter):
    hostile = '"><script>alert(1)</script>'
    page = editor.get("/desk/events", query_string={parameter: hostile})
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "<script>alert(1)" not in text
    assert "&lt;script&gt;" in text
    assert f'id="e-{parameter}"' in text
