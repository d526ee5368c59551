# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8501

.PHONY: run test install install-test gazetteer ingest-seeds dashboard bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip wheel setuptools

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

gazetteer: install
	$(BIN)/geo gazetteer build --if-missing

ingest-seeds: gazetteer
	$(BIN)/geo ingest seeds/

dashboard: install
	$(BIN)/geo dashboard --port $(PORT)

run: ingest-seeds
	$(BIN)/geo dashboard --port $(PORT)

test: install-test
	$(BIN)/geo gazetteer build --if-missing
	$(BIN)/python -m pytest

# Benchmarks against ../shared/bench and synthetic loads (not part of `make test`).
bench: install-test
	$(BIN)/geo gazetteer build --if-missing
	$(BIN)/python tests/bench/geoparse.py
	$(BIN)/python tests/bench/events.py
	$(BIN)/python tests/bench/ingest.py
	$(BIN)/python tests/bench/dashboard.py

clean:
	rm -rf $(VENV) dashboard/static/vendor
	find data -mindepth 1 ! -name .gitkeep -delete
