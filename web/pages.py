"""The reader's pages. Views prepare every value; templates only print."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, render_template, request

from geodata import Dataset, select
from maprender.i18n import Texts, texts_for
from maprender.wording import when
from web.viewstate import read_state

blueprint = Blueprint("pages", __name__)


def current_dataset() -> Dataset:
    return current_app.extensions["almaty_map"].dataset


@dataclass(frozen=True)
class EventItem:
    """One line of the chronological list."""

    id: str
    title: str
    when: str
    place: str
    category: str
    colour: str
    symbol: str


def event_items(dataset: Dataset, positions, texts: Texts) -> list[EventItem]:
    rows = dataset.events.iloc[list(positions)]
    categories = {c.id: c for c in dataset.meta.categories}
    return [
        EventItem(r.id, r.title, when(r.start, r.end, r.time_precision, texts), r.place,
                  categories[r.category].label, categories[r.category].colour,
                  categories[r.category].symbol)
        for r in rows.itertuples(index=False)
    ]


@blueprint.get("/")
def index():
    dataset = current_dataset()
    state, errors = read_state(dataset, request.args)
    texts = texts_for(request.args.get("lang", "en"))
    positions = select(dataset, state.filter)
    context = {
        "meta": dataset.meta,
        "state": state,
        "errors": errors,
        "events": event_items(dataset, positions, texts),
        "total": len(dataset.events),
    }
    return render_template("index.html", **context), (400 if errors else 200)
