"""Deterministic synthetic event datasets in the Almaty area, for benchmarks and tests.

The events look like a newsroom's data: about 300 characters of description, one or two
sources with quotes, several categories, every precision, times spread over ten days, and
points clustered round hotspots as real incidents are. The same size always gives the same
bytes (a seeded generator), so runs can be compared.

``write_acled_csv`` writes the same kind of events as an ACLED export would hold them (its
columns, codes and date form), for the table reader's benchmark and tests.

Usage: python -m harness.synthetic 10000 path/to/folder [--days 500] [--acled]
"""

from __future__ import annotations

import argparse
import csv
import shutil
from pathlib import Path

import numpy as np
import orjson

from almaty_map.geodata.bundled import BUNDLED

EXTENT = (76.80, 43.15, 77.05, 43.35)
CITY = (76.915, 43.24)
START = np.datetime64("2022-01-02T00:00:00")  # local time; written with +06:00
DAYS = 10
CATEGORIES = ("protest", "unrest", "lethal-force", "security", "custody", "memory")
TIME_PRECISIONS = (("exact", 0.40), ("hour", 0.30), ("day", 0.20), ("week", 0.07), ("month", 0.03))
GEO_PRECISIONS = (("exact", 0.45), ("approximate", 0.30), ("area", 0.15), ("city", 0.10))
SAMPLE_TEXT = (
    "residents reported crowds gathered near the square police vehicles arrived shortly "
    "after witnesses said shots were heard from the direction of the avenue several people "
    "were detained and taken away local journalists could not confirm the number of injured "
    "the district administration declined to comment while relatives searched hospitals for "
    "missing family members roads were blocked by armoured vehicles and soldiers checked "
    "documents at the crossing shops remained closed and public transport stopped running "
    "telephone and internet connections were interrupted across the city centre according "
    "to accounts collected later by rights groups who interviewed those released from "
    "custody many described beatings and threats during questioning at the station"
)
WORDS = tuple(SAMPLE_TEXT.split())
VERBS = (
    "Crowd gathers",
    "Shots reported",
    "Detentions",
    "Checkpoint set up",
    "Building damaged",
    "Vehicles burned",
    "Patrol clashes",
    "Hospital searched",
    "Curfew enforced",
    "Vigil held",
    "Arrests reported",
    "Road blocked",
)
STREETS = (
    "Abay",
    "Dostyk",
    "Nazarbayev",
    "Zheltoksan",
    "Tole Bi",
    "Satpayev",
    "Furmanov",
    "Seifullin",
    "Raiymbek",
    "Al-Farabi",
    "Timiryazev",
    "Gogol",
    "Kabanbay Batyr",
    "Zhandosov",
    "Rozybakiev",
    "Baizakov",
    "Aiteke Bi",
    "Kazybek Bi",
    "Bogenbai Batyr",
    "Shevchenko",
)
DISTRICTS = ("Almaly", "Bostandyk", "Medeu", "Auezov", "Zhetysu", "Turksib", "Alatau", "Nauryzbay")
ACTORS = tuple(
    f"{kind} {k}"
    for kind in ("protesters", "police unit", "soldiers", "residents", "journalists")
    for k in range(1, 9)
)
PUBLICATIONS = tuple(f"Gazette {k}" for k in range(1, 41))


def _choice(rng: np.random.Generator, table: tuple[tuple[str, float], ...], n: int) -> np.ndarray:
    names, weights = zip(*table, strict=True)
    return np.array(names)[rng.choice(len(names), size=n, p=np.array(weights))]


def _texts(rng: np.random.Generator, n: int, words: int) -> list[str]:
    """Word salad of a realistic length, one string per event."""
    picks = rng.integers(0, len(WORDS), size=(n, words))
    vocabulary = np.array(WORDS, dtype=object)
    return [" ".join(row).capitalize() + "." for row in vocabulary[picks]]


def _iso(local: np.ndarray) -> list[str]:
    return [f"{t}+06:00" for t in local.astype("datetime64[s]").astype(str)]


def generate(n: int, seed: int = 2022, days: int = DAYS) -> dict:
    """A FeatureCollection of ``n`` valid events starting over ``days`` days (ten by
    default; more for a map with hundreds or thousands of day slices)."""
    rng = np.random.default_rng(seed + n)
    hotspots = np.column_stack([rng.uniform(76.88, 76.98, 30), rng.uniform(43.20, 43.28, 30)])
    spot = rng.integers(0, len(hotspots), n)
    xy = hotspots[spot] + rng.normal(0, 0.006, size=(n, 2))
    xy[:, 0] = np.clip(xy[:, 0], EXTENT[0], EXTENT[2])
    xy[:, 1] = np.clip(xy[:, 1], EXTENT[1], EXTENT[3])
    geo = _choice(rng, GEO_PRECISIONS, n)
    xy[geo == "city"] = CITY
    xy = np.round(xy, 6)
    minutes = rng.integers(0, days * 24 * 60, n)
    starts = START + minutes.astype("timedelta64[m]")
    has_end = rng.random(n) < 0.3
    ends = starts + rng.integers(30, 3 * 24 * 60, n).astype("timedelta64[m]")
    start_text, end_text = _iso(starts), _iso(ends)
    descriptions = _texts(rng, n, 48)
    quotes = _texts(rng, n, 16)
    category = rng.integers(0, len(CATEGORIES), n)
    tprec = _choice(rng, TIME_PRECISIONS, n)
    street = rng.integers(0, len(STREETS), n)
    district = rng.integers(0, len(DISTRICTS), n)
    verb = rng.integers(0, len(VERBS), n)
    fatal = np.where(rng.random(n) < 0.7, -1, rng.integers(0, 6, n))
    n_actors = rng.integers(0, 4, n)
    actor_picks = rng.integers(0, len(ACTORS), (n, 3))
    n_sources = rng.integers(1, 3, n)
    publication = rng.integers(0, len(PUBLICATIONS), (n, 2))
    day_published = rng.integers(3, 28, (n, 2))
    sensitive = rng.random(n) < 0.01
    features = []
    for i in range(n):
        place = f"{STREETS[street[i]]} Street, {DISTRICTS[district[i]]} district"
        sources = [
            {
                "publication": PUBLICATIONS[publication[i, k]],
                "title": f"Report {publication[i, k] * 100 + day_published[i, k]}",
                "date": f"2022-01-{day_published[i, k]:02d}",
                "url": f"https://news.example.org/{publication[i, k]}/{i}-{k}",
                "quote": quotes[i] if k == 0 else quotes[(i + 7) % n],
            }
            for k in range(n_sources[i])
        ]
        properties = {
            "id": f"ev-{i:06d}",
            "title": f"{VERBS[verb[i]]} on {place}",
            "description": descriptions[i],
            "category": CATEGORIES[category[i]],
            "start": start_text[i],
            "end": end_text[i] if has_end[i] else None,
            "time_precision": str(tprec[i]),
            "place": place,
            "geo_precision": str(geo[i]),
            "fatalities": None if fatal[i] < 0 else int(fatal[i]),
            "actors": [ACTORS[a] for a in actor_picks[i, : n_actors[i]]],
            "sources": sources,
            "sensitive": bool(sensitive[i]),
        }
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": xy[i].tolist()},
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def write_dataset(n: int, folder: Path, days: int = DAYS) -> Path:
    """Write a dataset folder with ``n`` events over ``days`` days (the bundled categories
    and timezone)."""
    folder.mkdir(parents=True, exist_ok=True)
    toml = (BUNDLED / "dataset.toml").read_text(encoding="utf-8")
    head = toml.split("[[periods]]")[0]
    head = head.replace('title = "Almaty, January 2022"', f'title = "Synthetic {n:,} events"')
    head = head.replace("extent = [76.73, 43.10, 77.12, 43.42]", f"extent = {list(EXTENT)}")
    (folder / "dataset.toml").write_text(head, encoding="utf-8")
    (folder / "events.geojson").write_bytes(orjson.dumps(generate(n, days=days)))
    places = folder / "places.geojson"
    if places.exists():
        places.unlink()
    return folder


# ACLED's export columns, in its order.
# fmt: off
ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
]
# fmt: on
ACLED_TYPES = (
    ("Protests", "Peaceful protest", "Demonstrations"),
    ("Protests", "Protest with intervention", "Demonstrations"),
    ("Riots", "Violent demonstration", "Demonstrations"),
    ("Battles", "Armed clash", "Political violence"),
    ("Violence against civilians", "Attack", "Political violence"),
    ("Strategic developments", "Arrests", "Strategic developments"),
)


def acled_rows(n: int, seed: int = 2022) -> list[list[object]]:
    """``n`` ACLED-style rows: town coordinates, day/week/month precision, notes of about
    200 characters, mostly no fatalities (ACLED's 0)."""
    rng = np.random.default_rng(seed)
    kinds = rng.integers(0, len(ACLED_TYPES), n)
    days = START.astype("datetime64[D]") + rng.integers(0, DAYS, n)
    lon = np.round(CITY[0] + rng.normal(0, 0.03, n), 4)
    lat = np.round(CITY[1] + rng.normal(0, 0.02, n), 4)
    deaths = np.where(rng.random(n) < 0.8, 0, rng.integers(1, 12, n))
    notes = _texts(rng, n, 30)
    rows = []
    for i in range(n):
        event_type, sub_event, disorder = ACLED_TYPES[kinds[i]]
        district = DISTRICTS[i % len(DISTRICTS)]
        rows.append(
            [f"KAZ{i + 1}", str(days[i]), 2022, 1 + (i % 10 == 0) + (i % 50 == 0), disorder,
             event_type, sub_event, ACTORS[i % len(ACTORS)], "", 6, ACTORS[(i * 7) % len(ACTORS)],
             "", 1, 16, "", 398, "Central Asia", "Kazakhstan", "Almaty", district, "",
             "Almaty", lat[i], lon[i], 1 + (i % 7 == 0), PUBLICATIONS[i % len(PUBLICATIONS)],
             "National", f"On {days[i]}, {notes[i]}", int(deaths[i]), "", 1643000000 + i]
        )  # fmt: skip
    return rows


def write_acled_csv(n: int, path: Path) -> Path:
    """An ACLED-style export of ``n`` rows at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(ACLED_COLUMNS)
        writer.writerows(acled_rows(n))
    return path


def write_acled_dataset(n: int, folder: Path) -> Path:
    """A dataset folder reading an ACLED-style export of ``n`` rows through the preset."""
    folder.mkdir(parents=True, exist_ok=True)
    write_acled_csv(n, folder / "events.csv")
    categories = sorted({t[0] for t in ACLED_TYPES})
    tables = "".join(
        f'\n[[categories]]\nid = "{c.lower().replace(" ", "-")}"\nlabel = "{c}"\n'
        f'colour = "#0072b2"\n'
        for c in categories
    )
    toml = f'title = "ACLED-style {n:,} rows"\ntimezone = "Asia/Almaty"\nformat = "acled"\n'
    (folder / "dataset.toml").write_text(toml + tables, encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", type=int)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--days", type=int, default=DAYS, help="days the starts spread over")
    parser.add_argument("--acled", action="store_true", help="an ACLED-style events.csv")
    args = parser.parse_args()
    if args.folder.exists():
        shutil.rmtree(args.folder)
    if args.acled:
        write_acled_dataset(args.size, args.folder)
        print(f"wrote {args.size:,} ACLED-style rows to {args.folder}")
    else:
        write_dataset(args.size, args.folder, args.days)
        print(f"wrote {args.size:,} events over {args.days} days to {args.folder}")


if __name__ == "__main__":
    main()
