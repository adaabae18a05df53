"""Shared fixtures: the bundled dataset, small test datasets, and the Flask app."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest

from almaty_map.app import create_app
from almaty_map.geodata.bundled import BUNDLED
from almaty_map.geodata.dataset import load_dataset
from harness.postgres import PostgresUnavailableError, bin_dir, cluster
from harness.serving import free_port, serve
from harness.synthetic import write_dataset

DATA = Path(__file__).parent / "data"
# What the tests of modules marked ``both_backends`` run against, each in turn.
BACKENDS = ("files", "postgis")
MAX_BYTES = 512 * 2**20
# Every app and server the tests start with a database has the editors' desk on, which
# needs a key to sign its sessions (servers started in child processes inherit it).
TEST_SECRET_KEY = "tests-only-secret-key-" + "k" * 32
os.environ.setdefault("ALMATY_MAP_SECRET_KEY", TEST_SECRET_KEY)


def pytest_collection_modifyitems(items):
    """Mark every test that starts a real server, so `make test-fast` can leave them out,
    and every test that needs PostgreSQL (``db``)."""
    for item in items:
        if "live_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.server)
        callspec = getattr(item, "callspec", None)
        on_database = callspec is not None and callspec.params.get("backend") == "postgis"
        if on_database or "postgres" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


def pytest_generate_tests(metafunc):
    """Modules marked ``both_backends`` run every test once on files, once on PostGIS."""
    if metafunc.definition.get_closest_marker("both_backends"):
        metafunc.parametrize("backend", BACKENDS, indirect=True, scope="session")


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL cluster for the whole run, deleted afterwards. Missing
    PostgreSQL is a failure naming what to install, never a skip: `make test` installs it."""
    try:
        bin_dir()
    except PostgresUnavailableError as exc:
        pytest.fail(str(exc), pytrace=False)
    with cluster() as instance:
        yield instance


def new_database(postgres) -> tuple[str, str]:
    """A new database with PostGIS and pg_trgm: its name and URL."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    return name, postgres.create_database(name)


def loaded_database(url: str, folder: Path) -> None:
    """almaty-map's tables in the database at ``url``, holding ``folder`` as version 1."""
    from almaty_map.database import migrate
    from almaty_map.database.connect import open_engine
    from almaty_map.database.loading import load_folder

    engine = open_engine(url)
    migrate.upgrade(engine)
    load_folder(engine, folder, MAX_BYTES, lambda done, total: None)
    engine.dispose()


@pytest.fixture
def database(postgres):
    """The URL of a new empty database (PostGIS, no tables), dropped after the test."""
    name, url = new_database(postgres)
    yield url
    postgres.sql(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def bundled_database(postgres):
    """The URL of a database holding the bundled dataset (for the whole run)."""
    _, url = new_database(postgres)
    loaded_database(url, BUNDLED)
    return url


@pytest.fixture(scope="session")
def desk_database(postgres):
    """The URL of a database for the editors' desk tests, holding tests/data/base (its own,
    so that what desk tests publish never reaches the public pages' tests)."""
    _, url = new_database(postgres)
    loaded_database(url, DATA / "base")
    return url


@pytest.fixture(scope="session")
def desk_app(desk_database):
    """An app serving desk_database with the desk on (secure cookies, as by default)."""
    app = create_app({"TESTING": True, "DATABASE_URL": desk_database})
    yield app
    stop_listening(app)


@pytest.fixture
def desk_client(desk_app):
    """A test client of desk_app from an address of its own, so that one test's failed
    sign-ins never count against another's (the limit is per address too)."""
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    client = desk_app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


@pytest.fixture(scope="session")
def backend(request):
    """Which backend the shared fixtures read: files, unless the module asks for both."""
    return getattr(request, "param", "files")


@pytest.fixture(scope="session")
def backend_config(backend, request) -> dict[str, object]:
    """The app settings that choose the backend."""
    if backend == "files":
        return {}
    return {"DATABASE_URL": request.getfixturevalue("bundled_database")}


@pytest.fixture(autouse=True)
def _backend_environment(backend, backend_config, monkeypatch):
    """On PostGIS, commands run in the test read the database too (--data on the command
    line still wins, as it does for users)."""
    if backend_config:
        monkeypatch.setenv("ALMATY_MAP_DATABASE_URL", str(backend_config["DATABASE_URL"]))


@pytest.fixture(scope="session")
def bundled(backend, backend_config):
    if backend == "files":
        return load_dataset()
    from almaty_map.database.backend import PostgisBackend

    return PostgisBackend(str(backend_config["DATABASE_URL"]), MAX_BYTES).load()


@pytest.fixture
def make_dataset(tmp_path):
    """Copy tests/data/base to a temporary folder, replacing files as asked."""

    def make(
        events: str | Path | None = None,
        toml: str | Path | None = None,
        places: str | Path | None = None,
    ) -> Path:
        folder = tmp_path / "dataset"
        shutil.copytree(DATA / "base", folder, dirs_exist_ok=True)
        for name, source in (
            ("events.geojson", events),
            ("dataset.toml", toml),
            ("places.geojson", places),
        ):
            if source is None:
                continue
            target = folder / name
            if isinstance(source, Path):
                shutil.copyfile(source, target)
            else:
                target.write_text(source, encoding="utf-8")
        return folder

    return make


@pytest.fixture(scope="session")
def app(backend_config):
    app = create_app({"TESTING": True, **backend_config})
    yield app
    stop_listening(app)


def stop_listening(app) -> None:
    """Stop an app's database listener, so it does not outlive the cluster it listens to."""
    listener = app.extensions.get("almaty_map_listen")
    if listener is not None:
        listener.stop()
        listener.join(timeout=5)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def embed_host_port():
    """The port of a test page on another origin that embeds /map (see the browser tests)."""
    return free_port()


@pytest.fixture(scope="session")
def live_server(embed_host_port):
    """`almaty-map serve` (waitress) in its own process on a free loopback port.

    A separate process, not a thread: GDAL holds the GIL while it downloads, so a client and
    a server in one interpreter would wait for each other forever. /map may be framed by the
    embedding test page's origin.
    """
    origin = f"http://127.0.0.1:{embed_host_port}"
    with serve(env={"ALMATY_MAP_FRAME_ANCESTORS": origin}) as url:
        yield url


@pytest.fixture(scope="session")
def synthetic_folder(tmp_path_factory) -> Path:
    """5,000 synthetic events: more than one batch of the chunked writers, and enough that
    a download or a map of them is heavy work."""
    return write_dataset(5000, tmp_path_factory.mktemp("synthetic") / "dataset")


@pytest.fixture(scope="session")
def synthetic(synthetic_folder):
    return load_dataset(synthetic_folder)
