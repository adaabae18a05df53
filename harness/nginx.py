"""nginx in front of `almaty-map serve` processes, run from the repository's own
deploy/nginx.conf.

The file is the one the README tells administrators to install; here its upstream ports and
listening address are replaced (each must be found exactly once, so the test fails if the
file drifts from what this expects) and it is included in a main configuration of its own,
whose pid file, logs and temporary folders live in a temporary folder: no root-owned path
is touched, and nothing outlives the block.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.serving import ROOT, free_port, stop, wait_until_up

TEMPLATE = ROOT / "deploy" / "nginx.conf"
TEMPLATE_PORTS = (5001, 5002, 5003)
TEMPLATE_LISTEN = "listen 80;"
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
MAIN = """worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
    access_log {folder}/access.log;
{temp}
    include {folder}/almaty-map.conf;
}}
"""


def _once(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise ValueError(f"{TEMPLATE} should name {old!r} once, found {text.count(old)}")
    return text.replace(old, new)


def render(folder: Path, ports: Sequence[int], listen: int) -> Path:
    """The main configuration in ``folder`` (with the site file beside it); returns its path.
    As root, the workers run as ``nobody``, who owns the temporary folders they write."""
    site = TEMPLATE.read_text()
    for template_port, port in zip(TEMPLATE_PORTS, ports, strict=True):
        site = _once(site, f"server 127.0.0.1:{template_port} ", f"server 127.0.0.1:{port} ")
    site = _once(site, TEMPLATE_LISTEN, f"listen 127.0.0.1:{listen};")
    (folder / "almaty-map.conf").write_text(site)
    worker = _worker()
    temp = []
    for name in TEMP_PATHS:
        path = folder / "temp" / name
        path.mkdir(parents=True)
        if worker:
            shutil.chown(path, *worker)
        temp.append(f"    {name}_temp_path {path};")
    user = f"user {worker[0]} {worker[1]};" if worker else ""
    main = MAIN.format(folder=folder, user=user, temp="\n".join(temp))
    (folder / "nginx.conf").write_text(main)
    return folder / "nginx.conf"


def _program() -> str:
    """nginx from the PATH, or where Debian puts it (/usr/sbin is not on every user's PATH)."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if found is None:
        raise RuntimeError("nginx is not installed: `make nginx` (Debian: apt-get install nginx)")
    return found


def _worker() -> tuple[str, str] | None:
    """The user and group nginx's workers run as when started as root (who owns nothing
    they should write), else None (they run as whoever started nginx)."""
    if os.geteuid() != 0:
        return None
    return "nobody", grp.getgrgid(pwd.getpwnam("nobody").pw_gid).gr_name


@dataclass(frozen=True)
class Proxy:
    url: str
    process: subprocess.Popen

    def reload(self) -> None:
        """What `systemctl reload nginx` does: new workers take over, old ones finish the
        requests they hold."""
        self.process.send_signal(signal.SIGHUP)


@contextlib.contextmanager
def nginx(ports: Sequence[int], timeout: float = 20) -> Iterator[Proxy]:
    """nginx proxying to the servers on ``ports``."""
    folder = Path(tempfile.mkdtemp(prefix="almaty-map-nginx-"))
    folder.chmod(0o755)  # the workers (nobody, as root) reach their temporary folders
    listen = free_port()
    url = f"http://127.0.0.1:{listen}"
    process = None
    try:
        conf = render(folder, ports, listen)
        command = [_program(), "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
        if checked.returncode:
            raise RuntimeError(f"nginx refuses {conf}:\n{checked.stderr}")
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_until_up(url, process, timeout, path="/readyz", name="nginx")
        yield Proxy(url, process)
    finally:
        if process is not None:
            stop(process)  # nginx's fast shutdown: the workers go with the master
        shutil.rmtree(folder, ignore_errors=True)
