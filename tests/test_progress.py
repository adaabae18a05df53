"""Long commands show how far they are on a terminal, from the real reading, and nothing of
it when piped or with --quiet."""

from __future__ import annotations

import subprocess
import sys

import pytest

from harness.serving import ROOT, START
from harness.synthetic import write_dataset
from harness.terminal import on_a_terminal


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    return write_dataset(5000, tmp_path_factory.mktemp("large") / "dataset")


@pytest.mark.parametrize("command", [["validate"], ["query", "--out", "{out}"]])
def test_reading_a_large_file_shows_its_progress_on_a_terminal(large, tmp_path, command):
    args = [a.format(out=tmp_path / "out.geojson") for a in command]
    shown = on_a_terminal(*args, "--data", str(large))
    assert "reading events.geojson" in shown
    assert "/s]" in shown  # a rate, from the bytes really read
    quiet = on_a_terminal(*args, "--data", str(large), "--quiet")
    assert "reading events.geojson" not in quiet


def test_nothing_of_it_reaches_a_pipe(large):
    piped = subprocess.run(
        [sys.executable, "-c", START, "validate", "--data", str(large)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert "valid, 5000 events" in piped.stdout
    assert "reading events.geojson" not in piped.stdout + piped.stderr
