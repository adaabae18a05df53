"""Folium elements for the map: validated values plus a template that only prints.

The JavaScript they call lives in ``maprender/js``; templates pass it names and JSON, never
code assembled from strings. Every value from the data reaches the page through ``tojson``
(which escapes <, > and &) or through the one JSON data block.

Branca places each macro's output in the figure as a new Jinja template and renders it
again. With data in the output that is both slow (a 70 MB data block is lexed as a template)
and dangerous: a title containing ``{{ ... }}`` would be run as template code on the server.
Every element here therefore places its output as it is (``RawElement``).
"""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import urlsplit

import folium
from branca.element import Element, Figure, MacroElement
from folium.elements import ElementAddToElement
from folium.map import Layer
from folium.template import Template

from almaty_map.maprender import assets


class RawElement(Element):
    """Markup placed in the page exactly as given, never parsed as a template."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class RawMacro:
    """Mixin for MacroElements: render each macro once and place the result raw."""

    def before_render(self) -> None:
        """Hook for what a Folium class does before rendering (e.g. adding to the map)."""
        if isinstance(self, Layer) and self.show:
            self.add_child(
                ElementAddToElement(
                    element_name=self.get_name(), element_parent_name=self._parent.get_name()
                ),
                name=self.get_name() + "_add",
            )

    def render(self, **kwargs) -> None:
        self.before_render()
        figure = self.get_root()
        module = self._template.module
        for part in ("header", "html", "script"):
            macro = module.__dict__.get(part)
            if macro is not None:
                getattr(figure, part).add_child(
                    RawElement(macro(self, kwargs)), name=self.get_name()
                )
        for child in self._children.values():
            child.render(**kwargs)


class MapFigure(Figure):
    """The standalone page: declares its language and its direction (right to left for
    Arabic), escapes its title, script last.

    A page with every asset inlined (the export) carries its own Content-Security-Policy:
    ``policy_marker`` is replaced, once the page is rendered, by a <meta> allowing exactly
    its inline scripts and styles (see maprender/document.py).
    """

    policy_marker = "<!--almaty-map-policy-->"
    _template = Template(
        "<!DOCTYPE html>\n"
        '<html lang="{{ this.lang }}" dir="{{ this.direction }}">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        "{% if this.standalone %}{{ this.policy_marker }}\n{% endif %}"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>{{ this.page_title|e }}</title>\n"
        '<link rel="icon" type="image/svg+xml" href="{{ this.icon }}">\n'
        "{{ this.header.render(**kwargs) }}\n"
        "</head>\n"
        '<body class="am-standalone">\n'
        "<main>\n{{ this.html.render(**kwargs) }}\n</main>\n"
        "<script>\n{{ this.script.render(**kwargs) }}\n</script>\n"
        "{{ this.tail }}"
        "</body>\n"
        "</html>\n"
    )

    def __init__(self, page_title: str, lang: str, standalone: bool = True, direction: str = "ltr"):
        super().__init__()
        self._name = "MapFigure"
        self.page_title = page_title
        self.lang = lang
        self.direction = direction
        self.standalone = standalone
        self.icon = assets.favicon_data_uri()
        self.image_sources: list[str] = []  # the tile hosts, for the standalone policy
        self.header._children.pop("meta_http", None)
        # Data blocks are spliced in as bytes after rendering (see EventData); ``tail``
        # holds the markup placed after the start script.
        self.data_blocks: dict[str, bytes] = {}
        self.tail = ""


class EventMap(RawMacro, folium.Map):
    """A Leaflet map without Folium's CDN assets; ours are added by AssetTags."""

    default_js: ClassVar[list] = []
    default_css: ClassVar[list] = []
    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <div class="am-frame">
        <div class="am-map" id={{ this.get_name()|tojson }}></div>
        <section class="am-pane" hidden></section>
        <div class="am-dock"></div>
        <div class="am-timeline"></div>
        </div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.map({{ this.get_name()|tojson }}, {
            center: {{ this.location|tojson }},
            zoom: {{ this.zoom_start|tojson }},
            zoomControl: false,
            preferCanvas: true,
            attributionControl: true
        });
        L.control.zoom({ position: "topright" }).addTo({{ this.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, location: tuple[float, float], zoom_start: int):
        super().__init__(location=list(location), zoom_start=zoom_start, tiles=None)
        self._name = "Map"
        self.zoom_start = zoom_start


class AssetTags(Element):
    """The scripts and stylesheets, inlined (export) or linked (served pages)."""

    def __init__(self, base_url: str | None):
        super().__init__()
        self._name = "AssetTags"
        self.base_url = base_url

    def render(self, **kwargs) -> str:
        if self.base_url is None:
            return assets.inline_tags()
        return assets.linked_tags(self.base_url)


class EventData(RawMacro, MacroElement):
    """The one JSON document carrying the events, already escaped for HTML.

    The template prints a marker; the data (tens of MB for a large dataset) is spliced in as
    UTF-8 bytes after rendering, so it is never copied through Jinja or a Python string.
    """

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <script type="{{ this.mime }}" id="{{ this.element_id }}">{{ this.marker }}</script>
        {% endmacro %}
        """
    )

    def __init__(
        self,
        data: bytes,
        element_id: str = "almaty-map-data",
        mime: str = "application/json",
        at_end: bool = False,
    ):
        super().__init__()
        self._name = "EventData"
        self.data = data
        self.mime = mime
        self.element_id = element_id
        self.at_end = at_end
        self.marker = f"<!--almaty-map-data:{element_id}-->"

    def render(self, **kwargs) -> None:
        figure = self.get_root()
        figure.data_blocks[self.marker] = self.data
        if self.at_end:  # after the start script: the page draws before reading it
            macro = self._template.module.__dict__["html"]
            figure.tail = str(macro(self, kwargs))
            return
        super().render(**kwargs)


class PlacesLayer(RawMacro, folium.FeatureGroup):
    """The reference places (landmarks, areas), filled from the data block; the map key
    turns them on and off."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = AlmatyMapLib.placesLayer();
        {% endmacro %}
        """
    )

    def __init__(self, label: str):
        super().__init__(name=label, overlay=True, control=False, show=True)
        self._name = "PlacesLayer"


class MapApp(RawMacro, MacroElement):
    """Starts the map: the time control, the map key, event cards and window.almatyMap.

    Time slices are not Leaflet layers: the time control alone chooses them, so a map of
    2,000 day slices opens as fast as one of six. The map key lists the base maps (named
    here, escaped by tojson and set as text) and the reference places.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = AlmatyMapLib.start(
            {{ this._parent.get_name() }},
            {{ this.data_id|tojson }},
            {
                bases: [{% for tiles in this.bases %}{
                    name: {{ tiles.layer_name|tojson }}, layer: {{ tiles.get_name() }}
                },{% endfor %}],
                places: {{ this.places.get_name() if this.places else "null" }}
            },
            {{ this.options|tojson }}
        );
        {% endmacro %}
        """
    )

    def __init__(
        self,
        bases: list[BaseTiles],
        places: PlacesLayer | None,
        data_id: str,
        options: dict[str, object],
    ):
        super().__init__()
        self._name = "MapApp"
        self.bases = bases
        self.places = places
        self.data_id = data_id
        self.options = options


class BaseTiles(RawMacro, folium.TileLayer):
    """A tile layer (from xyzservices), rendered raw like the rest."""

    def image_source(self) -> str:
        """The CSP source expression for this layer's tiles: scheme and host, with a
        subdomain placeholder ({s}) as a wildcard."""
        parts = urlsplit(self.tiles)
        return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"


def number_elements(root: Element) -> None:
    """Give every element a sequential id, so identical input renders identical bytes
    (Folium's default ids are random)."""
    counter = 0

    def visit(element: Element) -> None:
        nonlocal counter
        element._id = str(counter)
        counter += 1
        for part in ("header", "html", "script"):
            child = getattr(element, part, None)
            if isinstance(child, Element) and child is not element:
                visit(child)
        for child in element._children.values():
            visit(child)

    visit(root)
