"""The snapshot page: a composed picture (heading, map, legend, card, credits), not the
interactive map.

The page embeds the map's drawing block and drawing code, as the export does, but none of
its controls: almaty-print.js draws a still map into a frame rendered here from
``maprender/snapshot.html``. The page is only ever opened by ``maprender/snapshot.py``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import orjson
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from almaty_map.geodata.dataset import Dataset
from almaty_map.language.texts import texts_for
from almaty_map.maprender.assets import inline_tags
from almaty_map.maprender.build import light_base
from almaty_map.maprender.payload import html_safe, payload_bytes
from almaty_map.maprender.snapshot_frame import frame
from almaty_map.maprender.snapshot_view import Plan

HERE = Path(__file__).parent
# Leaflet and the map's drawing code (canvas layer, symbols, place styles), then our own.
PAGE_ASSETS = (
    "leaflet.css",
    "almaty-map.css",
    "almaty-snapshot.css",
    "leaflet.js",
    "almaty-constants.js",
    "almaty-core.js",
    "almaty-symbols.js",
    "almaty-canvas.js",
    "almaty-card.js",
    "almaty-places.js",
    "almaty-print.js",
)
DATA_MARKER = "<!--almaty-snapshot-data-->"


@dataclass(frozen=True)
class Tiles:
    """A background tile service, and how long the picture waits for it: ``first_s`` for
    the first tile to arrive (none by then: the server is out of reach), ``all_s`` for all."""

    url: str
    attribution: str
    class_name: str | None = None
    subdomains: str = "abc"
    max_zoom: int = 19
    first_s: float = 3.0
    all_s: float = 10.0


def light_tiles(carto_key: str | None = None) -> Tiles:
    """The light base map the published map opens on."""
    provider, class_name = light_base(carto_key)
    return Tiles(
        url=provider.build_url(fill_subdomain=False, scale_factor="{r}"),
        attribution=provider.attribution.replace("(C)", "©"),
        class_name=class_name,
        subdomains=provider.get("subdomains", "abc"),
        max_zoom=provider.get("max_zoom", 19),
    )


@cache
def _template():
    environment = Environment(
        loader=FileSystemLoader(HERE),
        autoescape=select_autoescape(default=True, default_for_string=True),
        keep_trailing_newline=True,
    )
    return environment.get_template("snapshot.html")


def snapshot_page(dataset: Dataset, plan: Plan, tiles: Tiles | None) -> bytes:
    """The page for ``plan``, drawing on ``tiles`` (None: on the plain background)."""
    texts = texts_for(plan.spec.language)
    _ = texts.gettext
    payload = payload_bytes(
        dataset, plan.positions, plan.slices, texts, plan.spec.options, plan.spec.title
    )
    config = {
        "shown": plan.shown.tolist(),
        "selected": -1 if plan.selected is None else plan.selected,
        "tiles": None if tiles is None else asdict(tiles),
        "units": {"m": _("{n} m"), "km": _("{n} km")},
    }
    credit = None
    if tiles is not None:
        credit = _("Background map: {attribution}").format(attribution=tiles.attribution)
    page = _template().render(
        lang=texts.language,
        direction=texts.direction,
        frame=frame(dataset, plan),
        assets=Markup(inline_tags(PAGE_ASSETS)),  # noqa: S704 (our own files)
        tile_credit=credit,
        data_blocks=Markup(DATA_MARKER),  # noqa: S704 (a fixed marker)
    )
    blocks = b"".join(
        [
            b'<script type="application/json" id="almaty-map-data">',
            payload.drawing,
            b'</script>\n<script type="application/json" id="almaty-print-config">',
            html_safe(orjson.dumps(config)),
            b"</script>",
        ]
    )
    return page.encode("utf-8").replace(DATA_MARKER.encode(), blocks, 1)
