"""What a new version of a dataset changes: events added, removed and changed field by field.

An editor runs it before publishing (``almaty-map diff OLD NEW``), and a database load records
it against the version it replaces. Events are compared as the API serves them (every field
in its canonical form, the geometry as GeoJSON), so a change that readers can see is never
missed, and reformatting a file changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import orjson

from almaty_map.geodata.dataset import Dataset
from almaty_map.geodata.formats import feature_pieces
from almaty_map.geodata.metadata import Metadata

DATASET_FIELDS = ("title", "summary", "version", "licence", "credits", "timezone", "language")


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: object
    new: object


@dataclass(frozen=True)
class DatasetDiff:
    added: tuple[dict, ...] = ()  # features, as the API serves them
    removed: tuple[dict, ...] = ()
    changed: dict[str, tuple[FieldChange, ...]] = field(default_factory=dict)
    dataset: tuple[FieldChange, ...] = ()
    unchanged: int = 0

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.dataset)

    def as_dict(self) -> dict[str, object]:
        """The JSON form, for scripts."""

        def changes(items: tuple[FieldChange, ...]) -> dict:
            return {c.field: {"old": c.old, "new": c.new} for c in items}

        return {
            "dataset": changes(self.dataset),
            "added": list(self.added),
            "removed": list(self.removed),
            "changed": {event_id: changes(items) for event_id, items in self.changed.items()},
            "unchanged": self.unchanged,
        }


def diff_datasets(old: Dataset, new: Dataset) -> DatasetDiff:
    return diff_features(_features(old), _features(new), old.meta, new.meta)


def diff_features(
    before: dict[str, dict],
    after: dict[str, dict],
    old_meta: Metadata,
    new_meta: Metadata,
    same: int = 0,
) -> DatasetDiff:
    """The diff of two versions' features by id (as the API serves them). A database load
    passes only the events whose stored rows differ, and ``same``, how many more are known
    to be identical on both sides, so it never builds a million features to find ten."""
    changed = {}
    for event_id in sorted(before.keys() & after.keys()):
        fields = _changes(before[event_id], after[event_id])
        if fields:
            changed[event_id] = fields
    return DatasetDiff(
        added=tuple(after[i] for i in sorted(after.keys() - before.keys())),
        removed=tuple(before[i] for i in sorted(before.keys() - after.keys())),
        changed=changed,
        dataset=_metadata_changes(old_meta, new_meta),
        unchanged=same + len(before.keys() & after.keys()) - len(changed),
    )


def features_by_id(dataset: Dataset, positions: Sequence[int]) -> dict[str, dict]:
    """The events at ``positions`` as the API serves them, by id."""
    pieces = feature_pieces(dataset, positions)
    features = orjson.loads(b"[" + b",".join(pieces) + b"]")
    return {f["id"]: f for f in features}


def _features(dataset: Dataset) -> dict[str, dict]:
    return features_by_id(dataset, range(len(dataset.events)))


def _changes(old: dict, new: dict) -> tuple[FieldChange, ...]:
    """Property by property in the documented order (then any others), then the geometry."""
    names = list(old["properties"]) + [k for k in new["properties"] if k not in old["properties"]]
    out = [
        FieldChange(name, old["properties"].get(name), new["properties"].get(name))
        for name in names
        if old["properties"].get(name) != new["properties"].get(name)
    ]
    if old["geometry"] != new["geometry"]:
        out.append(FieldChange("geometry", old["geometry"], new["geometry"]))
    return tuple(out)


def _metadata_changes(old: Metadata, new: Metadata) -> tuple[FieldChange, ...]:
    return tuple(
        FieldChange(name, getattr(old, name), getattr(new, name))
        for name in DATASET_FIELDS
        if getattr(old, name) != getattr(new, name)
    )
