"""The editors' desk blueprint: sign-in, sign-out and the guard every desk view runs behind.

Registered at DESK_PREFIX when the app serves a database and DESK is on or only. Before any
desk view runs, anyone not signed in is sent to the sign-in form (or answered 401), and a
state-changing request without the session's CSRF token is refused with 400. Sign-in is
rate-limited in the database (desk.signins) and always starts a new session token, so a
session cookie planted before sign-in is worth nothing after it. The pages (deskpages) and
the admin pages (deskadmin) attach their views to this blueprint.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect

from almaty_map.desk import audit, sessions, signins
from almaty_map.desk.accounts import ROLES, authenticate
from almaty_map.desk.waiting import waiting
from almaty_map.web import deskauth
from almaty_map.web.deskauth import (
    SESSION_FIELD,
    client_address,
    current_account,
    desk_connection,
    public,
    role_required,
)
from almaty_map.web.errors import ErrorShape, respond
from almaty_map.web.security import page_policy
from almaty_map.web.settings import SettingError

blueprint = Blueprint("desk", __name__)
# A row id in an address: the ids are PostgreSQL integers, so a larger number is no row
# (404), never a query the database refuses as out of range (which was a 500).
ROW_ID = "int(min=1, max=2147483647)"
csrf = CSRFProtect()
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# What a public-site request meets when the desk is served alone (DESK=only).
PUBLIC_BLUEPRINTS = ("pages", "ogc", "tiles", "tiledcard")
KEPT_PUBLIC = ("pages.favicon", "pages.asset")
# Scripts and styles from this origin only (no inline ones), tiles for the map picker.
DESK_POLICY = page_policy([], [])
# How the front page names each state that waits.
WAITING_WORDS = (("draft", "Drafts"), ("in_review", "In review"), ("returned", "Sent back"))
# The pages every desk page leads to (each shown to the roles its view admits).
NAVIGATION = (
    ("desk.home", "Desk"),
    ("desk.events", "Events"),
    ("desk.new", "New event"),
    ("desk.import_page", "Import"),
    ("desk.admin_accounts", "Accounts"),
    ("desk.admin_audit", "Audit log"),
)
# A typed name longer than this is no account (accounts allow 64), whatever it holds.
MAX_NAME_FIELD = 200


def install(app: Flask) -> None:
    """Register the desk at DESK_PREFIX with its cookie, CSRF and session settings; with
    DESK=only the public site answers 404 and its front page leads to the desk."""
    secure = bool(app.config["DESK_SECURE_COOKIES"])
    app.config.update(
        SESSION_COOKIE_NAME="__Host-desk" if secure else "desk",
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_PATH="/",
        # CSRFProtect checks only what this blueprint asks it to (see guard).
        WTF_CSRF_CHECK_DEFAULT=False,
        # The token lives as long as the session; the session has its own expiry.
        WTF_CSRF_TIME_LIMIT=None,
        # Pages send no Referer (Referrer-Policy: no-referrer), which this check requires;
        # the token and SameSite=Lax are the protection.
        WTF_CSRF_SSL_STRICT=False,
    )
    csrf.init_app(app)
    deskauth.install(app)
    prefix = str(app.config["DESK_PREFIX"])
    _check_prefix(app, prefix)
    app.register_blueprint(blueprint, url_prefix=prefix)
    if app.config["DESK"] == "only":
        app.before_request(_desk_only)


def _check_prefix(app: Flask, prefix: str) -> None:
    taken = [r.rule for r in app.url_map.iter_rules() if _under(r.rule, prefix)]
    if taken:
        raise SettingError(
            f"ALMATY_MAP_DESK_PREFIX: expected a path no public page uses, found {prefix!r}, "
            f"which {taken[0]} is under"
        )


def _under(rule: str, prefix: str) -> bool:
    return rule == prefix or rule.startswith((prefix + "/", prefix + "<"))


def _desk_only() -> Response | None:
    if request.blueprint not in PUBLIC_BLUEPRINTS or request.endpoint in KEPT_PUBLIC:
        return None
    if request.endpoint == "pages.index":
        return redirect(url_for("desk.home"))
    abort(404)
    return None


@blueprint.before_request
def guard() -> Response | None:
    """No desk view runs for someone not signed in (unless it is marked public), and no
    state changes without the session's CSRF token."""
    view = current_app.view_functions.get(request.endpoint or "")
    if not getattr(view, "desk_public", False) and not current_user.is_authenticated:
        return deskauth.unauthorized()
    if request.method not in SAFE_METHODS:
        csrf.protect()
    return None


@blueprint.context_processor
def signed_in() -> dict:
    """Desk templates only (Flask-Login's own processor would run on public pages too);
    the navigation lists the pages this account's role may open, as their views declare."""
    return {"current_user": current_user, "desk_nav": _navigation()}


def _navigation() -> list[tuple[str, str, bool]]:
    """(address, words, whether it is the page shown) of each page in NAVIGATION this
    account may open: the roles come from each view's role_required."""
    if not current_user.is_authenticated:
        return []
    role = current_account().role
    links = []
    for endpoint, words in NAVIGATION:
        roles = getattr(current_app.view_functions.get(endpoint), "desk_roles", ())
        if role in roles:
            links.append((url_for(endpoint), words, request.endpoint == endpoint))
    return links


@blueprint.after_request
def private(response: Response) -> Response:
    """The same headers as public pages (web/security.py adds the rest), a policy that
    allows this origin's scripts, and no copy kept by any cache."""
    response.headers["Content-Security-Policy"] = DESK_POLICY
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/")
@role_required(*ROLES)
def home():
    """The desk's front page: what waits (drafts, reviews, sent back), each leading to the
    list of those events, so an editor signed in has somewhere to go."""
    account = current_account()
    with desk_connection() as conn:
        counts = waiting(conn, account.id)
    return render_template("desk/home.html", counts=counts, words=dict(WAITING_WORDS))


@blueprint.get("/events/")
@role_required(*ROLES)
def events_slash() -> Response:
    """The list at the address people type with a slash, its filters kept."""
    query = request.query_string.decode("ascii", "replace")
    target = url_for("desk.events") + (f"?{query}" if query else "")
    return redirect(target, 308)


@blueprint.route("/signin", methods=["GET", "POST"])
@public
def signin():
    following = _safe_next(request.values.get("next", ""))
    if request.method == "GET":
        return _signin_page(following)
    name = request.form.get("name", "")[:MAX_NAME_FIELD].strip()
    password = request.form.get("password", "")
    address = client_address()
    with desk_connection() as conn:
        wait = signins.retry_after(conn, name, address)
        if wait is not None:
            audit.record(conn, "signin_limited", actor=None, target=name, address=address)
        else:
            account = authenticate(conn, name, password) if name and password else None
            signins.note(conn, name, address, ok=account is not None)
            if account is not None:
                _start_session(conn, account, address)
            else:
                audit.record(conn, "signin_failed", actor=None, target=name, address=address)
    if wait is not None:
        return _limited(wait)
    if account is None:
        return _signin_page(following, name, failed=True)
    return redirect(following or url_for("desk.home"))


def _start_session(conn, account, address: str) -> None:
    """A new token for every sign-in (the old one, if any, revoked), in a session emptied
    of everything before it, its CSRF token included."""
    old = session.get(SESSION_FIELD)
    if isinstance(old, str):
        sessions.revoke(conn, old)
    session.clear()
    hours = float(current_app.config["DESK_SESSION_HOURS"])
    session[SESSION_FIELD] = sessions.open_session(conn, account.id, hours)
    audit.record(conn, "signin", actor=account.name, target=account.name, address=address)


def _signin_page(following: str, name: str = "", failed: bool = False) -> Response:
    page = render_template("desk/signin.html", following=following, name=name, failed=failed)
    return Response(page, status=401 if failed else 200, mimetype="text/html")


def _limited(wait: int) -> Response:
    minutes = -(-wait // 60)
    description = (
        "Too many failed sign-ins for this account or from this address; "
        f"try again in {minutes} minute{'s' if minutes != 1 else ''}."
    )
    response = respond(ErrorShape(429, "TooManyRequests", description))
    response.headers["Retry-After"] = str(wait)
    return response


def _safe_next(target: str) -> str:
    """Only a desk path of this site: never another host (//evil, /\\evil), another
    scheme, or a path a browser resolves off the desk."""
    home = url_for("desk.home")
    if not target.startswith(home) or "//" in target or "\\" in target:
        return ""
    if not target.isascii() or not target.isprintable():
        return ""
    segments = unquote(urlsplit(target).path).split("/")
    if "." in segments or ".." in segments:  # browsers resolve /desk/../ogc off the desk
        return ""
    return target


@blueprint.post("/signout")
@role_required(*ROLES)
def signout():
    account = current_account()
    token = session.get(SESSION_FIELD)
    with desk_connection() as conn:
        if isinstance(token, str):
            sessions.revoke(conn, token)
        audit.record(
            conn, "signout", actor=account.name, target=account.name, address=client_address()
        )
    session.clear()
    return redirect(url_for("desk.signin"))


# The other desk views attach themselves to the blueprint above.
from almaty_map.web import deskadmin, deskpages  # noqa: E402, F401
