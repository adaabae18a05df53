"""How a map opens: the time control's mode and the sliding window's width.

Kept apart from the renderer so the command line and the URL reader can offer the choices
without importing Folium or pandas.
"""

from __future__ import annotations

from dataclasses import dataclass

MODES = ("slice", "cumulative", "window")


@dataclass(frozen=True)
class MapOptions:
    """How the map opens: the time-control mode and the sliding window's width."""

    mode: str = "cumulative"
    window: int = 3
