"""Opening a dataset's files: regular files of bounded size, checked on the open descriptor.

A dataset folder may come from anyone, and a name in it may stand for anything: a link to
/dev/zero (read forever) or to a file of the server's, a FIFO (an open that never returns),
a folder, or gigabytes. So
every file the loader reads is looked at before it is opened (a device is never opened at
all), opened without blocking (O_NONBLOCK: a FIFO put there in the meantime opens at once)
and checked again on the descriptor, which is what is read: a regular file no larger than
the limit. (A check of the path alone could be raced.) Links are followed only within the
file's own folder.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from almaty_map.geodata.errors import Problem

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
REGULAR_EXPECTED = "a regular file (not a FIFO, device, socket or folder)"
TOO_LARGE = "is too large to load"


class UnreadableFileError(Exception):
    """A file the loader will not read; ``problem`` names it in a report."""

    def __init__(self, message: str, found: str | None = None, expected: str | None = None):
        super().__init__(message)
        self.message = message
        self.found = found
        self.expected = expected

    def problem(self, file: str, expected: str | None = None) -> Problem:
        return Problem(file, self.message, found=self.found, expected=expected or self.expected)


def size_text(size: int) -> str:
    return f"{size / 2**20:,.0f} MiB" if size >= 2**20 else f"{size:,} bytes"


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _check(info: os.stat_result, max_bytes: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise UnreadableFileError("is not a regular file", _kind(info.st_mode), REGULAR_EXPECTED)
    if info.st_size > max_bytes:
        raise UnreadableFileError(
            TOO_LARGE, size_text(info.st_size), f"at most {size_text(max_bytes)}"
        )


def open_regular(path: Path, max_bytes: int) -> BinaryIO:
    """The file opened for reading, or UnreadableFileError saying why it will not be read."""
    try:
        _check(Path(path).stat(), max_bytes)
        _inside_its_folder(Path(path))
        fd = os.open(path, _FLAGS)
    except UnreadableFileError:
        raise
    except FileNotFoundError:
        raise UnreadableFileError(
            "cannot be read: it does not exist (or links to nothing)"
        ) from None
    except OSError as exc:
        raise UnreadableFileError(f"cannot be read: {exc.strerror or exc}") from None
    try:
        _check(os.fstat(fd), max_bytes)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")  # owns fd from here: closing it again could close another


def _inside_its_folder(path: Path) -> None:
    """A link may point elsewhere in the dataset's folder, never out of it: a folder of
    links would otherwise publish whatever the server can read."""
    folder = path.parent.resolve()
    if not path.resolve().is_relative_to(folder):
        raise UnreadableFileError(
            "is a link to a file outside the dataset's folder",
            expected="the file itself, or a link within the folder (copy the file in)",
        )


def read_regular(path: Path, max_bytes: int) -> bytes:
    """The whole file, never more than ``max_bytes`` (even if it grows while being read)."""
    with open_regular(path, max_bytes) as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UnreadableFileError(
            TOO_LARGE, "more as it was read", f"at most {size_text(max_bytes)}"
        )
    return data
