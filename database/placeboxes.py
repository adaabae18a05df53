"""The boxes a whole filter brings to the indexes, from its place parts: the ``bbox``
parameter and the top-level spatial parts of its CQL2 filter. Every event the filter keeps
meets each part's boxes, so they size its reads (``database.sample``) and narrow a walk in
time order (``walk_condition``) without changing what it keeps."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, func, true

from almaty_map.database.cql2space import index_boxes
from almaty_map.database.cql2sql import conjuncts
from almaty_map.database.cql2strips import IndexBoxes, widened
from almaty_map.database.schema import events
from almaty_map.geodata.bbox import BBox, bbox_areas
from almaty_map.geodata.filtering import EventFilter
from almaty_map.geodata.model import SENSITIVE_GRID_DEG


def filter_boxes(flt: EventFilter) -> list[IndexBoxes]:
    """The boxes each of the filter's place parts brings to the indexes."""
    boxes = [] if flt.bbox is None else [_parameter_boxes(flt.bbox)]
    if flt.cql is not None:
        for node in conjuncts(flt.cql.node):
            found = index_boxes(node, flt.cql.filter_crs)
            if found is not None:
                boxes.append(found)
    return boxes


def walk_condition(flt: EventFilter) -> ColumnElement[bool]:
    """What the filter's place parts imply of each event's stored box, in the form the walk
    indexes answer: ``events_start_id`` and ``events_category_start_id`` end with each
    event's box (migration 0012), so a walk in time order then reads from the table only
    the events near the place, not every event of its days (a triangle over four days:
    8,200 events read for its first 100, 19 ms; 2,000 index pages and 8 ms with it).

    Given to a walk only: beside a gather, the planner also scanned a whole walk index
    for its box (10,400 pages to gather 1,200 events, 49 ms)."""
    boxes = [part.walked for part in filter_boxes(flt) if part.walked is not None]
    return and_(true(), *(_reaching(box) for box in boxes))


def _parameter_boxes(bbox: BBox) -> IndexBoxes:
    """The ``bbox`` parameter's: itself, and widened by the cell a sensitive event's shown
    point may lie in away from its shape (``selection.meeting_box``); across the
    antimeridian, no one box to walk by."""
    walked = None if len(bbox_areas(bbox)) > 1 else widened(bbox, SENSITIVE_GRID_DEG)
    return IndexBoxes([bbox], walked)


def _reaching(box: BBox) -> ColumnElement[bool]:
    minx, miny, maxx, maxy = box
    shape = events.c.geom
    return and_(
        func.ST_XMax(shape) >= minx,
        func.ST_XMin(shape) <= maxx,
        func.ST_YMax(shape) >= miny,
        func.ST_YMin(shape) <= maxy,
    )
