"""Starting `almaty-map serve` in a child process for tests that need a real server."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parents[1]
START = "import sys; from almaty_map.cli import main; sys.exit(main())"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(
    url: str,
    process: subprocess.Popen,
    timeout: float = 60,
    path: str = "/ogc/conformance",
    name: str = "the server",
) -> None:
    """Poll ``url + path`` until it answers 200; fail at once if ``process`` has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url + path, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{name} at {url} did not answer within {timeout} s")


def stop(process: subprocess.Popen) -> None:
    """Terminate, and kill what does not exit within 10 s, so no test leaves a child behind."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def server_environment(extra: dict | None = None) -> dict[str, str]:
    """This process's environment for a server, plus ``extra``, with a key for the desk's
    sessions of its own unless one is set (a server with a database needs one to start)."""
    env = {**os.environ, **(extra or {})}
    env.setdefault("ALMATY_MAP_SECRET_KEY", secrets.token_urlsafe(48))
    return env


@dataclass(frozen=True)
class Server:
    url: str
    pid: int


@contextlib.contextmanager
def running(*args: str, env: dict | None = None, log: Path | None = None, timeout: float = 60):
    """Yield a Server for `almaty-map serve` in a child process; ``args`` go to serve."""
    port = free_port()
    output = log.open("w") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        [sys.executable, "-c", START, "serve", "--port", str(port), *args],
        cwd=ROOT,
        env=server_environment(env),
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process, timeout)
        yield Server(url, process.pid)
    finally:
        stop(process)
        if log:
            output.close()


@contextlib.contextmanager
def serve(*args: str, env: dict | None = None, log: Path | None = None):
    """Yield the base URL of a served app; ``args`` go to `almaty-map serve`."""
    with running(*args, env=env, log=log) as server:
        yield server.url
