"""One way to answer an error, for the pages, the API and anything unexpected.

Every error has one shape, {code, description, parameter?, expected?, problems?}: JSON under
/ogc (unless f=html) and for clients that prefer JSON to HTML, otherwise templates/error.html,
which Jinja escapes, so no user text is ever echoed as markup. A bad request is a 400 naming
every problem; a team database that does not answer is a 503 with Retry-After (the reader
can try again, a balancer can try another server); only a real failure is a 500, whose
details go to the log, never to the client.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import orjson
from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from almaty_map.geodata.errors import QueryProblem
from almaty_map.ogcapi.errors import INVALID, ApiError
from almaty_map.web.heavy import BusyError
from almaty_map.web.vary import varies_on

JSON = "application/json"
HTML = "text/html"
DETAILS = {
    404: "There is no page at this address.",
    405: "This address does not accept that method.",
    500: "Something went wrong on our side.",
}
# Seconds a reader is asked to wait when the database does not answer: about what a
# PostgreSQL restart or a replica's failover takes.
DATABASE_RETRY_AFTER = 5


@dataclass(frozen=True)
class ErrorShape:
    """An error as every client sees it, whichever part of the app found it."""

    status: int
    code: str
    description: str
    problems: tuple[QueryProblem, ...] = ()

    @property
    def title(self) -> str:
        return HTTP_STATUS_CODES.get(self.status, "Error")

    def body(self) -> dict[str, object]:
        """The JSON body. The first problem's parameter and expectation stay at the top, where
        clients read them before a response could list several."""
        body: dict[str, object] = {"code": self.code, "description": self.description}
        if self.problems:
            body["parameter"] = self.problems[0].parameter
            body["expected"] = self.problems[0].expected
            body["problems"] = [p.as_dict() for p in self.problems]
        return body


def bad_request(problems: Sequence[QueryProblem]) -> Response:
    """400 for a request whose values cannot be used, described by the first, listing all."""
    return respond(ErrorShape(400, INVALID, str(problems[0]), tuple(problems)))


def respond(error: ErrorShape) -> Response:
    if not _wants_json():
        page = render_template("error.html", error=error)
        return Response(page, status=error.status, mimetype=HTML)
    response = Response(orjson.dumps(error.body()), status=error.status, mimetype=JSON)
    if _under_api():
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _under_api() -> bool:
    return request.path == "/ogc" or request.path.startswith("/ogc/")


def _wants_json() -> bool:
    """The API speaks JSON unless asked for HTML; elsewhere, HTML unless the client says it
    prefers JSON (a browser's */* gets the page)."""
    if _under_api():
        return request.args.get("f") != "html"
    varies_on("Accept")
    return request.accept_mimetypes.best_match((HTML, JSON)) == JSON


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(exc: ApiError) -> Response:
        return respond(ErrorShape(exc.status, exc.code, exc.description, exc.problems))

    @app.errorhandler(BusyError)
    def busy(exc: BusyError) -> Response:
        description = (
            "The server is busy with other large downloads and maps; "
            f"try again in {exc.retry_after} seconds."
        )
        response = respond(ErrorShape(503, "ServiceUnavailable", description))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    if app.config.get("DATABASE_URL"):
        _register_database_errors(app)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        detail = DETAILS.get(status, exc.description or "")
        return respond(ErrorShape(status, exc.name.replace(" ", ""), detail))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        app.logger.exception("Unhandled error on %s", request.path)
        return respond(ErrorShape(500, "InternalServerError", DETAILS[500]))


def _register_database_errors(app: Flask) -> None:
    """503 + Retry-After for a database that is away (restarting, unreachable, too slow
    to answer within DATABASE_TIMEOUT): a state of the service, not a fault of the request
    or a bug, so never a 500. Imported only with a database: files need no SQLAlchemy."""
    from sqlalchemy import exc

    from almaty_map.database.connect import DatabaseUnavailableError
    from almaty_map.geodata.source import StaleSourceError

    def unavailable(error: Exception) -> Response:
        app.logger.warning("The database did not answer on %s: %s", request.path, error)
        description = (
            "The database behind this map does not answer at the moment; "
            f"try again in {DATABASE_RETRY_AFTER} seconds."
        )
        response = respond(ErrorShape(503, "ServiceUnavailable", description))
        response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER)
        response.headers["Cache-Control"] = "no-store"
        return response

    # TimeoutError: no pooled connection came free within DATABASE_TIMEOUT.
    # StaleSourceError: the version a request began on could not be switched to.
    for kind in (
        DatabaseUnavailableError,
        StaleSourceError,
        exc.OperationalError,
        exc.InterfaceError,
        exc.TimeoutError,
    ):
        app.register_error_handler(kind, unavailable)
