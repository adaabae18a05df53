"""How PostgreSQL reads a shape filter's events: walking them in time order, or gathering
its box's events on the GiST index and sorting them.

A walk stops once it has found what it wants, so it reads about as many of the filter's
days as hold that many matches; a gather reads every event its box and days hold, however
few are wanted. PostgreSQL weighs the two with its own estimate of how many events pass,
which for shapes is far off (``database.sample``); given the sample's sizes, the choice is
made here and handed to the planner as the two plans' switches, for this transaction only.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from almaty_map.database.sample import Sizes

# A walked event costs this many gathered ones: each is read in the index's order and
# tested, where a gathered one is read in the table's order, tested and then sorted. Fitted
# on the synthetic million's CQL2 mix against the faster of the two plans of each of its
# 120 filters, from the exact counts: at 0.86 the slowest twentieth of their reads took
# 20 ms, within 1 ms of always choosing right (the planner's own choice: 29 ms).
WALKED_PER_GATHERED = 0.86


def walks(sizes: Sizes, wanted: int) -> bool:
    """Whether finding the first ``wanted`` events is cheaper walking than gathering."""
    walked = sizes.days if sizes.kept <= wanted else wanted * sizes.days / sizes.kept
    return walked * WALKED_PER_GATHERED < sizes.boxed


def read_by(connection: Connection, walk: bool) -> None:
    """The transaction's reads planned as a walk (no bitmap scan, no sort: an index scan in
    the order asked for) or as a gather (no plain index scan: bitmap scans, then a sort).
    A read by the events' positions is planned well either way."""
    switches = (
        {"enable_bitmapscan": "off", "enable_sort": "off"} if walk else {"enable_indexscan": "off"}
    )
    connection.execute(select(*(func.set_config(k, v, True) for k, v in switches.items())))
