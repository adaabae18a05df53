"""Property names that are not fields of the format but look like one (``Sensitive``,
``sensitve``, ``geo_precison``, ``titel``).

Unknown properties are kept and passed through, so a misspelt field is silently not that
field: a mis-cased ``"Sensitive": true`` would publish exact coordinates. A name that looks
like a field that decides how exactly a location is published (``model.PRIVACY_FIELDS``) is
an error; one that looks like any other field is a warning ("did you mean 'title'?"). Names
unlike any field stay extra properties, as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from almaty_map.geodata.checks.report import Reporter
from almaty_map.geodata.errors import Severity
from almaty_map.geodata.model import PRIVACY_FIELDS
from almaty_map.geodata.spelling import meant_field


def report_lookalikes(rep: Reporter, dicts: Sequence[dict | None], fields: tuple[str, ...]) -> None:
    """Report, on each feature, the names among its extra properties that look like a field
    (where their value is not null: a typed format has every column in every row)."""
    for name, meant in lookalikes(dicts, fields):
        mask, values = holding(dicts, name)
        message, expected, severity = describe(name, meant)
        rep.rows(mask, name, message, expected, values, severity)


def lookalikes(
    dicts: Sequence[dict | None], fields: tuple[str, ...], keys: Iterable[object] | None = None
) -> list[tuple[str, str]]:
    """(name, field meant) for every name in these objects that looks like a field.
    ``keys``: every name the objects use, when the caller has them already (the fields of
    the Arrow struct they were converted to), so the objects need not be gone through again."""
    if keys is None:
        keys = set().union(*(d.keys() for d in dicts if type(d) is dict))  # joined in C
    names = {name for name in keys if type(name) is str}
    found = ((name, meant_field(name, fields)) for name in sorted(names))
    return [(name, meant) for name, meant in found if meant is not None]


def describe(name: str, meant: str) -> tuple[str, str, Severity]:
    """The message, the expectation and the severity for a name that looks like ``meant``."""
    if meant in PRIVACY_FIELDS:
        return (
            f"is not a field of the format but looks like '{meant}', which decides how "
            "exactly the location is published; as written it is ignored",
            f"'{meant}' spelled exactly",
            "error",
        )
    return (
        f"is not a field of the format (kept as an extra property); did you mean '{meant}'?",
        f"'{meant}', or a name unlike any field for an extra property",
        "warning",
    )


def holding(dicts: Sequence[dict | None], name: str) -> tuple[np.ndarray, list]:
    """Which objects hold ``name`` with a value other than null, and its value in each."""
    mask = np.array([type(d) is dict and d.get(name) is not None for d in dicts], dtype=bool)
    values = [d[name] if held else None for d, held in zip(dicts, mask, strict=True)]
    return mask, values
