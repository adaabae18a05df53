"""Naming in Vary every request header that chose a response, wherever it was read.

A shared cache keys a response by its URL alone unless Vary names the headers that shaped
it. The API picks JSON, HTML or CSV from Accept, and error pages pick JSON or HTML from it:
without ``Vary: Accept``, one client asking for CSV would fill a public cache with CSV for
every GDAL and QGIS user after it. Code that reads a header to choose what to answer calls
``varies_on``; the header is added to the Vary of whatever response the request gets (a
304 or an error too). Flask-Compress adds Accept-Encoding to every response itself.
"""

from __future__ import annotations

from flask import Flask, Response, g


def varies_on(*headers: str) -> None:
    if "vary" not in g:
        g.vary = set()
    g.vary.update(headers)


def register(app: Flask) -> None:
    @app.after_request
    def name_the_headers(response: Response) -> Response:
        for header in sorted(g.get("vary", ())):
            response.vary.add(header)
        return response
