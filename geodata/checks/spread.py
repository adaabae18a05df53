"""Points that lie far from the rest of the dataset, when ``dataset.toml`` gives no extent.

Without an extent a point with latitude and longitude swapped (Almaty's 43.24, 76.94 read
as longitude 43.24, latitude 76.94: the Arctic) is still on the globe, so nothing else
catches it, and the map zooms out until the real events are one dot. The dataset's own
points say where it is: their median point, and the median distance from it, are not moved
by a few stray points (robust statistics), so a point many times further away than most is
worth a warning, and one that lands among the others once its coordinates are swapped is an
error that says so. A dataset spread over a country has a large median distance, so its
far-apart cities are not flagged.
"""

from __future__ import annotations

import numpy as np

from almaty_map.geodata.checks.report import REPORT_LIMIT
from almaty_map.geodata.errors import WITHHELD, Problem

# Far: beyond this many median distances from the median point, and beyond FLOOR_KM (a city
# dataset's points are all within a few km, and a suburb 30 km out is no mistake).
SPREAD_FACTOR = 10
FLOOR_KM = 50.0
MIN_POINTS = 5  # fewer points say too little about where the dataset is
_EARTH_KM = 6371.0088


def far_points(
    file: str,
    ids: list,
    x: np.ndarray,
    y: np.ndarray,
    live: np.ndarray,
    withheld: np.ndarray,
) -> list[Problem]:
    """A warning for each point far from the rest, an error for each that looks swapped."""
    usable = live & np.isfinite(x) & np.isfinite(y)
    if usable.sum() < MIN_POINTS:
        return []
    centre = (float(np.median(x[usable])), float(np.median(y[usable])))
    distance = np.full(len(x), np.nan)
    distance[usable] = _km(x[usable], y[usable], *centre)
    limit = max(SPREAD_FACTOR * float(np.median(distance[usable])), FLOOR_KM)
    with np.errstate(invalid="ignore"):
        far = usable & (distance > limit)
        swappable = far & (np.abs(x) <= 90)
        swapped = np.zeros(len(x), dtype=bool)
        swapped[swappable] = _km(y[swappable], x[swappable], *centre) <= limit
    where = f"the median point of the dataset's events ({centre[1]:.4f}, {centre[0]:.4f})"
    problems = []
    for i in np.flatnonzero(far)[:REPORT_LIMIT]:
        shown = WITHHELD if withheld[i] else f"[{x[i]:.6f}, {y[i]:.6f}]"
        if swapped[i]:
            message = (
                f"lies {distance[i]:,.0f} km from the other events, and among them with "
                "latitude and longitude swapped"
            )
            expected, severity = "[longitude, latitude] order (RFC 7946)", "error"
        else:
            message = f"lies {distance[i]:,.0f} km from {where}, where most events are"
            expected = (
                f"a point within {limit:,.0f} km of it, or an 'extent' in dataset.toml that "
                "includes it (a typo in a coordinate?)"
            )
            severity = "warning"
        problems.append(
            Problem(
                file,
                message,
                index=int(i),
                feature_id=ids[i],
                field="geometry",
                found=shown,
                expected=expected,
                severity=severity,
            )
        )
    return problems


def _km(x: np.ndarray, y: np.ndarray, lon: float, lat: float) -> np.ndarray:
    """Great-circle distances (haversine) from (lon, lat), in km."""
    x1, y1, x2, y2 = map(np.radians, (x, y, lon, lat))
    a = np.sin((y1 - y2) / 2) ** 2 + np.cos(y1) * np.cos(y2) * np.sin((x1 - x2) / 2) ** 2
    return 2 * _EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
