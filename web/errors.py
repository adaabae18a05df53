"""One error handler for the whole app: an HTML page for people, JSON under /ogc.

No error response repeats user input unescaped, and an unexpected failure answers 500 with a
generic message (the details go to the log, never to the client).
"""

from __future__ import annotations

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError


def _wants_json() -> bool:
    return request.path.startswith("/ogc") and request.args.get("f") != "html"


def _render(status: int, title: str, detail: str):
    if _wants_json():
        body = {"code": title.replace(" ", ""), "description": detail}
        return body, status
    return render_template("error.html", status=status, title=title, detail=detail), status


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        detail = {
            404: "There is no page at this address.",
            405: "This address does not accept that method.",
        }.get(exc.code or 500, exc.description or "")
        return _render(exc.code or 500, exc.name, detail)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("Unhandled error on %s", request.path)
        error = InternalServerError()
        return _render(500, error.name, "Something went wrong on our side.")
