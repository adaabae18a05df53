"""Shared fixtures: the bundled dataset, small test datasets, and the Flask app."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from almaty_map.app import create_app
from almaty_map.geodata.dataset import load_dataset
from harness.serving import free_port, serve
from harness.synthetic import write_dataset

DATA = Path(__file__).parent / "data"


def pytest_collection_modifyitems(items):
    """Mark every test that starts a real server, so `make test-fast` can leave them out."""
    for item in items:
        if "live_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.server)


@pytest.fixture(scope="session")
def bundled():
    return load_dataset()


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
def app():
    return create_app({"TESTING": True})


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
