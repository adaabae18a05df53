"""Starting the servers as a newcomer does: `make run`, `serve` on a busy port, `run`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from harness.serving import ROOT, START, free_port

pytestmark = pytest.mark.server


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except OSError:
        return 0


def wait_for(check, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)


def test_make_run_takes_host_and_port():
    port = free_port()
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"PORT={port}", "HOST=127.0.0.1"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        assert wait_for(lambda: status(f"http://127.0.0.1:{port}/") == 200)
    finally:
        stop(process)


def test_a_busy_port_is_one_line_naming_it():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        for command in ("serve", "run"):
            result = subprocess.run(
                [sys.executable, "-c", START, command, "--port", str(port)],
                capture_output=True,
                text=True,
                timeout=60,
                cwd=ROOT,
            )
            assert result.returncode == 1, command
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1, (command, result.stderr)
            assert f"127.0.0.1:{port} is already in use" in lines[0]
            assert "--port" in lines[0] and "PORT=" in lines[0]
            assert "Serving" not in result.stderr + result.stdout


def test_run_restarts_when_a_watched_file_changes(tmp_path: Path):
    watched = tmp_path / "notes.txt"
    watched.write_text("one")
    port = free_port()
    log = tmp_path / "run.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                START,
                "run",
                "--port",
                str(port),
                "--extra-files",
                str(watched),
            ],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/ogc/conformance"
    try:
        assert wait_for(lambda: status(url) == 200)
        time.sleep(1.5)  # the reloader compares modification times
        watched.write_text("two")
        assert wait_for(lambda: "Detected change" in log.read_text(), 30), log.read_text()
        assert wait_for(lambda: status(url) == 200)
    finally:
        stop(process)
