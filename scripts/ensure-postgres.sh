#!/bin/sh
# Make sure PostgreSQL with PostGIS is installed for the database tests: the tests start
# their own throwaway cluster (nothing to configure), but need the server's programs and the
# PostGIS and pg_trgm extensions. Debian's packages where apt can install them, else a
# message saying what to install.
set -eu

has_postgres() {
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 &&
    ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1
}

if has_postgres; then
  echo "PostgreSQL for database tests: $(ls -d /usr/lib/postgresql/*/bin | tail -n 1)"
  exit 0
fi

if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "Installing Debian's postgresql and postgresql-15-postgis-3 for the database tests..."
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    postgresql postgresql-15-postgis-3 >/dev/null
  if has_postgres; then
    echo "PostgreSQL for database tests: $(ls -d /usr/lib/postgresql/*/bin | tail -n 1)"
    exit 0
  fi
fi

cat >&2 <<'MSG'
No PostgreSQL with PostGIS found, and it could not be installed here.
Install your system's packages (Debian: `apt-get install postgresql postgresql-15-postgis-3`),
then run make test.
MSG
exit 1
