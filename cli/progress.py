"""Progress bars on a terminal for the work the readers report (``geodata.progress``).

Shown on standard error only when it is a terminal and --quiet was not given, so nothing of
them reaches a pipe, a log or a file; tqdm draws them (rows or bytes done, rate, time left).
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from tqdm import tqdm

from almaty_map.geodata.progress import listening


@contextmanager
def progress_shown(quiet: bool) -> Iterator[None]:
    """Show progress bars for the duration of the block, unless quiet or not on a terminal."""
    if quiet or not sys.stderr.isatty():
        yield
        return
    bars: dict[str, tqdm] = {}
    size = shutil.get_terminal_size((80, 24))

    def listener(task: str, done: int, total: int | None, unit: str) -> None:
        bar = bars.get(task)
        if bar is None:
            bar = bars[task] = tqdm(
                total=total,
                desc=task,
                unit=unit,
                unit_scale=True,
                unit_divisor=1024 if unit == "B" else 1000,
                leave=False,
                file=sys.stderr,
                mininterval=0.2,
                # A terminal that reports no size (a bare pseudo-terminal) counts as 80x24:
                # tqdm would draw nothing in a width, or a height, of 0.
                ncols=size.columns,
                nrows=size.lines,
            )
        bar.update(done - bar.n)

    try:
        with listening(listener):
            yield
    finally:
        for bar in bars.values():
            bar.close()
