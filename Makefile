# Everything a fresh clone needs: `make run` to serve the map, `make test` to run the suite.
# Every install takes its versions from constraints.txt (`make constraints` refreshes it),
# so a new machine gets the versions the suite passed with, not whatever is newest today.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# PIP_CONSTRAINT (rather than -c) also pins the build backend in pip's isolated build.
PIP := PIP_CONSTRAINT=$(CURDIR)/constraints.txt $(BIN)/pip install --quiet

.PHONY: run desk desk-stop test test-fast lint chromium wrk postgres nginx bench bench-quick loadtest translations language \
	constraints clean

$(VENV)/.base: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) -e .
	touch $@

$(VENV)/.test: $(VENV)/.base
	$(PIP) -e '.[test]'
	touch $@

$(VENV)/.bench: $(VENV)/.test
	$(PIP) -e '.[test,bench]'
	touch $@

run: $(VENV)/.base
	$(BIN)/almaty-map serve --host $(HOST) --port $(PORT)

# The editors' desk to try on this machine: a PostgreSQL kept in .desk-db/ (made, and the
# bundled dataset loaded, the first time; reused after), then the map with the desk on at
# http://$(HOST):$(PORT)/desk. DESK_DB_PORT picks the database's port (default: a free one).
desk: $(VENV)/.base postgres
	$(BIN)/python -m harness.localdesk start --host $(HOST) --port $(PORT)$(if \
		$(DESK_DB_PORT), --db-port $(DESK_DB_PORT))

# Stops the database `make desk` left running (its data stays in .desk-db/).
desk-stop: $(VENV)/.base
	$(BIN)/python -m harness.localdesk stop

chromium:
	@sh scripts/ensure-chromium.sh

wrk:
	@sh scripts/ensure-wrk.sh

# PostgreSQL + PostGIS for the database tests (they start their own throwaway cluster).
postgres:
	@sh scripts/ensure-postgres.sh

# nginx in front of three servers for the team-deployment tests (run from a temporary folder).
nginx:
	@sh scripts/ensure-nginx.sh

lint: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The whole suite: browser, real-server, load and database tests included.
test: $(VENV)/.test chromium wrk postgres nginx lint
	$(BIN)/pytest

# The inner loop: everything but the browser, real-server, load, install and database tests.
test-fast: $(VENV)/.test
	$(BIN)/pytest -m "not browser and not server and not load and not install and not db"

# The performance table (bench/RESULTS.md), the million-event database rows included (a
# throwaway PostgreSQL cluster; `python -m bench.run --only db` runs them alone, to
# bench/DATABASE.md). bench-quick stops at 10,000 events.
bench: $(VENV)/.bench chromium wrk postgres
	$(BIN)/python -m bench.run

bench-quick: $(VENV)/.bench chromium wrk postgres
	$(BIN)/python -m bench.run --quick --out bench/work/RESULTS-quick.md

# Minutes of mixed load on the real server; figures to bench/LOADTEST.md.
loadtest: $(VENV)/.test wrk
	$(BIN)/python -m bench.loadtest

# After changing interface text: extract it, update the catalogues, translate what is new
# (language/locales/*/LC_MESSAGES/messages.po), then run this again to compile them.
LOCALES := language/locales
translations: $(VENV)/.base
	$(BIN)/pybabel extract -F babel.cfg -k plural_forms:2,3 --no-location --sort-output \
		--project almaty-map -o $(LOCALES)/messages.pot .
	$(BIN)/pybabel update -i $(LOCALES)/messages.pot -d $(LOCALES) --ignore-pot-creation-date
	$(BIN)/pybabel compile -d $(LOCALES) --statistics

# A new interface language: `make language LANG=fr` starts its catalogue (plural forms from
# CLDR); translate $(LOCALES)/fr/LC_MESSAGES/messages.po, then `make translations` compiles it
# and it can be offered (dataset.toml's languages). LANG must be given here: the one in the
# environment names the shell's locale, not a catalogue.
language: $(VENV)/.base
	@test "$(origin LANG)" = "command line" || \
		{ echo "Name the language: make language LANG=fr"; exit 2; }
	@test ! -e $(LOCALES)/$(LANG) || { echo "$(LOCALES)/$(LANG) exists already"; exit 2; }
	$(BIN)/pybabel init -i $(LOCALES)/messages.pot -d $(LOCALES) -l $(LANG)

# Refresh constraints.txt: the newest releases pyproject.toml allows, installed into a
# scratch venv and frozen. Run `make test` afterwards and commit both if it passes.
constraints:
	rm -rf .venv-constraints
	$(PYTHON) -m venv .venv-constraints
	.venv-constraints/bin/pip install --quiet --upgrade pip setuptools wheel
	.venv-constraints/bin/pip install --quiet '.[test,bench]'
	{ echo "# Versions the suite passed with; made by \`make constraints\`."; \
	  .venv-constraints/bin/pip freeze --all --exclude almaty-map --exclude pip; } > constraints.txt
	rm -rf .venv-constraints build *.egg-info

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
