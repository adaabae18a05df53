"""A team deployment for the tests: three `almaty-map serve` processes and nginx in front.

The same shape as the README's "Team deployment": every process serves the same database
(``--db``, optionally ``--db-read``), nginx balances them with deploy/nginx.conf.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from harness.nginx import Proxy, nginx
from harness.serving import Server, running, server_environment

REPLICAS = 3


@dataclass(frozen=True)
class Team:
    proxy: Proxy  # nginx, what readers use
    servers: tuple[Server, ...]

    @property
    def url(self) -> str:
        return self.proxy.url

    def kill(self, index: int) -> None:
        """SIGKILL one process: no goodbye, connections dropped mid-answer."""
        os.kill(self.servers[index].pid, signal.SIGKILL)


@contextlib.contextmanager
def team(*args: str, logs: Path | None = None, env: dict | None = None) -> Iterator[Team]:
    """Three servers (``args`` go to each `almaty-map serve`) behind nginx; each server's
    output goes to ``logs``/serve-N.log when ``logs`` is given. They share one key for
    the desk's sessions, as the README's replicas must."""
    env = server_environment(env)
    with contextlib.ExitStack() as stack:
        servers = tuple(
            stack.enter_context(
                running(*args, env=env, log=logs / f"serve-{n}.log" if logs else None)
            )
            for n in range(REPLICAS)
        )
        ports = [int(server.url.rsplit(":", 1)[1]) for server in servers]
        yield Team(stack.enter_context(nginx(ports)), servers)
