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

bench: install-test
	$(BIN)/python tests/bench/run_all.py

clean:
	rm -rf $(VENV) data/*.sqlite* data/gazetteer* dashboard/static/vendor
