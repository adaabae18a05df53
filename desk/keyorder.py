"""A draft's objects with their keys in the order the event's file gave them.

The desk builds a feature from the form's fields in the form's own order (a source's
publication, title, date, url, quote), while ``events`` keeps each list and object as the
loaded file wrote it. Publishing a draft whose source was not touched would then write its
keys in another order: the same event, yet a difference in every byte-compared `db dump`.
So a draft takes the order of the event it was made from wherever it has the same keys.
"""

from __future__ import annotations


def in_order_of(value: object, model: object) -> object:
    """``value`` with each object's keys in ``model``'s order (keys ``model`` lacks after
    them, as they were), item by item through lists; values are never changed."""
    if isinstance(value, dict) and isinstance(model, dict):
        keys = [k for k in model if k in value] + [k for k in value if k not in model]
        return {k: in_order_of(value[k], model.get(k)) for k in keys}
    if isinstance(value, list) and isinstance(model, list):
        return [in_order_of(v, model[i] if i < len(model) else None) for i, v in enumerate(value)]
    return value
