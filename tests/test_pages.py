"""The reader's page: the list of events, filters in the URL, errors and 404s."""

from __future__ import annotations


def test_index_lists_the_bundled_events(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Almaty, January 2022" in page
    assert page.count('class="when"') == 19
    assert "6 January 2022, evening" in page


def test_filters_come_from_the_query_string(client):
    page = client.get("/?start=2022-01-09&end=2022-01-09").get_data(as_text=True)
    assert "emergency hospital" in page
    assert "Independence Monument" not in page


def test_bad_filter_value_is_named_and_escaped(client):
    response = client.get("/?start=<script>alert(1)</script>")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "start: expected a date" in page
    assert "<script>alert(1)" not in page


def test_unknown_page_is_a_real_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "There is no page at this address" in response.get_data(as_text=True)
