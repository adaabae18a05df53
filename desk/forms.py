"""An event as the desk's edit form holds it, and back: flat text fields in, a feature out.

A browser posts only text, so every field of the event format is spelled as one or more
named text fields (``sources-0-quote``, ``fatalities_kind``) and read back into the feature
the dataset's own checks judge. Whatever the form cannot show (properties outside the format,
whether an empty field was absent, null or empty in the file, an integer id, a claim written
as one number) rides along in the hidden ``kept`` field, so opening and saving an event
without touching it gives back the very same feature and a history without false changes.
Start and end are shown in the dataset's timezone (editors think in Almaty's time, the desk
stores a load's UTC): a time given back as the same instant is given back as it was written.

Nothing here judges the event: that is the dataset's checks' job (through ``save_draft``).
Only what cannot even be read as a feature (a count that is not a number, a shape that is not
JSON) and the desk's own rule that every source is quoted are reported here, as problems with
the same paths the checks use (``properties.sources[0].quote``).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from almaty_map.geodata.model import CLAIM_FIELDS, EVENT_FIELDS, SOURCE_FIELDS, TRANSLATED_FIELDS

# Each claim and the word its checkbox on a source row is named by (sources-0-time).
CLAIM_BOXES = {"time_source": "time", "location_source": "place", "fatalities_source": "deaths"}
FATALITY_KINDS = ("", "number", "exact", "at least", "about", "range", "unnumbered")
FATALITY_PARTS = ("count", "min", "max", "words", "scope")
GEOMETRY_KINDS = ("point", "place", "shape")
# More rows than any event needs; a posted form naming more is cut here, not read whole.
MAX_ROWS = 200
# How an empty field is written when the event did not say otherwise (as the bundled data
# writes them); None = the key is left out.
_DEFAULT_BLANK: dict[str, object] = {
    "description": "",
    "end": None,
    "fatalities": None,
    "actors": [],
    "sensitive": False,
}
_ABSENT = "absent"
_TEXTS = ("id", "title", "description", "category", "start", "end", "time_precision", "place")
_TIMES = ("start", "end")
_ROW = re.compile(r"(sources|translations)-(\d{1,4})-")
# Fields of the page that are not the event's (the reason and source given to submit it).
PAGE_FIELDS = ("reason", "correction_source")


@dataclass(frozen=True)
class FormProblem:
    """A value the form could not turn into the feature, or the desk's own rule broken."""

    path: str
    message: str


def fields_from_feature(
    feature: dict, places: Mapping[str, dict], zone: dt.tzinfo | None = None
) -> dict[str, str]:
    """The form's fields for a feature; ``places`` maps a place id to its geometry, times
    are shown in ``zone`` (the dataset's; as stored when None)."""
    props = feature.get("properties") or {}
    fields = {name: _text(props.get(name)) for name in _TEXTS}
    for name in _TIMES:
        fields[name] = _in_zone(fields[name], zone)
    fields["geo_precision"] = _text(props.get("geo_precision"))
    fields["place_id"] = _text(props.get("place_id"))
    fields["actors"] = "\n".join(str(actor) for actor in props.get("actors") or [])
    fields["sensitive"] = "on" if props.get("sensitive") is True else ""
    fields.update(_geometry_fields(feature.get("geometry"), props.get("place_id"), places))
    fields.update(_fatality_fields(props.get("fatalities")))
    sources = props.get("sources") if isinstance(props.get("sources"), list) else []
    for i, source in enumerate(s if isinstance(s, dict) else {} for s in sources):
        for member in SOURCE_FIELDS:
            fields[f"sources-{i}-{member}"] = _text(source.get(member))
    for claim, box in CLAIM_BOXES.items():
        for position in _positions(props.get(claim)):
            fields[f"sources-{position}-{box}"] = "on"
    translations = props.get("translations")
    for i, (language, texts) in enumerate(
        (translations or {}).items() if isinstance(translations, dict) else []
    ):
        fields[f"translations-{i}-language"] = language
        for member in TRANSLATED_FIELDS:
            fields[f"translations-{i}-{member}"] = _text(_member(texts, member))
    fields["kept"] = json.dumps(_kept(feature, props), ensure_ascii=False, sort_keys=True)
    return fields


def blank_fields() -> dict[str, str]:
    """The fields of a new event: one empty source row and the usual precisions."""
    return {"time_precision": "day", "geo_precision": "exact", "geometry_kind": "point"}


def feature_from_fields(
    fields: Mapping[str, str], places: Mapping[str, dict]
) -> tuple[dict, list[FormProblem]]:
    """The feature the posted fields describe, and what in them could not be read."""
    fields = {k: v.replace("\r\n", "\n") for k, v in fields.items() if isinstance(v, str)}
    problems: list[FormProblem] = []
    kept = _read_kept(fields.get("kept", ""), problems)
    blank = kept["blank"]
    props: dict = dict(kept["properties"])
    for name in _TEXTS:
        _put(props, name, fields.get(name, ""), blank)
    for name, written in kept["times"].items():
        if name in _TIMES and _same_instant(props.get(name), written):
            props[name] = written
    for name in ("geo_precision", "place_id"):
        _put(props, name, fields.get(name, ""), blank)
    actors = [line for line in fields.get("actors", "").split("\n") if line.strip()]
    _put(props, "actors", actors, blank)
    _put(props, "sensitive", fields.get("sensitive") == "on" or "", blank)
    _put(props, "fatalities", _fatalities(fields, problems), blank)
    sources, claims = _sources(fields, problems)
    props["sources"] = sources
    for claim, positions in claims.items():
        single = claim in kept["single"] and len(positions) == 1
        _put(props, claim, positions[0] if single else positions, blank)
    _put(props, "translations", _translations(fields), blank)
    if kept["integer_id"] and props.get("id", "").isdigit():
        props["id"] = int(props["id"])
    feature: dict = {"type": "Feature", **kept["feature"]}
    if "id" not in blank and "id" in props:
        feature["id"] = props["id"]
    feature["geometry"] = _geometry(fields, places, problems)
    feature["properties"] = props
    return feature, problems


def row_numbers(fields: Mapping[str, str], kind: str) -> list[int]:
    """The row numbers of ``sources`` or ``translations`` the fields hold, in order."""
    found = {int(m.group(2)) for name in fields if (m := _ROW.match(name)) and m.group(1) == kind}
    return sorted(n for n in found if n < MAX_ROWS)


def field_name(path: str) -> str:
    """The form field a problem's path belongs next to ("" for the form as a whole)."""
    if path.startswith("geometry"):
        return "geometry"
    name = path.removeprefix("properties.")
    row = re.match(r"(sources)\[(\d+)\](?:\.(\w+))?", name)
    if row:
        return "-".join(part for part in row.groups() if part is not None)
    head = re.split(r"[.\[]", name, maxsplit=1)[0]
    if head in CLAIM_BOXES:
        return "sources"
    return head if head in EVENT_FIELDS or head in PAGE_FIELDS else ""


def problems_by_field(problems: list) -> dict[str, list[str]]:
    """Problems (anything with ``path`` and ``message``) grouped by the field they concern."""
    placed: dict[str, list[str]] = {}
    for problem in problems:
        placed.setdefault(field_name(problem.path), []).append(problem.message)
    return placed


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _member(mapping: object, name: str) -> object:
    return mapping.get(name) if isinstance(mapping, dict) else None


def _positions(claim: object) -> list[int]:
    if isinstance(claim, bool):
        return []
    if isinstance(claim, int):
        return [claim]
    if isinstance(claim, list):
        return [p for p in claim if isinstance(p, int) and not isinstance(p, bool)]
    return []


def _geometry_fields(geometry: object, place_id: object, places: Mapping[str, dict]) -> dict:
    fields = {"geometry": json.dumps(geometry, ensure_ascii=False) if geometry else ""}
    coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if place_id is not None and places.get(str(place_id)) == geometry:
        fields["geometry_kind"] = "place"
    elif (
        isinstance(geometry, dict)
        and geometry.get("type") == "Point"
        and isinstance(coordinates, list)
        and len(coordinates) == 2
        and all(_is_number(c) for c in coordinates)
    ):
        fields["geometry_kind"] = "point"
        fields["longitude"], fields["latitude"] = (repr(c) for c in coordinates)
    else:
        fields["geometry_kind"] = "shape"
    return fields


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fatality_fields(fatalities: object) -> dict[str, str]:
    if fatalities is None:
        return {"fatalities_kind": ""}
    if _is_number(fatalities):
        return {"fatalities_kind": "number", "fatalities_count": _text(fatalities)}
    if isinstance(fatalities, dict):
        fields = {"fatalities_kind": _text(fatalities.get("kind"))}
        for part in FATALITY_PARTS:
            fields[f"fatalities_{part}"] = _text(fatalities.get(part))
        return fields
    return {"fatalities_kind": ""}


def _kept(feature: dict, props: dict) -> dict:
    """What the fields cannot say about the feature (see the module's docstring)."""
    blank = {}
    for name in EVENT_FIELDS:
        value = props.get(name, _ABSENT)
        if _is_empty(value) and value != _DEFAULT_BLANK.get(name, _ABSENT):
            blank[name] = value
    if "id" not in feature:
        blank["id"] = _ABSENT
    shown = set(EVENT_FIELDS)
    return {
        "blank": blank,
        "properties": {k: v for k, v in props.items() if k not in shown},
        "feature": {
            k: v for k, v in feature.items() if k not in ("type", "id", "geometry", "properties")
        },
        "integer_id": _is_number(props.get("id")),
        "single": [c for c in CLAIM_FIELDS if _is_number(props.get(c))],
        "times": {n: props[n] for n in _TIMES if isinstance(props.get(n), str)},
    }


def _instant(text: object) -> dt.datetime | None:
    """A time with its offset, as written in the event; None for a date, a time without
    an offset, or anything else (shown and read back as written)."""
    if not isinstance(text, str):
        return None
    try:
        found = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return found if found.tzinfo is not None else None


def _in_zone(text: str, zone: dt.tzinfo | None) -> str:
    found = _instant(text)
    return text if found is None or zone is None else found.astimezone(zone).isoformat()


def _same_instant(posted: object, written: object) -> bool:
    before, after = _instant(written), _instant(posted)
    return before is not None and before == after


def _is_empty(value: object) -> bool:
    """None, False, or empty text, list or object (a count of 0 is a value)."""
    if value is None or value is False:
        return True
    return isinstance(value, str | list | dict) and (not value or value == _ABSENT)


def _read_kept(text: str, problems: list[FormProblem]) -> dict:
    empty = {
        "blank": {},
        "properties": {},
        "feature": {},
        "integer_id": False,
        "single": [],
        "times": {},
    }
    if not text:
        return empty
    try:
        kept = json.loads(text)
    except ValueError:
        kept = None
    shapes = {
        "blank": dict,
        "properties": dict,
        "feature": dict,
        "integer_id": bool,
        "single": list,
        "times": dict,
    }
    if not isinstance(kept, dict) or not all(isinstance(kept.get(k), t) for k, t in shapes.items()):
        problems.append(
            FormProblem("form", "the form's record of the event's other fields is unreadable")
        )
        return empty
    kept["feature"] = {k: v for k, v in kept["feature"].items() if k not in ("type", "geometry")}
    return kept


def _put(props: dict, name: str, value: object, blank: dict) -> None:
    """Set a property, or write its emptiness the way the event had it."""
    if not _is_empty(value):
        props[name] = value
        return
    empty = blank.get(name, _DEFAULT_BLANK.get(name, _ABSENT))
    if empty == _ABSENT:
        props.pop(name, None)
    else:
        props[name] = empty


def _whole(text: str, what: str, problems: list[FormProblem]) -> int | None:
    text = text.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    problems.append(
        FormProblem("properties.fatalities", f"{what} must be a whole number, found {text!r}")
    )
    return None


def _fatalities(fields: Mapping[str, str], problems: list[FormProblem]) -> object:
    kind = fields.get("fatalities_kind", "")
    if kind not in FATALITY_KINDS:
        problems.append(FormProblem("properties.fatalities", f"unknown kind {kind!r}"))
        return None
    if kind == "":
        return None
    if kind == "number":
        return _whole(fields.get("fatalities_count", ""), "the number", problems)
    figure: dict = {"kind": kind}
    parts = (
        ("words",) if kind == "unnumbered" else ("min", "max") if kind == "range" else ("count",)
    )
    for part in (*parts, "scope"):
        text = fields.get(f"fatalities_{part}", "")
        value = text if part in ("words", "scope") else _whole(text, f"the {part}", problems)
        if value not in (None, ""):
            figure[part] = value
    return figure


def _sources(fields: Mapping[str, str], problems: list[FormProblem]) -> tuple[list, dict]:
    """The filled source rows in order (empty or removed rows dropped) and each claim's
    positions among them."""
    sources: list[dict] = []
    claims: dict[str, list[int]] = {claim: [] for claim in CLAIM_BOXES}
    for row in row_numbers(fields, "sources"):
        key = f"sources-{row}-"
        source = {m: fields[key + m] for m in SOURCE_FIELDS if fields.get(key + m, "").strip()}
        if not source or fields.get(key + "remove") == "on":
            continue
        if "quote" not in source:
            problems.append(
                FormProblem(
                    f"properties.sources[{len(sources)}].quote",
                    "needs a quotation: the desk publishes no source without the words it rests on",
                )
            )
        for claim, box in CLAIM_BOXES.items():
            if fields.get(key + box) == "on":
                claims[claim].append(len(sources))
        sources.append(source)
    return sources, claims


def _translations(fields: Mapping[str, str]) -> dict:
    translations: dict[str, dict] = {}
    for row in row_numbers(fields, "translations"):
        key = f"translations-{row}-"
        language = fields.get(key + "language", "").strip()
        texts = {m: fields[key + m] for m in TRANSLATED_FIELDS if fields.get(key + m, "").strip()}
        if language and fields.get(key + "remove") != "on":
            translations[language] = texts
    return translations


def _geometry(
    fields: Mapping[str, str], places: Mapping[str, dict], problems: list[FormProblem]
) -> object:
    kind = fields.get("geometry_kind", "point")
    if kind == "place":
        place_id = fields.get("place_id", "")
        if place_id in places:
            return places[place_id]
        problems.append(FormProblem("geometry", "choose a reference place, or give a point"))
        return None
    if kind == "shape":
        try:
            return json.loads(fields.get("geometry", ""))
        except ValueError:
            problems.append(FormProblem("geometry", "the shape is not GeoJSON geometry"))
            return None
    coordinates = []
    for axis in ("longitude", "latitude"):
        text = fields.get(axis, "").strip()
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            problems.append(FormProblem("geometry", f"the {axis} must be a number, found {text!r}"))
            return None
        coordinates.append(value)
    return {"type": "Point", "coordinates": coordinates}
