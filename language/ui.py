"""Every interface string the map's JavaScript shows, translated in Python.

The JavaScript carries no English of its own: it reads these from the page's data block, so
one gettext catalogue covers the served pages and the standalone export. Plural forms are
given per CLDR category so the browser's Intl.PluralRules can pick the right one.
"""

from __future__ import annotations

from babel.dates import get_month_names

from almaty_map.language.counts import count_strings
from almaty_map.language.plurals import plural_forms
from almaty_map.language.texts import Texts


def _months(texts: Texts, context: str) -> list[str]:
    names = get_month_names("abbreviated", context=context, locale=texts.babel_locale)
    return [names[m] for m in range(1, 13)]


def ui_strings(texts: Texts, window: int) -> dict[str, object]:
    _ = texts.gettext
    return {
        "timeControl": _("Time"),
        "timeSlice": _("Time slice"),
        "previous": _("Previous time slice"),
        "next": _("Next time slice"),
        "play": _("Play through the time slices"),
        "pause": _("Pause"),
        "mode": _("Show"),
        "modes": {
            "slice": _("only this time slice"),
            "cumulative": _("everything up to this slice"),
            "window": _("a sliding window of {n} slices"),
        },
        "noSlices": _("No events match these filters"),
        "eventsShown": plural_forms(texts, "{n} event shown", "{n} events shown"),
        "outside": plural_forms(
            texts,
            "{n} event falls outside every time slice",
            "{n} events fall outside every time slice",
        ),
        "timeline": _("Timeline of the events"),
        # Month names from CLDR (the browser's own may lack a language, as Chromium's kk).
        "months": _months(texts, "format"),
        "monthsAlone": _months(texts, "stand-alone"),
        "previousEvent": _("Previous event in time"),
        "nextEvent": _("Next event in time"),
        "clearDates": _("Show all dates"),
        "story": _("Story"),
        "storyStart": _("Story"),
        "storyStartLabel": _("Follow the story, one period at a time"),
        "storyPrevious": _("Previous"),
        "storyNext": _("Next"),
        "storyExit": _("Explore freely"),
        "storyStep": _("Step {k} of {n}"),
        "legend": _("Map key"),
        "categories": _("What happened"),
        "precision": _("How precisely the place is known"),
        "places": _("Reference place (landmark or area)"),
        "referencePlace": _("Reference place. Coordinates from the source below."),
        "when": _("When"),
        "where": _("Where"),
        "fatalities": _("Deaths"),
        "counts": count_strings(texts),
        "placedBy": _("Placed by"),
        "correctedOn": _("Corrected on {date}:"),
        "corrections": _("Corrections"),
        "figures": _("Figures for the whole story"),
        "datedBy": _("Dated by"),
        "countedBy": _("Deaths as reported by"),
        "built": _("Written by the program, not by the source: {fields}"),
        "actors": _("Involved"),
        "sources": _("Sources"),
        "about": _("About this map, sources and downloads"),
        "aboutRegion": _("About this map"),
        "credits": _("Credits"),
        "licence": _("Licence"),
        "version": _("Version {v}."),
        "download": _("Download the data"),
        "downloadGeojson": _("Download the events as GeoJSON"),
        "downloadCsv": _("Download the events as CSV"),
        "downloadNote": plural_forms(
            texts,
            "{n} event, exactly as embedded in this map.",
            "{n} events, exactly as embedded in this map.",
        ),
        "softwareLicences": _("Software licences"),
        "listHeading": _("List of the events shown"),
        "more": plural_forms(
            texts,
            "…and {n} more: choose a shorter time slice to list it.",
            "…and {n} more: choose a shorter time slice to list them.",
        ),
        "here": plural_forms(texts, "{n} event here", "{n} events here"),
        "andMore": plural_forms(texts, "(and {n} more here)", "(and {n} more here)"),
        "showMore": plural_forms(texts, "Show {n} more", "Show {n} more"),
        "zoomIn": _("Zoom in here"),
        "narrow": _("Zoom in, or choose a shorter time slice, to narrow this list."),
        "details": _("Details"),
        "close": _("Close"),
        "aboutShort": _("About"),
        "listShort": _("List"),
        "baseMap": _("Base map"),
        "referencePlaces": _("Reference places"),
        "unplaced": _("Place not known"),
        "unplacedCount": plural_forms(
            texts, "{n} event: place not known", "{n} events: place not known"
        ),
        "unplacedNote": _(
            "The sources place these events only in the city, so the map does not draw them "
            "at a guessed spot."
        ),
        "unplacedKey": _("not drawn; listed under “Place not known”"),
        "window": window,
    }
