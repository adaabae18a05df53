"""The reader's page, the embeddable map, the export and the downloads.

Views read the view state from the query string, call geodata and maprender, and hand the
template values that are ready to print.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
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

from almaty_map.geodata.dataset import Dataset
from almaty_map.geodata.errors import QueryProblem, shorten
from almaty_map.geodata.formats import csv_chunks, geojson_chunks
from almaty_map.geodata.source import Source
from almaty_map.geodata.timeslices import MAX_SLICES, SlicingError
from almaty_map.language.choice import translation_for_reader
from almaty_map.language.counts import count_text
from almaty_map.language.dates import day, when
from almaty_map.language.offer import offered_languages
from almaty_map.language.texts import Texts, language_name, texts_for
from almaty_map.maprender.assets import ASSETS, asset_text, favicon_svg
from almaty_map.maprender.build import MapContent, MapSpec, map_content
from almaty_map.maprender.document import MapParts
from almaty_map.maprender.options import MapOptions
from almaty_map.maprender.symbols import symbol_path
from almaty_map.web.conditional import cacheable, not_modified, view_etag
from almaty_map.web.errors import bad_request
from almaty_map.web.gzipped import Piece, pack, pieces_head, pieces_response
from almaty_map.web.heavy import heavy
from almaty_map.web.links import external_url
from almaty_map.web.maps import (
    Rendered,
    asset_base,
    embed_page,
    export_document,
    reader_parts,
)
from almaty_map.web.security import map_frame_ancestors, page_policy
from almaty_map.web.selectionlimits import page_map_source, too_many
from almaty_map.web.store import current_source, database_engine
from almaty_map.web.tiledpage import tileable, tiled_map
from almaty_map.web.viewstate import ViewState, read_state

blueprint = Blueprint("pages", __name__)
LIST_LIMIT = 1000
# A tiled page is the one for a selection too big to embed: its list is a starting point,
# and each listed event is read from the database and weighs on the first paint (1,000
# made 768 KB of the page at a million events).
TILED_LIST_LIMIT = 200
MAX_AGE = 300
# Where the map's parts go in the rendered reader's page. Text from a request or the data
# cannot produce these: Jinja escapes their "<".
MAP_MARKERS = {name: f"<!--almaty-map:{name}-->" for name in ("head", "body", "script", "tail")}
MAP_MARKER = re.compile(r"<!--almaty-map:(head|body|script|tail)-->")


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
    titles = dataset.whole.titles
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


@blueprint.get("/")
def index():
    source = current_source()
    dataset = source.dataset
    state, problems = read_state(dataset, request.args)
    if _tiled(source, state):
        return _tiled_reader_page(source, state, problems)
    drawn, first = page_map_source(source, state.filter)
    try:
        content = map_content(drawn, map_spec(state))
    except SlicingError as exc:
        problems.append(_slicing_problem(state, exc))
        state = replace(state, slice_by="period")
        content = map_content(drawn, map_spec(state))
    status = 400 if problems else 200
    if request.method == "HEAD":  # the status and type, without rendering the map
        head = pieces_head("text/html")
        head.status_code = status
        return head
    page = ReaderPage(source, drawn, first, state, problems, content)
    return heavy(lambda: _reader_page(page), content.events)


def _tiled(source: Source, state: ViewState) -> bool:
    """Too many events to carry in the page, on a database, with filters tiles can keep."""
    if not current_app.config["DATABASE_URL"] or not tileable(state.filter):
        return False
    limit = int(current_app.config["MAX_PAGE_EVENTS"])
    return source.count_up_to(state.filter, limit + 1) > limit


def _tiled_reader_page(source: Source, state: ViewState, problems: list[QueryProblem]) -> Response:
    """The reader's page with the map drawn from vector tiles (web.tiledpage)."""
    dataset = source.dataset
    renders = current_app.extensions["almaty_map_renders"]

    def tiled_for(view: ViewState):
        key = ("tiled", dataset.fingerprint, view, request.script_root)
        return renders.get(key, lambda: tiled_map(database_engine(), dataset, view))

    try:
        tiled = tiled_for(state)
    except SlicingError as exc:
        problems.append(_slicing_problem(state, exc))
        state = replace(state, slice_by="period")
        tiled = tiled_for(state)
    status = 400 if problems else 200
    if request.method == "HEAD":
        head = pieces_head("text/html")
        head.status_code = status
        return head
    context = _page_context(source, state, problems, TILED_LIST_LIMIT)
    context |= {"map_first": None, "map": tiled.parts}
    response = Response(render_template("index.html", **context), mimetype="text/html")
    response.status_code = status
    response.headers["Content-Security-Policy"] = page_policy(tiled.scripts, [])
    return response


@dataclass(frozen=True)
class ReaderPage:
    """A reader's page to render: its source, the one its map draws from (the first
    ``first`` events only, when there are too many to draw), and its view."""

    source: Source
    drawn: Source
    first: int | None
    state: ViewState
    problems: list[QueryProblem]
    content: MapContent


def _reader_page(page: ReaderPage) -> Response:
    """The page around the map, rendered with markers where the map's parts go; the parts
    (tens of MB for a large dataset) are sent from the cache as they are, never copied."""
    state, problems, dataset = page.state, page.problems, page.source.dataset
    rendered = reader_parts(page.drawn, map_spec(state), page.content)
    context = _page_context(page.source, state, problems) | {"map_first": page.first}
    html = render_template("index.html", **context)
    pieces = _with_map(html, rendered, state.title or dataset.meta.title)
    response = pieces_response(pieces, "text/html")
    response.status_code = 400 if problems else 200
    response.headers["Content-Security-Policy"] = page_policy(rendered.scripts, rendered.styles)
    return response


def _page_context(
    source: Source, state: ViewState, problems: list[QueryProblem], list_limit: int = LIST_LIMIT
) -> dict:
    """What templates/index.html prints; the map's parts are markers (see _with_map)."""
    texts = texts_for(state.lang)
    dataset = source.dataset
    listed = source.page(state.filter, 0, list_limit)
    matched = listed.matched
    if matched is None:
        matched = source.total(state.filter)
    query = state.query()
    return {
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
        "events": event_items(listed.dataset, listed.positions, texts),
        "matched": matched,
        "total": dataset.event_count,
        "list_limit": list_limit,
        "map": MapParts(**MAP_MARKERS),
        "links": {
            "geojson": url_for("pages.download", kind="geojson") + _q(query),
            "csv": url_for("pages.download", kind="csv") + _q(query),
            "html": url_for("pages.export") + _q(query),
            "api": external_url("ogc.items", name="events") + _q(state.api_query()),
            "embed": url_for("pages.embed") + _q(query),
        },
        # Only that an update waits: its errors (paths, unpublished values) go to the log.
        "update_pending": current_app.extensions["almaty_map"].notice() is not None,
        **record(dataset, texts),
    }


def _with_map(page: str, rendered: Rendered, title: str) -> list[Piece]:
    """The page with the map's parts where their markers are: the page's own text is
    compressed now, the map's parts were compressed when it was rendered."""
    texts = MAP_MARKER.split(page)  # text, part name, text, part name, ..., text
    names = texts[1::2]
    if sorted(names) != sorted(MAP_MARKERS):
        raise RuntimeError(f"templates/index.html places the map's parts {names}")
    pieces = [pack(texts[0].encode())]
    for name, text in zip(names, texts[2::2], strict=True):
        pieces += rendered.body(title) if name == "body" else [rendered.around[name]]
        pieces.append(pack(text.encode()))
    return pieces


def _q(query: str) -> str:
    return f"?{query}" if query else ""


def _in_language(state: ViewState, language: str) -> str:
    """This view's address in another interface language."""
    pairs = [(k, v) for k, v in state.pairs() if k != "lang"]
    if language != state.default_lang:
        pairs.append(("lang", language))
    return url_for("pages.index") + _q(urlencode(pairs))


@dataclass(frozen=True)
class MapView:
    """A /map or /export request that passed its checks: what to render and its ETag."""

    source: Source
    state: ViewState
    spec: MapSpec
    content: MapContent
    etag: str

    @property
    def title(self) -> str:
        return self.state.title or self.source.dataset.meta.title


def _map_view(kind: str) -> MapView | Response:
    """What /map and /export share up to the render: the view (400 for a bad one), and its
    ETag, known before rendering (from what the map shows and its title), so a client that
    has the map gets 304 at once."""
    source = current_source()
    state, problems = read_state(source.dataset, request.args)
    if not problems:
        problems = [p for p in [too_many(source, state.filter)] if p]
    if problems:
        return bad_request(problems)
    # The pages allowed to frame /map may also drive it (postMessage).
    origins = current_app.config["EMBED_ORIGINS"] if kind == "embed" else ()
    spec = map_spec(state, origins)
    try:
        content = map_content(source, spec)
    except SlicingError as exc:
        return bad_request([_slicing_problem(state, exc)])
    etag = view_etag(kind, content.key, spec.title, asset_base())
    unchanged = not_modified(etag, MAX_AGE)
    if unchanged is not None:
        return unchanged
    return MapView(source, state, spec, content, etag)


@blueprint.get("/map")
def embed():
    view = _map_view("embed")
    if isinstance(view, Response):
        return view
    if request.method == "HEAD":  # headers only: a HEAD never renders
        return cacheable(pieces_head("text/html", view.etag), MAX_AGE)

    def respond() -> Response:
        rendered = embed_page(view.source, view.spec, view.content)
        response = pieces_response(rendered.body(view.title), "text/html", view.etag)
        ancestors = map_frame_ancestors(current_app.config["FRAME_ANCESTORS"])
        response.headers["Content-Security-Policy"] = page_policy(
            rendered.scripts, rendered.styles, frame_ancestors=ancestors
        )
        return cacheable(response, MAX_AGE)

    return heavy(respond, view.content.events)


@blueprint.get("/export")
def export():
    view = _map_view("export")
    if isinstance(view, Response):
        return view
    if request.method == "HEAD":
        response = pieces_head("text/html", view.etag)
    else:

        def respond() -> Response:
            rendered = export_document(view.source, view.spec, view.content)
            return pieces_response(rendered.body(view.title), "text/html", view.etag)

        response = heavy(respond, view.content.events)
    name = safe_filename(view.title, view.state, ".html")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return cacheable(response, MAX_AGE)


@blueprint.get("/download.<kind>")
def download(kind: str):
    if kind not in DOWNLOADS:
        abort(404)
    source = current_source()
    state, problems = read_state(source.dataset, request.args)
    if problems:
        return bad_request(problems)
    etag = view_etag(source.dataset.fingerprint, kind, state.filter)
    unchanged = not_modified(etag, MAX_AGE)
    if unchanged is not None:
        return unchanged
    refused = too_many(source, state.filter)
    if refused:
        return bad_request([refused])
    chosen = source.select(state.filter)
    dataset, positions = chosen.dataset, chosen.positions
    mimetype, write = DOWNLOADS[kind]

    def respond() -> Response:
        """Written as it is sent, a few thousand events at a time (compressed the same
        way by Flask-Compress): memory stays flat whatever the size."""
        body = iter(()) if request.method == "HEAD" else write(dataset, positions)
        return Response(body, mimetype=mimetype)

    events = 0 if request.method == "HEAD" else len(positions)
    response = heavy(respond, events)
    response.set_etag(etag)
    name = safe_filename(dataset.meta.title, state, f".{kind}")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return cacheable(response, MAX_AGE)


def _csv_bytes(dataset: Dataset, positions) -> Iterator[bytes]:
    for chunk in csv_chunks(dataset, positions):
        yield chunk.encode()


DOWNLOADS = {
    "geojson": ("application/geo+json", geojson_chunks),
    "csv": ("text/csv", _csv_bytes),
}


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
