"""One error shape for the whole app: JSON for the API and for clients asking for JSON,
templates/error.html for people, with the security headers, and never a 500 for a bad
request."""

from __future__ import annotations

import orjson
import pytest

from almaty_map.app import create_app


@pytest.fixture(scope="module")
def failing_client():
    """An app with a view that fails, to see what an unexpected error looks like."""
    app = create_app({"TESTING": True})

    def boom():
        raise RuntimeError("secret detail")

    app.add_url_rule("/boom", view_func=boom)
    app.add_url_rule("/ogc/boom", view_func=boom)
    return app.test_client()


@pytest.mark.parametrize(
    "url",
    [
        "/map?slice=<b>year</b>&bbox=1,2",
        "/ogc/collections/events/items?f=html&limit=<b>0</b>&q=" + "x" * 201,
        "/no/such/<b>page</b>",
    ],
)
def test_html_errors_escape_and_keep_the_security_headers(client, url):
    response = client.get(url)
    assert response.status_code in (400, 404) and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert 'class="error-page"' in page and "<b>" not in page
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "script-src" not in policy


def test_a_page_and_the_api_answer_a_bad_request_in_the_same_shape(client):
    page = client.get("/export?bbox=200,0,10,10", headers={"Accept": "application/json"})
    api = client.get("/ogc/collections/events/items?bbox=200,0,10,10")
    assert page.status_code == api.status_code == 400
    assert orjson.loads(page.data) == orjson.loads(api.data)
    assert api.headers["Access-Control-Allow-Origin"] == "*"


def test_a_browser_gets_the_page_not_json(client):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/download.csv?start=never", headers={"Accept": accept})
    assert response.status_code == 400 and response.mimetype == "text/html"


@pytest.mark.parametrize(("url", "mimetype"), [("/boom", "text/html"), ("/ogc/boom", None)])
def test_an_unexpected_failure_is_a_generic_500(failing_client, url, mimetype):
    response = failing_client.get(url)
    assert response.status_code == 500
    assert "secret detail" not in response.get_data(as_text=True)
    if mimetype is None:
        assert orjson.loads(response.data) == {
            "code": "InternalServerError",
            "description": "Something went wrong on our side.",
        }
    else:
        assert response.mimetype == mimetype
