"""How far the reading of a large file has come, told to whoever is listening.

The readers know how far they are (bytes of the file read, rows parsed) but not whether
anyone is watching: a command on a terminal shows a bar, the server and the tests show
nothing. So a reader calls ``advance`` with what it has done of the total, and a listener
installed with ``listening`` (the command line's progress bar) hears it; with none installed
the calls cost a lookup and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# (what is being done, units done, units in all or None, the unit's name)
Listener = Callable[[str, int, int | None, str], None]
_LISTENER: ContextVar[Listener | None] = ContextVar("progress_listener", default=None)


def advance(task: str, done: int, total: int | None, unit: str = "B") -> None:
    """Say that ``done`` of ``total`` units of ``task`` are done."""
    listener = _LISTENER.get()
    if listener is not None:
        listener(task, done, total, unit)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Send progress to ``listener`` for the duration of the block."""
    token = _LISTENER.set(listener)
    try:
        yield
    finally:
        _LISTENER.reset(token)
