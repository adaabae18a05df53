"""Writing what the commands produce (`--out FILE`, or standard output): a complete file at
the path asked for, or a one-line error and nothing half-written.

What is at the path decides how it is written:

- nothing, or a regular file: a temporary file beside it (``.NAME.XXXXXXXX.part``) is
  written, flushed to disk and renamed over it, so a reader (or a CMS import) never sees half
  a map and a failure leaves the old file as it was. A replaced file keeps its permissions
  (an embargoed 0600 export stays 0600) and, where we may, its owner; a new file gets the
  umask's.
- a symbolic link: the same, at the file it points to; the link stays.
- a FIFO or a character device (/dev/null, /dev/stdout, a terminal): written through. Renaming
  over it would replace the device node with a file and report success.
- a folder, a block device or a socket: refused.

A full disk (ENOSPC, as writing to /dev/full gives), a closed pipe or a missing folder is an
OutputError naming the path; Ctrl-C (or any other exception) during the write removes the
temporary file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
import sys
from pathlib import Path

import click

_WRITE_THROUGH = (stat.S_ISFIFO, stat.S_ISCHR)
_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
_REFUSED = ((stat.S_ISDIR, "is a folder"), (stat.S_ISBLK, "is a block device"))


class OutputError(OSError):
    """The output could not be written; the message names the path and the reason."""


def write_output(data: bytes, out: Path) -> int:
    """Write ``data`` to ``out`` as described above; return the number of bytes written."""
    target = _through_links(out)
    try:
        info = target.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OutputError(f"cannot write {out}: {exc.strerror}") from None
    try:
        if info is not None and any(test(info.st_mode) for test in _WRITE_THROUGH):
            return _write_through(target, data)
        _refuse_unless_a_file(out, target, info)
        return _replace(target, data, info)
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write {out}: {exc.strerror or exc}") from None


def check_output(out: Path) -> None:
    """Refuse early a path that cannot be written (a folder, a missing folder), so a
    command does not do its work for nothing."""
    target = _through_links(out)
    try:
        info = target.stat()
    except OSError:
        info = None
    if info is None or not any(test(info.st_mode) for test in _WRITE_THROUGH):
        _refuse_unless_a_file(out, target, info)


def _through_links(out: Path) -> Path:
    """What the path names once links are followed (they stay as they are). A loop of links
    is left as it is, and fails as the path is looked at."""
    return Path(os.path.realpath(out))


def _refuse_unless_a_file(out: Path, target: Path, info: os.stat_result | None) -> None:
    if info is None:
        if not target.parent.is_dir():
            raise OutputError(f"cannot write {out}: the folder {target.parent} does not exist")
        return
    if stat.S_ISREG(info.st_mode):
        return
    reason = next((why for test, why in _REFUSED if test(info.st_mode)), "is not a file")
    raise OutputError(
        f"cannot write {out}: it {reason}; give a file name (or a FIFO or character device)"
    )


def _write_through(target: Path, data: bytes) -> int:
    """Into a FIFO or a device, which stays what it is (opening a FIFO waits for a reader,
    as a shell's ``> fifo`` does)."""
    fd = os.open(target, os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC)
    with os.fdopen(fd, "wb", buffering=0) as stream:
        view = memoryview(data)
        while view:
            view = view[stream.write(view) :]
    return len(data)


def _replace(target: Path, data: bytes, info: os.stat_result | None) -> int:
    """Atomically: a temporary file beside the target, flushed to disk, renamed over it.
    The temporary file is made inside the ``try``, so an interrupt however early removes it.
    For a new target, 0o666 less the umask (the kernel applies it) is the final mode; a
    replaced file's mode is copied once the data is written."""
    while True:
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(8)}.part")
        try:
            fd = os.open(temporary, _NEW, 0o600 if info is not None else 0o666)
            with os.fdopen(fd, "wb") as stream:
                stream.write(data)
                stream.flush()
                if info is not None:
                    _keep_permissions(stream.fileno(), info)
                os.fsync(stream.fileno())
            temporary.replace(target)
            break
        except FileExistsError:
            continue  # another writer's temporary file, by a 1 in 2**64 chance: not ours
        except BaseException:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise
    _sync_folder(target.parent)
    return len(data)


def _keep_permissions(fd: int, info: os.stat_result) -> None:
    os.fchmod(fd, stat.S_IMODE(info.st_mode))
    if (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
        with contextlib.suppress(PermissionError):  # only root may give a file away
            os.fchown(fd, info.st_uid, info.st_gid)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (where the file system allows syncing a folder)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_stdout(data: bytes) -> None:
    """Write to standard output; a full disk is an OutputError. (A reader that has gone,
    ``| head``, is click's to handle: it ends the command quietly.)"""
    try:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            raise
        # What is left in the buffer would fail again, with a traceback, as Python exits.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        raise OutputError(f"cannot write standard output: {exc.strerror or exc}") from None


def write_or_exit(data: bytes, out: Path | None) -> int:
    """Write to ``out`` (standard output if None), or print the one-line error and exit 1."""
    try:
        if out is None:
            write_stdout(data)
            return len(data)
        return write_output(data, out)
    except OutputError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(1) from None


def check_or_exit(out: Path) -> None:
    try:
        check_output(out)
    except OutputError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(1) from None
