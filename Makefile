# Amity: `make run` installs, prepares the database and serves, as an office runs it (debug off); `make dev` is
# the same for developers (Django's debug pages, reloading on code changes); `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1:8000
PYTEST_ARGS ?=
# The settings `make run` serves with (config/settings/office.py: debug off, static files collected); `make dev`
# uses config.settings.dev.
SETTINGS ?= config.settings.office
RUN = DJANGO_SETTINGS_MODULE=$(SETTINGS) $(MANAGE)
# `make lint` checks the production settings as deployed (`check --deploy`), with placeholder values: it reads the
# settings only, never a database or cache.
DEPLOY_CHECK_ENV = DJANGO_SETTINGS_MODULE=config.settings.production \
	DJANGO_SECRET_KEY=placeholder-for-the-deploy-check-only-0123456789-abcdefghijklmnopqrstuvwxyz \
	DJANGO_ALLOWED_HOSTS=amity.example.gov.vn DJANGO_CSRF_TRUSTED_ORIGINS=https://amity.example.gov.vn \
	DATABASE_URL=postgres://amity@127.0.0.1:5432/amity REDIS_URL=redis://127.0.0.1:6379/0
# Web server processes and threads of `make run` (gunicorn; SQLite in WAL mode takes several processes).
WORKERS ?= 2
THREADS ?= 4

.PHONY: help install run dev prepare serve serve-dev test lint check lock messages clean

help:
	@echo "make run      install, migrate, load reference data and demo users, collect static files, serve on"
	@echo "              http://$(HOST) with debug off (Amity's own error pages) and a task worker"
	@echo "make dev      the same for developers: Django's development server with debug pages and reloading"
	@echo "make test     run the test suite (SQLite, or PostgreSQL with DATABASE_URL=postgres://...)"
	@echo "make lint     ruff, the apps' layers (import-linter), mypy, Django system checks, missing migrations,"
	@echo "              check --deploy with the production settings"
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
	$(RUN) migrate --no-input
	$(RUN) load_reference
	$(RUN) load_demo
	$(RUN) collectstatic --no-input --verbosity 0

# The task worker (imports, re-valuation) runs beside the web server and stops with it.
serve: install
	$(RUN) db_worker --interval 1 --no-reload & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_SETTINGS_MODULE=$(SETTINGS) $(BIN)/gunicorn config.wsgi --bind $(HOST) --workers $(WORKERS) \
	  --threads $(THREADS) --timeout 300

serve-dev: install
	$(RUN) db_worker --interval 1 --no-reload & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(RUN) runserver $(HOST)

run: prepare serve

dev: SETTINGS = config.settings.dev
dev: prepare serve-dev

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy amity config
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) check
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run
	$(DEPLOY_CHECK_ENV) $(MANAGE) check --deploy --fail-level WARNING

lock:
	uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

messages: install
	cd amity && ../$(BIN)/python ../manage.py makemessages --locale vi --locale en --locale ar --no-obsolete --ignore 'static/vendor/*'
	cd amity && ../$(BIN)/python ../manage.py compilemessages

clean:
	rm -rf $(VENV) var/static
