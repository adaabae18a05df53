"""Files a dataset folder may hold that are not what they claim: a timezone naming a folder,
a link to an endless device, a FIFO. Each is a clean validation error, never a hang, a
traceback or memory eaten until the process is killed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from almaty_map.geodata.dataset import inspect_dataset
from tests.conftest import DATA

# A validate that misbehaves must fail the test, not hang the suite or fill the memory.
LIMITS = "import resource; resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))"


def validate_in_child(folder: Path) -> subprocess.CompletedProcess:
    code = f"{LIMITS}; from almaty_map.cli import main; main(['validate', {str(folder)!r}])"
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


def hostile(folder: Path, case: str) -> str:
    """Make ``folder`` hostile in one way; return the file the report must name."""
    toml = folder / "dataset.toml"
    if case == "timezone-folder":
        toml.write_text(toml.read_text().replace('"Asia/Almaty"', '"America"'))
        return "dataset.toml"
    if case == "toml-to-dev-zero":
        toml.unlink()
        toml.symlink_to("/dev/zero")
        return "dataset.toml"
    if case == "toml-fifo":
        toml.unlink()
        os.mkfifo(toml)
        return "dataset.toml"
    if case == "events-fifo":
        (folder / "events.geojson").unlink()
        os.mkfifo(folder / "events.geojson")
        return "events.geojson"
    if case == "events-to-dev-zero":
        (folder / "events.geojson").unlink()
        (folder / "events.geojson").symlink_to("/dev/zero")
        return "events.geojson"
    if case == "places-folder":
        (folder / "places.geojson").mkdir()
        return "places.geojson"
    raise AssertionError(case)


EXPECTED = {
    "timezone-folder": ["field 'timezone'", "'America'", "is not a known timezone"],
    "toml-to-dev-zero": ["is not a regular file", "a character device"],
    "toml-fifo": ["is not a regular file", "a FIFO"],
    "events-fifo": ["is not a regular file", "a FIFO"],
    "events-to-dev-zero": ["is not a regular file", "a character device"],
    "places-folder": ["is not a regular file", "a folder"],
}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_validate_reports_a_hostile_file_cleanly(make_dataset, case):
    folder = make_dataset()
    name = hostile(folder, case)
    result = validate_in_child(folder)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith(name)]
    assert lines, result.stdout
    for piece in EXPECTED[case]:
        assert piece in result.stdout, (piece, result.stdout)


@pytest.mark.parametrize("name", ["zone.tab", "tzdata.zi", "../etc", "Asia/", ""])
def test_timezone_names_that_are_not_zone_files_are_refused(make_dataset, name):
    toml = (DATA / "base" / "dataset.toml").read_text().replace('"Asia/Almaty"', repr(name))
    dataset, problems = inspect_dataset(make_dataset(toml=toml))
    assert dataset is None
    assert any(p.field == "timezone" and p.file == "dataset.toml" for p in problems), problems


BACKUPS = (
    "events.geojson~",
    "events.geojson.bak",
    "events.geojson.swp",
    "#events.geojson#",
    ".events.geojson.swp",
    ".~lock.events.geojson#",
    "places.geojson.orig",
)


def test_editor_backups_beside_the_events_file_are_ignored(make_dataset):
    folder = make_dataset()
    for name in BACKUPS:
        (folder / name).write_text("{ half an edit")
    result = validate_in_child(folder)
    assert result.returncode == 0, result.stdout
    assert "valid, 3 events, 0 places (read dataset.toml, events.geojson)" in result.stdout


def test_a_link_out_of_the_folder_is_refused_and_one_within_it_followed(make_dataset, tmp_path):
    """A folder of links would publish whatever the server can read."""
    folder = make_dataset()
    events = folder / "events.geojson"
    elsewhere = tmp_path / "someone-elses.geojson"
    events.rename(elsewhere)
    events.symlink_to(elsewhere)
    result = validate_in_child(folder)
    assert result.returncode == 1
    assert "events.geojson: is a link to a file outside the dataset's folder" in result.stdout
    assert str(elsewhere) not in result.stdout
    events.unlink()
    (folder / "versions").mkdir()
    elsewhere.rename(folder / "versions" / "v2.geojson")
    events.symlink_to(Path("versions") / "v2.geojson")
    assert validate_in_child(folder).returncode == 0
