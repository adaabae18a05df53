"""The details block, packed while the payload is still being made.

Above ``PACK_OVER_BYTES`` the block is deflated and base64-encoded: a 100,000-event map is
a third of the size and opens faster (less to read and parse than the browser spends
inflating it). Smaller maps keep readable, diffable JSON and are never compressed.

At 100,000 events the block is some 80 MB of JSON and deflating it is the largest single
cost of an export. zlib lets go of the interpreter's lock while it works, so each piece is
deflated on a worker thread while the next column is being built, and dropped once it is:
the plain block is never held whole. zlib's output depends only on the bytes, not on how
they are cut, so the export stays byte-identical to deflating the joined block at once.
"""

from __future__ import annotations

import base64
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType

PACK_OVER_BYTES = 1_000_000
PACKED_MIME = "application/x-almaty-map+deflate-base64"
PLAIN_MIME = "application/json"


class DetailsPacker:
    """Takes the block a piece at a time (``add``, in order); ``packed`` gives the block to
    place in the page and its type. Use it in a ``with`` block, which stops the worker."""

    def __init__(self) -> None:
        self._plain: list[bytes] = []
        self._size = 0
        self._worker: ThreadPoolExecutor | None = None
        self._deflate = zlib.compressobj(1)
        self._deflated: list[Future[bytes]] = []

    def add(self, piece: bytes) -> None:
        self._size += len(piece)
        if self._worker is not None:
            self._deflated.append(self._worker.submit(self._deflate.compress, piece))
            return
        self._plain.append(piece)
        if self._size > PACK_OVER_BYTES:
            self._worker = ThreadPoolExecutor(1, thread_name_prefix="deflate")
            pending, self._plain = self._plain, []
            for part in pending:
                self._deflated.append(self._worker.submit(self._deflate.compress, part))

    def packed(self) -> tuple[bytes, str]:
        if self._worker is None:
            return b"".join(self._plain), PLAIN_MIME
        self._deflated.append(self._worker.submit(self._deflate.flush))
        deflated = [future.result() for future in self._deflated]
        self._deflated = []
        return base64.b64encode(b"".join(deflated)), PACKED_MIME

    def __enter__(self) -> DetailsPacker:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._worker is not None:
            self._worker.shutdown(cancel_futures=True)
