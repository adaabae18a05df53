"""Values built once per distinct row are the values built row by row."""

from __future__ import annotations

from almaty_map.geodata.readers.distinct import per_distinct_row


def test_each_distinct_row_is_built_once_and_every_row_gets_its_value():
    calls: list[tuple] = []

    def make(town, country):
        calls.append((town, country))
        return f"{town}, {country}" if town else country

    towns = ["Almaty", None, "Almaty", "Taraz", None, "Almaty"]
    countries = ["Kazakhstan", "Kazakhstan", "Kazakhstan", "Kazakhstan", None, "KZ"]
    out = per_distinct_row([towns, countries], make)
    assert out == [make(t, c) for t, c in zip(towns, countries, strict=True)]
    assert len(calls) - len(towns) == 5  # five distinct rows, each built once above
    assert per_distinct_row([[], []], make) == []
