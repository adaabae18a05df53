"""Security headers, including a Content-Security-Policy the map pages really run under.

The map's start script is inline (Folium writes it), so pages allow exactly that script by
its SHA-256 hash rather than with 'unsafe-inline'; everything else comes from this origin.
"""

from __future__ import annotations

from flask import Flask, Response, request

from almaty_map.maprender.origins import OriginError, parse_origins

TILE_HOSTS = ("https://tile.openstreetmap.org", "https://*.basemaps.cartocdn.com")
STRICT = "default-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
# HTML pages without a map (API views, errors): our stylesheet, no script at all.
PLAIN_PAGE = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def page_policy(
    script_hashes: list[str], style_hashes: list[str], frame_ancestors: str = "'none'"
) -> str:
    """The policy for a page that embeds the map."""
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self' " + " ".join(script_hashes),
            "style-src 'self' " + " ".join(style_hashes),
            "img-src 'self' data: " + " ".join(TILE_HOSTS),
            "connect-src 'self'",
            "font-src 'self'",
            "form-action 'self'",
            "base-uri 'none'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


def map_frame_ancestors(configured: str) -> str:
    """/map may be framed by this site and by the origins the operator configured."""
    origins = [o for o in configured.split() if o.startswith(("https://", "http://"))]
    return " ".join(["'self'", *origins])


def embed_origins(configured: str) -> tuple[str, ...]:
    """The origins (FRAME_ANCESTORS) whose pages may also drive /map with postMessage, as
    browsers name them; OriginError names the setting and the entry that is not one."""
    try:
        return parse_origins(configured.split())
    except OriginError as exc:
        raise OriginError(f"ALMATY_MAP_FRAME_ANCESTORS: {exc}") from None


def register(app: Flask) -> None:
    """Check the configured origins now (a wrong one stops start-up), then add the headers
    to every response."""
    app.config["EMBED_ORIGINS"] = embed_origins(str(app.config["FRAME_ANCESTORS"]))

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # Readers of this map may be at risk: never tell the sites they click through to.
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if "Content-Security-Policy" not in response.headers:
            plain = response.mimetype == "text/html"
            response.headers["Content-Security-Policy"] = PLAIN_PAGE if plain else STRICT
        if request.endpoint != "pages.embed":
            response.headers.setdefault("X-Frame-Options", "DENY")
        return response
