"""Large rendered bodies sent as pieces, each compressed once, never copied whole.

A 100,000-event map is about 26 MB. Compressing it for every request costs about a second
of CPU, and joining it with the parts that change per request (the title, the reader's
list) copies it. So a cached render keeps each of its pieces beside its deflate stream,
ended with a sync flush (byte-aligned, not final), and a response is the gzip header, the
pieces' streams one after another, an empty final block and the trailer: one valid gzip
stream (RFC 1951, 1952), as pigz writes in parallel. Only the small per-request pieces are
compressed when the request comes; the trailer's CRC-32 runs over the raw pieces.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from flask import Response, request

LEVEL = 5
# gzip magic, deflate, no flags, no modification time, no extra flags, unknown OS.
HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
FINAL_BLOCK = b"\x03\x00"  # an empty, final, fixed-Huffman block
TRAILER_SIZE = 8
CHUNK = 1 << 20  # what waitress gets per write: large bodies leave in 1 MiB steps


@dataclass(frozen=True)
class Piece:
    """Part of a body, raw and as a deflate stream that another piece's may follow."""

    raw: bytes
    packed: bytes

    @property
    def weight(self) -> int:
        return len(self.raw) + len(self.packed)


def pack(raw: bytes) -> Piece:
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return Piece(raw, compressor.compress(raw) + compressor.flush(zlib.Z_SYNC_FLUSH))


def gzip_length(pieces: Sequence[Piece]) -> int:
    packed = sum(len(p.packed) for p in pieces)
    return len(HEADER) + packed + len(FINAL_BLOCK) + TRAILER_SIZE


def gzip_stream(pieces: Sequence[Piece]) -> Iterator[bytes]:
    yield HEADER
    crc, size = 0, 0
    for piece in pieces:
        yield from _slices(piece.packed)
        crc = zlib.crc32(piece.raw, crc)
        size += len(piece.raw)
    yield FINAL_BLOCK + struct.pack("<II", crc, size & 0xFFFFFFFF)


def raw_stream(pieces: Iterable[Piece]) -> Iterator[bytes]:
    for piece in pieces:
        yield from _slices(piece.raw)


def _slices(data: bytes) -> Iterator[bytes]:
    if len(data) <= CHUNK:
        if data:
            yield data
        return
    view = memoryview(data)
    for start in range(0, len(data), CHUNK):
        yield bytes(view[start : start + CHUNK])


def accepts_gzip() -> bool:
    return request.accept_encodings.quality("gzip") > 0


def pieces_response(pieces: Sequence[Piece], mimetype: str, etag: str | None = None) -> Response:
    """The pieces as one body, gzip-encoded when the client takes it. ``etag`` names the
    identity body; the gzip one is ``etag:gzip``, as Flask-Compress names what it encodes."""
    if accepts_gzip():
        response = Response(gzip_stream(pieces), mimetype=mimetype)
        response.content_length = gzip_length(pieces)
    else:
        response = Response(raw_stream(pieces), mimetype=mimetype)
        response.content_length = sum(len(p.raw) for p in pieces)
    return _describe(response, etag)


def pieces_head(mimetype: str, etag: str | None = None) -> Response:
    """What ``pieces_response`` would say, without a body or its length (HEAD)."""
    return _describe(Response(iter(()), mimetype=mimetype), etag)


def _describe(response: Response, etag: str | None) -> Response:
    gzipped = accepts_gzip()
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    if etag:
        response.set_etag(f"{etag}:gzip" if gzipped else etag)
    return response
