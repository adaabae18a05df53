#!/bin/sh
# Make sure a Chromium is available for the browser tests: an existing one if there is one,
# else Debian's package where apt can install it, else a message saying what to install.
set -eu

for candidate in "${ALMATY_MAP_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser \
                 /usr/bin/google-chrome /usr/bin/google-chrome-stable; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then
    echo "Chromium for browser tests: $candidate"
    exit 0
  fi
done

if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "Installing Debian's chromium package for the browser tests..."
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    chromium fonts-dejavu-core fonts-liberation >/dev/null
  if [ -x /usr/bin/chromium ]; then
    echo "Chromium for browser tests: /usr/bin/chromium"
    exit 0
  fi
fi

cat >&2 <<'MSG'
No Chromium found, and it could not be installed here.
Install your system's Chromium package (Debian/Ubuntu: `apt-get install chromium`),
or set ALMATY_MAP_CHROMIUM to the path of a Chrome or Chromium binary, then run make test.
MSG
exit 1
