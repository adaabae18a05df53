"""The words around a snapshot's map: heading, dates, story caption, event card, legend and
credits, in the reader's language.

A picture travels without its page, so what a reader needs to trust it is printed on it: the
days it covers, what its symbols and dashed circles mean, the event's sources with their
quotations, and whose work it shows. Every string goes through the gettext catalogues.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import orjson
import pandas as pd
from babel.numbers import format_decimal

from almaty_map.geodata.dataset import Dataset
from almaty_map.geodata.intervals import last_instant
from almaty_map.language.choice import names_for_reader, translation_for_reader
from almaty_map.language.counts import count_text
from almaty_map.language.dates import day_range, slice_dates, slice_label, when_labels
from almaty_map.language.texts import Texts, texts_for
from almaty_map.maprender.certainty import draws_city_precision
from almaty_map.maprender.payload import precision_entries
from almaty_map.maprender.snapshot_view import Plan


@dataclass(frozen=True)
class Source:
    label: str  # publication, “title”
    byline: str  # author, date
    quote: str
    note: str
    url: str


@dataclass(frozen=True)
class Card:
    """One event, in full: the picture's equivalent of its popup."""

    title: str
    category: int  # index into the dataset's categories, for its symbol
    category_label: str
    when: str
    where: str
    # The reference place's names in other languages, (tag, name), the reader's first.
    place_names: tuple[tuple[str, str], ...]
    precision: str
    description: str
    deaths: str
    actors: str
    sources: tuple[Source, ...]
    # The language of title, where and description: a translation's tag, or the data's.
    langs: dict[str, str]
    original_title: str = ""  # the data's own title, under a translated one


@dataclass(frozen=True)
class Legend:
    categories: tuple[tuple[int, str], ...]  # (category index, label) of the events shown
    precisions: tuple[tuple[str, bool], ...]  # (label, exact) of the precisions shown
    places: str | None  # the reference places' entry, when the map has any
    ring: str | None  # the selected event's ring, with a card
    unplaced: str | None  # how many events shown are placed only in the city (not drawn)


@dataclass(frozen=True)
class Story:
    step: str  # "Step 3 of 6"
    heading: str  # the period's name
    caption: str


@dataclass(frozen=True)
class Frame:
    title: str
    dates: str | None
    scope: str | None
    count: str
    story: Story | None
    card: Card | None
    legend: Legend
    sources: str | None  # publications cited by the events shown
    licence: str
    labels: dict[str, str]
    data_language: str  # the tag of the data's own texts (titles, places)


def frame(dataset: Dataset, plan: Plan) -> Frame:
    """The words for ``plan``'s picture; the legend and credits cover the events shown, so
    the picture explains itself and cites what it shows."""
    texts = texts_for(plan.spec.language)
    _ = texts.gettext
    rows = dataset.events.iloc[plan.positions[plan.shown]]
    count = texts.ngettext("{n} event shown", "{n} events shown", len(rows))
    if plan.current is None:
        count = _("No events match these filters")
    card = None
    if plan.selected is not None:
        card = _card(dataset, int(plan.positions[plan.selected]), texts)
    return Frame(
        title=plan.spec.title or dataset.meta.title,
        dates=_dates(plan, texts),
        scope=_scope(plan, texts),
        count=count.format(n=format_decimal(len(rows), locale=texts.babel_locale)),
        story=_story(plan, texts),
        card=card,
        legend=_legend(dataset, rows, card is not None, texts),
        sources=_publications(rows["sources"]),
        licence=dataset.meta.licence,
        labels={
            "sources": _("Sources"),
            "when": _("When"),
            "where": _("Where"),
            "deaths": _("Deaths"),
            "actors": _("Involved"),
            "legend": _("Legend"),
        },
        data_language=dataset.meta.language,
    )


def _dates(plan: Plan, texts: Texts) -> str | None:
    """The calendar days the shown slices cover."""
    if plan.current is None:
        return None
    first, last = plan.slices[plan.first], plan.slices[plan.current]
    return day_range(first.start.date(), last_instant(last.end).date(), texts)


def _scope(plan: Plan, texts: Texts) -> str | None:
    """Which time slices the picture shows, by name: the story step's name is its
    caption's heading instead."""
    if plan.current is None or plan.story:
        return None
    _ = texts.gettext
    current = plan.slices[plan.current]
    label = slice_label(current, texts)
    if plan.first == plan.current:
        return None if label == slice_dates(current, texts) else label
    if plan.mode == "cumulative":
        return _("Every event up to “{label}”").format(label=label)
    n = plan.current - plan.first + 1
    return texts.ngettext(
        "The {n} time slice up to “{label}”", "The {n} time slices up to “{label}”", n
    ).format(n=n, label=label)


def _story(plan: Plan, texts: Texts) -> Story | None:
    if not plan.story or plan.current is None:
        return None
    current = plan.slices[plan.current]
    return Story(
        step=texts.gettext("Step {k} of {n}").format(k=plan.current + 1, n=len(plan.slices)),
        heading=slice_label(current, texts),
        caption=current.caption,
    )


def _legend(dataset: Dataset, rows: pd.DataFrame, ringed: bool, texts: Texts) -> Legend:
    """The categories and precisions of the events shown, in the dataset's order: a legend
    of what is on the picture, not of everything the dataset could hold."""
    _ = texts.gettext
    codes = set(rows["category"].cat.codes.tolist())
    categories = tuple((k, c.label) for k, c in enumerate(dataset.meta.categories) if k in codes)
    kinds = rows["geo_precision"].astype(str)
    # On a map of one city, events placed only in the city are not drawn; the picture says so.
    entries = precision_entries(texts, draws_city_precision(dataset.whole))
    drawn = {p["id"] for p in entries if p["drawn"]}
    precisions = tuple(
        (str(p["label"]), p["radius"] == 0) for p in entries if p["id"] in set(kinds) & drawn
    )
    unplaced = int((~kinds.isin(drawn)).sum())
    return Legend(
        categories=categories,
        precisions=precisions,
        places=_("Reference place (landmark or area)") if len(dataset.places) else None,
        ring=_("Ringed: the event described here") if ringed else None,
        unplaced=texts.ngettext(
            "{n} event placed only in the city, not drawn",
            "{n} events placed only in the city, not drawn",
            unplaced,
        ).format(n=unplaced)
        if unplaced
        else None,
    )


def _publications(sources: pd.Series) -> str | None:
    """The publications the shown events cite, most cited first."""
    counter: Counter[str] = Counter()
    for cell in sources.tolist():
        counter.update({s["publication"] for s in orjson.loads(cell) if s.get("publication")})
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(name for name, _ in ranked) or None


def _card(dataset: Dataset, position: int, texts: Texts) -> Card:
    _ = texts.gettext
    rows = dataset.events.iloc[[position]]
    row = rows.iloc[0]
    category = int(rows["category"].cat.codes.iloc[0])
    entries = precision_entries(texts, draws_city_precision(dataset.whole))
    precision = next(p for p in entries if p["id"] == row["geo_precision"])
    count = None if pd.isna(row["fatalities"]) else orjson.loads(row["fatalities"])
    shown, langs = _reader_texts(row, dataset.meta.language, texts.language)
    return Card(
        title=shown["title"],
        category=category,
        category_label=dataset.meta.categories[category].label,
        when=when_labels(rows["start"], rows["end"], rows["time_precision"], texts)[0],
        where=shown["place"],
        place_names=_place_names(dataset, row["place_id"], texts.language),
        precision=str(precision["description"]),
        description=shown["description"],
        deaths=count_text(count, texts),
        actors="; ".join(orjson.loads(row["actors"])),
        sources=tuple(_source(s) for s in orjson.loads(row["sources"])),
        langs=langs,
        original_title=row["title"] if shown["title"] != row["title"] else "",
    )


def _reader_texts(row: pd.Series, own: str, language: str) -> tuple[dict, dict]:
    """Title, place and description as the reader sees them (the data's translation into
    the reader's language where it has one, as on the map's card), and each one's tag."""
    given = None if pd.isna(row["translations"]) else orjson.loads(row["translations"])
    tag, local = translation_for_reader(given, language) or (own, {})
    names = ("title", "place", "description")
    shown = {name: local.get(name) or row[name] for name in names}
    return shown, {name: tag if local.get(name) else own for name in names}


def _place_names(dataset: Dataset, place_id: object, language: str) -> tuple:
    if pd.isna(place_id):
        return ()
    match = dataset.places[dataset.places["id"] == place_id]
    if match.empty:
        return ()
    place = match.iloc[0]
    return tuple(map(tuple, names_for_reader(place["names"], place["name"], language)))


def _source(source: dict) -> Source:
    label = source.get("publication") or ""
    if source.get("title"):
        label = f"{label}, “{source['title']}”" if label else f"“{source['title']}”"
    byline = ", ".join(str(source[k]) for k in ("author", "date") if source.get(k))
    return Source(
        label=label,
        byline=byline,
        quote=source.get("quote") or "",
        note=source.get("note") or "",
        url=source.get("url") or "",
    )
