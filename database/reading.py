"""Reading the database's current version into the same in-memory Dataset files give."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from sqlalchemy import Connection

from almaty_map.database.dumping import Version, write_folder
from almaty_map.geodata.dataset import Dataset, inspect_dataset
from almaty_map.geodata.errors import Problem


def read_version(
    connection: Connection, max_bytes: int
) -> tuple[Version | None, Dataset | None, list[Problem]]:
    """The current version, its Dataset (None if it has errors) and every problem.

    The version is written to a temporary folder and loaded by the files' own loader, so
    validation, coarsening and every derived column are exactly those of files. The
    Dataset keeps the fingerprint of the files it was loaded from, so the same data gives
    the same ETags and byte-identical exports on both backends.
    """
    with tempfile.TemporaryDirectory(prefix="almaty-map-db-") as scratch:
        version = write_folder(connection, Path(scratch))
        if version is None:
            return None, None, []
        dataset, problems = inspect_dataset(scratch, max_bytes)
    if dataset is not None:
        dataset = dataclasses.replace(
            dataset, folder=Path(version.source), fingerprint=version.fingerprint
        )
    return version, dataset, problems
