"""``/readyz``: whether this server can answer readers now, for load balancers and people.

A server reading the team database is ready only while that database answers: a balancer
that asks can send readers elsewhere, and an operator can see which replica serves which
version. A server of files is ready once it runs (its data is in memory).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from almaty_map.web.store import current_dataset

blueprint = Blueprint("ready", __name__)


@blueprint.get("/readyz")
def readyz() -> Response:
    """200 with the version served, or DatabaseUnavailableError (the error handler's 503
    with Retry-After). Never cached: the answer is about this moment."""
    backend = current_app.extensions["almaty_map"].backend
    ping = getattr(backend, "ping", None)
    if ping is not None:
        ping()
    response = current_app.json.response(status="ready", version=current_dataset().fingerprint)
    response.headers["Cache-Control"] = "no-store"
    return response
