"""What a server spends its start on: nothing a first request could do instead."""

from __future__ import annotations

import subprocess
import sys

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
