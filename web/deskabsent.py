"""What the desk's address answers when the app serves files: a 404 that says why.

The desk keeps accounts, sessions and revisions in the database, so it exists only with
one; an editor who opens /desk on a files-only server learns what is missing.
"""

from __future__ import annotations

from flask import Flask, Response

from almaty_map.web.errors import ErrorShape, respond

DESCRIPTION = (
    "The editors' desk needs a team database: start the server with --db "
    "(or ALMATY_MAP_DATABASE_URL) to use it."
)


def install(app: Flask) -> None:
    prefix = str(app.config["DESK_PREFIX"])

    def absent(rest: str = "") -> Response:
        return respond(ErrorShape(404, "NotFound", DESCRIPTION))

    app.add_url_rule(prefix, "desk_absent", absent)
    app.add_url_rule(f"{prefix}/", "desk_absent", absent)
    app.add_url_rule(f"{prefix}/<path:rest>", "desk_absent", absent)
