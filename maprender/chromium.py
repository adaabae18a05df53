"""Finding and starting the system's Chromium for headless rendering and browser tests.

Playwright drives it through ``executable_path``; Playwright's own browser download is never
used (it needs the internet, and a system package is easier to keep patched).
"""

from __future__ import annotations

import os
import shutil

CANDIDATES = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
)
ARGS = (
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
)


class ChromiumNotFoundError(RuntimeError):
    """No Chromium or Chrome binary was found; the message says what to install."""


def find_chromium() -> str:
    """ALMATY_MAP_CHROMIUM if set, else the usual system locations, else the PATH."""
    configured = os.environ.get("ALMATY_MAP_CHROMIUM")
    if configured:
        if os.access(configured, os.X_OK):
            return configured
        raise ChromiumNotFoundError(f"ALMATY_MAP_CHROMIUM={configured} is not executable")
    for path in CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise ChromiumNotFoundError(
        "No Chromium found. Install your system's chromium package (Debian/Ubuntu: "
        "apt-get install chromium; `make test` does this where it can), or set "
        "ALMATY_MAP_CHROMIUM to a Chrome or Chromium binary."
    )


def launch_args() -> list[str]:
    """Chromium refuses to run as root with its sandbox on, as in containers and CI."""
    args = list(ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")
    return args


def launch(playwright, args: list[str] | None = None, **options):
    """A headless Chromium browser from a Playwright instance (``args`` are added to ours)."""
    return playwright.chromium.launch(
        executable_path=find_chromium(),
        args=launch_args() + list(args or ()),
        headless=True,
        **options,
    )
