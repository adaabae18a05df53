"""S_DWITHIN's sphere shortcut gives exactly what the ellipsoid's geodesic gives."""

from __future__ import annotations

import numpy as np
import pyproj
from geoalchemy2 import functions as gf
from sqlalchemy import func, literal, select

from almaty_map.database.connect import open_engine
from almaty_map.database.cql2space import _geodesic_within
from tests.conftest import new_database


def test_the_sphere_decides_only_far_from_the_edge_and_agrees_with_the_geodesic(postgres):
    """Points from half to one and a half times the distance from centres at the equator,
    Almaty's latitude and near the pole, in every direction, many within a hundredth of
    the edge (where the ellipsoid decides) and many outside that band (where the sphere
    does): each is kept exactly when pyproj's geodesic says it lies within."""
    name, url = new_database(postgres)
    engine = open_engine(url)
    geod = pyproj.Geod(ellps="WGS84")
    rng = np.random.default_rng(2022)
    cases = []
    for lat in (0.0, 43.25, 78.0):
        for metres in (50.0, 2_000.0, 250_000.0):
            azimuths = rng.uniform(0, 360, 60)
            ratios = np.concatenate([rng.uniform(0.5, 1.5, 30), rng.uniform(0.985, 1.015, 30)])
            lons, lats, _ = geod.fwd(np.full(60, 76.9), np.full(60, lat), azimuths, ratios * metres)
            _, _, distances = geod.inv(np.full(60, 76.9), np.full(60, lat), lons, lats)
            cases += [
                (76.9, lat, lon, la, metres, bool(d <= metres))
                for lon, la, d in zip(lons, lats, distances, strict=True)
            ]
    # No distance at all: the centre itself is within, a point a metre away is not.
    cases += [(76.9, 43.25, 76.9, 43.25, 0.0, True), (76.9, 43.25, 76.9, 43.25001, 0.0, False)]
    try:
        with engine.connect() as connection:
            for cx, cy, x, y, metres, expected in cases:
                point = func.geography(gf.ST_SetSRID(gf.ST_MakePoint(x, y), 4326))
                centre = func.geography(gf.ST_SetSRID(gf.ST_MakePoint(cx, cy), 4326))
                shortcut = _geodesic_within(point, centre, metres)
                exact = gf.ST_DWithin(point, centre, literal(metres))
                kept, by_ellipsoid = connection.execute(select(shortcut, exact)).one()
                assert kept is by_ellipsoid is expected, (cx, cy, x, y, metres)
    finally:
        engine.dispose()
        postgres.sql(f'DROP DATABASE "{name}" WITH (FORCE)')
