"""The map builds the benchmark compares, each from the same events file to one HTML file.

``ours`` is `almaty-map export` with day slices. The plain-Folium baselines are what a
newsroom would write by hand: one object per event (Marker or CircleMarker with a Popup),
one GeoJson layer per day with a GeoJsonPopup, and FastMarkerCluster (no popups, no time).
Their CDN assets are inlined from installed packages (Leaflet, Leaflet.markercluster) and
the ones these maps do not use are dropped, so every page opens offline like the export;
all keep Folium's default OpenStreetMap tile layer, as ours has one.

Run one build per process (for a clean peak RSS):
    python -m bench.variants VARIANT DATASET_FOLDER OUT.html
It prints one JSON line: {"seconds": ..., "html_bytes": ...}.
"""

from __future__ import annotations

import html
import json
import re
import sys
import time
from pathlib import Path

VARIANTS = ("ours", "geojson", "circlemarker", "marker", "fastcluster", "geopandas")
CENTRE = (43.24, 76.93)


def _read_events(folder: Path):
    import geopandas as gpd

    frame = gpd.read_file(folder / "events.geojson", engine="pyogrio")
    for column in ("start", "end"):
        frame[column] = frame[column].astype(str)
    for column in ("actors", "sources"):
        frame[column] = frame[column].map(lambda v: v.tolist() if hasattr(v, "tolist") else v)
    frame["day"] = frame["start"].str[:10]
    return frame


def _popup_html(row) -> str:
    sources = json.loads(row.sources) if isinstance(row.sources, str) else list(row.sources)
    items = "".join(
        f'<li><a href="{html.escape(s.get("url", ""))}">{html.escape(s["publication"])}: '
        f"{html.escape(s['title'])}</a> <q>{html.escape(s.get('quote', ''))}</q></li>"
        for s in sources
    )
    fatalities = "not reported" if row.fatalities != row.fatalities else row.fatalities
    return (
        f"<h3>{html.escape(row.title)}</h3><p>{html.escape(str(row.start))} · "
        f"{html.escape(row.time_precision)}</p><p>{html.escape(row.place)} · "
        f"{html.escape(row.geo_precision)}</p><p>{html.escape(row.description)}</p>"
        f"<p>Deaths: {fatalities}</p><ul>{items}</ul>"
    )


def _per_day_markers(frame, make_marker):
    import folium

    fmap = folium.Map(location=CENTRE, zoom_start=12, prefer_canvas=True)
    groups = {
        day: folium.FeatureGroup(name=day).add_to(fmap) for day in sorted(frame["day"].unique())
    }
    for row in frame.itertuples(index=False):
        make_marker(row).add_to(groups[row.day])
    folium.LayerControl().add_to(fmap)
    return fmap


def build_marker(frame):
    import folium

    return _per_day_markers(
        frame,
        lambda row: folium.Marker(
            [row.geometry.y, row.geometry.x],
            popup=folium.Popup(_popup_html(row), max_width=320),
            tooltip=html.escape(row.title),
        ),
    )


def build_circlemarker(frame):
    import folium

    return _per_day_markers(
        frame,
        lambda row: folium.CircleMarker(
            [row.geometry.y, row.geometry.x],
            radius=6,
            popup=folium.Popup(_popup_html(row), max_width=320),
            tooltip=html.escape(row.title),
        ),
    )


def build_geojson(frame):
    import folium

    fmap = folium.Map(location=CENTRE, zoom_start=12, prefer_canvas=True)
    fields = [
        "title",
        "start",
        "time_precision",
        "place",
        "geo_precision",
        "description",
        "fatalities",
        "actors",
        "sources",
    ]
    for day in sorted(frame["day"].unique()):
        part = frame[frame["day"] == day].drop(columns="day")
        folium.GeoJson(
            part.to_json(),
            name=day,
            popup=folium.GeoJsonPopup(fields=fields),
            tooltip=folium.GeoJsonTooltip(fields=["title"]),
            marker=folium.CircleMarker(radius=6),
        ).add_to(fmap)
    folium.LayerControl().add_to(fmap)
    return fmap


def build_fastcluster(frame):
    import folium
    from folium.plugins import FastMarkerCluster

    fmap = folium.Map(location=CENTRE, zoom_start=12)
    FastMarkerCluster(list(zip(frame.geometry.y, frame.geometry.x, strict=True))).add_to(fmap)
    return fmap


def offline(page: str) -> str:
    """Inline the CDN assets these maps use from installed packages; drop the rest."""
    import xstatic.pkg.leaflet as leaflet
    import xstatic.pkg.leaflet_markercluster as cluster

    local = {
        "leaflet.js": Path(leaflet.BASE_DIR) / "leaflet.js",
        "leaflet.css": Path(leaflet.BASE_DIR) / "leaflet.css",
        "leaflet.markercluster.js": Path(cluster.BASE_DIR) / "leaflet.markercluster.js",
        "MarkerCluster.css": Path(cluster.BASE_DIR) / "MarkerCluster.css",
        "MarkerCluster.Default.css": Path(cluster.BASE_DIR) / "MarkerCluster.Default.css",
    }

    def script(match: re.Match) -> str:
        name = match.group(1).rsplit("/", 1)[-1]
        if name in local:
            return f"<script>{local[name].read_text()}</script>"
        return ""

    def style(match: re.Match) -> str:
        name = match.group(1).rsplit("/", 1)[-1]
        if name in local:
            return f"<style>{local[name].read_text()}</style>"
        return ""

    page = re.sub(r'<script src="(https?://[^"]+)"></script>', script, page)
    return re.sub(r'<link rel="stylesheet" href="(https?://[^"]+)"/>', style, page)


def run(variant: str, folder: Path, out: Path) -> dict:
    started = time.perf_counter()
    if variant == "ours":
        from almaty_map.cli.outfile import write_output
        from almaty_map.geodata.dataset import load_dataset
        from almaty_map.maprender.build import MapSpec, export_page

        write_output(export_page(load_dataset(folder), MapSpec(slice_by="day")), out)
    elif variant == "geopandas":
        frame = _read_events(folder)
        read = time.perf_counter() - started
        frame.drop(columns="day").to_file(out, engine="pyogrio", driver="GeoJSON")
        return {
            "seconds": read,
            "write_seconds": time.perf_counter() - started - read,
            "html_bytes": 0,
        }
    else:
        builder = {
            "marker": build_marker,
            "circlemarker": build_circlemarker,
            "geojson": build_geojson,
            "fastcluster": build_fastcluster,
        }[variant]
        out.write_text(offline(builder(_read_events(folder)).get_root().render()), encoding="utf-8")
    return {"seconds": time.perf_counter() - started, "html_bytes": out.stat().st_size}


if __name__ == "__main__":
    name, dataset, target = sys.argv[1:4]
    print(json.dumps(run(name, Path(dataset), Path(target))))
