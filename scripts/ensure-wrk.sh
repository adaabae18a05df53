#!/bin/sh
# The HTTP load generator the benchmark and load test use: Debian's wrk where apt can
# install it, else a message saying what to install.
set -eu
if command -v wrk >/dev/null 2>&1; then exit 0; fi
if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "Installing Debian's wrk package..."
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends wrk >/dev/null
  command -v wrk >/dev/null 2>&1 && exit 0
fi
echo "wrk is not installed: install it (Debian/Ubuntu: apt-get install wrk) and run again." >&2
exit 1
