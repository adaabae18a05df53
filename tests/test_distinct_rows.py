"""Values built once per distinct row are the values built row by row."""

from __future__ import annotations

from almaty_map.geodata.readers.distinct import per_distinct_row, per_distinct_value


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


def test_each_distinct_value_is_converted_once_none_included():
    seen: list[list] = []

    def convert(values: list) -> list:
        seen.append(values)
        return [None if v is None else v.upper() for v in values]

    values = ["a", None, "b", "a", None, "7"]
    assert per_distinct_value(values, convert) == ["A", None, "B", "A", None, "7"]
    assert seen[0] == ["a", "b", "7", None]  # each once, None given as None
    assert per_distinct_value([], convert) == []
