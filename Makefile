# OpenBOSS — two commands on a fresh machine:
#   make demo   install everything, migrate a SQLite database under var/, load the demo operator, serve
#   make test   install everything, then lint, types, import rules and the tests (SQLite + PostgreSQL)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
ASSETS := src/openboss/web/assets
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: help install assets catalogs system-deps demo api worker test lint format typecheck imports pytest bench clean

help:
	@echo "make demo       run OpenBOSS with SQLite and the demo operator on http://$(HOST):$(PORT)"
	@echo "make test       lint, types, import rules, tests on SQLite and PostgreSQL"
	@echo "make bench      benchmarks under bench/ (results in bench/results/)"
	@echo "make lint | format | typecheck | imports | pytest | clean"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11 or newer is required (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Python packages: reinstalled when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@

# Console assets: npm packages and the bundle (never committed, never from a CDN).
$(VENV)/.assets: $(ASSETS)/package.json $(ASSETS)/package-lock.json $(ASSETS)/build.mjs $(shell find $(ASSETS)/src -type f 2>/dev/null) | $(VENV)/.installed
	cd $(ASSETS) && npm ci --no-audit --no-fund --loglevel=error && npm run build
	@touch $@

assets: $(VENV)/.assets

catalogs: $(VENV)/.installed
	$(BIN)/python -c "from openboss.web.i18n import compile_catalogs; compile_catalogs()"

install: $(VENV)/.installed assets catalogs

# System packages the browser tests and PDF rendering need (Debian; we run as root on CI).
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "WenQuanYi"; then \
	  echo "Installing Debian packages: chromium fonts-wqy-microhei"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	fi
	@if ! command -v freeradius >/dev/null 2>&1 || ! command -v radclient >/dev/null 2>&1; then \
	  echo "Installing Debian packages: freeradius freeradius-utils freeradius-postgresql"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq freeradius freeradius-utils freeradius-postgresql >/dev/null; \
	fi

demo: install
	$(BIN)/openboss demo --host $(HOST) --port $(PORT)

api: install
	$(BIN)/openboss api --host $(HOST) --port $(PORT)

worker: install
	$(BIN)/openboss worker

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: $(VENV)/.installed
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

typecheck: $(VENV)/.installed
	$(BIN)/mypy

imports: $(VENV)/.installed
	$(BIN)/lint-imports

pytest: install system-deps
	$(BIN)/pytest $(PYTEST_ARGS)

test: install system-deps lint typecheck imports
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/api_kit.py
	$(BIN)/python bench/events_worker.py
	$(BIN)/python bench/party_search.py
	$(BIN)/python bench/dispatch.py
	$(BIN)/python bench/resource.py
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/orders.py

clean:
	rm -rf $(VENV) var build src/openboss/web/static/dist $(ASSETS)/node_modules .mypy_cache .ruff_cache .pytest_cache
