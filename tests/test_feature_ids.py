"""Any id a dataset may hold can be listed, linked and fetched: "/", "?", "#", "%", spaces,
dots, unicode. Every link built from an id is percent-encoded, and the item route takes
the rest of the path as the id."""

from __future__ import annotations

import copy
import csv
import html
import io
import json
import re
import urllib.request
from urllib.parse import quote, urlsplit

import orjson
import pytest

from almaty_map.app import create_app
from harness.serving import serve
from tests.conftest import DATA

IDS = [
    "a/b",
    "q?x=1&y=2",
    "frag#1",
    "100%",
    "%2F",
    "two words",
    "Алматы 2022",
    "..",
    "a//b",
    "trailing/",
    "/leading",
    "plus+and&amp;",
    'x"><img src=x onerror=alert(1)>',
]


@pytest.fixture(scope="module")
def ids_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ids")
    (folder / "dataset.toml").write_bytes((DATA / "base" / "dataset.toml").read_bytes())
    doc = json.loads((DATA / "base" / "events.geojson").read_text(encoding="utf-8"))
    template = doc["features"][0]
    for n, feature_id in enumerate(IDS):
        feature = copy.deepcopy(template)
        feature["properties"]["id"] = feature_id
        feature["properties"]["title"] = f"Event {n}"
        doc["features"].append(feature)
    (folder / "events.geojson").write_text(json.dumps(doc), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def ids_client(ids_folder):
    return create_app({"TESTING": True, "DATA_PATH": str(ids_folder)}).test_client()


def item_path(feature_id: str) -> str:
    return "/ogc/collections/events/items/" + quote(feature_id, safe="")


@pytest.mark.parametrize("feature_id", IDS)
def test_every_id_can_be_fetched_and_its_links_fetch_it_again(ids_client, feature_id):
    response = ids_client.get(item_path(feature_id))
    assert response.status_code == 200, response.get_data(as_text=True)
    feature = orjson.loads(response.data)
    assert feature["id"] == feature_id
    for link in feature["links"]:
        if link["rel"] in {"self", "alternate"}:
            href = urlsplit(link["href"])
            assert href.path == item_path(feature_id)
            again = ids_client.get(f"{href.path}?{href.query}")
            assert again.status_code == 200
            assert found_id(again) == feature_id


def found_id(response) -> str:
    """The id a response shows, read as each format writes it."""
    text = response.get_data(as_text=True)
    if response.mimetype == "text/csv":
        return next(csv.DictReader(io.StringIO(text)))["id"]
    if response.mimetype == "text/html":
        return html.unescape(re.search(r"<title>(.*?)</title>", text, re.S).group(1))
    return orjson.loads(text)["id"]


def test_the_html_list_links_each_item_encoded(ids_client):
    page = ids_client.get("/ogc/collections/events/items?f=html").get_data(as_text=True)
    links = re.findall(r'<a href="(/ogc/collections/events/items/[^"]+)">', page)
    assert len(links) == len(IDS) + 3
    for href in links:
        path = href.replace("&amp;", "&").split("?")[0]
        assert "/" not in path.removeprefix("/ogc/collections/events/items/")
        assert ids_client.get(href.replace("&amp;", "&")).status_code == 200, href


def test_an_unknown_id_is_a_404_naming_it(ids_client):
    response = ids_client.get(item_path("no/such id"))
    assert response.status_code == 404
    assert "no/such id" in orjson.loads(response.data)["description"]


@pytest.mark.server
def test_ids_survive_a_real_server(ids_folder):
    with serve("--data", str(ids_folder)) as url:
        for feature_id in IDS:
            with urllib.request.urlopen(url + item_path(feature_id), timeout=10) as response:
                feature = orjson.loads(response.read())
            assert feature["id"] == feature_id
            self_link = next(link["href"] for link in feature["links"] if link["rel"] == "self")
            with urllib.request.urlopen(self_link, timeout=10) as response:
                assert orjson.loads(response.read())["id"] == feature_id
