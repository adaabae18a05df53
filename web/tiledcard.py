"""What the tiled map's popup shows of one event, worded for the page's reader.

The tiled page (web/tiledpage.py) carries no events, so its popup asks for the one
clicked. The API's feature gives times as ISO instants, fit for programs; a reader gets
the words the embedded map's card uses (language.dates.when: "4 Jan 2022, 20:01", "evening"
for an hour-precision time), in the page's language, from the same found event.
"""

from __future__ import annotations

from flask import Blueprint, request

from almaty_map.geodata.errors import QueryProblem
from almaty_map.language.dates import when
from almaty_map.language.texts import LANGUAGES, SOURCE_LANGUAGE, texts_for
from almaty_map.ogcapi import items
from almaty_map.ogcapi.errors import rejected
from almaty_map.ogcapi.params import request_problems
from almaty_map.web.ogc import cached, json_response
from almaty_map.web.store import current_source

blueprint = Blueprint("tiledcard", __name__)
PARAMS = ("lang",)


@blueprint.route("/tiled/card/<feature_id:feature_id>", merge_slashes=False)
def card(feature_id: str):
    """The event's title, worded time, place and description, as JSON."""
    problems = request_problems(request.args, PARAMS, ())
    lang = request.args.get("lang", SOURCE_LANGUAGE)
    if lang not in LANGUAGES:
        problems.append(QueryProblem.expecting("lang", " | ".join(LANGUAGES), lang))
    if problems:
        raise rejected(problems)
    dataset, position = items.find_feature(current_source(), "events", feature_id)
    event = dataset.events.iloc[position]
    worded = when(event.start, event.end, event.time_precision, texts_for(lang))
    return cached(
        json_response(
            {
                "id": str(event.id),
                "title": event.title,
                "when": worded,
                "place": event.place,
                "description": event.description if isinstance(event.description, str) else "",
            }
        )
    )
