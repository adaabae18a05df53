"""The Flask application factory.

Nothing is read at import time: ``create_app`` builds an app from defaults, environment and
the mapping it is given, and loads (and validates) the dataset once.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask
from flask_compress import Compress

from almaty_map.web import (
    errors,
    heavy,
    language,
    links,
    ogc,
    pages,
    ready,
    security,
    tiledcard,
    tiles,
    vary,
)
from almaty_map.web.rendercache import RenderCache
from almaty_map.web.settings import check, defaults
from almaty_map.web.store import DatasetStore
from almaty_map.web.watch import FolderWatcher, look

COMPRESSED = [
    "application/json",
    "application/geo+json",
    "text/csv",
    "text/html",
    "text/css",
    "text/javascript",
    "application/vnd.oai.openapi+json",
    "application/vnd.mapbox-vector-tile",
]


def create_app(config: Mapping[str, object] | None = None) -> Flask:
    """Build the app; raises web.settings.SettingError for a setting that cannot be used,
    geodata.DataError if the dataset does not validate, and
    database.connect.DatabaseUnavailableError if DATABASE_URL names one that cannot be read."""
    app = Flask(__name__, static_folder="web/static", static_url_path="/static")
    app.config.from_mapping(defaults())
    app.config.from_prefixed_env("ALMATY_MAP")
    if config:
        app.config.from_mapping(config)
    check(app.config)
    database = str(app.config["DATABASE_URL"])
    # A database announces its new versions itself (see _listen): no files to watch.
    watching = bool(app.config["WATCH"]) and not database
    seen = look(app.config["DATA_PATH"]) if watching else None
    max_bytes = int(app.config["MAX_FILE_MB"]) * 2**20
    app.extensions["almaty_map"] = DatasetStore(
        folder=app.config["DATA_PATH"],
        max_bytes=max_bytes,
        backend=_database(app.config, max_bytes) if database else None,
    )
    app.extensions["almaty_map_renders"] = RenderCache(int(app.config["RENDER_CACHE_MB"]) * 2**20)
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED)
    app.config.setdefault("COMPRESS_ALGORITHM", ["gzip"])
    # Streamed bodies (downloads, large API pages) are compressed as they are written.
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["gzip"])
    app.config.setdefault("COMPRESS_LEVEL", 5)
    Compress(app)
    heavy.install(app)
    links.install(app)
    vary.register(app)
    language.register(app)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(ogc.blueprint)
    app.register_blueprint(ready.blueprint)
    app.register_blueprint(tiles.blueprint)
    app.register_blueprint(tiledcard.blueprint)
    _desk(app, bool(database))
    errors.register(app)
    security.register(app)
    if watching:
        interval = float(app.config["WATCH_INTERVAL"])
        watcher = FolderWatcher(app.extensions["almaty_map"], interval, seen)
        watcher.start()
        app.extensions["almaty_map_watch"] = watcher
    if database:
        app.extensions["almaty_map_listen"] = _listen(app.extensions["almaty_map"])
    return app


def _database(config: Mapping[str, object], max_bytes: int):
    """The team database's backend (imported only when one is used: files need none of
    SQLAlchemy); raises database.connect.DatabaseUnavailableError if it does not answer."""
    from almaty_map.database.backend import PostgisBackend

    return PostgisBackend(
        str(config["DATABASE_URL"]),
        max_bytes,
        whole=False,
        read_url=str(config["DATABASE_READ_URL"]) or None,
        timeout=float(config["DATABASE_TIMEOUT"]),
    )


def _desk(app: Flask, database: bool) -> None:
    """The editors' desk, with a database unless DESK is off; without one, its address
    answers a 404 that names what it needs (and files need neither SQLAlchemy nor the
    desk's libraries)."""
    if not database:
        from almaty_map.web import deskabsent

        deskabsent.install(app)
    elif app.config["DESK"] != "off":
        from almaty_map.web import desk

        desk.install(app)


def _listen(store: DatasetStore):
    """Reload whenever `almaty-map db load` announces a new version."""
    from almaty_map.database.listen import VersionListener

    listener = VersionListener(store)
    listener.start()
    return listener
