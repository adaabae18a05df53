"""Without an extent, points far from the rest are warned about and swapped ones are errors."""

from __future__ import annotations

import json
from pathlib import Path

from almaty_map.geodata.dataset import inspect_dataset
from tests.conftest import DATA

# Places in Almaty, as (latitude, longitude): spread over the city, as a real dataset is.
ALMATY = [
    (43.2383, 76.9451),
    (43.2567, 76.9286),
    (43.2220, 76.8512),
    (43.2775, 76.8957),
    (43.2049, 76.8936),
    (43.2630, 76.9570),
    (43.3300, 76.9850),
    (43.2345, 76.9112),
    (43.1990, 76.9680),
    (43.2503, 76.8700),
    (43.2411, 77.0060),
    (43.2855, 76.9444),
]
# Cities of Kazakhstan, a dataset legitimately spread over a country.
COUNTRY = [
    (43.2383, 76.9451),
    (51.1694, 71.4491),
    (42.3417, 69.5901),
    (50.2839, 57.1670),
    (47.1167, 51.8833),
    (49.8047, 73.1094),
    (51.2333, 51.3667),
    (52.2873, 76.9674),
    (49.9483, 82.6281),
    (53.2833, 69.3833),
    (44.8528, 65.5092),
    (43.6500, 51.1667),
]


def folder_with(tmp_path: Path, points: list[tuple[float, float]]) -> Path:
    """Events at (latitude, longitude) points, in a dataset without an extent."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "id": f"e{i}",
                "title": "An event",
                "category": "protest",
                "start": "2022-01-05T12:00:00+06:00",
                "time_precision": "day",
                "place": "Somewhere",
                "geo_precision": "city",
                "sources": [{"publication": "P", "title": "T", "date": "2022"}],
            },
        }
        for i, (lat, lon) in enumerate(points)
    ]
    folder = tmp_path / "data"
    folder.mkdir()
    toml = (DATA / "base" / "dataset.toml").read_text()
    (folder / "dataset.toml").write_text(
        toml.replace("extent = [76.73, 43.10, 77.12, 43.42]\n", "")
    )
    (folder / "events.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features})
    )
    return folder


def test_a_swapped_point_is_an_error_and_a_far_one_a_warning(tmp_path):
    swapped = (76.9380, 43.2410)  # latitude and longitude the wrong way round: the Arctic
    far = (51.1694, 71.4491)  # Astana, 970 km away: perhaps a typo, perhaps not
    dataset, problems = inspect_dataset(folder_with(tmp_path, [*ALMATY, swapped, far]))
    assert dataset is None
    by_id = {p.feature_id: p for p in problems}
    assert set(by_id) == {"e12", "e13"}, [str(p) for p in problems]
    assert by_id["e12"].severity == "error"
    assert "latitude and longitude swapped" in by_id["e12"].message
    assert by_id["e13"].severity == "warning"
    assert by_id["e13"].message.startswith("lies 9")
    assert "extent" in by_id["e13"].expected


def test_almaty_alone_has_no_warning(tmp_path):
    dataset, problems = inspect_dataset(folder_with(tmp_path, ALMATY))
    assert dataset is not None and problems == []


def test_a_dataset_over_a_country_has_no_false_warning(tmp_path):
    dataset, problems = inspect_dataset(folder_with(tmp_path, COUNTRY))
    assert dataset is not None and problems == [], [str(p) for p in problems]


def test_with_an_extent_the_extent_decides(tmp_path):
    folder = folder_with(tmp_path, [*ALMATY, (76.9380, 43.2410)])
    toml = (folder / "dataset.toml").read_text()
    (folder / "dataset.toml").write_text(
        toml.replace("licence", "extent = [-180, -90, 180, 90]\nlicence")
    )
    dataset, problems = inspect_dataset(folder)
    assert dataset is not None and problems == []
