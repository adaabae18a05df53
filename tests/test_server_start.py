"""What a server spends its start on: nothing a first request could do instead."""

from __future__ import annotations

import subprocess
import sys

from harness.serving import free_port

# Counts the password hashes made while the desk's modules are imported (in a process of
# its own, so no module here is imported already).
COUNT_HASHES = """
import argon2
made = []
plain = argon2.PasswordHasher.hash
argon2.PasswordHasher.hash = lambda self, *a, **k: made.append(1) or plain(self, *a, **k)
import almaty_map.web.desk
print(len(made))
"""


def test_the_desk_makes_no_password_hash_at_start():
    """A server with a database starts with the desk on, and an argon2 hash made at
    import (for unknown names) cost it a few hundred milliseconds of its start."""
    result = subprocess.run(
        [sys.executable, "-c", COUNT_HASHES], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "0"


def test_the_app_builds_no_cql2_parser_at_start():
    """pygeofilter's text parser module builds its own parser when imported (0.25 s of
    a start); the app reads a CQL2 text filter with its own parser, built at the first."""
    imported = "import sys, almaty_map.app; print('cql2_text.parser' in ' '.join(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", imported], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_the_app_loads_no_gdal_at_start():
    """GDAL (through pyogrio) reads GeoPackage, Shapefile and KML files only; loaded with
    the readers' modules it kept about 30 MB in every server, one that reads the team
    database too (whose resident memory must stay under 300 MB)."""
    imported = "import sys, almaty_map.app; print('pyogrio' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", imported], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


# Starts `serve` on the bundled data with waitress's loop replaced by a report of what the
# garbage collector was left to walk.
FROZEN_AT_SERVE = """
import gc, sys
import waitress.server
def report(self):
    print(gc.get_freeze_count(), len(gc.get_objects()))
waitress.server.BaseWSGIServer.run = report
waitress.server.MultiSocketServer.run = report
from almaty_map.cli import main
sys.argv = ["almaty-map", "serve", "--port", sys.argv[1]]
main()
"""


def test_serve_hands_what_its_start_made_to_no_collection():
    """A full garbage collection walks every object the server holds (the app, the
    dataset's head, the libraries: 200,000 objects, 100 ms at a million events' database)
    and stops every thread meanwhile: one request in a hundred paid it. What the start
    made is frozen before the first request."""
    result = subprocess.run(
        [sys.executable, "-c", FROZEN_AT_SERVE, str(free_port())],
        capture_output=True,
        text=True,
        check=True,
    )
    frozen, tracked = (int(n) for n in result.stdout.split())
    assert frozen > 50_000
    assert tracked < frozen / 10
