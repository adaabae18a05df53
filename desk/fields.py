"""What changed between two versions of one event, field by field, for people to read.

Features are compared as the desk keeps them (every property as stored), in the format's
order of fields, then any others, then the geometry: the order the form shows them in.
"""

from __future__ import annotations

from almaty_map.geodata.diff import FieldChange
from almaty_map.geodata.model import EVENT_FIELDS

__all__ = ["FieldChange", "feature_changes"]


def feature_changes(before: dict | None, after: dict | None) -> list[FieldChange]:
    """Each property that differs (None for one absent), then the geometry; ``before``
    None (a new event) gives every field of ``after`` as new."""
    old = _properties(before)
    new = _properties(after)
    names = [name for name in EVENT_FIELDS if name in old or name in new]
    names += sorted((old.keys() | new.keys()) - set(names))
    changes = [FieldChange(n, old.get(n), new.get(n)) for n in names if old.get(n) != new.get(n)]
    old_shape = before.get("geometry") if before else None
    new_shape = after.get("geometry") if after else None
    if old_shape != new_shape:
        changes.append(FieldChange("geometry", old_shape, new_shape))
    return changes


def _properties(feature: dict | None) -> dict:
    properties = feature.get("properties") if feature else None
    if not isinstance(properties, dict):
        return {}
    return {name: value for name, value in properties.items() if value is not None}
