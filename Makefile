# Every target installs what it needs: a fresh machine needs only `make run` or `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Debian packages: msgfmt for translations, pango for PDF letters and HarfBuzz's subsetter (without
# it WeasyPrint subsets fonts in pure Python: seconds per Chinese letter), chromium for browser tests,
# CJK fonts so Chinese renders in the browser and in letters: Noto CJK for the common characters,
# HanaMin for the rare ones of CJK Extension B and beyond (names such as 𠀀 or 𪚥), and colour emoji.
# poppler-utils (pdftoppm) lets the letter tests look at a rendered page.
APT_RUN := gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-hanazono fonts-noto-color-emoji
APT_TEST := $(APT_RUN) chromium poppler-utils

.PHONY: help run test test-fast test-embedded lint format bench migrate demo messages system-deps system-deps-test check-deploy docs bench-live bench-letters clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(STAMP)

define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

system-deps: ## Install the Debian packages the app needs (gettext, pango, CJK fonts)
	$(call apt_install,$(APT_RUN))

system-deps-test: ## Install the Debian packages the tests need (adds chromium)
	$(call apt_install,$(APT_TEST))

messages: $(STAMP) ## Compile translations
	cd $(CURDIR) && $(PY) manage.py compilemessages --ignore=.venv -v 0

migrate: $(STAMP) ## Apply database migrations
	$(PY) manage.py migrate --no-input -v 0

demo: migrate ## Load demo users, reference data and sample cases (idempotent)
	$(PY) manage.py load_demo

run: system-deps $(STAMP) messages demo ## Install, migrate, load demo data, serve http://127.0.0.1:8000 (ASGI) with the scheduler
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	@# Celery beat fires the reminders and missed-promise sweeps. Without REDIS_URL tasks run inline,
	@# so beat runs them itself: no broker or worker needed. Stopped with the server.
	@mkdir -p var; trap 'kill 0' EXIT; \
	DEBUG=$${DEBUG:-1} $(VENV)/bin/celery -A config beat --loglevel=warning --schedule=var/celerybeat-schedule & \
	DEBUG=$${DEBUG:-1} $(VENV)/bin/uvicorn config.asgi:application --host $(HOST) --port $(PORT) --lifespan off

test: system-deps-test $(STAMP) messages ## Install and run the whole suite (lint, unit, API, browser)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/pytest

test-fast: $(STAMP) ## Run the tests without the browser journey
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/pytest -m "not browser"

test-embedded: $(STAMP) messages ## The non-browser suite on the `make run` default: SQLite, in-memory channel layer
	env -u DATABASE_URL -u REDIS_URL DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/pytest -m "not browser"

lint: $(STAMP) ## Lint, check formatting and the app boundaries (import-linter contracts in pyproject.toml)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(STAMP) ## Format the code
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check-deploy: $(STAMP) ## Run Django's deployment checklist on the production profile
	DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=$${SECRET_KEY:-$$(openssl rand -hex 40)} ALLOWED_HOSTS=complaints.example.com $(PY) manage.py check --deploy --fail-level WARNING

bench: system-deps $(STAMP) ## Run all benchmarks (PostgreSQL, Redis, letters) into docs/benchmarks*.md
	$(PY) bench/run.py
	$(PY) bench/live.py
	mkdir -p bench/results && $(PY) bench/letters.py --output bench/results/letters.md

bench-letters: system-deps $(STAMP) ## Only the resolution letters' rendering benchmark (prints a table)
	$(PY) bench/letters.py

bench-live: $(STAMP) ## Only the WebSocket benchmarks (docs/benchmarks-live.md)
	$(PY) bench/live.py

docs: $(STAMP) ## Regenerate the case state diagram in docs/ (django-fsm-2 graph_transitions)
	$(PY) docs/generate_state_diagram.py

clean: ## Remove the virtualenv, the local database and caches
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache .import_linter_cache
