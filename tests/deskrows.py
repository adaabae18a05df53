"""Desk test data written straight into the tables: accounts (the sign-in's own helper
lives with the accounts), a database holding tests/data/base, and its events as features."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import orjson
from sqlalchemy import Connection, Engine, insert

from almaty_map.database.connect import open_engine
from almaty_map.database.schema import users
from almaty_map.desk.accounts import Account
from tests.conftest import DATA, loaded_database

# What a test's correction rests on, as an editor would cite it when submitting.
CITED = "Interfax, 18 January 2022: https://www.interfax.ru/world/816112"
BASE_EVENTS = orjson.loads((DATA / "base" / "events.geojson").read_bytes())["features"]


def person(connection: Connection, name: str, role: str) -> Account:
    """An account row made directly (no password hashing: these tests never sign in)."""
    found = connection.execute(
        insert(users)
        .values(
            name=name,
            role=role,
            password_hash="not-a-hash",
            disabled=False,
            created_at=dt.datetime.now(dt.UTC),
        )
        .returning(users.c.id)
    ).scalar_one()
    return Account(found, name, role, False)


def base_feature(event_id: str) -> dict:
    """A fresh copy of the base dataset's event (to edit in a test)."""
    return copy.deepcopy(next(f for f in BASE_EVENTS if f["properties"]["id"] == event_id))


def base_loaded(url: str) -> Engine:
    """The base dataset loaded as version 1 at ``url``; an engine on it."""
    loaded_database(url, DATA / "base")
    return open_engine(url)


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    with engine.begin() as connection:
        yield connection
