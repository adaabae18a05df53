"""Which web origins may drive an embedded map through postMessage.

A map in an <iframe> obeys calls (open an event, change the slice) posted by the page around
it, and tells that page when its view changes. Only the origins named here, and the map's
own origin, are listened to and told; everyone else is ignored, so a page that frames a
published map without permission cannot steer it or read what its reader looks at. An
origin is compared exactly as browsers serialise it (``MessageEvent.origin``), so it is
normalised here: lower-case scheme and host, no default port, no path.
"""

from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
EXPECTED = "an origin such as https://news.example.org (http or https, a host, an optional port)"


class OriginError(ValueError):
    """A configured origin is not one; the message says what was expected and found."""


def parse_origin(text: str) -> str:
    """``text`` as a browser serialises the origin, or OriginError naming what is wrong."""
    value = text.strip()
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise OriginError(f"expected {EXPECTED}, got {text!r}: {exc}") from None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise OriginError(f"expected {EXPECTED}, got {text!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise OriginError(f"expected {EXPECTED}, got {text!r}: an origin has no path or query")
    host = parts.hostname.lower()
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    shown_port = "" if port in (None, DEFAULT_PORTS[parts.scheme]) else f":{port}"
    return f"{parts.scheme}://{host}{shown_port}"


def parse_origins(texts: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Each origin normalised, duplicates dropped, in the order given."""
    return tuple(dict.fromkeys(parse_origin(text) for text in texts))
