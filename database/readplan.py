"""How PostgreSQL reads a shape filter's events: walking them in time order, or gathering
its box's events on the GiST index and sorting them.

A walk stops once it has found what it wants, so it passes about as many of the filter's
days as hold that many matches, in the index, and reads those of them near its place; a
gather reads every event its boxes and days hold, however few are wanted. PostgreSQL
weighs the two with its own estimate of how many events pass, which for shapes is far off
(``database.sample``); given the sample's sizes, the choice is made here and handed to the
planner as the two plans' switches, for this transaction only.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from almaty_map.database.sample import Sizes

# An index entry a walk passes costs this many of the events it reads (the entry's box is
# compared inside the index, ``placeboxes.walk_condition``; an event read is a table page
# and the filter's exact test); and an event a walk reads costs this many gathered ones.
# Fitted on the synthetic million's CQL2 mix and its box and combined filters (120 and
# 60) against the faster plan of each, timed: at these weights the slowest twentieth of
# their reads took 8.8 and 8.1 ms, as when always choosing right, and so did every pair
# from 0.01 to 0.1 and 0.5 to 2 but two (10.2-10.6 ms); reading every page by a walk,
# 45 and 54 ms.
PASSED_PER_READ = 0.03
WALKED_PER_GATHERED = 1.0


def walks(sizes: Sizes, wanted: int) -> bool:
    """Whether finding the first ``wanted`` events is cheaper walking than gathering."""
    share = 1.0 if sizes.kept <= wanted else wanted / sizes.kept
    walked = share * (sizes.days * PASSED_PER_READ + sizes.near)
    return walked * WALKED_PER_GATHERED < sizes.boxed


def read_by(connection: Connection, walk: bool) -> None:
    """The transaction's reads planned as a walk (no bitmap scan, no sort: an index scan in
    the order asked for) or as a gather (no plain index scan: bitmap scans, then a sort).
    A read by the events' positions is planned well either way."""
    switches = (
        {"enable_bitmapscan": "off", "enable_sort": "off", "enable_incremental_sort": "off"}
        if walk
        else {"enable_indexscan": "off"}
    )
    connection.execute(select(*(func.set_config(k, v, True) for k, v in switches.items())))
