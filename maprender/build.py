"""Building the Folium map for a filtered dataset.

The map is a Folium figure: tile layers from xyzservices, a places layer, and our elements
carrying the data and starting the app (which builds the time control and the map key).
Everything a reader sees is made from the same compact payload, whatever the data's size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import xyzservices.providers as providers
from xyzservices import TileProvider

from almaty_map.geodata.dataset import Dataset
from almaty_map.geodata.filtering import EventFilter
from almaty_map.geodata.source import Selected, Source, as_source
from almaty_map.geodata.timeslices import Slice, make_slices
from almaty_map.language.texts import texts_for
from almaty_map.maprender.document import render_page
from almaty_map.maprender.elements import (
    AssetTags,
    BaseTiles,
    EventData,
    EventMap,
    MapApp,
    MapFigure,
    PlacesLayer,
    number_elements,
)
from almaty_map.maprender.options import MapOptions
from almaty_map.maprender.packing import DetailsPacker
from almaty_map.maprender.payload import payload_bytes
from almaty_map.maprender.titled import TitledDocument, render_untitled, untitled

DATA_ELEMENT_ID = "almaty-map-data"
DETAILS_ELEMENT_ID = "almaty-map-details"


@dataclass(frozen=True)
class MapSpec:
    """What to draw: which events, cut how, in which language, titled what."""

    filter: EventFilter = field(default_factory=EventFilter)
    slice_by: str = "period"
    language: str = "en"
    title: str | None = None
    options: MapOptions = field(default_factory=MapOptions)
    carto_key: str | None = None
    # Origins (maprender/origins.py) whose pages may drive the map in a frame; the map's own
    # origin always may.
    embed_origins: tuple[str, ...] = ()


def map_slices(data: Dataset | Source, spec: MapSpec) -> tuple[Selected, list[Slice]]:
    """The events a spec shows and its time slices: the cheap first step of a render, which
    raises SlicingError for a slicing the data cannot use (so a HEAD request can tell
    without rendering)."""
    chosen = as_source(data).select(spec.filter)
    dataset, positions = chosen.dataset, chosen.positions
    slices = make_slices(
        dataset.meta,
        dataset.start_ns[positions],
        dataset.end_ns[positions],
        spec.slice_by,
        (spec.filter.start, spec.filter.end),
    )
    return chosen, slices


@dataclass(frozen=True)
class MapContent:
    """What a map's bytes depend on besides its title (``key``), and how many events it
    shows. The key names the events shown and the slices, not the filter that found them:
    two boxes (or texts, or times) around the same events draw the same map."""

    key: tuple
    events: int


def map_content(data: Dataset | Source, spec: MapSpec) -> MapContent:
    """Raises SlicingError, as a render would."""
    chosen, slices = map_slices(data, spec)
    key = (
        chosen.dataset.fingerprint,
        chosen.key,
        tuple(slices),
        spec.slice_by,
        spec.language,
        spec.options,
        spec.carto_key,
    )
    return MapContent(key, len(chosen.positions))


def build_map(
    data: Dataset | Source,
    spec: MapSpec = MapSpec(),
    asset_base: str | None = None,
    chrome: dict[str, object] | None = None,
) -> MapFigure:
    """The map as a Folium figure; ``asset_base`` None inlines every asset (export).

    ``chrome`` turns parts of the interface off for pages that provide their own (the
    reader's page has its own title, list and downloads): keys ``about``, ``list``,
    ``headingLevel``.
    """
    texts = texts_for(spec.language)
    chosen, slices = map_slices(data, spec)
    dataset, positions = chosen.dataset, chosen.positions
    with DetailsPacker() as details:
        payload = payload_bytes(
            dataset, positions, slices, texts, spec.options, spec.title, details.add
        )
        packed, mime = details.packed()
    title = spec.title or dataset.meta.title
    figure = MapFigure(title, texts.language, asset_base is None, texts.direction)
    extent = dataset.meta.extent
    centre = ((extent[1] + extent[3]) / 2, (extent[0] + extent[2]) / 2) if extent else (0, 0)
    fmap = EventMap(centre, 12 if extent else 2)
    figure.add_child(fmap)
    figure.header.add_child(AssetTags(asset_base), name="assets")
    bases = _add_base_layers(fmap, spec, texts)
    figure.image_sources = sorted({tiles.image_source() for tiles in bases})
    places = None
    if len(dataset.places):
        places = PlacesLayer(texts.gettext("Reference places"))
        fmap.add_child(places)
    fmap.add_child(EventData(payload.drawing, DATA_ELEMENT_ID, "application/json"))
    figure.add_child(EventData(packed, DETAILS_ELEMENT_ID, mime, at_end=True), name="details")
    fmap.add_child(
        MapApp(
            bases,
            places,
            DATA_ELEMENT_ID,
            {
                "about": True,
                "list": True,
                "headingLevel": 1,
                "detailsId": DETAILS_ELEMENT_ID,
                "embedOrigins": list(spec.embed_origins),
            }
            | (chrome or {}),
        )
    )
    number_elements(figure)
    return figure


def export_template(data: Dataset | Source, spec: MapSpec = MapSpec()) -> TitledDocument:
    """The standalone page for a spec, its title left to put in (the title is in the page's
    <title> and in the data block)."""
    return render_untitled(untitled(spec), lambda s: render_page(build_map(data, s)), 2)


def export_page(data: Dataset | Source, spec: MapSpec = MapSpec()) -> bytes:
    """The standalone page for a spec: what `almaty-map export` and /export both write."""
    source = as_source(data)
    return export_template(source, spec).render(spec.title or source.dataset.meta.title)


def light_base(carto_key: str | None) -> tuple[TileProvider, str | None]:
    """The light base map, and the CSS class that greys it: the map and the snapshot both
    draw on it, so a published picture looks like the published map.

    CARTO's light style needs an API key since August 2026; without one, the light map is
    OpenStreetMap's own tiles desaturated in CSS (class am-tiles-light).
    """
    if carto_key:
        return providers.CartoDB.Positron(apikey=carto_key), None
    return providers.OpenStreetMap.Mapnik, "am-tiles-light"


def _add_base_layers(fmap: EventMap, spec: MapSpec, texts) -> list[BaseTiles]:
    """A light base map first, so the event symbols stand out, and plain OpenStreetMap."""
    _ = texts.gettext
    provider, class_name = light_base(spec.carto_key)
    if class_name is None:
        light = BaseTiles(provider, name=_("Light map (CARTO)"), show=True)
    else:
        light = BaseTiles(
            provider, name=_("Light map (OpenStreetMap, greyed)"), show=True, className=class_name
        )
    bases = [light, BaseTiles(providers.OpenStreetMap.Mapnik, name="OpenStreetMap", show=False)]
    for tiles in bases:
        tiles.add_to(fmap)
    return bases
