"""The files a publication changes besides the event: dataset.toml's version, moved on, and
a new entry in corrections.toml, which readers see in the log and in the event's popup.

Both files are kept as text (a dump writes them back verbatim), so each is changed by
adding or replacing one line, never rewritten: an editor's comments and layout stay.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from typing import TYPE_CHECKING

from almaty_map.desk.errors import WrongState
from almaty_map.geodata.diff import DatasetDiff

if TYPE_CHECKING:
    from almaty_map.desk.revisions import Revision

_VERSION_LINE = re.compile(r"""^(version\s*=\s*)("[^"\n]*"|'[^'\n]*')""", re.MULTILINE)
_LAST_NUMBER = re.compile(r"(\d+)(\D*)\Z")


def moved_on(dataset_toml: str) -> str:
    """dataset.toml with its version's last number one higher ("1.1.0" -> "1.1.1"; one
    with no number gains ".1"); as it was when it has no version to move on."""
    version = tomllib.loads(dataset_toml).get("version")
    if not isinstance(version, str) or not version:
        return dataset_toml
    top = _top_level(dataset_toml)
    found = _VERSION_LINE.search(dataset_toml, 0, top)
    if found is None:
        return dataset_toml
    new = _next(version)
    changed = dataset_toml[: found.start(2)] + toml_string(new) + dataset_toml[found.end(2) :]
    return changed if tomllib.loads(changed).get("version") == new else dataset_toml


def correction_entry(corrections_toml: str | None, revision: Revision, diff: DatasetDiff) -> str:
    """corrections.toml with this publication's correction added at its end."""
    changed = diff.changed.get(revision.event_id, ())
    names = [change.field for change in changed]
    change = ("Changed " + ", ".join(names) + ".") if names else "Published again, unchanged."
    entry = (
        "\n[[corrections]]\n"
        f"date = {dt.datetime.now(dt.UTC).date().isoformat()}\n"
        f"event = {toml_string(revision.event_id)}\n"
        f"change = {toml_string(change)}\n"
        f"reason = {toml_string(revision.reason or 'Corrected at the desk.')}\n"
        f"source = {toml_string(_cited(revision))}\n"
    )
    text = corrections_toml or ""
    if text and not text.endswith("\n"):
        text += "\n"
    return text + entry


def toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, but for DEL, which TOML escapes."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _cited(revision: Revision) -> str:
    """The source its editor cited when submitting: a correction rests on that, never on a
    source guessed from the event. A revision submitted before sources were asked for has
    none, and is refused until sent back and submitted with one."""
    if not revision.correction_source:
        raise WrongState(
            f"Revision {revision.number} of {revision.event_id!r} names no source for its "
            "correction: send it back so its editor cites one when submitting again"
        )
    return revision.correction_source


def source_line(source: dict) -> str:
    """A source of the event as a line an editor may cite ("Interfax, Title, 2022-01-18:
    https://…"); empty for a source with none of those."""
    parts = [str(source[k]) for k in ("publication", "title", "date") if source.get(k)]
    said = ", ".join(parts)
    if source.get("url"):
        return f"{said}: {source['url']}" if said else str(source["url"])
    return said


def _top_level(toml: str) -> int:
    """Where the first table starts (keys before it are the top level's)."""
    table = re.search(r"^\s*\[", toml, re.MULTILINE)
    return table.start() if table else len(toml)


def _next(version: str) -> str:
    found = _LAST_NUMBER.search(version)
    if found is None:
        return version + ".1"
    number = found.group(1)
    bumped = str(int(number) + 1).zfill(len(number))
    return version[: found.start(1)] + bumped + found.group(2)
