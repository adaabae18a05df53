"""`almaty-map snapshot` draws a PNG of the map in the system's headless Chromium.

Run as a command in its own process, as people run it (and because Playwright's sync API
will not start inside the browser tests' running one).
"""

from __future__ import annotations

import struct
import subprocess
import sys

import pytest
from click.testing import CliRunner

from almaty_map.cli import main as cli
from harness.serving import ROOT, START

pytestmark = pytest.mark.browser
PNG = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG
    return struct.unpack(">II", data[16:24])


def snap(tmp_path, name, *args):
    out = tmp_path / name
    result = subprocess.run(
        [sys.executable, "-c", START, "snapshot", "--out", str(out), "--offline", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result, out


def test_snapshot_writes_a_png_of_the_requested_size_and_view(tmp_path):
    result, square = snap(tmp_path, "a.png", "--width", "600", "--height", "600", "--scale", "1")
    assert result.returncode == 0, result.stderr
    assert png_size(square.read_bytes()) == (600, 600)
    result, story = snap(
        tmp_path,
        "b.png",
        "--width",
        "600",
        "--height",
        "600",
        "--scale",
        "1",
        "--story",
        "--at",
        "3",
    )
    assert result.returncode == 0, result.stderr
    # The story step draws its caption panel and other events: a different picture.
    assert story.read_bytes() != square.read_bytes()
    result, sharp = snap(tmp_path, "c.png", "--width", "400", "--height", "400", "--scale", "2")
    assert png_size(sharp.read_bytes()) == (800, 800)


def test_snapshot_reports_an_unknown_event_and_writes_nothing(tmp_path):
    result, out = snap(tmp_path, "x.png", "--event", "no-such-event")
    assert result.returncode == 1
    assert "no event with id 'no-such-event'" in result.stderr
    assert not out.exists()


def test_snapshot_help_explains_itself():
    result = CliRunner().invoke(cli, ["snapshot", "--help"])
    assert result.exit_code == 0
    for words in ("PNG", "--story", "--at", "--event", "--offline", "--scale", "Chromium"):
        assert words in result.output
