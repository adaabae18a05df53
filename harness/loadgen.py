"""Driving `almaty-map serve` with wrk and reading back what happened, per status.

wrk's own summary lumps every non-2xx answer together, which cannot tell a correct 400 for a
malformed request from a failure. The Lua script here counts, per wrk thread, what it sent
(well-formed or malformed) and every status it got, and prints them as JSON at the end
with the latency percentiles. Used by the load tests and by `make loadtest`.
"""

from __future__ import annotations

import json
import random
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

MARKER = "LOADGEN "
LUA = r"""
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  sent_ok, sent_bad, s2xx, s400, s4xx, s503, s5xx, other = 0, 0, 0, 0, 0, 0, 0, 0
  counter = math.random(#paths)
end

function delay()
  if waiting then
    waiting = false
    return backoff_ms
  end
  return 0
end

function request()
  counter = counter + 1
  local entry = paths[(counter % #paths) + 1]
  if entry[2] then sent_bad = sent_bad + 1 else sent_ok = sent_ok + 1 end
  return wrk.format("GET", entry[1], headers)
end

function response(status, headers, body)
  if status >= 200 and status < 300 then s2xx = s2xx + 1
  elseif status == 400 then s400 = s400 + 1
  elseif status == 503 then
    s503 = s503 + 1
    waiting = backoff_ms > 0
  elseif status >= 500 then s5xx = s5xx + 1
  elseif status >= 400 then s4xx = s4xx + 1
  else other = other + 1 end
end

function done(summary, latency, requests)
  local totals = {sent_ok = 0, sent_bad = 0, s2xx = 0, s400 = 0, s4xx = 0, s503 = 0, s5xx = 0,
    other = 0}
  for _, thread in ipairs(threads) do
    for key, _ in pairs(totals) do totals[key] = totals[key] + thread:get(key) end
  end
  local e = summary.errors
  io.write(string.format(
    'LOADGEN {"requests": %d, "seconds": %f, "p50_ms": %f, "p95_ms": %f, "p99_ms": %f, '
    .. '"max_ms": %f, "connect": %d, "read": %d, "write": %d, "timeout": %d, "sent_ok": %d, '
    .. '"sent_bad": %d, "s2xx": %d, "s400": %d, "s4xx": %d, "s503": %d, "s5xx": %d, '
    .. '"other": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(95) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3, e.connect,
    e.read, e.write, e.timeout, totals.sent_ok, totals.sent_bad, totals.s2xx, totals.s400,
    totals.s4xx, totals.s503, totals.s5xx, totals.other))
end
"""


@dataclass(frozen=True)
class Load:
    """What one wrk run saw. Requests still in flight when it stopped were sent but not
    answered (wrk also builds one request per thread it never sends), so sent counts can
    exceed answered ones by at most the connection count plus the thread count."""

    connections: int
    threads: int
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    connect: int
    read: int
    write: int
    timeout: int
    sent_ok: int
    sent_bad: int
    s2xx: int
    s400: int
    s4xx: int
    s503: int
    s5xx: int
    other: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def socket_errors(self) -> int:
        return self.connect + self.read + self.write + self.timeout

    def failures(self, busy_ok: bool = False) -> list[str]:
        """Everything that should not have happened, in words (empty when all was well).
        ``busy_ok``: a 503 (heavy work turned away, with Retry-After) is a right answer."""
        found = []
        if not self.requests:
            found.append(f"no request was answered in {self.seconds:.0f} s")
        if self.socket_errors:
            found.append(
                f"socket errors: connect {self.connect}, read {self.read}, "
                f"write {self.write}, timeout {self.timeout}"
            )
        busy = 0 if busy_ok else self.s503
        if self.s5xx or busy or self.s4xx or self.other:
            found.append(
                f"unexpected answers: {self.s5xx + busy} 5xx, {self.s4xx} 4xx, {self.other} other"
            )
        found.extend(self._unanswered(busy_ok))
        statuses = self.s2xx + self.s400 + self.s4xx + self.s503 + self.s5xx + self.other
        if self.requests != statuses:
            found.append("wrk's request count does not match the statuses counted")
        return found

    def _unanswered(self, busy_ok: bool) -> list[str]:
        """Requests sent but not answered as they should be (up to one in flight per
        connection and thread may be cut off at the end). A 503 is the server's answer
        before it reads the request, so with ``busy_ok`` it may answer either kind."""
        slack = self.connections + self.threads
        if busy_ok:
            sent = self.sent_ok + self.sent_bad
            answered = self.s2xx + self.s400 + self.s503
            wrong = self.s400 > self.sent_bad or self.s2xx > self.sent_ok
            if wrong or not 0 <= sent - answered <= slack:
                return [
                    f"{self.sent_ok} good and {self.sent_bad} malformed requests sent but "
                    f"{self.s2xx} answered 2xx, {self.s400} 400 and {self.s503} 503"
                ]
            return []
        found = []
        if not 0 <= self.sent_bad - self.s400 <= slack:
            found.append(f"{self.sent_bad} malformed requests sent but {self.s400} answered 400")
        if not 0 <= self.sent_ok - self.s2xx <= slack:
            found.append(f"{self.sent_ok} good requests sent but {self.s2xx} answered 2xx")
        return found


def request_mix(seed: int = 2022, items: int = 60) -> list[tuple[str, bool]]:
    """(path, malformed) pairs over the bundled dataset: item queries mixing dates, boxes,
    categories and text in three formats, single features, map pages, the reader's page,
    downloads, and malformed requests that must each get 400."""
    rng = random.Random(seed)
    categories = ["protest", "unrest", "lethal-force", "security", "custody", "memory"]
    paths: list[tuple[str, bool]] = []
    for _ in range(items):
        params: list[tuple[str, str]] = []
        if rng.random() < 0.6:
            day = rng.randrange(2, 12)
            params.append(("datetime", f"2022-01-{day:02d}/2022-01-{day + rng.randrange(3):02d}"))
        if rng.random() < 0.4:
            x, y = rng.uniform(76.85, 76.95), rng.uniform(43.2, 43.26)
            params.append(("bbox", f"{x:.3f},{y:.3f},{x + 0.08:.3f},{y + 0.05:.3f}"))
        if rng.random() < 0.4:
            params += [("category", c) for c in rng.sample(categories, rng.randrange(1, 3))]
        if rng.random() < 0.2:
            params.append(("q", rng.choice(["hospital", "square", "airport", "mural"])))
        params.append(("limit", str(rng.choice([10, 100, 1000]))))
        fmt = rng.choices(["json", "csv", "html"], [6, 1, 1])[0]
        if fmt != "json":
            params.append(("f", fmt))
        paths.append(("/ogc/collections/events/items?" + urlencode(params), False))
    paths += [
        ("/ogc/collections/events/items/2022-01-06-csto-arrives", False),
        ("/ogc/collections/places/items", False),
        ("/ogc/collections/events", False),
        ("/map", False),
        ("/map?slice=day", False),
        ("/map?category=lethal-force&slice=week", False),
        ("/?start=2022-01-05&end=2022-01-07", False),
        ("/?lang=ru", False),
        ("/download.csv?category=custody", False),
        ("/download.geojson", False),
        ("/export?slice=day", False),
    ]
    malformed = [
        "/ogc/collections/events/items?limit=-1",
        "/ogc/collections/events/items?limit=99999999999999999999",
        "/ogc/collections/events/items?offset=-5",
        "/ogc/collections/events/items?bbox=76.8,43.2,77.0",
        "/ogc/collections/events/items?datetime=2022-01-09/2022-01-02",
        "/ogc/collections/events/items?datetime=%3Cscript%3E",
        "/ogc/collections/events/items?colour=red",
        "/ogc/collections/events/items?f=xml",
        "/ogc/collections/events/items?q=" + "x" * 3000,
        "/map?start=yesterday",
        "/?bbox=1,2,3&q=%3Cimg%20src%3Dx%3E",
        "/download.csv?category=riot",
    ]
    paths += [(path, True) for path in malformed]
    rng.shuffle(paths)
    return paths


def run_wrk(
    base: str,
    paths: list[tuple[str, bool]],
    seconds: float,
    connections: int = 16,
    threads: int = 2,
    timeout_s: int = 10,
    headers: dict[str, str] | None = None,
    backoff_ms: int = 0,
) -> Load:
    """Run wrk against ``base`` for ``seconds`` with the given request mix (each request
    with ``headers``, e.g. Accept-Encoding as a browser sends it). After a 503, a wrk
    thread waits ``backoff_ms`` before its next request (0: none, as a hostile client)."""
    script = (
        f"paths = {_lua_table(paths)}\nheaders = {_lua_headers(headers or {})}\n"
        f"backoff_ms = {int(backoff_ms)}\nwaiting = false\n{LUA}"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        out = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                f"--timeout={timeout_s}s",
                "-s",
                handle.name,
                base,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        Path(handle.name).unlink()
    line = next(line for line in out.splitlines() if line.startswith(MARKER))
    return Load(connections, threads, **json.loads(line[len(MARKER) :]))


def _lua_table(paths: list[tuple[str, bool]]) -> str:
    rows = (f"{{{json.dumps(path)}, {'true' if bad else 'false'}}}" for path, bad in paths)
    return "{" + ",\n".join(rows) + "}"


def _lua_headers(headers: dict[str, str]) -> str:
    rows = (f"[{json.dumps(name)}] = {json.dumps(value)}" for name, value in headers.items())
    return "{" + ", ".join(rows) + "}"
