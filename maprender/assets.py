"""The scripts and stylesheets a map needs, in load order, from installed packages.

Leaflet comes from the ``xstatic-leaflet`` package (the version Folium uses) and our own code
from ``maprender/js`` and ``maprender/css``; nothing is fetched from a CDN. The standalone
export inlines them; the web app links them under /assets/ so browsers cache them. The CSS's
images become data: URIs so both work from a file or a CMS.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import xstatic.pkg.leaflet as xleaflet

from almaty_map.geodata.formats import CSV_COLUMNS, JSON_FIELDS
from almaty_map.geodata.model import SOURCE_FIELDS
from almaty_map.maprender.options import MODES
from almaty_map.maprender.symbols import SHAPES

HERE = Path(__file__).parent
LEAFLET_DIR = Path(xleaflet.BASE_DIR)


@dataclass(frozen=True)
class Asset:
    name: str
    kind: str  # "js" or "css"
    path: Path | None  # None: generated here from Python values (constants_js)


ASSETS = (
    Asset("leaflet.css", "css", LEAFLET_DIR / "leaflet.css"),
    Asset("almaty-map.css", "css", HERE / "css" / "almaty-map.css"),
    Asset("leaflet.js", "js", LEAFLET_DIR / "leaflet.js"),
    Asset("almaty-constants.js", "js", None),
    Asset("almaty-core.js", "js", HERE / "js" / "almaty-core.js"),
    Asset("almaty-data.js", "js", HERE / "js" / "almaty-data.js"),
    Asset("almaty-symbols.js", "js", HERE / "js" / "almaty-symbols.js"),
    Asset("almaty-canvas.js", "js", HERE / "js" / "almaty-canvas.js"),
    Asset("almaty-card.js", "js", HERE / "js" / "almaty-card.js"),
    Asset("almaty-controls.js", "js", HERE / "js" / "almaty-controls.js"),
    Asset("almaty-pane.js", "js", HERE / "js" / "almaty-pane.js"),
    Asset("almaty-dock.js", "js", HERE / "js" / "almaty-dock.js"),
    Asset("almaty-views.js", "js", HERE / "js" / "almaty-views.js"),
    Asset("almaty-story.js", "js", HERE / "js" / "almaty-story.js"),
    Asset("almaty-timescale.js", "js", HERE / "js" / "almaty-timescale.js"),
    Asset("almaty-timeline.js", "js", HERE / "js" / "almaty-timeline.js"),
    Asset("almaty-time.js", "js", HERE / "js" / "almaty-time.js"),
    Asset("almaty-select.js", "js", HERE / "js" / "almaty-select.js"),
    Asset("almaty-places.js", "js", HERE / "js" / "almaty-places.js"),
    Asset("almaty-view.js", "js", HERE / "js" / "almaty-view.js"),
    Asset("almaty-hash.js", "js", HERE / "js" / "almaty-hash.js"),
    Asset("almaty-api.js", "js", HERE / "js" / "almaty-api.js"),
    Asset("almaty-app.js", "js", HERE / "js" / "almaty-app.js"),
)

# The snapshot page's own files (maprender/snapshot_page.py): it draws with the map's scripts
# above, picked by name, and composes its frame with these.
PRINT_ASSETS = (
    Asset("almaty-snapshot.css", "css", HERE / "css" / "almaty-snapshot.css"),
    Asset("almaty-print.js", "js", HERE / "js" / "almaty-print.js"),
)

LEAFLET_LICENCE = """Leaflet 1.9.3, https://leafletjs.com. BSD 2-Clause License.
Copyright (c) 2010-2022, Vladimir Agafonkin. Copyright (c) 2010-2011, CloudMade.
All rights reserved.
Redistribution and use in source and binary forms, with or without modification, are
permitted provided that the following conditions are met:
1. Redistributions of source code must retain the above copyright notice, this list of
   conditions and the following disclaimer.
2. Redistributions in binary form must reproduce the above copyright notice, this list of
   conditions and the following disclaimer in the documentation and/or other materials
   provided with the distribution.
THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND ANY EXPRESS
OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF
MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE
COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL,
EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE
GOODS OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED
AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING
NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED
OF THE POSSIBILITY OF SUCH DAMAGE."""

OWN_LICENCE = "almaty-map map code: MIT License, almaty-map contributors."

_CSS_URL = re.compile(r"url\((images/[\w.-]+\.png)\)")


def constants() -> dict[str, object]:
    """The values the map's JavaScript shares with Python, each from its one definition."""
    return {
        "modes": list(MODES),
        "sourceFields": list(SOURCE_FIELDS),
        "csvColumns": list(CSV_COLUMNS),
        "jsonFields": list(JSON_FIELDS),
        "shapes": {name: [list(point) for point in outline] for name, outline in SHAPES.items()},
    }


def constants_js() -> str:
    """almaty-constants.js: ``constants()`` as ``AlmatyMapLib.constants``, for the other
    scripts to read."""
    return (
        "/* almaty-map constants, generated by maprender/assets.py from their Python definitions\n"
        " * (maprender/options.py, geodata/model.py, geodata/formats.py, maprender/symbols.py).\n"
        " * MIT License, almaty-map contributors.\n"
        " */\n"
        "window.AlmatyMapLib = window.AlmatyMapLib || {};\n"
        f"window.AlmatyMapLib.constants = {_json_lines(constants(), '')};\n"
    )


def _json_lines(mapping: dict, indent: str) -> str:
    """A JSON object with a member a line (nested objects likewise), lists on one line."""
    inner = indent + "  "
    members = [
        f"{inner}{json.dumps(k)}: "
        + (_json_lines(v, inner) if isinstance(v, dict) else json.dumps(v))
        for k, v in mapping.items()
    ]
    return "{\n" + ",\n".join(members) + "\n" + indent + "}"


def _asset(name: str) -> Asset:
    return next(a for a in (*ASSETS, *PRINT_ASSETS) if a.name == name)


@cache
def asset_text(name: str) -> str:
    """The asset's text, with stylesheet images inlined as data: URIs."""
    asset = _asset(name)
    if asset.path is None:
        return constants_js()
    text = asset.path.read_text(encoding="utf-8")
    if asset.kind == "css":
        text = _CSS_URL.sub(lambda m: f"url({_data_uri(asset.path.parent / m.group(1))})", text)
    return text


FAVICON = HERE / "favicon.svg"


@cache
def favicon_svg() -> bytes:
    """The map's icon: an event symbol inside the dashed ring of an uncertain place."""
    return FAVICON.read_bytes()


@cache
def favicon_data_uri() -> str:
    """The icon inside the page itself, so the export needs no file beside it."""
    return "data:image/svg+xml;base64," + base64.b64encode(favicon_svg()).decode("ascii")


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


@cache
def asset_version(name: str) -> str:
    """A short content hash, so linked asset URLs change whenever the file does."""
    return hashlib.sha256(asset_text(name).encode()).hexdigest()[:12]


def _safe_inline(text: str, tag: str) -> str:
    """Keep an inlined file from closing its own element early."""
    return re.sub(rf"</({tag})", r"<\\/\1", text, flags=re.IGNORECASE)


def inline_tags(names: tuple[str, ...] | None = None) -> str:
    """The assets named (default: every map asset) inlined, in the order given, for the
    standalone export and the snapshot page."""
    chosen = ASSETS if names is None else [_asset(name) for name in names]
    parts = []
    for asset in chosen:
        if asset.kind == "css":
            parts.append(f"<style>\n{_safe_inline(asset_text(asset.name), 'style')}\n</style>")
        else:
            parts.append(f"<script>\n{_safe_inline(asset_text(asset.name), 'script')}\n</script>")
    return "\n".join(parts)


def linked_tags(base_url: str) -> str:
    """Every asset as a link under ``base_url`` (served by the web app)."""
    parts = []
    for asset in ASSETS:
        url = f"{base_url.rstrip('/')}/{asset.name}?v={asset_version(asset.name)}"
        if asset.kind == "css":
            parts.append(f'<link rel="stylesheet" href="{url}">')
        else:
            parts.append(f'<script src="{url}"></script>')
    return "\n".join(parts)
