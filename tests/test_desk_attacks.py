"""The desk attacked from outside with only the README: what a published correction
carries to the public pages, and what the desk's forms accept from a crafted post."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path

import orjson
import pytest

from almaty_map.app import create_app
from almaty_map.desk.history import restore
from almaty_map.desk.publishing import publish
from almaty_map.desk.revisions import latest_revision, save_draft, submit
from tests.conftest import DATA, loaded_database, new_database, stop_listening
from tests.deskhelp import csrf_token, signed_in
from tests.deskrows import CITED, base_feature, base_loaded, person, transaction

pytestmark = pytest.mark.db

PAYLOADS = json.loads((Path(__file__).parent / "data" / "hostile" / "PAYLOADS.json").read_text())
MARKUP = {k: v for k, v in PAYLOADS.items() if any(c in v for c in "<>\"'")}
EVENT = "spans-midnight"


def hostile_feature() -> dict:
    """spans-midnight with every free-text field hostile."""
    feature = base_feature(EVENT)
    props = feature["properties"]
    props["title"] = "T " + PAYLOADS["script"] + PAYLOADS["img"]
    props["description"] = PAYLOADS["svg"] + PAYLOADS["comment"]
    props["place"] = PAYLOADS["attr"] + PAYLOADS["tmpl"]
    props["actors"] = [PAYLOADS["img"], PAYLOADS["csv"]]
    source = props["sources"][0]
    source.update(
        publication=PAYLOADS["script"],
        title=PAYLOADS["svg"],
        quote=PAYLOADS["img"] + PAYLOADS["csv"],
        author=PAYLOADS["attr"],
    )
    return feature


@pytest.fixture(scope="module")
def published_hostile(postgres):
    _, url = new_database(postgres)
    engine = base_loaded(url)
    with transaction(engine) as connection:
        editor = person(connection, "Editor " + PAYLOADS["img"], "editor")
        reviewer = person(connection, "Reviewer " + PAYLOADS["script"], "reviewer")
        draft = save_draft(connection, EVENT, hostile_feature(), None, editor)
        assert not hasattr(draft, "problems"), draft
        reason = "R " + PAYLOADS["script"] + PAYLOADS["attr"] + PAYLOADS["comment"]
        source = "S " + PAYLOADS["svg"] + PAYLOADS["img"] + PAYLOADS["tmpl"]
        submit(connection, draft.id, reason, editor, source=source)
        publish(connection, draft.id, reviewer, PAYLOADS["svg"])
    engine.dispose()
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    yield app.test_client()
    stop_listening(app)


@pytest.mark.parametrize(
    "address",
    ["/", "/map", "/export", "/ogc/collections/events/items?f=html",
     f"/ogc/collections/events/items/{EVENT}?f=html"],
)  # fmt: skip
def test_a_hostile_publication_is_escaped_on_every_public_page(published_hostile, address):
    response = published_hostile.get(address)
    assert response.status_code == 200, (address, response.status_code)
    text = response.get_data(as_text=True)
    assert "T " in text or EVENT in text  # the corrected event is on the page
    for name, payload in MARKUP.items():
        assert payload not in text, (address, name)
    assert "</script><script>" not in text


def test_hostile_text_in_the_data_downloads_is_data(published_hostile):
    text = published_hostile.get("/download.csv").get_data(as_text=True)
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert any("HYPERLINK" in cell for cell in cells)
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
    item = published_hostile.get(f"/ogc/collections/events/items/{EVENT}")
    assert item.mimetype in ("application/geo+json", "application/json")
    assert orjson.loads(item.data)["properties"]["title"].startswith("T </script>")


BEYOND_INTEGER = str(2**31)  # one past PostgreSQL's integer, which the ids are


@pytest.mark.parametrize(
    ("method", "address"),
    [
        ("get", "/desk/revisions/{}/review"),
        ("post", "/desk/revisions/{}/publish"),
        ("post", "/desk/revisions/{}/send-back"),
        ("post", "/desk/admin/accounts/{}/disable"),
        ("post", "/desk/admin/accounts/{}/password"),
        ("post", "/desk/admin/accounts/{}/role"),
    ],
)
@pytest.mark.parametrize("number", [BEYOND_INTEGER, "9" * 30])
def test_an_id_beyond_the_column_s_range_is_404_not_500(
    desk_client, desk_database, method, address, number
):
    signed_in(desk_client, desk_database, "admin")
    token = csrf_token(desk_client.get("/desk/events/new").get_data(as_text=True))
    form = {"csrf_token": token, "comment": "checked", "password": "x" * 20, "role": "editor"}
    url = address.format(number)
    response = desk_client.get(url) if method == "get" else desk_client.post(url, data=form)
    assert response.status_code == 404, (url, response.get_data(as_text=True)[:300])


def _form(client, event_id: str) -> dict[str, str]:
    """The edit form's fields as the page fills them (what a browser would post back)."""
    page = client.get(f"/desk/events/{event_id}").get_data(as_text=True)
    form = {
        m[0]: html.unescape(m[1])
        for m in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page)
    }
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', page):
        form[name] = html.unescape(text)
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        form[name] = chosen.group(1) if chosen else ""
    for name, value in re.findall(
        r'<input type="(?:radio|checkbox)" name="([^"]+)"(?: value="([^"]*)")?[^>]*checked', page
    ):
        form[name] = value or "on"
    return form


MOVED = (76.95123, 43.26789)  # where a reviewer puts the sensitive event, exactly


def test_a_sensitive_event_s_exact_place_reaches_no_editor_page(postgres):
    """A reviewer moves the sensitive event; the editor's stale save is refused with what
    changed meanwhile, and neither that page nor any other shows the editor the place."""
    _, url = new_database(postgres)
    engine = base_loaded(url)
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    editor, reviewer = app.test_client(), app.test_client()
    try:
        signed_in(editor, url, "editor")
        signed_in(reviewer, url, "reviewer")
        stale = _form(editor, "home")
        feature = base_feature("home")
        feature["geometry"] = {"type": "Point", "coordinates": list(MOVED)}
        with transaction(engine) as connection:
            who = person(connection, "Saule", "reviewer")
            save_draft(connection, "home", feature, None, who)
        stale.update(title="The editor's title", action="save")
        refused = editor.post("/desk/events/home", data=stale)
        assert refused.status_code == 409
        pages = [refused] + [
            editor.get(address)
            for address in (
                "/desk/events/home",
                "/desk/events/home/history",
                "/desk/events",
                "/desk/",
            )
        ]
        for page in pages:
            text = page.get_data(as_text=True)
            assert "76.951" not in text and "43.267" not in text, text[:500]
        assert "76.951" in reviewer.get("/desk/events/home").get_data(as_text=True)
    finally:
        stop_listening(app)
        engine.dispose()


def test_a_reviewer_posting_the_publish_form_for_their_own_change_is_refused(postgres):
    """The review page hides the buttons from the author; posting the form anyway is 403
    and the revision stays in review."""
    _, url = new_database(postgres)
    loaded_database(url, DATA / "base")
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    try:
        _publish_own(app.test_client(), url)
    finally:
        stop_listening(app)


def _publish_own(desk_client, url: str) -> None:
    signed_in(desk_client, url, "reviewer")
    form = _form(desk_client, "after-midnight-local")
    form.update(
        title="Shots, by the reviewer",
        action="submit",
        reason="my own change",
        correction_source=CITED,
    )
    saved = desk_client.post("/desk/events/after-midnight-local", data=form)
    assert saved.status_code == 303, saved.get_data(as_text=True)[:2000]
    listed = desk_client.get("/desk/events?status=in_review").get_data(as_text=True)
    review = re.search(r'href="(/desk/revisions/\d+)/review"', listed).group(1)
    token = form["csrf_token"]
    refused = desk_client.post(review + "/publish", data={"csrf_token": token})
    assert refused.status_code == 403
    assert "own" in refused.get_data(as_text=True)
    assert "in review" in desk_client.get(review + "/review").get_data(as_text=True)


PUBLIC_OUTPUTS = (
    "/",
    "/download.csv",
    "/download.geojson",
    "/export",
    "/ogc/collections/events/items/home",
    "/ogc/collections/events/items",
)


def test_a_sensitive_event_moved_and_published_is_public_only_as_its_cell(postgres):
    _, url = new_database(postgres)
    engine = base_loaded(url)
    feature = base_feature("home")
    feature["geometry"] = {"type": "Point", "coordinates": list(MOVED)}
    with transaction(engine) as connection:
        reviewer = person(connection, "Saule", "reviewer")
        admin = person(connection, "Marat", "admin")
        draft = save_draft(connection, "home", feature, None, reviewer)
        submit(connection, draft.id, "moved to the right flat", reviewer, source=CITED)
        publish(connection, draft.id, admin, None)
    engine.dispose()
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    client = app.test_client()
    try:
        for address in PUBLIC_OUTPUTS:
            text = client.get(address).get_data(as_text=True)
            assert "moved to the right flat" in text or address != "/"
            assert "76.951" not in text and "43.267" not in text, address
    finally:
        stop_listening(app)


def test_every_state_changing_desk_route_refuses_a_missing_or_foreign_csrf_token(
    desk_app, desk_client, desk_database
):
    """Signed in as an admin (every route open to it), each POST without the token, or with
    another session's, is 400 before the view runs."""
    signed_in(desk_client, desk_database, "admin")
    other = desk_app.test_client()
    signed_in(other, desk_database, "admin")
    foreign = csrf_token(other.get("/desk/events/new").get_data(as_text=True))
    rules = [
        r
        for r in desk_app.url_map.iter_rules()
        if r.endpoint.startswith("desk.") and "POST" in r.methods and r.endpoint != "desk.signin"
    ]
    assert len(rules) >= 10
    for rule in rules:
        path = re.sub(r"<(?:[^:<>]+:)?[^<>]+>", "1", rule.rule)
        form = {"reason": "r", "comment": "c", "number": "0", "title": "t", "action": "save"}
        for token in (None, foreign):
            data = form if token is None else {**form, "csrf_token": token}
            response = desk_client.post(path, data=data)
            assert response.status_code == 400, (path, token, response.status_code)
            assert "CSRF" in response.get_data(as_text=True), path


def test_a_crafted_edit_form_changes_only_the_event_its_address_names(postgres):
    """Another event's id in the form, or a revision number from the future: the first
    saves the addressed event alone, the second is refused with nothing saved."""
    _, url = new_database(postgres)
    loaded_database(url, DATA / "base")
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    client = app.test_client()
    try:
        signed_in(client, url, "editor")
        form = _form(client, "spans-midnight")
        future = client.post(
            "/desk/events/spans-midnight", data={**form, "title": "Future", "base_number": "7"}
        )
        assert future.status_code == 409
        assert "no revision 7" in html.unescape(future.get_data(as_text=True))
        moved = client.post(
            "/desk/events/spans-midnight", data={**form, "id": "home", "title": "X"}
        )
        assert moved.headers["Location"].startswith("/desk/events/spans-midnight?saved=draft")
        assert 'value="X"' in client.get("/desk/events/spans-midnight").get_data(as_text=True)
        home = client.get("/desk/events/home").get_data(as_text=True)
        assert 'value="X"' not in home and "A private home" in home
        history = client.get("/desk/events/spans-midnight/history").get_data(as_text=True)
        assert "Future" not in history and "Revision 2" not in history
    finally:
        stop_listening(app)


def test_a_draft_unmarking_a_sensitive_event_shows_no_editor_its_place(postgres):
    """A reviewer's draft clears ``sensitive`` (not yet reviewed): readers still see the
    cell, so the editor must too, on every page, until a publication says otherwise."""
    _, url = new_database(postgres)
    engine = base_loaded(url)
    feature = base_feature("home")
    feature["properties"]["sensitive"] = False
    feature["geometry"] = {"type": "Point", "coordinates": list(MOVED)}
    with transaction(engine) as connection:
        save_draft(connection, "home", feature, None, person(connection, "Saule", "reviewer"))
    engine.dispose()
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    client = app.test_client()
    try:
        signed_in(client, url, "editor")
        for address in ("/desk/events/home", "/desk/events/home/history", "/desk/events"):
            text = client.get(address).get_data(as_text=True)
            assert "76.951" not in text and "43.267" not in text, address
    finally:
        stop_listening(app)


def test_an_editor_s_import_neither_moves_nor_shows_a_sensitive_event_s_place(postgres):
    """The import is another way to edit an event: for a sensitive one, an editor's file
    may not move or unmark it, and the page answering it shows no exact place."""
    _, url = new_database(postgres)
    engine = base_loaded(url)
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    client = app.test_client()
    try:
        signed_in(client, url, "editor")
        token = csrf_token(client.get("/desk/import").get_data(as_text=True))
        feature = base_feature("home")
        feature["properties"]["sensitive"] = False
        feature["geometry"] = {"type": "Point", "coordinates": list(MOVED)}
        body = orjson.dumps({"type": "FeatureCollection", "features": [feature]})
        answer = client.post(
            "/desk/import",
            data={"csrf_token": token, "file": (io.BytesIO(body), "home.geojson")},
            content_type="multipart/form-data",
        )
        text = answer.get_data(as_text=True)
        assert "76.92" not in text and "43.22" not in text, text[-3000:]
        with transaction(engine) as connection:
            latest = latest_revision(connection, "home")
        kept = latest is None or (
            latest.feature["properties"].get("sensitive") is True
            and latest.feature["geometry"] == base_feature("home")["geometry"]
        )
        assert kept, (answer.status_code, latest.feature if latest else None)
    finally:
        stop_listening(app)
        engine.dispose()


def test_an_editor_s_restore_neither_unmarks_nor_moves_a_sensitive_event(postgres):
    """A reviewer's revision unmarked and moved the sensitive event, a later one undid
    that; an editor restoring the first gets its other fields back, but the event's
    place and sensitivity stay as they are (a restore is an edit), and is told so."""
    _, url = new_database(postgres)
    engine = base_loaded(url)
    unmarked = base_feature("home")
    unmarked["properties"].update(sensitive=False, title="Unmarked by a reviewer")
    unmarked["geometry"] = {"type": "Point", "coordinates": list(MOVED)}
    with transaction(engine) as connection:
        who = person(connection, "Saule", "reviewer")
        first = save_draft(connection, "home", unmarked, None, who)
        save_draft(connection, "home", base_feature("home"), first.number, who)
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    client = app.test_client()
    try:
        signed_in(client, url, "editor")
        token = csrf_token(client.get("/desk/events/home/history").get_data(as_text=True))
        form = {"csrf_token": token, "number": "1", "reason": "the reviewer's title"}
        answer = client.post("/desk/events/home/restore", data=form)
        assert answer.status_code == 303
        page = client.get(answer.headers["Location"]).get_data(as_text=True)
        assert "place and sensitivity kept" in page
        assert "76.951" not in page and "43.267" not in page
        with transaction(engine) as connection:
            latest = latest_revision(connection, "home")
        assert latest.restored_from == 1
        assert latest.feature["properties"]["title"] == "Unmarked by a reviewer"
        assert latest.feature["properties"]["sensitive"] is True
        assert latest.feature["geometry"] == base_feature("home")["geometry"]
        with transaction(engine) as connection:
            exact = person(connection, "Dana", "reviewer")
            again = restore(connection, "home", 1, exact, "as the reviewer wrote it")
        assert again.feature["properties"]["sensitive"] is False
        assert again.feature["geometry"]["coordinates"] == list(MOVED)
    finally:
        stop_listening(app)
        engine.dispose()
