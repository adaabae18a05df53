"""Coarsening the locations of sensitive events as they are loaded.

The exact geometry of a sensitive event is dropped here, before anything else sees it, so no
later layer (map, API, export, list, logs) can leak it by mistake: there is nothing to leak.
"""

from __future__ import annotations

import numpy as np
import shapely

from almaty_map.geodata.model import GEO_PRECISIONS, SENSITIVE_GRID_DEG, SENSITIVE_MIN_PRECISION


def coarsen(
    geoms: np.ndarray, precision: list[str], sensitive: np.ndarray
) -> tuple[np.ndarray, list[str]]:
    """Replace sensitive geometries by the centre of their ~1 km grid cell.

    The cell centre (not a rounded coordinate) is used so that the published point never
    coincides with a real address, and the precision is lowered to at least "area" so the map
    draws the uncertainty it now has.
    """
    if not sensitive.any():
        return geoms, precision
    geoms = geoms.copy()
    precision = list(precision)
    centres = shapely.get_coordinates(shapely.centroid(geoms[sensitive]))
    cells = (np.floor(centres / SENSITIVE_GRID_DEG) + 0.5) * SENSITIVE_GRID_DEG
    geoms[sensitive] = shapely.points(np.round(cells, 6))
    floor = GEO_PRECISIONS.index(SENSITIVE_MIN_PRECISION)
    for i in np.flatnonzero(sensitive):
        if GEO_PRECISIONS.index(precision[i]) < floor:
            precision[i] = SENSITIVE_MIN_PRECISION
    return geoms, precision
