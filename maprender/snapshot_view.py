"""Which events a snapshot shows: the time slice, the mode's window of slices, the event.

Decided here, in Python and before any browser starts, so a time slice or an event the map
does not have is a one-line error naming the option and what it accepts, not a picture of
something else. The window follows the map's modes (maprender/js/almaty-time.js, ``_apply``):
one slice, every slice up to it, or the last ``window`` of them; story mode is one slice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from almaty_map.geodata.dataset import Dataset
from almaty_map.geodata.filtering import select
from almaty_map.geodata.timeslices import Slice, make_slices, membership
from almaty_map.maprender.build import MapSpec

FEW_IDS = 3
WHY_NO_SLICES = "the filters match no events"


class ViewError(ValueError):
    """A view the map cannot show; the message names the option, what it accepts and what
    it was given."""


@dataclass(frozen=True)
class View:
    """What the picture shows, as asked for."""

    at: int | None = None  # 1-based time slice; None: the last, or the event's own
    story: bool = False  # one slice with its caption, as a story step
    event: str | None = None  # the event whose card is shown and which is ringed


@dataclass(frozen=True, eq=False)
class Plan:
    """A view resolved against the data: everything the page needs to know what to draw."""

    spec: MapSpec
    positions: np.ndarray  # the filtered events, in the map's order
    slices: list[Slice]
    current: int | None  # 0-based slice shown; None when there are no slices
    first: int | None  # the first slice of the mode's window
    mode: str  # "slice" in story mode
    shown: np.ndarray  # indices into ``positions`` of the events drawn
    selected: int | None  # index into ``positions`` of the event, if one was asked for
    story: bool


def plan_view(dataset: Dataset, spec: MapSpec, view: View) -> Plan:
    """Resolve ``view``; raise ViewError for a slice or event the map cannot show."""
    positions = np.asarray(select(dataset, spec.filter), dtype=np.int64)
    starts, ends = dataset.start_ns[positions], dataset.end_ns[positions]
    slices = make_slices(
        dataset.meta, starts, ends, spec.slice_by, (spec.filter.start, spec.filter.end)
    )
    s0, s1 = membership(slices, starts, ends)
    if view.story and not any(s.caption for s in slices):
        raise ViewError(
            "--story: no time slice has a caption to tell (story mode tells the dataset's "
            "periods: use --slice period with periods that have captions)"
        )
    mode = "slice" if view.story else spec.options.mode
    selected = _selected(dataset, positions, view.event)
    current = _current(view, slices, selected, s0, s1, spec.options.window, mode)
    first = None if current is None else _window_start(mode, current, spec.options.window)
    if current is None:
        shown = np.zeros(0, dtype=np.int64)
    else:
        shown = np.flatnonzero((s0 >= 0) & (s0 <= current) & (s1 >= first))
    return Plan(spec, positions, slices, current, first, mode, shown, selected, view.story)


def _window_start(mode: str, current: int, window: int) -> int:
    if mode == "slice":
        return current
    if mode == "window":
        return max(0, current - window + 1)
    return 0


def _selected(dataset: Dataset, positions: np.ndarray, event: str | None) -> int | None:
    if event is None:
        return None
    ids = dataset.events["id"].to_numpy()[positions]
    where = np.flatnonzero(ids == event)
    if len(where):
        return int(where[0])
    reason = "the filters leave it out" if event in dataset.position_by_id else "no such id"
    known = (
        f"its ids include {', '.join(ids[:FEW_IDS])} (list them all: almaty-map query, "
        "with the same filters)"
        if len(ids)
        else "no event matches the filters"
    )
    raise ViewError(f"--event: no event {event!r} in this map ({reason}); {known}")


def _current(view, slices, selected, s0, s1, window, mode) -> int | None:
    """The slice shown: --at if given, else the last one, or else the event's first slice
    when the last does not show it (as the map does when an event is opened)."""
    count = len(slices)
    if view.at is not None and not 1 <= view.at <= count:
        if count == 0:
            raise ViewError(f"--at: this map has no time slices ({WHY_NO_SLICES}); got {view.at}")
        expected = "1" if count == 1 else f"1 to {count}"
        raise ViewError(f"--at: expected {expected}, got {view.at}")
    if selected is None:
        return None if count == 0 else (count - 1 if view.at is None else view.at - 1)
    a, b = int(s0[selected]), int(s1[selected])
    if a < 0:
        raise ViewError(
            f"--event: {view.event!r} falls outside every time slice; "
            "widen --start/--end or choose another --slice"
        )
    current = count - 1 if view.at is None else view.at - 1
    first = _window_start(mode, current, window)
    if a <= current and b >= first:
        return current
    if view.at is None:
        return a
    span = f"time slice {a + 1}" if a == b else f"time slices {a + 1} to {b + 1}"
    raise ViewError(
        f"--event: {view.event!r} is not shown at --at {view.at} (it is in {span}); "
        f"give --at {a + 1}, or leave --at out"
    )
