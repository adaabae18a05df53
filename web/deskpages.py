"""The desk's editing pages: the event list, the edit form, review, history and import
(views on web.desk's blueprint).

Every view declares its roles (``role_required``) and does its work through desk/'s
functions inside one transaction (``desk_connection``). What the editor typed is never lost:
a form with problems, or one refused because someone saved first, comes back filled in as it
was posted, with each problem next to its field. Bad requests get 4xx pages naming what was
wrong; a sensitive event's exact place reaches only the roles that need it (desk/withheld.py).
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from datetime import datetime
from pathlib import Path

from flask import Response, abort, flash, redirect, render_template, request, url_for
from werkzeug.utils import secure_filename

from almaty_map.desk import withheld
from almaty_map.desk.accounts import ROLES
from almaty_map.desk.checking import check_features
from almaty_map.desk.corrections import source_line
from almaty_map.desk.errors import DeskError, FieldError, Forbidden, NotFound, WrongState
from almaty_map.desk.fields import feature_changes
from almaty_map.desk.forms import (
    FormProblem,
    blank_fields,
    feature_from_fields,
    fields_from_feature,
    problems_by_field,
    row_numbers,
)
from almaty_map.desk.history import history as event_history
from almaty_map.desk.history import restore
from almaty_map.desk.importing import import_drafts
from almaty_map.desk.listing import desk_events
from almaty_map.desk.publishing import publish, send_back
from almaty_map.desk.revisions import (
    Conflict,
    Invalid,
    editable_feature,
    feature_at,
    is_guarded,
    latest_revision,
    published_feature,
    revision_by_id,
    save_draft,
    submit,
)
from almaty_map.desk.rounds import known_before, loaded_over
from almaty_map.geodata.errors import WITHHELD, DataError
from almaty_map.geodata.filtering import EventFilter
from almaty_map.geodata.model import GEO_PRECISIONS, TIME_PRECISIONS
from almaty_map.geodata.query import QueryText, read_query
from almaty_map.maprender.assets import asset_version
from almaty_map.web.desk import ROW_ID, blueprint
from almaty_map.web.deskauth import (
    client_address,
    current_account,
    desk_connection,
    role_required,
)
from almaty_map.web.deskpicker import picker_island, place_names, reference_places
from almaty_map.web.errors import ErrorShape, respond
from almaty_map.web.store import current_dataset

REVIEWERS = ("reviewer", "admin")
# The form's name of each field desk.revisions.submit checks.
_SUBMIT_FIELDS = {"source": "correction_source"}
MAX_REASON = 500
_FATALITY_WORDS = {
    "number": "A number",
    "exact": "Exactly (with a scope)",
    "at least": "At least",
    "about": "About",
    "range": "A range",
    "unnumbered": "Deaths stated without a number",
}
# Paths of a change that would tell where a sensitive event is.
_PLACE_FIELDS = ("geometry", "geo_precision")
# How each refusal of desk/ is answered.
_REFUSALS = (
    (Forbidden, 403, "Forbidden"),
    (NotFound, 404, "NotFound"),
    (WrongState, 409, "Conflict"),
)


@blueprint.errorhandler(DeskError)
def refused(error: DeskError) -> Response:
    """A desk action refused: its own words, with the status that says why."""
    for kind, status, name in _REFUSALS:
        if isinstance(error, kind):
            return respond(ErrorShape(status, name, error.message))
    return respond(ErrorShape(400, "BadRequest", error.message))


@blueprint.app_template_filter("shown")
def shown(value: object) -> str:
    """A field's value as text for the diff table: text as it is, anything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, indent=1)


@blueprint.app_template_filter("when")
def when(value: object) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return "" if value is None else str(value)


@dataclasses.dataclass
class EditPage:
    """What edit.html shows."""

    event_id: str | None
    fields: dict[str, str]
    problems: list = dataclasses.field(default_factory=list)
    base_number: int | None = None
    title: str = ""
    state: str = ""
    number: int | None = None
    withheld: bool = False
    conflict: object = None
    saved: str = ""
    loaded: object = None
    latest: object = None  # the event's latest revision (None: never revised)

    @property
    def review(self):
        """The revision in review, which no save may replace (revisions._conflict)."""
        return self.latest if getattr(self.latest, "state", "") == "in_review" else None

    @property
    def returned(self):
        return self.latest if getattr(self.latest, "state", "") == "returned" else None

    @property
    def reviews(self) -> bool:
        return current_account().role in REVIEWERS

    @property
    def saving_does(self) -> str:
        """What a save makes, so an editor knows before pressing (revisions.add_revision)."""
        number = getattr(self.latest, "number", 0)
        if self.event_id is None:
            return "Saving makes revision 1 of a new event; readers see it once it is published."
        if self.latest is not None and self.latest.state in ("draft", "returned"):
            return (
                f"Saving makes revision {number + 1} in place of revision {number} (kept in "
                "the history); readers see it once it is published."
            )
        return f"Saving makes revision {number + 1}; readers see it once it is published."

    @property
    def cited_sources(self) -> list[str]:
        """The event's sources as the form holds them, each as a line to cite."""
        rows = row_numbers(self.fields, "sources")
        keys = ("publication", "title", "date", "url")
        found = [
            {k: self.fields.get(f"sources-{row}-{k}", "").strip() for k in keys} for row in rows
        ]
        return [line for line in (source_line(s) for s in found) if line]

    @property
    def errors(self) -> dict[str, list[str]]:
        return problems_by_field(self.problems)

    @property
    def problem_count(self) -> int:
        return len(self.problems)

    @property
    def source_rows(self) -> list[int]:
        return _with_blank_row(row_numbers(self.fields, "sources"))

    @property
    def translation_rows(self) -> list[int]:
        return _with_blank_row(row_numbers(self.fields, "translations"))

    @property
    def categories(self) -> list[tuple[str, str]]:
        return [(c.id, c.label) for c in current_dataset().meta.categories]

    @property
    def places(self) -> list[tuple[str, str]]:
        return place_names(current_dataset())

    time_precisions = tuple((p, p) for p in TIME_PRECISIONS)
    geo_precisions = tuple((p, p) for p in GEO_PRECISIONS)
    fatality_kinds = tuple(_FATALITY_WORDS.items())

    @property
    def island(self) -> str:
        """JSON without <, > or & (html_safe): the template may place it unescaped."""
        return picker_island(current_dataset())

    @property
    def leaflet_version(self) -> dict[str, str]:
        return {"js": asset_version("leaflet.js"), "css": asset_version("leaflet.css")}


def _with_blank_row(rows: list[int]) -> list[int]:
    """The rows the form holds and one empty row after them, for a new entry."""
    return [*rows, (rows[-1] + 1) if rows else 0]


def _render_edit(page: EditPage, status: int = 200) -> Response:
    return Response(render_template("desk/edit.html", page=page), status, mimetype="text/html")


# --- The edit form -----------------------------------------------------------------------


@blueprint.get("/events/new")
@role_required(*ROLES)
def new():
    return _render_edit(EditPage(None, blank_fields()))


@blueprint.post("/events/new")
@role_required(*ROLES)
def create():
    return _save(None)


@blueprint.get("/events/<event_id>")
@role_required(*ROLES)
def edit(event_id: str):
    role = current_account().role
    with desk_connection() as conn:
        feature, latest = _editable(conn, event_id)
        guarded = is_guarded(conn, event_id, feature)
        hidden = guarded and not withheld.sees_exactly(role)
        loaded = _load_since(conn, event_id, latest, hidden)
    shown = withheld.for_role(feature, role, guarded=guarded)
    fields = fields_from_feature(shown, _places(), current_dataset().meta.tz)
    page = EditPage(event_id, fields, withheld=hidden, loaded=loaded)
    _describe(page, feature, latest)
    if request.args.get("saved") in _SAVED:
        page.saved = _SAVED[request.args["saved"]]
    return _render_edit(page)


@blueprint.post("/events/<event_id>")
@role_required(*ROLES)
def save(event_id: str):
    return _save(event_id)


_SAVED = {
    "draft": "Saved as a draft.",
    "submitted": "Submitted for review.",
    "restored": "Restored as a new draft.",
    "restored-kept": "Restored as a new draft, with the event's place and sensitivity kept "
    "as they are: only a reviewer or an admin changes those of a sensitive event.",
}


def _places() -> dict[str, dict]:
    return reference_places(current_dataset())


def _editable(conn, event_id: str) -> tuple[dict, object]:
    """The event as an edit starts from (its open revision, else as published), and its
    latest revision."""
    latest = latest_revision(conn, event_id)
    feature = editable_feature(conn, event_id, latest)
    if feature is None:
        raise NotFound(f"There is no event {event_id!r}")
    return feature, latest


def _load_since(conn, event_id: str, latest, withheld_place: bool):
    """What a `db load` changed in the event since its revisions last touched it (None if
    nothing), with a sensitive event's place withheld from an editor."""
    if latest is None:
        return None
    found = loaded_over(conn, event_id, latest.number + 1, published_feature(conn, event_id))
    if found is None or not withheld_place:
        return found
    return dataclasses.replace(found, changes=_withhold(found.changes))


def _revision_changes(conn, revision_id: int) -> tuple[object, list]:
    """A revision and what it changes in the event as its revisions last left it in
    ``events``: as last published before it, or as loaded (desk.rounds)."""
    revision = revision_by_id(conn, revision_id)
    before = known_before(conn, revision.event_id, revision.number)
    return revision, feature_changes(before, revision.feature)


def _describe(page: EditPage, feature: dict, latest) -> None:
    """The page's heading and the revision its form builds on."""
    title = (feature.get("properties") or {}).get("title")
    page.title = title if isinstance(title, str) else str(page.event_id)
    page.state = latest.state if latest is not None else "published"
    page.number = latest.number if latest is not None else None
    page.base_number = latest.number if latest is not None else 0
    page.latest = latest


def _save(event_id: str | None) -> Response:
    """Save the posted form as a draft (and submit it, if asked), or show it again with
    what stopped it."""
    account = current_account()
    fields = {k: v for k, v in request.form.items() if k != "csrf_token"}
    action = fields.pop("action", "save")
    page = EditPage(event_id, fields)
    base_number, base_problem = _base_number(fields.get("base_number", ""))
    page.base_number = base_number
    feature, problems = feature_from_fields(fields, _places())
    problems += base_problem + _submit_problems(action, fields)
    with desk_connection() as conn:
        if event_id is not None:
            base, latest = _editable(conn, event_id)
            _describe(page, base, latest)
            page.base_number = base_number
            guarded = is_guarded(conn, event_id, base)
            feature = _kept_from_editor(feature, base, event_id, account.role, guarded, page)
        if action == "more":  # the rows posted (the empty one too) and one more
            return _render_edit(page)
        if problems:  # shown with every problem the checks find, all at once
            page.problems = problems + check_features(conn, [feature]).problems
            return _render_edit(page, 422)
        try:
            outcome = _save_and_submit(conn, event_id, feature, page, action)
        except (WrongState, FieldError) as error:
            field = (
                _SUBMIT_FIELDS.get(error.field, error.field)
                if isinstance(error, FieldError)
                else "form"
            )
            page.problems = [FormProblem(field, error.message)]
            return _render_edit(page, 409 if isinstance(error, WrongState) else 422)
        if isinstance(outcome, Invalid):
            page.problems = outcome.problems
            return _render_edit(page, 422)
        if isinstance(outcome, Conflict):
            page.conflict = _conflict_for(outcome, page.withheld)
            page.base_number = outcome.current.number
            return _render_edit(page, 409)
    done = "submitted" if action == "submit" else "draft"
    return redirect(url_for("desk.edit", event_id=outcome.event_id, saved=done), 303)


def _save_and_submit(conn, event_id: str | None, feature: dict, page: EditPage, action: str):
    account = current_account()
    outcome = save_draft(conn, event_id, feature, page.base_number, account)
    if action == "submit" and not isinstance(outcome, Conflict | Invalid):
        reason, cited = page.fields.get("reason"), page.fields.get("correction_source")
        submit(conn, outcome.id, reason, account, source=cited, address=client_address())
    return outcome


def _base_number(text: str) -> tuple[int | None, list[FormProblem]]:
    text = text.strip()
    if text in ("", "0"):
        return None, []
    if text.isascii() and text.isdigit() and len(text) < 10:
        return int(text), []
    return None, [FormProblem("form", f"the form's revision number {text[:40]!r} is not a number")]


def _submit_problems(action: str, fields: dict[str, str]) -> list[FormProblem]:
    """What a submit needs besides the event: why (the reason) and on what (the source),
    both published as written."""
    if action != "submit":
        return []
    found = []
    for name, words in (("reason", "a reason"), ("correction_source", "the correction's source")):
        text = fields.get(name, "")
        if not text.strip():
            found.append(FormProblem(name, f"give {words} to submit the change for review"))
        elif len(text) > MAX_REASON:
            found.append(FormProblem(name, f"keep it within {MAX_REASON} characters"))
    return found


def _kept_from_editor(
    feature: dict, base: dict, event_id: str, role: str, guarded: bool, page: EditPage
) -> dict:
    """The event's id as its address says; for an editor, a sensitive (``guarded``)
    event's exact place and its sensitivity as they were (the editor was never shown them
    to change)."""
    props = feature["properties"]
    props["id"] = event_id
    if "id" in feature:
        feature["id"] = event_id
    if guarded and not withheld.sees_exactly(role):
        page.withheld = True
        withheld.kept_place(feature, base)
    return feature


def _conflict_for(conflict, withheld_place: bool):
    """The conflict with a sensitive event's place changes withheld from an editor."""
    if not withheld_place:
        return conflict
    return dataclasses.replace(conflict, changes=_withhold(conflict.changes))


def _withhold(changes: list) -> list:
    """Changes with the place of a sensitive event replaced by the words saying so."""
    return [
        dataclasses.replace(c, old=WITHHELD, new=WITHHELD) if c.field in _PLACE_FIELDS else c
        for c in changes
    ]


# --- Review ------------------------------------------------------------------------------


@blueprint.get(f"/revisions/<{ROW_ID}:revision_id>/review")
@role_required(*REVIEWERS)
def review(revision_id: int):
    with desk_connection() as conn:
        return _review_page(conn, revision_id)


def _review_page(conn, revision_id: int, message: str = "", status: int = 200) -> Response:
    revision, changes = _revision_changes(conn, revision_id)
    account = current_account()
    now = published_feature(conn, revision.event_id)
    loaded = None
    if revision.state == "in_review":
        loaded = loaded_over(conn, revision.event_id, revision.number, now)
    page = {
        "revision": revision,
        "changes": changes,
        "title": (revision.feature.get("properties") or {}).get("title") or revision.event_id,
        "message": message,
        "can_decide": revision.state == "in_review" and revision.author != account.name,
        "why_not": _why_not(revision, account.name),
        "loaded": loaded,
    }
    return Response(render_template("desk/review.html", page=page), status, mimetype="text/html")


def _why_not(revision, name: str) -> str:
    if revision.state != "in_review":
        return f"This revision is {revision.state.replace('_', ' ')}, not in review."
    if revision.author == name:
        return "You wrote this revision: a different reviewer must publish it or send it back."
    return ""


@blueprint.post(f"/revisions/<{ROW_ID}:revision_id>/publish", endpoint="publish")
@role_required(*REVIEWERS)
def publish_revision(revision_id: int):
    comment = request.form.get("comment", "")
    if len(comment) > MAX_REASON:
        return _refused(revision_id, f"Keep the comment within {MAX_REASON} characters.", 422)
    try:
        with desk_connection() as conn:
            revision = revision_by_id(conn, revision_id)
            publish(
                conn,
                revision_id,
                current_account(),
                comment.strip() or None,
                address=client_address(),
            )
    except WrongState as refusal:  # on the review page, with what a load changed
        return _refused(revision_id, refusal.message, 409)
    flash(f"Published revision {revision.number} of {revision.event_id}: readers see it now.")
    return redirect(url_for("desk.history", event_id=revision.event_id), 303)


@blueprint.post(f"/revisions/<{ROW_ID}:revision_id>/send-back", endpoint="send_back")
@role_required(*REVIEWERS)
def send_back_revision(revision_id: int):
    comment = request.form.get("comment", "").strip()
    if not comment or len(comment) > MAX_REASON:
        message = f"Say what needs changing (1 to {MAX_REASON} characters) to send it back."
        return _refused(revision_id, message, 422)
    with desk_connection() as conn:
        revision = send_back(
            conn, revision_id, current_account(), comment, address=client_address()
        )
    flash(
        f"Sent revision {revision.number} of {revision.event_id} back to {revision.author} "
        "with your comment."
    )
    return redirect(url_for("desk.events", status="returned"), 303)


def _refused(revision_id: int, message: str, status: int) -> Response:
    with desk_connection() as conn:
        return _review_page(conn, revision_id, message, status)


# --- History -----------------------------------------------------------------------------


@blueprint.get("/events/<event_id>/history")
@role_required(*ROLES)
def history(event_id: str):
    role = current_account().role
    with desk_connection() as conn:
        feature, latest = _editable(conn, event_id)
        entries = event_history(conn, event_id)
        guarded = is_guarded(conn, event_id, feature)
        hidden = guarded and not withheld.sees_exactly(role)
        pending = _load_since(conn, event_id, latest, hidden)
    if hidden:
        entries = [_withheld_entry(entry) for entry in entries]
    page = {
        "event_id": event_id,
        "title": (feature.get("properties") or {}).get("title") or event_id,
        "entries": list(reversed(entries)),
        "can_restore": True,
        "message": "",
        "pending_load": pending,
    }
    return render_template("desk/history.html", page=page)


@blueprint.post("/events/<event_id>/restore", endpoint="restore")
@role_required(*ROLES)
def restore_revision(event_id: str):
    number = request.form.get("number", "")
    reason = request.form.get("reason", "").strip()
    if not (number.isascii() and number.isdigit() and len(number) < 10):
        abort(400, description=f"number: expected a revision number, found {number[:40]!r}")
    if not reason or len(reason) > MAX_REASON:
        abort(400, description=f"reason: expected 1 to {MAX_REASON} characters saying why")
    with desk_connection() as conn:
        revision = restore(
            conn, event_id, int(number), current_account(), reason, address=client_address()
        )
        kept = revision.feature != feature_at(conn, event_id, int(number))
    done = "restored-kept" if kept else "restored"
    return redirect(url_for("desk.edit", event_id=event_id, saved=done), 303)


def _withheld_entry(entry):
    """A history entry with a sensitive event's place withheld (its load's too)."""
    load = entry.load
    if load is not None:
        load = dataclasses.replace(load, changes=_withhold(load.changes))
    return entry._replace(changes=_withhold(entry.changes), load=load)


# --- The event list ----------------------------------------------------------------------

STATUSES = (
    ("draft", "Draft"),
    ("in_review", "In review"),
    ("returned", "Sent back"),
    ("published", "Published"),
)
PER_PAGE = 100
MAX_WORDS = 200


@dataclasses.dataclass(frozen=True)
class ListFilters:
    """The list's filters as asked for, each checked; ``errors`` by parameter."""

    status: str = ""
    category: str = ""
    q: str = ""
    page: int = 1
    errors: dict = dataclasses.field(default_factory=dict)
    start: str = ""
    end: str = ""
    bbox: str = ""
    placed: EventFilter = dataclasses.field(default_factory=EventFilter)

    def query(self, page: int) -> dict[str, str | int]:
        """The parameters of another page of the same list."""
        pairs = {"status": self.status, "category": self.category, "q": self.q}
        pairs |= {"start": self.start, "end": self.end, "bbox": self.bbox, "page": page}
        return {k: v for k, v in pairs.items() if v not in ("", 1)}


def read_filters(args, meta) -> ListFilters:
    """Status, category and words as the reader's list takes them, a time span and a box
    read by the reader's own query reader (its names, its errors), and a page number."""
    categories = list(meta.category_ids)
    given = {k: args.get(k, "").strip() for k in ("start", "end", "bbox")}
    text = QueryText(**{k: v or None for k, v in given.items()})
    read = read_query(meta, text)
    errors = {p.parameter: p.message for p in read.problems}
    kept = {k: "" if k in errors else v for k, v in given.items()}
    status = _one_of(args.get("status", ""), [s for s, _ in STATUSES], "status", errors)
    category = _one_of(args.get("category", ""), categories, "category", errors)
    q = args.get("q", "")
    if len(q) > MAX_WORDS:
        errors["q"] = f"expected at most {MAX_WORDS} characters, found {len(q)}"
        q = ""
    number = args.get("page", "1")
    page = int(number) if number.isascii() and number.isdigit() and 0 < len(number) < 6 else 0
    if page < 1:
        errors["page"] = f"expected a page number from 1, found {number[:40]!r}"
        page = 1
    return ListFilters(status, category, q.strip(), page, errors, **kept, placed=read.filter)


def _one_of(value: str, allowed: list[str], name: str, errors: dict[str, str]) -> str:
    if value == "" or value in allowed:
        return value
    errors[name] = f"expected one of {', '.join(allowed)}, found {value[:40]!r}"
    return ""


@blueprint.get("/events")
@role_required(*ROLES)
def events():
    meta = current_dataset().meta
    categories = meta.categories
    filters = read_filters(request.args, meta)
    with desk_connection() as conn:
        rows = desk_events(
            conn,
            filters.status or None,
            category=filters.category or None,
            text=filters.q or None,
            span=(filters.placed.start, filters.placed.end),
            bbox=filters.placed.bbox,
            limit=PER_PAGE + 1,
            offset=(filters.page - 1) * PER_PAGE,
        )
    page = {
        "rows": rows[:PER_PAGE],
        "filters": filters,
        "errors": filters.errors,
        "next": filters.query(filters.page + 1) if len(rows) > PER_PAGE else None,
        "previous": filters.query(filters.page - 1) if filters.page > 1 else None,
        "statuses": STATUSES,
        "categories": [(c.id, c.label) for c in categories],
        "reviews": current_account().role in REVIEWERS,
    }
    body = render_template("desk/events.html", page=page)
    return Response(body, 400 if filters.errors else 200, mimetype="text/html")


# --- Import ------------------------------------------------------------------------------


@blueprint.route("/import", methods=["GET", "POST"])
@role_required(*ROLES)
def import_page():
    page: dict = {"problems": [], "imported": [], "file_error": ""}
    if request.method == "GET":
        return render_template("desk/import.html", page=page)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        page["file_error"] = "Choose a file of events to import."
        return Response(render_template("desk/import.html", page=page), 400, mimetype="text/html")
    with tempfile.TemporaryDirectory(prefix="desk-import-") as folder:
        path = Path(folder) / _safe_name(upload.filename)
        upload.save(path)
        try:
            with desk_connection() as conn:
                page["imported"] = import_drafts(
                    conn, path, current_account(), address=client_address()
                )
        except DataError as exc:
            page["problems"] = [str(p) for p in exc.problems if p.severity == "error"]
    status = 422 if page["problems"] else 200
    return Response(render_template("desk/import.html", page=page), status, mimetype="text/html")


def _safe_name(filename: str) -> str:
    """The upload's name without folders or odd characters; its suffix tells the format."""
    name = secure_filename(filename) or "events"
    return name[-100:]
