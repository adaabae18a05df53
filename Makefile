# Everything a fresh clone needs: `make run` to serve the map, `make test` to run the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint chromium clean

$(VENV)/.base: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test: $(VENV)/.base
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.base
	$(BIN)/almaty-map serve --host 127.0.0.1 --port 5000

chromium:
	@sh scripts/ensure-chromium.sh

lint: $(VENV)/.test
	$(BIN)/ruff check .

test: $(VENV)/.test chromium lint
	$(BIN)/pytest

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
