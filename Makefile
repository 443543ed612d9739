# Amity: `make run` installs, prepares the database and serves; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1:8000
PYTEST_ARGS ?=

.PHONY: help install run prepare serve test lint check lock messages clean

help:
	@echo "make run      install, migrate, load reference data and demo users, serve on http://$(HOST) with a task worker"
	@echo "make test     run the test suite (SQLite, or PostgreSQL with DATABASE_URL=postgres://...)"
	@echo "make lint     ruff, the apps' layers (import-linter), mypy, Django system checks, missing migrations"
	@echo "make lock     re-lock dependencies after editing pyproject.toml (needs uv)"
	@echo "make messages extract and compile translations (needs GNU gettext)"

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Amity needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	touch $@

install: $(VENV)/.installed

prepare: install
	$(MANAGE) migrate --no-input
	$(MANAGE) load_reference
	$(MANAGE) load_demo

# The task worker (imports, re-valuation) runs beside the web server and stops with it.
serve: install
	$(MANAGE) db_worker --interval 1 --no-reload & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver $(HOST)

run: prepare serve

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy amity config
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) check
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run

lock:
	uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

messages: install
	cd amity && ../$(BIN)/python ../manage.py makemessages --locale vi --locale en --locale ar --no-obsolete --ignore 'static/vendor/*'
	cd amity && ../$(BIN)/python ../manage.py compilemessages

clean:
	rm -rf $(VENV) var/static
