"""How long a desk publication takes, and until a running app serves it.

On a throwaway PostgreSQL cluster, for the bundled dataset and for synthetic datasets
(``harness.synthetic``, loaded with `db load`'s own function): an editor's draft of one
event (a new title) is submitted, then ``publish`` is timed from its first statement to
its commit (the check, the events row, the tile cells, the counts, the version row and
the notification), and the time from that commit until an app started on the database
(``create_app``, its listener) serves the new version. Each size is published ROUNDS
times, a different event each time; the median and the worst are shown.

Usage: python -m bench.desk [--sizes 100000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import Engine, select

from almaty_map.app import create_app
from almaty_map.database import migrate
from almaty_map.database.connect import open_engine
from almaty_map.database.loading import load_folder
from almaty_map.database.schema import events
from almaty_map.desk.accounts import add_account
from almaty_map.desk.publishing import publish
from almaty_map.desk.revisions import published_feature, save_draft, submit
from almaty_map.geodata.bundled import BUNDLED
from harness.postgres import cluster
from harness.synthetic import write_dataset

MAX_BYTES = 4096 * 2**20
PASSWORD = "bench-password-long-enough"
TARGET_S = 2.0  # the brief's: every replica serves a publication within 2 s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with cluster() as instance, tempfile.TemporaryDirectory() as scratch:
        folders = [("bundled", BUNDLED)] + [
            (f"{n:,} synthetic", write_dataset(n, Path(scratch) / str(n))) for n in args.sizes
        ]
        for k, (name, folder) in enumerate(folders):
            url = instance.create_database(f"desk_bench_{k}")
            engine = open_engine(url)
            migrate.upgrade(engine)
            began = time.monotonic()
            load_folder(engine, folder, MAX_BYTES, lambda done, total: None)
            loaded = time.monotonic() - began
            publishing, serving = _rounds(engine, url, args.rounds)
            print(
                f"{name}: loaded in {loaded:.1f} s; publish median {_ms(publishing)} "
                f"(worst {max(publishing) * 1000:.0f} ms); served by a running app "
                f"median {_ms(serving)} after the commit (worst {max(serving) * 1000:.0f} ms; "
                f"target {TARGET_S:g} s)"
            )
            engine.dispose()


def _rounds(engine: Engine, url: str, rounds: int) -> tuple[list[float], list[float]]:
    with engine.begin() as connection:
        editor = add_account(connection, "bench-editor", "editor", PASSWORD)
        reviewer = add_account(connection, "bench-reviewer", "reviewer", PASSWORD)
        ids = connection.execute(
            select(events.c.id).order_by(events.c.position).limit(rounds)
        ).scalars()
        chosen = list(ids)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" + "k" * 32})
    store = app.extensions["almaty_map"]
    listener = app.extensions["almaty_map_listen"]
    listener.listening.wait(10)
    publishing, serving = [], []
    try:
        for event_id in chosen:
            with engine.begin() as connection:
                feature = published_feature(connection, event_id)
                feature["properties"]["title"] += " (corrected)"
                draft = save_draft(connection, event_id, feature, 0, editor)
                submit(
                    connection,
                    draft.id,
                    "benchmark correction",
                    editor,
                    source="benchmark source, 2022",
                )
            before = store.dataset.fingerprint
            began = time.monotonic()
            with engine.begin() as connection:
                publish(connection, draft.id, reviewer, None)
            committed = time.monotonic()
            publishing.append(committed - began)
            while store.dataset.fingerprint == before and time.monotonic() - committed < 30:
                time.sleep(0.005)
            serving.append(time.monotonic() - committed)
    finally:
        listener.stop()
        listener.join(5)
    return publishing, serving


def _ms(seconds: list[float]) -> str:
    return f"{statistics.median(seconds) * 1000:.0f} ms"


if __name__ == "__main__":
    main()
