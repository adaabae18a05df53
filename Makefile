# Everything a fresh clone needs: `make run` to serve the map, `make test` to run the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint chromium wrk bench bench-quick loadtest translations clean

$(VENV)/.base: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test: $(VENV)/.base
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.bench: $(VENV)/.test
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

run: $(VENV)/.base
	$(BIN)/almaty-map serve --host 127.0.0.1 --port 5000

chromium:
	@sh scripts/ensure-chromium.sh

wrk:
	@sh scripts/ensure-wrk.sh

lint: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(VENV)/.test chromium wrk lint
	$(BIN)/pytest

# The performance table (about 10 minutes; bench/RESULTS.md). bench-quick stops at 10,000.
bench: $(VENV)/.bench chromium wrk
	$(BIN)/python -m bench.run

bench-quick: $(VENV)/.bench chromium wrk
	$(BIN)/python -m bench.run --quick --out bench/work/RESULTS-quick.md

# Minutes of mixed load on the real server; figures to bench/LOADTEST.md.
loadtest: $(VENV)/.test wrk
	$(BIN)/python -m bench.loadtest

# After changing interface text: extract it, update the catalogues, translate what is new
# (maprender/locales/*/LC_MESSAGES/messages.po), then run this again to compile them.
LOCALES := maprender/locales
translations: $(VENV)/.base
	$(BIN)/pybabel extract -F babel.cfg -k plural_forms:2,3 --no-location --sort-output \
		--project almaty-map -o $(LOCALES)/messages.pot .
	$(BIN)/pybabel update -i $(LOCALES)/messages.pot -d $(LOCALES) --ignore-pot-creation-date
	$(BIN)/pybabel compile -d $(LOCALES) --statistics

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
