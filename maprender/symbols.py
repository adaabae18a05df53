"""Category symbols as SVG path data, for server-rendered lists (the map draws the same
shapes on its canvas, in almaty-canvas.js)."""

from __future__ import annotations

import math


def _polygon(points: list[tuple[float, float]], r: float) -> str:
    return "M" + " L".join(f"{x * r:.2f},{y * r:.2f}" for x, y in points) + " Z"


def _star() -> list[tuple[float, float]]:
    points = []
    for k in range(10):
        angle = -math.pi / 2 + k * math.pi / 5
        radius = 0.5 if k % 2 else 1.2
        points.append((math.cos(angle) * radius, math.sin(angle) * radius))
    return points


_SHAPES = {
    "square": [(-0.85, -0.85), (0.85, -0.85), (0.85, 0.85), (-0.85, 0.85)],
    "triangle": [(0, -1.1), (1, 0.75), (-1, 0.75)],
    "triangle-down": [(0, 1.1), (1, -0.75), (-1, -0.75)],
    "diamond": [(0, -1.15), (1.05, 0), (0, 1.15), (-1.05, 0)],
    "hexagon": [(1, 0), (0.5, 0.87), (-0.5, 0.87), (-1, 0), (-0.5, -0.87), (0.5, -0.87)],
    "star": _star(),
    "cross": [
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
    ],
}


def symbol_path(symbol: str, r: float = 7) -> str:
    """SVG path data centred on 0,0 (use viewBox="-10 -10 20 20")."""
    if symbol in _SHAPES:
        return _polygon(_SHAPES[symbol], r)
    return f"M{r},0 A{r},{r} 0 1,1 {-r},0 A{r},{r} 0 1,1 {r},0 Z"
