"""A picture's size, and the common sizes `almaty-map snapshot --size` offers.

Kept apart from the renderer so the command line can list the sizes without importing the
browser driver.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shot:
    """The picture's size in CSS pixels, and its pixels per CSS pixel."""

    width: int = 1200
    height: int = 630
    scale: float = 1.0

    @property
    def pixels(self) -> tuple[int, int]:
        return round(self.width * self.scale), round(self.height * self.scale)


# A link preview (Open Graph's 1200 x 630), a square post, and an A5 page at 300 dpi
# (148 x 210 mm = 1748 x 2480 px), laid out at half that and drawn at twice the density.
SIZES = {
    "social": Shot(1200, 630, 1.0),
    "square": Shot(1080, 1080, 1.0),
    "print-a5": Shot(874, 1240, 2.0),
}
