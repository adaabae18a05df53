"""Every response that a request header chose says so in Vary, so a shared cache never
hands one client's format (CSV, HTML, gzip) to the next."""

from __future__ import annotations

import pytest

ACCEPTS = ["text/csv", "text/html", "application/json", "application/geo+json", "*/*", ""]
PATHS = [
    "/ogc",
    "/ogc/conformance",
    "/ogc/openapi",
    "/ogc/collections",
    "/ogc/collections/events",
    "/ogc/collections/events/items?limit=3",
    "/ogc/collections/places/items",
    "/ogc/collections/events/items/2022-01-06-csto-arrives",
    "/ogc/collections/nope",
    "/ogc/collections/events/items?limit=-1",
    "/",
    "/map",
    "/export",
    "/download.csv",
    "/map?start=never",
    "/download.csv?category=riot",
    "/no/such/page",
]


@pytest.mark.parametrize("path", PATHS)
def test_a_response_chosen_by_accept_varies_on_accept(client, path):
    answers = {}
    for accept in ACCEPTS:
        response = client.get(path, headers={"Accept": accept} if accept else {})
        answers[accept] = (response.mimetype, response.data, set(response.vary))
        assert "accept-encoding" in {v.lower() for v in response.vary}, (path, accept)
    chosen = {(mimetype, body) for mimetype, body, _ in answers.values()}
    if len(chosen) > 1:
        for accept, (_, _, vary) in answers.items():
            assert "Accept" in vary, (path, accept, vary)


@pytest.mark.parametrize("path", ["/ogc/collections/events/items?limit=3", "/ogc/collections"])
def test_a_304_varies_as_its_200_does(client, path):
    first = client.get(path)
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert set(again.vary) == set(first.vary)


def test_an_explicit_format_does_not_vary_on_accept(client):
    response = client.get("/ogc/collections/events/items?f=csv", headers={"Accept": "text/html"})
    assert response.mimetype == "text/csv"
    assert "Accept" not in response.vary
