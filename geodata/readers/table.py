"""What every reader produces and every check consumes: features as columns, unchecked.

Kept apart from the readers so the checks can take these types without importing a parser
(ijson, GDAL): data flows one way, readers -> checks -> compact.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from almaty_map.geodata.errors import Problem

CHUNK_SIZE = 10_000


class _Missing:
    """Marks a property that is absent (as opposed to present and null)."""

    def __repr__(self) -> str:
        return "<missing>"


MISSING = _Missing()


@dataclass
class RawTable:
    """Features as columns, before validation; ``broken`` rows failed structurally.

    A large file arrives as several tables of ``CHUNK_SIZE`` features; ``offset`` is the
    index in the file of a table's first feature. ``geometry`` is set only by readers that
    already hold shapes (GDAL's, or a table's points made from its latitude and longitude
    columns at once); GeoJSON geometries stay as parsed in ``geometry_json``.
    """

    file: str
    offset: int = 0
    columns: dict[str, list] = field(default_factory=dict)
    feature_ids: list = field(default_factory=list)
    extras: list[dict | None] = field(default_factory=list)
    geometry_json: list = field(default_factory=list)
    geometry: np.ndarray | None = None
    broken: np.ndarray | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.feature_ids)


def empty_table(file: str, fields: tuple[str, ...]) -> RawTable:
    """A table of no features (what an empty collection holds), so it is checked and kept
    like any other."""
    return RawTable(
        file,
        columns={name: [] for name in fields},
        extras=[],
        geometry_json=[],
        broken=np.zeros(0, dtype=bool),
    )
