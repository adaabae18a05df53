"""Absolute links come from the configured public URL or the server's own address, never
from the Host header a client sends; behind trusted proxies, from their X-Forwarded-*."""

from __future__ import annotations

import re

import orjson
import pytest

from almaty_map.app import create_app

FORGED = {"Host": "evil.example"}


def hrefs(response) -> list[str]:
    """Every link of a page or API document (an OpenAPI server's url too)."""
    text = response.get_data(as_text=True)
    if response.mimetype.endswith("json"):
        found = re.findall(r'"href":"([^"]+)"|"servers":\[\{"url":"([^"]+)"', text)
        return [href or server for href, server in found]
    return re.findall(r'href="([^"]+)"', text)


API_PATHS = [
    "/ogc",
    "/ogc/collections",
    "/ogc/collections/events",
    "/ogc/collections/events/items?limit=2&offset=2",
    "/ogc/collections/events/items/2022-01-06-csto-arrives",
    "/ogc/openapi",
]


@pytest.mark.parametrize("path", API_PATHS)
def test_a_forged_host_never_reaches_a_link(client, path):
    response = client.get(path, headers=FORGED)
    assert response.status_code == 200
    links = hrefs(response)
    assert links and all(
        not h.startswith("http") or h.startswith("http://localhost/") for h in links
    )
    assert "evil.example" not in response.get_data(as_text=True)


def test_the_readers_api_link_ignores_a_forged_host(client):
    page = client.get("/?category=custody", headers=FORGED).get_data(as_text=True)
    assert "evil.example" not in page
    assert 'href="http://localhost/ogc/collections/events/items?category=custody"' in page


def test_a_public_url_names_every_absolute_link():
    app = create_app({"TESTING": True, "PUBLIC_URL": "https://map.example.org/almaty/"})
    client = app.test_client()
    for path in API_PATHS:
        links = [h for h in hrefs(client.get(path, headers=FORGED)) if h.startswith("http")]
        assert links and all(h.startswith("https://map.example.org/almaty/ogc") for h in links)
    page = client.get("/").get_data(as_text=True)
    assert 'href="https://map.example.org/almaty/ogc/collections/events/items"' in page
    spec = orjson.loads(client.get("/ogc/openapi").data)
    assert spec["servers"][0]["url"].startswith("https://map.example.org/almaty/ogc")


def test_forwarded_headers_count_only_from_trusted_proxies():
    forwarded = {
        "X-Forwarded-Host": "map.example.org",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Prefix": "/almaty",
    }
    untrusted = create_app({"TESTING": True}).test_client().get("/ogc", headers=forwarded)
    assert all("map.example.org" not in h for h in hrefs(untrusted))
    trusted = create_app({"TESTING": True, "PROXIES": 1}).test_client()
    response = trusted.get("/ogc", headers=forwarded)
    links = [h for h in hrefs(response) if h.startswith("http")]
    assert links and all(h.startswith("https://map.example.org/almaty/ogc") for h in links)
    assert "X-Forwarded-Host" in response.headers["Vary"]
    # Two proxies trusted, one hop seen: the client's own value is not the proxy's.
    two = create_app({"TESTING": True, "PROXIES": 2}).test_client().get("/ogc", headers=forwarded)
    assert all("map.example.org" not in h for h in hrefs(two))


def test_redirects_are_relative(client):
    response = client.get("/ogc//collections", headers=FORGED)
    assert 300 <= response.status_code < 400
    assert response.headers["Location"] == "/ogc/collections"


@pytest.mark.parametrize("value", ["map.example.org", "ftp://x", "https://x/?a=1", "https://"])
def test_a_public_url_that_is_not_an_address_is_refused(value):
    from almaty_map.web.settings import SettingError

    with pytest.raises(SettingError, match="ALMATY_MAP_PUBLIC_URL: expected an http"):
        create_app({"TESTING": True, "PUBLIC_URL": value})
