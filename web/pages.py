"""The reader's page, the embeddable map, the export and the downloads.

Views read the view state from the query string, call geodata and maprender, and hand the
template values that are ready to print.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, replace
from urllib.parse import urlencode

import orjson
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    url_for,
)

from almaty_map.geodata.errors import QueryProblem, shorten
from almaty_map.geodata.filtering import select
from almaty_map.geodata.formats import events_csv, events_geojson
from almaty_map.geodata.timeslices import MAX_SLICES, SlicingError
from almaty_map.language.choice import translation_for_reader
from almaty_map.language.counts import count_text
from almaty_map.language.dates import day, when
from almaty_map.language.offer import offered_languages
from almaty_map.language.texts import Texts, language_name, texts_for
from almaty_map.maprender.assets import ASSETS, asset_text, favicon_svg
from almaty_map.maprender.build import MapSpec
from almaty_map.maprender.options import MapOptions
from almaty_map.maprender.symbols import symbol_path
from almaty_map.web.errors import bad_request
from almaty_map.web.maps import embed_page, export_document, reader_parts
from almaty_map.web.security import map_frame_ancestors, page_policy
from almaty_map.web.store import current_dataset
from almaty_map.web.viewstate import ViewState, read_state

blueprint = Blueprint("pages", __name__)
LIST_LIMIT = 1000


@dataclass(frozen=True)
class EventItem:
    """One line of the chronological list."""

    id: str
    title: str
    when: str
    place: str
    category: str
    colour: str
    path: str
    deaths: str  # worded as the source gives it; empty when none are reported
    title_lang: str  # the language of the title and the place: a translation's, or the data's
    place_lang: str


def event_items(dataset, positions, texts: Texts) -> list[EventItem]:
    rows = dataset.events.iloc[list(positions)]
    categories = {c.id: c for c in dataset.meta.categories}
    own = dataset.meta.language
    items = []
    for r in rows.itertuples(index=False):
        given = orjson.loads(r.translations) if isinstance(r.translations, str) else None
        tag, local = translation_for_reader(given, texts.language) or (own, {})
        items.append(
            EventItem(
                r.id,
                local.get("title") or r.title,
                when(r.start, r.end, r.time_precision, texts),
                local.get("place") or r.place,
                categories[r.category].label,
                categories[r.category].colour,
                symbol_path(categories[r.category].symbol, 6),
                count_text(orjson.loads(r.fatalities), texts)
                if isinstance(r.fatalities, str)
                else "",
                tag if "title" in local else own,
                tag if "place" in local else own,
            )
        )
    return items


def record(dataset, texts: Texts) -> dict[str, list]:
    """The dataset's figures and corrections, worded for the reader's page."""
    titles = dict(zip(dataset.events["id"], dataset.events["title"], strict=True))
    return {
        "figures": [
            {"label": f.label, "text": count_text(f.count, texts), "source": f.source}
            for f in dataset.meta.figures
        ],
        "corrections": [
            {
                "date": day(c.date, texts),
                "event": titles.get(c.event) if c.event else None,
                "change": c.change,
                "reason": c.reason,
                "source": c.source,
            }
            for c in dataset.corrections
        ],
    }


def map_spec(state: ViewState, embed_origins: tuple[str, ...] = ()) -> MapSpec:
    return MapSpec(
        filter=state.filter,
        slice_by=state.slice_by,
        language=state.lang,
        title=state.title or None,
        options=MapOptions(mode=state.mode),
        carto_key=current_app.config.get("CARTO_KEY") or None,
        embed_origins=embed_origins,
    )


def safe_filename(title: str, state: ViewState, suffix: str) -> str:
    """A download name made only of [a-z0-9-_.]: it can never name a path."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    parts = [text] + [v for v in (state.start, state.end) if v]
    slug = "_".join(re.sub(r"[^a-z0-9]+", "-", p.lower()).strip("-") for p in parts)
    return (slug.strip("_-")[:100] or "almaty-map") + suffix


def _slicing_problem(state: ViewState, exc: SlicingError) -> QueryProblem:
    expected = f"a slicing into at most {MAX_SLICES:,} slices"
    return QueryProblem("slice", expected, shorten(state.slice_by), str(exc))


def date_hints(state: ViewState, texts: Texts) -> dict[str, str]:
    """What to show under each date field, in the page's language: the date chosen, in
    words, or the format to type. The fields are text, not the browser's date picker, whose
    format follows the browser's language rather than the page's."""
    hints = {}
    for name in ("start", "end"):
        value = getattr(state, name)
        try:
            hints[name] = day(dt.date.fromisoformat(value), texts)
        except ValueError:
            hints[name] = texts.gettext("A date as YYYY-MM-DD, e.g. %(example)s") % {
                "example": "2022-01-06"
            }
    return hints


def _field_errors(problems: list[QueryProblem]) -> dict[str, str]:
    """What to show beside each form field: all of its problems, in one line."""
    by_field: dict[str, list[str]] = {}
    for problem in problems:
        by_field.setdefault(problem.parameter, []).append(problem.message)
    return {field: "; ".join(messages) for field, messages in by_field.items()}


def _with_etag(response: Response, etag: str, max_age: int = 300) -> Response:
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    return response.make_conditional(request)


@blueprint.get("/")
def index():
    dataset = current_dataset()
    state, problems = read_state(dataset, request.args)
    texts = texts_for(state.lang)
    positions = select(dataset, state.filter)
    try:
        rendered = reader_parts(dataset, map_spec(state))
    except SlicingError as exc:
        problems.append(_slicing_problem(state, exc))
        state = replace(state, slice_by="period")
        rendered = reader_parts(dataset, map_spec(state))
    query = state.query()
    context = {
        "lang": texts.language,
        "meta": dataset.meta,
        "state": state,
        "problems": problems,
        "errors": _field_errors(problems),
        "dates": date_hints(state, texts),
        "categories": [
            {
                "id": c.id,
                "label": c.label,
                "colour": c.colour,
                "path": symbol_path(c.symbol, 6),
                "checked": c.id in state.categories,
            }
            for c in dataset.meta.categories
        ],
        "slicings": [
            ("period", texts.gettext("Named periods")),
            ("day", texts.gettext("Days")),
            ("week", texts.gettext("Weeks")),
            ("month", texts.gettext("Months")),
        ],
        "dir": texts.direction,
        "languages": [(code, language_name(code)) for code in offered_languages(dataset.meta)],
        "language_links": {
            code: _in_language(state, code) for code in offered_languages(dataset.meta)
        },
        "events": event_items(dataset, positions[:LIST_LIMIT], texts),
        "matched": len(positions),
        "total": len(dataset.events),
        "list_limit": LIST_LIMIT,
        "map": rendered.parts,
        "links": {
            "geojson": url_for("pages.download", kind="geojson") + _q(query),
            "csv": url_for("pages.download", kind="csv") + _q(query),
            "html": url_for("pages.export") + _q(query),
            "api": url_for("ogc.items", name="events", _external=True) + _q(state.api_query()),
            "embed": url_for("pages.embed") + _q(query),
        },
        "notice": current_app.extensions["almaty_map"].notice(),
        **record(dataset, texts),
    }
    status = 400 if problems else 200
    response = Response(render_template("index.html", **context), status=status)
    response.headers["Content-Security-Policy"] = page_policy(rendered.scripts, rendered.styles)
    return response


def _q(query: str) -> str:
    return f"?{query}" if query else ""


def _in_language(state: ViewState, language: str) -> str:
    """This view's address in another interface language."""
    pairs = [(k, v) for k, v in state.pairs() if k != "lang"]
    if language != state.default_lang:
        pairs.append(("lang", language))
    return url_for("pages.index") + _q(urlencode(pairs))


@blueprint.get("/map")
def embed():
    dataset = current_dataset()
    state, problems = read_state(dataset, request.args)
    if problems:
        return bad_request(problems)
    try:
        # The pages allowed to frame /map may also drive it (postMessage).
        rendered = embed_page(dataset, map_spec(state, current_app.config["EMBED_ORIGINS"]))
    except SlicingError as exc:
        return bad_request([_slicing_problem(state, exc)])
    response = Response(rendered.html, mimetype="text/html")
    ancestors = map_frame_ancestors(current_app.config["FRAME_ANCESTORS"])
    response.headers["Content-Security-Policy"] = page_policy(
        rendered.scripts, rendered.styles, frame_ancestors=ancestors
    )
    return _with_etag(response, rendered.etag)


@blueprint.get("/export")
def export():
    dataset = current_dataset()
    state, problems = read_state(dataset, request.args)
    if problems:
        return bad_request(problems)
    try:
        rendered = export_document(dataset, map_spec(state))
    except SlicingError as exc:
        return bad_request([_slicing_problem(state, exc)])
    response = Response(rendered.html, mimetype="text/html")
    name = safe_filename(state.title or dataset.meta.title, state, ".html")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return _with_etag(response, rendered.etag)


@blueprint.get("/download.<kind>")
def download(kind: str):
    if kind not in {"geojson", "csv"}:
        abort(404)
    dataset = current_dataset()
    state, problems = read_state(dataset, request.args)
    if problems:
        return bad_request(problems)
    positions = select(dataset, state.filter)
    if kind == "geojson":
        response = Response(events_geojson(dataset, positions), mimetype="application/geo+json")
    else:
        response = Response(events_csv(dataset, positions), mimetype="text/csv")
    name = safe_filename(dataset.meta.title, state, f".{kind}")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return _with_etag(response, f"{dataset.fingerprint}-{kind}-{state.query()}")


@blueprint.get("/favicon.ico")
@blueprint.get("/favicon.svg")
def favicon():
    """The site's icon (every page links it; /favicon.ico is where clients look unasked)."""
    response = Response(favicon_svg(), mimetype="image/svg+xml")
    response.cache_control.public = True
    response.cache_control.max_age = 7 * 24 * 3600
    return response


@blueprint.get("/assets/<name>")
def asset(name: str):
    """The map's scripts and styles, cached for a year (their URLs carry a content hash)."""
    found = next((a for a in ASSETS if a.name == name), None)
    if found is None:
        abort(404)
    mimetype = "text/css" if found.kind == "css" else "text/javascript"
    response = Response(asset_text(name), mimetype=mimetype)
    response.cache_control.public = True
    response.cache_control.max_age = 365 * 24 * 3600
    response.cache_control.immutable = True
    return response
