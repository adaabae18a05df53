"""Downloads and large API pages are written as they are sent, a batch of events at a time,
with the same bytes as written whole; their gzip is one valid stream. Large rendered maps
leave the cache as pieces, compressed once, and decompress to the page itself."""

from __future__ import annotations

import gzip
import zlib

import orjson
import pytest

from almaty_map.app import create_app
from almaty_map.geodata import formats
from almaty_map.web.gzipped import gzip_length, gzip_stream, pack


@pytest.fixture(scope="module")
def synthetic_client(synthetic_folder):
    return create_app({"TESTING": True, "DATA_PATH": str(synthetic_folder)}).test_client()


@pytest.mark.parametrize("batch", [1, 7, 2000, 10**9])
def test_batches_write_the_bytes_of_one_pass(synthetic, batch, monkeypatch):
    positions = list(range(0, len(synthetic.events), 37))
    whole = formats.events_geojson(synthetic, positions), formats.events_csv(synthetic, positions)
    monkeypatch.setattr(formats, "BATCH", batch)
    chunks = list(formats.geojson_chunks(synthetic, positions, {"numberMatched": 1}))
    assert formats.events_geojson(synthetic, positions) == whole[0]
    assert formats.events_csv(synthetic, positions) == whole[1]
    expected_chunks = -(-len(positions) // batch) + 2
    assert len(chunks) == expected_chunks
    collection = orjson.loads(b"".join(chunks))
    assert collection["numberMatched"] == 1 and len(collection["features"]) == len(positions)


def test_an_empty_selection_is_a_valid_document(synthetic):
    assert orjson.loads(formats.events_geojson(synthetic, []))["features"] == []
    assert formats.events_csv(synthetic, []).count("\n") == 1


def fetch(client, path, **kwargs):
    """The response, read and closed (closing gives back its heavy-work slot, as waitress
    does once a body is sent), and whether it came as a stream (written as it goes, so its
    length was not known in advance)."""
    with client.get(path, buffered=False, **kwargs) as response:
        response.get_data()
        return response, "Content-Length" not in response.headers


@pytest.mark.parametrize("path", ["/download.geojson", "/download.csv"])
def test_downloads_are_streamed_and_compressed_as_they_go(synthetic_client, synthetic, path):
    plain, streamed = fetch(synthetic_client, path)
    assert plain.status_code == 200
    assert streamed
    packed, streamed = fetch(synthetic_client, path, headers={"Accept-Encoding": "gzip"})
    assert streamed and packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    whole = formats.events_geojson(synthetic, range(len(synthetic.events)))
    if path.endswith("geojson"):
        assert plain.data == whole
    else:
        assert plain.data.count(b"\n") == len(synthetic.events) + 1


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_large_api_pages_are_streamed(synthetic_client, fmt):
    response, streamed = fetch(
        synthetic_client, f"/ogc/collections/events/items?limit=5000&f={fmt}"
    )
    assert response.status_code == 200 and streamed
    if fmt == "json":
        doc = orjson.loads(response.data)
        assert doc["numberReturned"] == 5000 and len(doc["features"]) == 5000
    else:
        assert response.data.count(b"\n") == 5001
    _, streamed = fetch(synthetic_client, f"/ogc/collections/events/items?limit=10&f={fmt}")
    assert not streamed


def test_pieces_make_one_gzip_stream():
    pieces = [pack(b"<html>" * 50_000), pack(b""), pack("Алматы \u2028".encode()), pack(b"!")]
    stream = b"".join(gzip_stream(pieces))
    assert len(stream) == gzip_length(pieces)
    assert gzip.decompress(stream) == b"".join(p.raw for p in pieces)
    # What browsers do: one streaming inflate, which must find exactly one end.
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    assert inflater.decompress(stream) == b"".join(p.raw for p in pieces)
    assert inflater.eof and inflater.unused_data == b""


@pytest.mark.parametrize("path", ["/export?title=Ünïcode+%3Cb%3E", "/map", "/?start=2022-01-05"])
def test_rendered_pages_decompress_to_the_page(synthetic_client, path):
    plain, _ = fetch(synthetic_client, path)
    packed, _ = fetch(synthetic_client, path, headers={"Accept-Encoding": "gzip"})
    assert plain.status_code == packed.status_code == 200
    assert packed.headers["Content-Encoding"] == "gzip"
    assert int(packed.headers["Content-Length"]) == len(packed.data)
    assert int(plain.headers["Content-Length"]) == len(plain.data)
    assert gzip.decompress(packed.data) == plain.data
    if "ETag" in plain.headers:
        assert packed.headers["ETag"] == plain.headers["ETag"][:-1] + ':gzip"'
