"""Absolute links from a trusted origin, never from the request's Host header.

The API's self/next/prev links and the reader's "API query for this view" are absolute (as
OWSLib and GDAL expect), and these responses are cached publicly: a link built from the Host
header, which the client chooses, would let one forged request put another site's address
in every cached copy. The origin is the configured PUBLIC_URL; without one, the address the
server was started on (the WSGI SERVER_NAME and port, which `almaty-map serve` sets from
--host and --port), or, behind PROXIES trusted reverse proxies, what their X-Forwarded-*
headers say (werkzeug's ProxyFix; off by default). Redirects werkzeug makes itself (a path
with doubled slashes) are made relative, for the same reason.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

from flask import Flask, Response, current_app, request, url_for
from werkzeug.middleware.proxy_fix import ProxyFix

DEFAULT_PORTS = {"http": "80", "https": "443"}
# What ProxyFix reads besides X-Forwarded-For (which only changes the logged address).
FORWARDED = ("X-Forwarded-Host", "X-Forwarded-Port", "X-Forwarded-Prefix", "X-Forwarded-Proto")


def public_root() -> str:
    """The site's absolute address, without a trailing slash."""
    configured = str(current_app.config["PUBLIC_URL"]).rstrip("/")
    if configured:
        return configured
    scheme = request.environ["wsgi.url_scheme"]
    return f"{scheme}://{_own_netloc(request.environ, scheme)}{request.script_root}"


def _own_netloc(environ: dict, scheme: str) -> str:
    """The server's own name and port, or the host a trusted proxy forwarded (ProxyFix
    changed SERVER_NAME only if it trusted the header); never the client's Host."""
    before_proxies = environ.get("werkzeug.proxy_fix.orig")
    if before_proxies and environ["SERVER_NAME"] != before_proxies["SERVER_NAME"]:
        return environ["HTTP_HOST"]
    host = environ["SERVER_NAME"]
    if ":" in host and not host.startswith("["):  # an IPv6 address
        host = f"[{host}]"
    port = environ.get("SERVER_PORT", "")
    return host if port in ("", DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"


def external_url(endpoint: str, **values: object) -> str:
    """``url_for``'s path under the public root."""
    path = url_for(endpoint, **values)[len(request.script_root) :]
    return public_root() + path


def quote_id(feature_id: str) -> str:
    """A feature id as one path segment: "/", "?", "#", "%", spaces, anything."""
    return quote(feature_id, safe="")


def install(app: Flask) -> None:
    proxies = int(app.config["PROXIES"])
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app,
            x_for=proxies,
            x_proto=proxies,
            x_host=proxies,
            x_port=proxies,
            x_prefix=proxies,
        )

    @app.after_request
    def trusted_links_only(response: Response) -> Response:
        if proxies:  # every link and path may follow the proxies' headers
            for header in FORWARDED:
                response.vary.add(header)
        if 300 <= response.status_code < 400 and response.location:
            response.location = _relative_if_ours(response.location)
        return response


def _relative_if_ours(location: str) -> str:
    """A redirect werkzeug built from the Host header, made relative (RFC 9110 allows it)."""
    parts = urlsplit(location)
    if parts.netloc and parts.netloc == request.host:
        return urlunsplit(("", "", parts.path, parts.query, parts.fragment))
    return location
