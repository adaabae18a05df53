"""Sources read as columns: each event's sources written back as rows of codes, and the
cited works ranked, compared with the plain per-source computation on random data."""

from __future__ import annotations

import heapq
from collections import Counter

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from almaty_map.geodata.model import SOURCE_FIELDS
from almaty_map.maprender.citations import (
    CITED_LIMIT,
    cited_works,
    read_sources,
    source_entries,
)


def test_sources_keep_their_fields_and_any_other_keys():
    sources = [
        [{"publication": "Vlast", "title": "Night", "date": "2022-01-05"}],
        [
            {"publication": "Azattyq", "title": "Day", "date": "2022-01-06", "archive": "a1"},
            {"publication": "KazTAG", "title": "Noon", "date": "2022", "note": "radio"},
        ],
    ]
    column = pd.Series([orjson.dumps(s).decode() for s in sources], dtype="str")
    found = read_sources(column, batch=1)
    assert found.counts == [1, 2]
    assert found.values["publication"] == ["Vlast", "Azattyq", "KazTAG"]
    assert found.values["note"] == [None, None, "radio"]
    assert found.others == {1: {"archive": "a1"}}


def test_entries_drop_trailing_blanks_unless_other_keys_follow():
    rng = np.random.default_rng(3)
    fields = [rng.integers(-1, 4, 500) for _ in SOURCE_FIELDS]
    others = {i: {"archive": f"a{i}"} for i in range(0, 500, 37)}
    expected = []
    for i, codes in enumerate(zip(*(f.tolist() for f in fields), strict=True)):
        entry = list(codes)
        if i in others:
            entry.append(others[i])
        else:
            while entry and entry[-1] == -1:
                entry.pop()
        expected.append(entry)
    assert source_entries(others, fields) == expected


def test_cited_works_are_ranked_by_count_then_text():
    rng = np.random.default_rng(5)
    table = [f"work {i:03d}" for i in range(60)] + ["Ábay", "abay", "Zhas"]
    n = 3000
    publication = rng.integers(0, 63, n)
    title = rng.integers(0, 63, n)
    url = np.where(rng.random(n) < 0.3, -1, rng.integers(0, 63, n))

    def text(code):
        return None if code < 0 else table[code]

    counter = Counter(
        (text(p), text(t), text(u)) for p, t, u in zip(publication, title, url, strict=True)
    )
    ranked = heapq.nsmallest(
        CITED_LIMIT,
        counter.items(),
        key=lambda item: (-item[1], item[0][0] or "", item[0][1] or "", item[0][2] or ""),
    )
    expected = [{"publication": p, "title": t, "url": u} for (p, t, u), _ in ranked]
    assert cited_works(table, publication, title, url) == expected


_KEYS = ("publication", "title", "url")


def _cited_works_by_full_sort(table, publication, title, url) -> list[dict]:
    """The ranking as it was made before: every work sorted, stably, then the first taken."""
    codes = pa.table({"publication": publication, "title": title, "url": url})
    works = codes.group_by(["publication", "title", "url"], use_threads=False).aggregate(
        [([], "count_all")]
    )
    triples = np.column_stack([works[k].to_numpy() for k in ("publication", "title", "url")])
    texts = {
        k: pa.array([table[c] if c >= 0 else "" for c in triples[:, i].tolist()], pa.string())
        for i, k in enumerate(("publication", "title", "url"))
    }
    ranking = pa.table({"n": works["count_all"], **texts})
    keys = [("n", "descending"), ("publication", "ascending"), ("title", "ascending")]
    order = pc.sort_indices(ranking, sort_keys=[*keys, ("url", "ascending")]).to_numpy()
    return [
        {k: None if c < 0 else table[c] for k, c in zip(_KEYS, row, strict=True)}
        for row in triples[order[:CITED_LIMIT]].tolist()
    ]


def test_cited_works_picked_without_a_full_sort_keep_ties_in_group_order():
    # An empty text and a missing one read alike, so those works tie on every text.
    rng = np.random.default_rng(11)
    table = ["", "a", "b", *(f"w{i}" for i in range(400))]
    n = 5000
    publication = rng.integers(0, 3, n)
    title = rng.integers(0, len(table), n)
    url = np.where(rng.random(n) < 0.5, -1, 0)
    expected = _cited_works_by_full_sort(table, publication, title, url)
    assert cited_works(table, publication, title, url) == expected
    assert len(expected) == CITED_LIMIT
