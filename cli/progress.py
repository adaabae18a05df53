"""Progress for long commands: a bar on a terminal, nothing when piped or with --quiet.

Scripts and logs read the command's output, which a bar redrawn a hundred times would
clutter; a person at a terminal wants to see a long load is moving.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

import click

Update = Callable[[int, int], None]


def _nothing(done: int, total: int) -> None:
    """Progress no one will see."""


@contextlib.contextmanager
def progress(label: str, quiet: bool) -> Iterator[Update]:
    """An ``update(done, total)`` to call as work is done; the bar starts at the first call
    (when the total is known) and is finished when the block ends."""
    if quiet or not sys.stderr.isatty():
        yield _nothing
        return
    bars: list = []

    def update(done: int, total: int) -> None:
        if not bars:
            bars.append(click.progressbar(length=total, label=label, file=sys.stderr))
            bars[0].render_progress()
        bars[0].update(done - bars[0].pos)

    try:
        yield update
    finally:
        for bar in bars:
            bar.render_finish()
