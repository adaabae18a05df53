"""Writing the standalone HTML atomically: a complete file at the path asked for, or none.

The page is written to a temporary file beside the target, flushed to disk, then renamed
over it, so a reader (or a CMS import) never sees half a map, and a failure leaves the old
file untouched.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


class ExportError(OSError):
    """The export could not be written; the message names the path and the reason."""


def write_export(page: str | bytes, out: Path) -> int:
    """Write ``page`` to ``out`` atomically; return the number of bytes written."""
    out = Path(out)
    if out.is_dir():
        raise ExportError(f"cannot write {out}: it is a directory; give a file name")
    folder = out.parent
    if not folder.is_dir():
        raise ExportError(f"cannot write {out}: the folder {folder} does not exist")
    data = page.encode("utf-8") if isinstance(page, str) else page
    try:
        handle, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise ExportError(f"cannot write {out}: {exc.strerror}") from exc
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        temporary.chmod(0o644)
        temporary.replace(out)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise ExportError(f"cannot write {out}: {exc.strerror or exc}") from exc
    return len(data)
