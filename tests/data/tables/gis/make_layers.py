"""Write incidents.gpkg, incidents.fgb and incidents.shp from tests/data/base/events.geojson,
as a GIS program would save events in the format: lists and counts as JSON text. The
Shapefile holds the two points (a Shapefile has one kind of shape) and its field names are
cut to ten characters, as every Shapefile's are. Run from the repository root:

    .venv/bin/python tests/data/tables/gis/make_layers.py
"""

import json
import warnings
from pathlib import Path

import geopandas as gpd

HERE = Path(__file__).parent
JSON_FIELDS = ("actors", "sources", "fatalities")


def main() -> None:
    document = json.loads((HERE.parents[1] / "base" / "events.geojson").read_text())
    for feature in document["features"]:
        properties = feature["properties"]
        for name in JSON_FIELDS:
            if isinstance(properties.get(name), list | dict):
                properties[name] = json.dumps(properties[name])
    frame = gpd.GeoDataFrame.from_features(document["features"], crs="EPSG:4326")
    frame["sensitive"] = frame["sensitive"].fillna(False).astype(bool)  # a boolean column
    for path in HERE.glob("incidents.*"):
        path.unlink()
    frame.to_file(HERE / "incidents.gpkg", engine="pyogrio")
    frame.to_file(HERE / "incidents.fgb", engine="pyogrio")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GDAL says it cuts the names: that is the point
        points = frame[frame.geom_type == "Point"]
        points.to_file(HERE / "incidents.shp", engine="pyogrio", encoding="UTF-8")


if __name__ == "__main__":
    main()
