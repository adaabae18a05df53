"""The public pages' hostile payloads through every field and parameter of the desk's
editing pages: each is refused or kept, shown back only escaped, and never answered 500."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path

import pytest

from almaty_map.app import create_app
from tests.conftest import DATA, loaded_database, new_database, stop_listening
from tests.deskhelp import csrf_token, signed_in

PAYLOADS = json.loads((Path(__file__).parent / "data" / "hostile" / "PAYLOADS.json").read_text())
MARKUP = {k: v for k, v in PAYLOADS.items() if any(c in v for c in "<>\"'")}
EVENT = "spans-midnight"
FORM_FIELDS = (
    "id", "title", "description", "category", "actors", "start", "end", "time_precision",
    "place", "place_id", "geometry_kind", "longitude", "latitude", "geometry", "geo_precision",
    "sensitive", "fatalities_kind", "fatalities_count", "fatalities_words", "fatalities_min",
    "fatalities_max", "fatalities_scope", "sources-0-publication", "sources-0-author",
    "sources-0-title", "sources-0-date", "sources-0-url", "sources-0-quote", "sources-0-note",
    "sources-0-time", "sources-0-remove", "translations-0-language", "translations-0-title",
    "translations-0-place", "translations-0-description", "reason", "correction_source",
    "base_number", "kept", "action",
)  # fmt: skip
VALID = {
    "title": "A plain event",
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
def hostile_app(postgres):
    """An app on a database of its own: what these tests save reaches no other test."""
    _, url = new_database(postgres)
    loaded_database(url, DATA / "base")
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    yield app, url
    stop_listening(app)


@pytest.fixture(scope="module")
def signed(hostile_app):
    """One admin (every page open to it) signed in for the module."""
    app, url = hostile_app
    client = app.test_client()
    signed_in(client, url, "admin")
    token = csrf_token(client.get("/desk/events/new").get_data(as_text=True))
    return client, token


def shown_safely(response, payload: str) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
    text = response.get_data(as_text=True)
    if any(c in payload for c in "<>\"'"):
        assert payload not in text
    assert 'href="javascript:' not in text.lower()
    assert 'src="javascript:' not in text.lower()


@pytest.mark.parametrize("name", FORM_FIELDS)
def test_every_field_of_a_new_event(signed, name):
    client, token = signed
    for key, payload in PAYLOADS.items():
        form = {**VALID, "id": f"hostile-{name}-{key}", "csrf_token": token, name: payload}
        shown_safely(client.post("/desk/events/new", data=form), payload)


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_every_field_of_an_event_at_once(signed, payload):
    client, token = signed
    form = dict.fromkeys(FORM_FIELDS, payload) | {"csrf_token": token}
    shown_safely(client.post(f"/desk/events/{EVENT}", data=form), payload)
    shown_safely(client.post(f"/desk/events/{EVENT}", data=form | {"action": "save"}), payload)


@pytest.mark.parametrize("name", ["status", "q", "start", "end", "category", "bbox", "filter"])
def test_every_list_parameter(signed, name):
    client, _ = signed
    for payload in PAYLOADS.values():
        shown_safely(client.get("/desk/events", query_string={name: payload}), payload)


def test_addresses(signed):
    client, token = signed
    for payload in PAYLOADS.values():
        for url in (
            f"/desk/events/{payload}",
            f"/desk/events/{payload}/history",
            f"/desk/revisions/{payload}/review",
        ):
            shown_safely(client.get(url), payload)
        shown_safely(client.post(f"/desk/events/{payload}", data={"csrf_token": token}), payload)


@pytest.mark.parametrize("name", ["number", "reason"])
def test_restore_fields(signed, name):
    client, token = signed
    for payload in PAYLOADS.values():
        form = {"csrf_token": token, "number": "1", "reason": "why", name: payload}
        shown_safely(client.post(f"/desk/events/{EVENT}/restore", data=form), payload)


@pytest.mark.parametrize("action", ["publish", "send-back"])
def test_review_comments(signed, action):
    client, token = signed
    for payload in PAYLOADS.values():
        form = {"csrf_token": token, "comment": payload}
        shown_safely(client.post(f"/desk/revisions/999999/{action}", data=form), payload)


def test_import_file_names_and_contents(signed):
    client, token = signed
    for payload in PAYLOADS.values():
        for name, body in ((payload + ".geojson", b"{}"), ("events.geojson", payload.encode())):
            response = client.post(
                "/desk/import",
                data={"csrf_token": token, "file": (BytesIO(body), name)},
                content_type="multipart/form-data",
            )
            shown_safely(response, payload)
