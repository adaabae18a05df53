"""Whether a map draws the events whose place is known only to the city.

On a map of one city, "somewhere in Almaty" is no place: a 10 km ring would be the largest
thing drawn and say the least, so those events are listed apart ("place not known"). On a
map of a country (an ACLED export covering many towns), the town is itself what the sources
say: a symbol at its centre, with its 10 km ring, places the event as well as they do. The
dataset's own points tell which kind of map it is, so the same data always draws the same.
"""

from __future__ import annotations

from pyproj import Geod

from almaty_map.geodata.eventsummary import EventSummary

# Farther apart than this, the dataset's points cannot all be in one city.
ONE_CITY_SPAN_M = 50_000
_GEOD = Geod(ellps="WGS84")


def draws_city_precision(whole: EventSummary) -> bool:
    """True when the bounding box of all the version's events (not only those a map
    shows) spans more than one city (its diagonal, on the ellipsoid, is longer than
    ``ONE_CITY_SPAN_M``)."""
    if not whole.count or whole.bounds is None:
        return False
    min_lon, min_lat, max_lon, max_lat = whole.bounds
    return bool(_GEOD.inv(min_lon, min_lat, max_lon, max_lat)[2] > ONE_CITY_SPAN_M)
