"""`make desk`: one command starts a kept database, loads the bundled data and serves the desk;
run again, it reuses all of it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

import pytest

from harness.serving import ROOT, free_port, stop, wait_until_up

START = (sys.executable, "-m", "harness.localdesk")
pytestmark = [pytest.mark.server, pytest.mark.db]


def _start(folder: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    with log.open("w") as output:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [*START, "start", "--folder", str(folder), "--port", str(port)],
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return process, f"http://127.0.0.1:{port}"


def _sign_in_page(url: str) -> tuple[str, str]:
    """Where /desk leads someone not signed in, and that page's text."""
    with urllib.request.urlopen(url + "/desk", timeout=10) as response:
        return response.url, response.read().decode()


@pytest.fixture
def desk_folder():
    """A folder the database server's own user can reach (pytest's are private to root)."""
    parent = Path(tempfile.mkdtemp(prefix="almaty-map-desk-"))
    parent.chmod(0o755)
    yield parent / ".desk-db"
    subprocess.run(
        [*START, "stop", "--folder", str(parent / ".desk-db")],
        cwd=ROOT,
        check=False,
        capture_output=True,
    )
    shutil.rmtree(parent, ignore_errors=True)


def test_make_desk_serves_the_sign_in_page_and_reuses_its_database(desk_folder, tmp_path):
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    process, url = _start(desk_folder, first_log)
    try:
        wait_until_up(url, process, timeout=240, path="/desk", name="make desk")
        landed, page = _sign_in_page(url)
    finally:
        stop(process)
    first = first_log.read_text()
    assert "Started a new database server" in first
    assert "Loaded " in first  # the bundled dataset, the first time only
    assert "users add alice --role editor" in first
    assert 'type="password"' in page
    assert "csrf_token" in page
    assert landed.startswith(url + "/desk")
    key = (desk_folder / "secret_key").read_text()
    assert (desk_folder / "secret_key").stat().st_mode & 0o077 == 0

    process, url = _start(desk_folder, second_log)
    try:
        wait_until_up(url, process, timeout=120, path="/desk", name="make desk, again")
        _, page = _sign_in_page(url)
    finally:
        stop(process)
    second = second_log.read_text()
    assert "Using the database server" in second
    assert "Loaded " not in second
    assert 'type="password"' in page
    assert (desk_folder / "secret_key").read_text() == key
