"""`--out` of export and query (and snapshot, which writes the same way): whatever is at the
path, the result is a complete file, a device or FIFO written through and left as it was, or
a one-line error; never a replaced device node, a success that wrote nothing, a traceback or
a temporary file left behind.

Device nodes are made by the tests in their own folders (the same kinds as /dev/full and
/dev/null), so a regression can only ever replace a node a test made.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from almaty_map.cli.outfile import write_output
from harness.synthetic import write_acled_dataset

ROOT = Path(__file__).parents[1]
RUN = "import sys; from almaty_map.cli import main; main(sys.argv[1:])"
# Each command with a quick set of options, and what its output starts with.
COMMANDS = {
    "export": (["export", "--slice", "day"], b"<!DOCTYPE html>"),
    "query": (["query", "--format", "csv"], b"id,"),
}
FULL, NULL = os.makedev(1, 7), os.makedev(1, 3)


def run(command: str, out: Path | None, umask: int | None = None, stdout=subprocess.PIPE):
    args, _ = COMMANDS[command]
    code = RUN if umask is None else f"import os; os.umask({umask:#o}); {RUN}"
    more = [] if out is None else ["--out", str(out)]
    return subprocess.run(
        [sys.executable, "-c", code, *args, *more],
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=120,
        cwd=ROOT,
    )


def device(path: Path, number: int) -> Path:
    """A character device node of our own (the kernel's /dev/full or /dev/null)."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, number)
    except PermissionError:
        pytest.skip("making a device node needs root (or CAP_MKNOD)")
    return path


def one_line_error(result) -> str:
    err = result.stderr.decode()
    assert result.returncode == 1, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, err
    return lines[0]


def no_temporaries(folder: Path) -> None:
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".part")]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_fifo_is_written_through_to_its_reader(tmp_path, command):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = bytearray()

    def read() -> None:
        with fifo.open("rb") as reader:
            received.extend(reader.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    result = run(command, fifo)
    reader.join(timeout=60)
    assert result.returncode == 0, result.stderr.decode()
    assert received.startswith(COMMANDS[command][1]) and len(received) > 1000
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    no_temporaries(tmp_path)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_full_device_is_a_one_line_error_and_stays_a_device(tmp_path, command):
    full = device(tmp_path / "full", FULL)
    line = one_line_error(run(command, full))
    assert str(full) in line and "No space left on device" in line
    info = full.lstat()
    assert stat.S_ISCHR(info.st_mode) and info.st_rdev == FULL
    no_temporaries(tmp_path)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_null_device_is_written_through_and_stays_a_device(tmp_path, command):
    null = device(tmp_path / "null", NULL)
    result = run(command, null)
    assert result.returncode == 0, result.stderr.decode()
    info = null.lstat()
    assert stat.S_ISCHR(info.st_mode) and info.st_rdev == NULL
    no_temporaries(tmp_path)


@pytest.mark.parametrize("args", [["query"], ["validate"], ["validate", "--format", "json"]])
def test_standard_output_on_a_full_device_is_a_one_line_error(tmp_path, args):
    full = device(tmp_path / "full", FULL)
    with full.open("wb") as stdout:
        result = subprocess.run(
            [sys.executable, "-c", RUN, *args], stdout=stdout, stderr=subprocess.PIPE, cwd=ROOT
        )
    line = one_line_error(result)
    assert "cannot write standard output: No space left on device" in line


def test_a_reader_that_goes_away_ends_query_quietly():
    process = subprocess.Popen(
        [sys.executable, "-c", RUN, *COMMANDS["query"][0]],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    process.stdout.close()  # before the query has written anything
    _, err = process.communicate(timeout=120)
    assert process.returncode == 1
    assert b"Traceback" not in err and b"Exception ignored" not in err, err.decode()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_link_is_followed_and_kept(tmp_path, command):
    target = tmp_path / "real" / "out.txt"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "link"
    link.symlink_to(target)
    result = run(command, link)
    assert result.returncode == 0, result.stderr.decode()
    assert link.is_symlink() and link.readlink() == target
    assert target.read_bytes().startswith(COMMANDS[command][1])
    no_temporaries(tmp_path)
    no_temporaries(target.parent)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_replaced_file_keeps_its_mode(tmp_path, command):
    out = tmp_path / "embargoed"
    out.write_text("old")
    out.chmod(0o600)
    result = run(command, out)
    assert result.returncode == 0, result.stderr.decode()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_bytes().startswith(COMMANDS[command][1])
    no_temporaries(tmp_path)


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize(("umask", "mode"), [(0o077, 0o600), (0o022, 0o644), (0o002, 0o664)])
def test_a_new_file_follows_the_umask(tmp_path, command, umask, mode):
    out = tmp_path / "new"
    result = run(command, out, umask=umask)
    assert result.returncode == 0, result.stderr.decode()
    assert stat.S_IMODE(out.stat().st_mode) == mode
    no_temporaries(tmp_path)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_missing_folder_or_a_folder_is_a_one_line_error(tmp_path, command):
    line = one_line_error(run(command, tmp_path / "missing" / "out"))
    assert "does not exist" in line and "missing" in line
    line = one_line_error(run(command, tmp_path))
    assert "is a folder" in line
    assert [p.name for p in tmp_path.iterdir()] == []


INTERRUPTED = """
import sys
from pathlib import Path
from almaty_map.cli.outfile import write_output
from harness.synthetic import write_acled_dataset
write_output(b"x" * (400 * 2**20), Path(sys.argv[1]))
"""


def test_ctrl_c_during_a_write_leaves_the_old_file_and_no_temporary(tmp_path):
    """However far the write has got when Ctrl-C comes, the file is the old one or the
    whole new one, and the temporary file is gone."""
    out = tmp_path / "map.html"
    out.write_bytes(b"old map")
    child = subprocess.Popen([sys.executable, "-c", INTERRUPTED, str(out)], cwd=ROOT)
    deadline = time.monotonic() + 60
    while not any(p.name.endswith(".part") for p in tmp_path.iterdir()):
        assert child.poll() is None and time.monotonic() < deadline, "no temporary file seen"
        time.sleep(0.001)
    child.send_signal(signal.SIGINT)
    child.wait(timeout=60)
    no_temporaries(tmp_path)
    assert out.read_bytes() == b"old map" or out.stat().st_size == 400 * 2**20
    assert child.returncode != 0 or out.stat().st_size == 400 * 2**20


def test_write_output_refuses_a_socket(tmp_path):
    import socket

    path = tmp_path / "socket"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(OSError, match="give a file name"):
            write_output(b"data", path)
    assert stat.S_ISSOCK(path.lstat().st_mode)


def test_a_loop_of_links_is_a_one_line_error(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    line = one_line_error(run("query", tmp_path / "a"))
    assert "Too many levels of symbolic links" in line


@pytest.fixture(scope="module")
def large_table(tmp_path_factory) -> Path:
    """A dataset whose reading and writing take long enough to be interrupted in."""
    return write_acled_dataset(20_000, tmp_path_factory.mktemp("large") / "acled")


def _reading(pid: int, name: str) -> bool:
    """Whether the process has the file open (it is reading it)."""
    try:
        return any(
            os.readlink(f"/proc/{pid}/fd/{fd}").endswith(name)
            for fd in os.listdir(f"/proc/{pid}/fd")
        )
    except OSError:  # a descriptor closed while looking
        return False


@pytest.mark.parametrize("moment", ["reading", "writing"])
@pytest.mark.parametrize(
    "args",
    [["query", "--format", "csv"], ["export", "--slice", "day"]],
    ids=lambda a: a[0],
)
def test_ctrl_c_in_a_large_command_leaves_no_partial_file(tmp_path, large_table, args, moment):
    """A real SIGINT while the command reads the events file, or once it has started
    writing: the old file stays as it was (or the whole new one is there, if the write had
    already finished), nothing half-written or temporary is left, and no traceback."""
    out = tmp_path / "out"
    out.write_bytes(b"old")
    command = [sys.executable, "-c", RUN, *args, "--data", str(large_table), "--out", str(out)]
    child = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not (
        _reading(child.pid, "acled/events.csv")
        if moment == "reading"
        else any(p.name.endswith(".part") for p in tmp_path.iterdir())
    ):
        assert child.poll() is None and time.monotonic() < deadline, f"never {moment}"
        time.sleep(0.001)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=120)
    no_temporaries(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    finished = child.returncode == 0
    if moment == "reading" or not finished:
        assert child.returncode == 1 and "Aborted!" in err.decode(), err.decode()
        assert out.read_bytes() == b"old"
    else:  # the rename had been done when the signal came: the whole new file
        assert out.read_bytes().startswith(COMMANDS[args[0]][1])
    assert "Traceback" not in err.decode()


INTERRUPTED_READS = """
import signal, sys
from almaty_map.geodata.readers.sheets import SheetError, read_sheet

signal.signal(signal.SIGALRM, lambda *_: signal.raise_signal(signal.SIGINT))
reported = 0
for i in range(30):
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.01 + 0.01 * i)
        with open(sys.argv[1], "rb") as handle:
            read_sheet(handle, "CSV", "events.csv", None, 2**30)
        signal.setitimer(signal.ITIMER_REAL, 0)
    except KeyboardInterrupt:
        pass
    except SheetError as exc:
        reported += 1
        print(exc)
sys.exit(reported)
"""


def test_ctrl_c_while_a_csv_is_parsed_is_never_reported_as_a_broken_file(large_table):
    """pandas' parser can swallow the KeyboardInterrupt raised in one of its reads and
    report "Calling read(nbytes) on source failed": a real SIGINT at thirty moments of the
    reading must each stop it as an interrupt, never as a problem with the file."""
    child = subprocess.run(
        [sys.executable, "-c", INTERRUPTED_READS, str(large_table / "events.csv")],
        cwd=ROOT,
        capture_output=True,
        timeout=300,
    )
    assert child.returncode == 0, child.stdout.decode() + child.stderr.decode()
