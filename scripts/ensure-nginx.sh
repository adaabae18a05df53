#!/bin/sh
# nginx for the team-deployment tests (three servers behind deploy/nginx.conf; the tests
# run it from a temporary folder, as whoever runs them): Debian's package where apt can
# install it, else a message saying what to install.
set -eu
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then exit 0; fi
if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "Installing Debian's nginx package..."
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nginx >/dev/null
  if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then exit 0; fi
fi
echo "nginx is not installed: install it (Debian/Ubuntu: apt-get install nginx) and run again." >&2
exit 1
