"""Shared fixtures: the bundled dataset, small test datasets, and the Flask app."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app import create_app
from geodata import load_dataset

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def bundled():
    return load_dataset()


@pytest.fixture
def make_dataset(tmp_path):
    """Copy tests/data/base to a temporary folder, replacing files as asked."""

    def make(events: str | Path | None = None, toml: str | Path | None = None,
             places: str | Path | None = None) -> Path:
        folder = tmp_path / "dataset"
        shutil.copytree(DATA / "base", folder, dirs_exist_ok=True)
        for name, source in (("events.geojson", events), ("dataset.toml", toml),
                             ("places.geojson", places)):
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


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
