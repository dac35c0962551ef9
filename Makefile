# Common Ground: `make demo` to try it, `make test` to check it. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= commonground.settings.local

.PHONY: help install demo serve worker test lint test-sqlite test-postgres test-browser lock static clean bench

help:
	@echo "make demo    install, load the real geography and a synthetic demo, serve on http://127.0.0.1:$(PORT)"
	@echo "make test    lint, then the whole test suite on SQLite and PostgreSQL, then the browser tests"
	@echo "make install the environment only (.venv, npm packages, static files)"
	@echo "make serve   serve the site (and the task worker) without reloading demo data"
	@echo "make bench   run the benchmarks in bench/ (slow; writes figures to print, see docs/benchmarks.md)"
	@echo "make lock    regenerate requirements/*.lock from requirements/*.in"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements/dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --no-deps -r requirements/dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

commonground/static/build/main.css: node_modules/.installed scripts/build_static.sh $(wildcard commonground/static_src/scss/*.scss)
	bash scripts/build_static.sh

static: commonground/static/build/main.css

install: $(VENV)/.installed static

demo: install
	$(BIN)/commonground migrate --noinput
	$(BIN)/commonground load_places
	$(BIN)/commonground load_demo
	@echo
	@echo "Common Ground is starting on http://127.0.0.1:$(PORT)/ (Ctrl+C stops it)."
	PORT=$(PORT) bash scripts/serve.sh

serve: install
	$(BIN)/commonground migrate --noinput
	PORT=$(PORT) bash scripts/serve.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=commonground.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

# Two processes (pytest-xdist) for the two cores; tests that share a built demo stay on one.
# The browser tests start one demo site per process.
PARALLEL ?= -n 2 --dist loadgroup

test-sqlite: install
	DJANGO_SETTINGS_MODULE=commonground.settings.test $(BIN)/pytest -m "not browser" -q $(PARALLEL)

test-postgres: install
	bash scripts/with_postgres.sh $(BIN)/pytest -m "not browser" -q $(PARALLEL)

test-browser: install
	bash scripts/ensure_chromium.sh
	DJANGO_SETTINGS_MODULE=commonground.settings.test $(BIN)/pytest -m browser -q -p no:randomly $(PARALLEL)

test: lint test-sqlite test-postgres test-browser

bench: install
	$(BIN)/python bench/run_all.py

lock:
	bash scripts/lock.sh

clean:
	rm -rf $(VENV) node_modules commonground/static/build commonground/static/vendor staticfiles
