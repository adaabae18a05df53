"""Every CQL2 filter in a table of cases selects exactly what a plain, row-by-row
computation with shapely, pyproj and pandas selects, on the bundled and a synthetic dataset.

The reference reads the events as a person would: one at a time, times as half-open
[start, end) (an event without an end is the instant at its start), distances on the
ellipsoid with pyproj's Geod, dates as whole days in the dataset's timezone.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import orjson
import pandas as pd
import pytest
import shapely
from pyproj import Geod
from shapely.ops import nearest_points

from almaty_map.geodata.cql2 import read_filter
from almaty_map.geodata.dataset import load_dataset
from almaty_map.geodata.filtering import EventFilter, select

GEOD = Geod(ellps="WGS84")
UTC = dt.UTC
SQUARE = shapely.box(76.94, 43.23, 76.95, 43.24)
CENTRE = shapely.box(76.9, 43.2, 77.0, 43.3)


@dataclass
class Row:
    id: str
    title: str
    category: str
    start: pd.Timestamp
    end: pd.Timestamp | None
    time_precision: str
    geo_precision: str
    place_id: str | None
    sensitive: bool
    deaths: int | None
    publications: list[str]
    actors: list[str]
    shape: shapely.Geometry
    tz: object

    @property
    def span(self) -> tuple[int, int]:
        s = self.start.value
        e = self.end.value if self.end is not None and self.end.value > s else s + 1
        return s, e


def least_deaths(text) -> int | None:
    if text is None or pd.isna(text):
        return None
    count = orjson.loads(text)
    if isinstance(count, int):
        return count
    return {"range": count.get("min"), "unnumbered": 1}.get(count["kind"], count.get("count"))


def rows(dataset) -> list[Row]:
    events = dataset.events
    return [
        Row(
            e.id,
            e.title,
            str(e.category),
            e.start,
            None if pd.isna(e.end) else e.end,
            str(e.time_precision),
            str(e.geo_precision),
            None if pd.isna(e.place_id) else e.place_id,
            bool(e.sensitive),
            least_deaths(e.fatalities),
            [s["publication"] for s in orjson.loads(e.sources)],
            orjson.loads(e.actors),
            e.geometry,
            dataset.meta.tz,
        )
        for e in events.itertuples(index=False)
    ]


def utc(text: str) -> int:
    return pd.Timestamp(text).tz_convert("UTC").value


def day(r: Row, text: str) -> tuple[int, int]:
    """A date as the whole day in the dataset's timezone."""
    first = pd.Timestamp(text).tz_localize(r.tz)
    return first.value, (first + pd.Timedelta(days=1)).value


def days(r: Row, a: str, b: str) -> tuple[int, int]:
    return day(r, a)[0], day(r, b)[1]


def metres_to(shape: shapely.Geometry, lon: float, lat: float) -> float:
    if shape.contains(shapely.Point(lon, lat)):
        return 0.0
    near = nearest_points(shape, shapely.Point(lon, lat))[0]
    return GEOD.inv(lon, lat, near.x, near.y)[2]


def overlaps(r: Row, lo: int, hi: int) -> bool:
    s, e = r.span
    return s < hi and lo < e


CASES = [
    (
        "deaths_min >= 1 AND geo_precision <> 'city'",
        lambda r: r.deaths is not None and r.deaths >= 1 and r.geo_precision != "city",
    ),
    (
        "deaths_min >= 1 AND NOT geo_precision = 'city'",
        lambda r: r.deaths is not None and r.deaths >= 1 and r.geo_precision != "city",
    ),
    ("NOT (deaths_min > 2)", lambda r: r.deaths is not None and not r.deaths > 2),
    ("deaths_min IS NULL OR deaths_min < 2", lambda r: r.deaths is None or r.deaths < 2),
    ("deaths_min BETWEEN 1 AND 5", lambda r: r.deaths is not None and 1 <= r.deaths <= 5),
    (
        "publications LIKE '%RFE/RL%' AND "
        "T_INTERSECTS(interval, INTERVAL('2022-01-06T00:00:00Z', '2022-01-09T00:00:00Z'))",
        lambda r: (
            any("RFE/RL" in p for p in r.publications)
            and overlaps(r, utc("2022-01-06T00:00:00Z"), utc("2022-01-09T00:00:00Z") + 1)
        ),
    ),
    ("publications LIKE '%Gazette 1%'", lambda r: any("Gazette 1" in p for p in r.publications)),
    (
        "S_DWITHIN(geometry, POINT(76.9458 43.2380), 500, meters)",
        lambda r: metres_to(r.shape, 76.9458, 43.2380) <= 500,
    ),
    (
        "S_DWITHIN(geometry, POINT(76.95 43.25), 2, kilometers)",
        lambda r: metres_to(r.shape, 76.95, 43.25) <= 2000,
    ),
    (
        "S_INTERSECTS(geometry, BBOX(76.94, 43.23, 76.95, 43.24))",
        lambda r: r.shape.intersects(SQUARE),
    ),
    (
        "S_WITHIN(geometry, POLYGON((76.9 43.2, 77.0 43.2, 77.0 43.3, 76.9 43.3, 76.9 43.2)))",
        lambda r: r.shape.within(CENTRE),
    ),
    (
        "S_CONTAINS(geometry, POINT(76.945 43.238))",
        lambda r: r.shape.contains(shapely.Point(76.945, 43.238)),
    ),
    ("S_DISJOINT(geometry, BBOX(76.94, 43.23, 76.95, 43.24))", lambda r: r.shape.disjoint(SQUARE)),
    (
        "T_BEFORE(interval, TIMESTAMP('2022-01-06T00:00:00Z'))",
        lambda r: r.span[1] <= utc("2022-01-06T00:00:00Z"),
    ),
    ("T_AFTER(interval, DATE('2022-01-07'))", lambda r: r.span[0] >= day(r, "2022-01-07")[1]),
    (
        "T_DURING(interval, INTERVAL('2022-01-04', '2022-01-10'))",
        lambda r: (
            days(r, "2022-01-04", "2022-01-10")[0] < r.span[0]
            and r.span[1] < days(r, "2022-01-04", "2022-01-10")[1]
        ),
    ),
    (
        "T_INTERSECTS(interval, INTERVAL('2022-01-06', '..'))",
        lambda r: r.span[1] > day(r, "2022-01-06")[0],
    ),
    (
        "T_INTERSECTS(start, INTERVAL('..', '2022-01-05T12:00:00Z'))",
        lambda r: r.start.value <= utc("2022-01-05T12:00:00Z"),
    ),
    (
        "NOT T_DURING(interval, INTERVAL('2022-01-01', '2022-01-31'))",
        lambda r: (
            not (
                days(r, "2022-01-01", "2022-01-31")[0] < r.span[0]
                and r.span[1] < days(r, "2022-01-01", "2022-01-31")[1]
            )
        ),
    ),
    (
        "T_INTERSECTS(interval, DATE('2022-01-06')) AND "
        "S_INTERSECTS(geometry, BBOX(76.9, 43.2, 77.0, 43.3))",
        lambda r: overlaps(r, *day(r, "2022-01-06")) and r.shape.intersects(CENTRE),
    ),
    # At the edges of days, where Allen's relations differ from one another.
    (
        "T_DURING(interval, INTERVAL('2022-01-05', '2022-01-10'))",
        lambda r: (
            days(r, "2022-01-05", "2022-01-10")[0] < r.span[0]
            and r.span[1] < days(r, "2022-01-05", "2022-01-10")[1]
        ),
    ),
    (
        "T_STARTS(interval, DATE('2022-01-05'))",
        lambda r: r.span[0] == day(r, "2022-01-05")[0] and r.span[1] < day(r, "2022-01-05")[1],
    ),
    ("T_METBY(interval, DATE('2022-01-04'))", lambda r: r.span[0] == day(r, "2022-01-04")[1]),
    (
        "T_CONTAINS(interval, DATE('2022-01-06'))",
        lambda r: r.span[0] < day(r, "2022-01-06")[0] and day(r, "2022-01-06")[1] < r.span[1],
    ),
    (
        "T_FINISHEDBY(interval, INTERVAL('2022-01-06', '2022-01-09'))",
        lambda r: r.span[0] < day(r, "2022-01-06")[0] and r.span[1] == day(r, "2022-01-09")[1],
    ),
    (
        "T_OVERLAPS(interval, INTERVAL('2022-01-06', '2022-01-20'))",
        lambda r: r.span[0] < day(r, "2022-01-06")[0] < r.span[1] < day(r, "2022-01-20")[1],
    ),
    ("category IN ('protest', 'unrest')", lambda r: r.category in ("protest", "unrest")),
    ("category NOT IN ('protest', 'unrest')", lambda r: r.category not in ("protest", "unrest")),
    ("end IS NULL", lambda r: r.end is None),
    ("place_id IS NOT NULL", lambda r: r.place_id is not None),
    ("title LIKE '%police%'", lambda r: "police" in r.title),
    ("CASEI(title) LIKE '%police%'", lambda r: "police" in r.title.casefold()),
    ("title NOT LIKE 'P%'", lambda r: not r.title.startswith("P")),
    (
        "title LIKE 'Police_officers%'",
        lambda r: r.title.startswith("Police") and r.title[7:].startswith("officers"),
    ),
    (
        "start >= TIMESTAMP('2022-01-06T12:00:00Z') AND start < TIMESTAMP('2022-01-08T00:00:00Z')",
        lambda r: utc("2022-01-06T12:00:00Z") <= r.start.value < utc("2022-01-08T00:00:00Z"),
    ),
    (
        "end > TIMESTAMP('2022-01-08T00:00:00Z')",
        lambda r: r.end is not None and r.end.value > utc("2022-01-08T00:00:00Z"),
    ),
    ("sensitive = true", lambda r: r.sensitive),
    (
        "geo_precision = 'exact' OR geo_precision = 'approximate'",
        lambda r: r.geo_precision in ("exact", "approximate"),
    ),
    (
        "time_precision <> 'day' AND NOT category = 'memory'",
        lambda r: r.time_precision != "day" and r.category != "memory",
    ),
    ("actors LIKE '%police%'", lambda r: any("police" in a for a in r.actors)),
    (
        "id = '2022-01-05-akimat-stormed' OR id = 'ev-000042'",
        lambda r: r.id in ("2022-01-05-akimat-stormed", "ev-000042"),
    ),
]


@pytest.fixture(scope="module")
def datasets(synthetic):
    return {"bundled": load_dataset(), "synthetic": synthetic}


@pytest.fixture(scope="module")
def row_sets(datasets):
    return {name: rows(d) for name, d in datasets.items()}


def selected(dataset, text: str, language: str = "cql2-text") -> list[str]:
    flt, problems = read_filter(dataset.meta, "events", text, language)
    assert not problems, problems
    return sorted(dataset.events["id"].iloc[select(dataset, EventFilter(cql=flt))])


@pytest.mark.parametrize(("text", "reference"), CASES, ids=[c[0][:60] for c in CASES])
@pytest.mark.parametrize("name", ["bundled", "synthetic"])
def test_filter_matches_a_row_by_row_computation(datasets, row_sets, name, text, reference):
    expected = sorted(r.id for r in row_sets[name] if reference(r))
    assert selected(datasets[name], text) == expected


def test_the_cases_are_not_vacuous(row_sets):
    """Each case keeps some events and leaves some out, in one dataset or the other."""
    assert len(CASES) >= 30
    for text, reference in CASES:
        kept = [reference(r) for rs in row_sets.values() for r in rs]
        assert any(kept) and not all(kept), text


JSON_CASES = [
    (
        {
            "op": "s_dwithin",
            "args": [
                {"property": "geometry"},
                {"type": "Point", "coordinates": [76.9458, 43.238]},
                500,
                "meters",
            ],
        },
        "S_DWITHIN(geometry, POINT(76.9458 43.2380), 500, meters)",
    ),
    (
        {
            "op": "t_intersects",
            "args": [{"property": "interval"}, {"interval": ["2022-01-06", ".."]}],
        },
        "T_INTERSECTS(interval, INTERVAL('2022-01-06', '..'))",
    ),
    (
        {
            "op": "and",
            "args": [
                {"op": ">=", "args": [{"property": "deaths_min"}, 1]},
                {
                    "op": "not",
                    "args": [{"op": "=", "args": [{"property": "geo_precision"}, "city"]}],
                },
            ],
        },
        "deaths_min >= 1 AND NOT geo_precision = 'city'",
    ),
    (
        {"op": "like", "args": [{"property": "publications"}, "%Gazette 1%"]},
        "publications LIKE '%Gazette 1%'",
    ),
    (
        {
            "op": "s_intersects",
            "args": [{"property": "geometry"}, {"bbox": [76.94, 43.23, 76.95, 43.24]}],
        },
        "S_INTERSECTS(geometry, BBOX(76.94, 43.23, 76.95, 43.24))",
    ),
]


@pytest.mark.parametrize(("document", "text"), JSON_CASES, ids=[c[1][:50] for c in JSON_CASES])
def test_cql2_json_selects_what_the_same_text_selects(datasets, document, text):
    for dataset in datasets.values():
        assert selected(dataset, json.dumps(document), "cql2-json") == selected(dataset, text)


@pytest.mark.parametrize("latitude", [0.0, 43.24, -69.0])
@pytest.mark.parametrize("metres", [10.0, 500.0, 50_000.0])
def test_the_local_scale_never_decides_a_point_the_geodesic_would_not(latitude, metres):
    """S_DWITHIN's shortcut keeps only points surely within and leaves only points surely
    beyond: every point it decides, at any azimuth, just inside or just outside the limit,
    is decided as pyproj's geodesic decides it."""
    import numpy as np

    from almaty_map.geodata.cql2spacetime import point_distances

    azimuths = np.linspace(0, 360, 721)
    factors = np.array([0.5, 0.99, 0.999, 0.99999, 1.00001, 1.001, 1.01, 1.5])
    az, factor = (a.ravel() for a in np.meshgrid(azimuths, factors))
    lon, lat, _ = GEOD.fwd(np.full(az.size, 76.9), np.full(az.size, latitude), az, metres * factor)
    inside, unsure = point_distances(lon, lat, shapely.Point(76.9, latitude), metres)
    distance = GEOD.inv(np.full(az.size, 76.9), np.full(az.size, latitude), lon, lat)[2]
    assert (distance[inside] <= metres).all()
    assert (distance[~inside & ~unsure] > metres).all()
    assert inside.any() and (~inside & ~unsure).any()
