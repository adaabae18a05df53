"""Selecting, paging and serialising the features of a collection."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

import numpy as np
import orjson
import pandas as pd
import shapely

from almaty_map.geodata.cql2 import matches, sort_positions
from almaty_map.geodata.crs import CRS84, geojson_geometries, transform
from almaty_map.geodata.dataset import Dataset
from almaty_map.geodata.formats import (
    csv_chunks,
    defuse,
    feature_pieces,
    geojson_bytes,
    geojson_chunks,
)
from almaty_map.geodata.source import Source
from almaty_map.ogcapi.documents import CSV, GEOJSON, HTML, link
from almaty_map.ogcapi.errors import not_found
from almaty_map.ogcapi.params import ItemsQuery

PLACE_CSV_COLUMNS = (
    "id",
    "name",
    "names",
    "kind",
    "longitude",
    "latitude",
    "geometry_wkt",
)


@dataclass(frozen=True)
class Page:
    """One page of features: positions into the collection, and how many matched."""

    collection: str
    positions: np.ndarray
    matched: int | None  # None: not counted, as it would have cost more than the page


def select_page(source: Source, collection: str, query: ItemsQuery) -> tuple[Dataset, Page]:
    """The page, and the Dataset its positions point into (the source's own, or one of
    just the selected events when they come from the database)."""
    dataset = source.dataset
    if collection == "events":
        if not query.sortby:  # the page alone, without a full count when it costs more
            found = source.page(query.filter, query.offset, query.limit)
            return found.dataset, Page(collection, found.positions, found.matched)
        chosen = source.select(query.filter)
        dataset, matched = chosen.dataset, chosen.positions
    else:
        matched = _select_places(dataset, query)
    matched = sort_positions(dataset, collection, matched, query.sortby)
    page = Page(collection, matched[query.offset : query.offset + query.limit], len(matched))
    return dataset, page


def _select_places(dataset: Dataset, query: ItemsQuery) -> np.ndarray:
    """Places have no time: a datetime filter matches none of them, as the standard says of
    features without a temporal geometry."""
    places = dataset.places
    keep = np.ones(len(places), dtype=bool)
    if query.has_datetime:
        keep[:] = False
    if query.filter.bbox is not None:
        keep &= dataset.place_boxes.within(query.filter.bbox)
    if query.filter.text is not None:
        text = query.filter.text.casefold()
        names = [
            "\n".join([name, *other.values()])
            for name, other in zip(places["name"], places["names"], strict=True)
        ]
        keep &= (
            pd.Series(names, dtype=str).str.casefold().str.contains(text, regex=False).to_numpy()
        )
    if query.filter.cql is not None:
        keep &= matches(dataset, query.filter.cql)
    return np.flatnonzero(keep)


def _page_url(url: str, args: list[tuple[str, str]], **changes: object) -> str:
    kept = [(k, v) for k, v in args if k not in changes]
    return f"{url}?{urlencode(kept + [(k, str(v)) for k, v in changes.items()])}"


def page_links(
    url: str, args: list[tuple[str, str]], query: ItemsQuery, page: Page, current: str
) -> list[dict]:
    """self, alternates, and next/prev links that keep every other parameter."""
    links = []
    for f, type_ in (("json", GEOJSON), ("html", HTML), ("csv", CSV)):
        rel = "self" if f == current else "alternate"
        links.append(link(_page_url(url, args, f=f), rel, type_, f"This page as {f.upper()}"))
    if page.matched is None or query.offset + query.limit < page.matched:
        links.append(
            link(
                _page_url(
                    url, args, f=current, offset=query.offset + query.limit, limit=query.limit
                ),
                "next",
                GEOJSON if current == "json" else HTML,
                "Next page",
            )
        )
    if query.offset > 0:
        links.append(
            link(
                _page_url(
                    url,
                    args,
                    f=current,
                    offset=max(query.offset - query.limit, 0),
                    limit=query.limit,
                ),
                "prev",
                GEOJSON if current == "json" else HTML,
                "Previous page",
            )
        )
    return links


def features_json_chunks(
    dataset: Dataset, page: Page, links: list[dict], crs: str = CRS84
) -> Iterator[bytes]:
    """The page's FeatureCollection, written a batch of features at a time."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    members = {
        "numberMatched": page.matched,
        "numberReturned": len(page.positions),
        "timeStamp": stamp,
        "links": links,
    }
    if page.matched is None:  # optional in the standard; never a guess
        del members["numberMatched"]
    if page.collection == "events":
        yield from geojson_chunks(dataset, page.positions, members, crs)
    else:
        yield geojson_bytes(b",".join(_place_pieces(dataset, page.positions, crs)), members)


def _place_pieces(dataset: Dataset, positions, crs: str) -> list[bytes]:
    """Places as GeoJSON, serialised at load; in another CRS, with their geometry moved."""
    if crs == CRS84:
        return [dataset.place_json[i] for i in positions]
    shapes = transform(dataset.places.geometry.to_numpy()[list(positions)], CRS84, crs)
    pieces = []
    for i, shape in zip(positions, geojson_geometries(shapes), strict=True):
        place = orjson.loads(dataset.place_json[i])
        place["geometry"] = orjson.Fragment(shape)
        pieces.append(orjson.dumps(place))
    return pieces


def features_json(dataset: Dataset, page: Page, links: list[dict], crs: str = CRS84) -> bytes:
    return b"".join(features_json_chunks(dataset, page, links, crs))


def features_csv_chunks(dataset: Dataset, page: Page) -> Iterator[str]:
    if page.collection == "events":
        yield from csv_chunks(dataset, page.positions)
    else:
        yield places_csv(dataset, page.positions)


def features_csv(dataset: Dataset, page: Page) -> str:
    return "".join(features_csv_chunks(dataset, page))


def places_csv(dataset: Dataset, positions) -> str:
    rows = dataset.places.iloc[list(positions)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(PLACE_CSV_COLUMNS)
    if len(rows):
        anchor = shapely.point_on_surface(rows.geometry.array)
        wkt = shapely.to_wkt(rows.geometry.array, rounding_precision=-1, trim=True)
        for row, x, y, shape in zip(
            rows.itertuples(index=False),
            shapely.get_x(anchor),
            shapely.get_y(anchor),
            wkt,
            strict=True,
        ):
            writer.writerow(
                [
                    defuse(v)
                    for v in (
                        row.id,
                        row.name,
                        orjson.dumps(row.names).decode() if row.names else "",
                        row.kind,
                        float(x),
                        float(y),
                        shape,
                    )
                ]
            )
    return buffer.getvalue()


def find_feature(source: Source, collection: str, feature_id: str) -> tuple[Dataset, int]:
    """A feature by id: the Dataset holding it and its position there, or ApiError 404.
    Ids may hold any character, "/" included, so an id that is not found without its
    trailing slash is looked up with it (every path answers with and without one)."""
    found = _position(source, collection, feature_id)
    if found is None and feature_id.endswith("/"):
        found = _position(source, collection, feature_id[:-1])
    if found is None:
        raise not_found(f"no feature with id {feature_id[:80]!r} in collection {collection!r}")
    return found


def feature_id(dataset: Dataset, collection: str, position: int) -> str:
    frame = dataset.events if collection == "events" else dataset.places
    return str(frame["id"].iat[position])


def _position(source: Source, collection: str, feature_id: str) -> tuple[Dataset, int] | None:
    if collection == "events":
        found = source.feature(feature_id)  # by the primary key in the database
        return None if found is None else (found.dataset, int(found.positions[0]))
    ids = list(source.dataset.places["id"])
    return (source.dataset, ids.index(feature_id)) if feature_id in ids else None


def feature_json(
    dataset: Dataset, collection: str, position: int, links: list[dict], crs: str = CRS84
) -> bytes:
    if collection == "events":
        feature = orjson.loads(feature_pieces(dataset, [position], crs)[0])
    else:
        feature = orjson.loads(_place_pieces(dataset, [position], crs)[0])
    feature["links"] = links
    return orjson.dumps(feature)
