"""The details block is deflated on a worker thread as it is made; the bytes must be those
of deflating the whole block at once, and small blocks stay readable JSON."""

from __future__ import annotations

import base64
import threading
import zlib

import pytest

from almaty_map.maprender import packing
from almaty_map.maprender.packing import PACKED_MIME, PLAIN_MIME, DetailsPacker


def _pieces(total: int) -> list[bytes]:
    text = b'{"events":{"description":["' + b"the crowd gathered, " * (total // 20) + b'"]}}'
    return [text[i : i + 4096] for i in range(0, len(text), 4096)]


def test_a_small_block_stays_plain_json():
    pieces = _pieces(10_000)
    with DetailsPacker() as packer:
        for piece in pieces:
            packer.add(piece)
        block, mime = packer.packed()
    assert (block, mime) == (b"".join(pieces), PLAIN_MIME)


@pytest.mark.parametrize("limit", [0, 50_000, 3_000_000])
def test_a_large_block_is_the_deflate_of_the_whole(monkeypatch, limit):
    """Packing starts wherever the limit is crossed (at once, midway, or never, for a
    block under it) and gives the bytes of one deflate of the joined block."""
    monkeypatch.setattr(packing, "PACK_OVER_BYTES", limit)
    pieces = _pieces(2_000_000)
    whole = b"".join(pieces)
    with DetailsPacker() as packer:
        for piece in pieces:
            packer.add(piece)
        block, mime = packer.packed()
    if len(whole) <= limit:
        assert (block, mime) == (whole, PLAIN_MIME)
        return
    one_go = zlib.compressobj(1)
    assert mime == PACKED_MIME
    assert block == base64.b64encode(one_go.compress(whole) + one_go.flush())
    assert zlib.decompress(base64.b64decode(block)) == whole


def test_the_worker_stops_even_when_the_payload_fails(monkeypatch):
    monkeypatch.setattr(packing, "PACK_OVER_BYTES", 10)
    with pytest.raises(RuntimeError, match="column failed"), DetailsPacker() as packer:
        packer.add(b"x" * 100)
        raise RuntimeError("column failed")
    assert not [t for t in threading.enumerate() if t.name.startswith("deflate")]
