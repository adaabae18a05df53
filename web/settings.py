"""Settings with their defaults and a line of help each.

``create_app`` applies them in order: these defaults, then ``ALMATY_MAP_*`` environment
variables, then the mapping a caller passes (tests, the CLI's options), and checks every
number before anything is served: a wrong one is named with what was expected.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from almaty_map.geodata.bundled import BUNDLED
from almaty_map.geodata.model import MAX_EXPORT_EVENTS

PREFIX = "ALMATY_MAP_"


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str
    minimum: float | None = None


SETTINGS = (
    Setting("DATA_PATH", str(BUNDLED), "Dataset folder to serve."),
    Setting(
        "DATABASE_URL",
        "",
        "PostgreSQL/PostGIS database to serve instead of DATA_PATH (postgresql://...).",
    ),
    Setting(
        "DATABASE_READ_URL",
        "",
        "A streaming replica of DATABASE_URL to read from; new versions are still heard "
        "from DATABASE_URL.",
    ),
    Setting(
        "DATABASE_TIMEOUT",
        10.0,
        "Seconds a request may wait on the database (connecting, a pooled connection, a "
        "query) before it is answered 503.",
        1,
    ),
    Setting("MAX_FILE_MB", 512, "Largest events or places file accepted, in MiB.", 1),
    Setting("FRAME_ANCESTORS", "", "Space-separated origins allowed to embed /map in a frame."),
    Setting("RENDER_CACHE_MB", 256, "Memory for rendered maps and exports, in MiB.", 0),
    Setting("CARTO_KEY", "", "CARTO API key, to offer CARTO's light base map."),
    Setting("WATCH", False, "Reload the dataset when its files change."),
    Setting("WATCH_INTERVAL", 1.0, "Seconds between checks for changed files when watching.", 0.05),
    Setting(
        "PUBLIC_URL",
        "",
        "The site's public address (e.g. https://map.example.org) for absolute links; "
        "empty: the address the server listens on.",
    ),
    Setting(
        "PROXIES",
        0,
        "Reverse proxies in front of the server whose X-Forwarded-* headers are trusted.",
        0,
    ),
    Setting("THREADS", 8, "Worker threads answering requests (serve).", 1),
    Setting("CONNECTION_LIMIT", 1000, "Open connections accepted at once (serve).", 1),
    Setting("CHANNEL_TIMEOUT", 30, "Seconds before an idle connection is closed (serve).", 1),
    Setting("HEAVY_SLOTS", 2, "Heavy requests (large downloads, renders) handled at once.", 1),
    Setting("HEAVY_QUEUE", 2, "Heavy requests that may wait for a slot; more get 503.", 0),
    Setting("HEAVY_WAIT", 10.0, "Seconds a heavy request waits for a slot before a 503.", 0),
    Setting(
        "MAX_EXPORT_EVENTS",
        MAX_EXPORT_EVENTS,
        "Most events an export, an embedded map or a download may hold; more are refused.",
        1,
    ),
    Setting(
        "MAX_PAGE_EVENTS",
        50_000,
        "Most events the reader's page carries from a database; past it its map is drawn from "
        "vector tiles (or, for filters tiles cannot keep, from the first ones, saying so).",
        1,
    ),
    Setting(
        "DESK",
        "on",
        "The editors' desk, with a database: on (beside the public site), off (no desk "
        "routes) or only (the desk alone: the public pages answer 404).",
    ),
    Setting("DESK_PREFIX", "/desk", "The path the editors' desk is served under."),
    Setting(
        "DESK_SECURE_COOKIES",
        True,
        "Send the desk's session cookie over HTTPS only; false only for trying the desk "
        "over plain HTTP on this machine.",
    ),
    Setting("DESK_IDLE_MINUTES", 30, "Minutes without a request before a desk session ends.", 1),
    Setting(
        "DESK_SESSION_HOURS", 12, "Hours after sign-in when a desk session ends regardless.", 1
    ),
    Setting(
        "SECRET_KEY",
        "",
        "The key the desk's session cookies are signed with: long and random, the same on "
        "every server behind one address; required when the desk is on.",
    ),
)


class SettingError(ValueError):
    """A setting whose value cannot be used, named as the operator wrote it."""


def defaults() -> dict[str, object]:
    return {s.name: s.default for s in SETTINGS}


def check(config: MutableMapping[str, object]) -> None:
    """Turn each numeric setting into its type and check it; raise SettingError naming
    every wrong one (as an ALMATY_MAP_ variable) with what was expected."""
    problems = []
    for setting in SETTINGS:
        value = config[setting.name]
        try:
            config[setting.name] = _typed(setting, value)
        except ValueError as exc:
            problems.append(f"{PREFIX}{setting.name}: expected {exc}, found {value!r}")
    if not problems and config["HEAVY_SLOTS"] + config["HEAVY_QUEUE"] >= config["THREADS"]:
        problems.append(
            f"{PREFIX}HEAVY_SLOTS + {PREFIX}HEAVY_QUEUE: expected fewer than {PREFIX}THREADS "
            f"({config['THREADS']}), so that quick requests always find a thread, found "
            f"{config['HEAVY_SLOTS']} + {config['HEAVY_QUEUE']}"
        )
    if config["DATABASE_READ_URL"] and not config["DATABASE_URL"]:
        problems.append(
            f"{PREFIX}DATABASE_READ_URL: expected {PREFIX}DATABASE_URL (--db) too, the primary "
            "whose notifications announce each new version, found none"
        )
    problems.extend(_desk_problems(config))
    if problems:
        raise SettingError("; ".join(problems))


DESK_MODES = ("on", "off", "only")
MIN_SECRET = 32


def _desk_problems(config: MutableMapping[str, object]) -> list[str]:
    """The desk's settings; its key is checked only when it will sign sessions."""
    mode = config["DESK"]
    if mode not in DESK_MODES:
        return [f"{PREFIX}DESK: expected one of {', '.join(DESK_MODES)}, found {mode!r}"]
    problems = []
    prefix = str(config["DESK_PREFIX"])
    if not re.fullmatch(r"(/[A-Za-z0-9._~-]+)+", prefix):
        problems.append(
            f"{PREFIX}DESK_PREFIX: expected a path such as /desk (letters, digits, . _ ~ -, "
            f"no trailing slash), found {prefix!r}"
        )
    if mode == "only" and not config["DATABASE_URL"]:
        problems.append(
            f"{PREFIX}DESK: expected {PREFIX}DATABASE_URL (--db) with the desk alone, "
            "since the desk keeps everything in the database, found none"
        )
    if mode != "off" and config["DATABASE_URL"] and len(str(config["SECRET_KEY"])) < MIN_SECRET:
        problems.append(
            f"{PREFIX}SECRET_KEY: expected a random key of at least {MIN_SECRET} characters "
            "(the same on every server; e.g. python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))') to sign the editors' desk's sessions, found "
            f"{len(str(config['SECRET_KEY']))} characters; or set {PREFIX}DESK=off to serve "
            "without the desk"
        )
    return problems


def _typed(setting: Setting, value: object) -> object:
    kind = type(setting.default)
    if kind is bool:
        if isinstance(value, bool):
            return value
        if str(value).lower() in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
            return str(value).lower() in {"1", "true", "yes", "on"}
        raise ValueError("true or false")
    if kind in (int, float):
        expected = ("an integer" if kind is int else "a number") + _at_least(setting)
        try:
            number = kind(value)  # type: ignore[call-arg]
        except (TypeError, ValueError):
            raise ValueError(expected) from None
        if isinstance(value, float) and kind is int and value != number:
            raise ValueError(expected)
        if setting.minimum is not None and number < setting.minimum:
            raise ValueError(expected)
        return number
    if setting.name == "PUBLIC_URL" and value:
        _check_url(str(value))
    return value


def _at_least(setting: Setting) -> str:
    return "" if setting.minimum is None else f" of at least {setting.minimum:g}"


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError("an http(s) address such as https://map.example.org, without ? or #")
