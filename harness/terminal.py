"""Running a command as if at a terminal, to see what a person would see (progress bars are
drawn only on a terminal, so a pipe shows none of them)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

from harness.serving import ROOT, START


def on_a_terminal(*args: str, timeout: float = 120) -> str:
    """Everything ``almaty-map ARGS`` writes when its input and output are a terminal."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-c", START, *args],
        cwd=ROOT,
        stdin=follower,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal is closed once the command has exited
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=timeout)
    os.close(leader)
    return output.decode("utf-8", "replace")
