"""Events in, maps out: Folium layers, popups, legend, time control, standalone export.

``build_map`` makes the Folium figure for a filtered dataset; ``render_page`` turns it into
one self-contained HTML page and ``write_export`` writes that page atomically.
"""

from maprender.build import MapSpec, build_map, export_page
from maprender.document import (
    MapParts,
    render_page,
    render_parts,
    script_hashes,
    style_hashes,
)
from maprender.export import ExportError, write_export
from maprender.payload import MapOptions

__all__ = [
    "ExportError",
    "MapOptions",
    "MapParts",
    "MapSpec",
    "build_map",
    "export_page",
    "render_page",
    "render_parts",
    "script_hashes",
    "style_hashes",
    "write_export",
]
