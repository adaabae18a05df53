#!/bin/sh
# The proof that `make run` works from nothing: a throwaway clone of HEAD, a new venv, and
# the bundled map served on a free port. Prints how long it took; exits 1 if it never served.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pid=""
# The server's whole process group (make and what it started). No "--": dash's kill takes
# it for a process id and kills nothing, which left every run's server serving.
# It must be gone within 10 s: a server left behind serves on after CI, unseen.
cleanup() {
  if [ -n "$pid" ]; then
    kill -TERM "-$pid" 2>/dev/null || true
    tries=0
    while kill -0 "-$pid" 2>/dev/null; do
      tries=$((tries + 1))
      if [ "$tries" -gt 100 ]; then
        echo "the server of make run (process group $pid) did not stop on SIGTERM" >&2
        rm -rf "$work"
        exit 1
      fi
      sleep 0.1
    done
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
git clone -q "$repo" "$work/clone"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
started=$(date +%s)
setsid make -C "$work/clone" --no-print-directory run PORT="$port" >"$work/run.log" 2>&1 &
pid=$!
url="http://127.0.0.1:$port/"
if python3 - "$url" <<'PY'
import sys, time, urllib.request
deadline = time.monotonic() + 900
while time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(sys.argv[1], timeout=5) as response:
            if response.status == 200 and b"almaty" in response.read().lower():
                sys.exit(0)
    except OSError:
        time.sleep(1)
sys.exit(1)
PY
then
  echo "make run from a fresh clone served $url after $(( $(date +%s) - started )) s"
else
  echo "make run from a fresh clone did not serve $url; its output:" >&2
  cat "$work/run.log" >&2
  exit 1
fi
