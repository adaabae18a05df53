"""Category symbols: their outlines, defined once here.

Server-rendered lists draw them as SVG path data (``symbol_path``); the map's canvas draws
the same outlines, which reach it in the generated almaty-constants.js (maprender/assets.py).
A symbol without an outline (``circle``) is a circle.
"""

from __future__ import annotations

import math
from types import MappingProxyType


def _star() -> tuple[tuple[float, float], ...]:
    """Five points, alternating between radius 1.2 and 0.5, the first straight up; rounded so
    the generated script does not depend on the platform's last bit of ``math.cos``."""
    points = []
    for k in range(10):
        angle = -math.pi / 2 + k * math.pi / 5
        radius = 0.5 if k % 2 else 1.2
        x, y = math.cos(angle) * radius, math.sin(angle) * radius
        points.append((round(x, 6) + 0.0, round(y, 6) + 0.0))  # + 0.0 turns -0.0 into 0.0
    return tuple(points)


# Unit outlines (y down, as on a canvas or in SVG), drawn scaled by the symbol's radius.
SHAPES = MappingProxyType(
    {
        "square": ((-0.85, -0.85), (0.85, -0.85), (0.85, 0.85), (-0.85, 0.85)),
        "triangle": ((0, -1.1), (1, 0.75), (-1, 0.75)),
        "triangle-down": ((0, 1.1), (1, -0.75), (-1, -0.75)),
        "diamond": ((0, -1.15), (1.05, 0), (0, 1.15), (-1.05, 0)),
        "hexagon": ((1, 0), (0.5, 0.87), (-0.5, 0.87), (-1, 0), (-0.5, -0.87), (0.5, -0.87)),
        "star": _star(),
        "cross": (
            (-0.35, -1),
            (0.35, -1),
            (0.35, -0.35),
            (1, -0.35),
            (1, 0.35),
            (0.35, 0.35),
            (0.35, 1),
            (-0.35, 1),
            (-0.35, 0.35),
            (-1, 0.35),
            (-1, -0.35),
            (-0.35, -0.35),
        ),
    }
)


def symbol_path(symbol: str, r: float = 7) -> str:
    """SVG path data centred on 0,0 (use viewBox="-10 -10 20 20")."""
    if symbol in SHAPES:
        return "M" + " L".join(f"{x * r:.2f},{y * r:.2f}" for x, y in SHAPES[symbol]) + " Z"
    return f"M{r},0 A{r},{r} 0 1,1 {-r},0 A{r},{r} 0 1,1 {r},0 Z"
