# The two commands: `make run` and `make test`. Both create .venv and install what they need.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha256sum pyproject.toml | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/skillproof
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
# Links printed by `make run` (and put in emails) point at the local server.
export SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: install run test lint format system-packages

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

# The broker `make run` uses, chosen once, here, and exported to every process it starts (web,
# worker, beat, the setup commands), so they cannot pick different ones: REDIS_URL as given, else
# the local Redis when it answers now, else none (the embedded filesystem broker).
ifneq ($(filter run,$(MAKECMDGOALS)),)
REDIS_URL := $(or $(REDIS_URL),$(shell timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/6379' 2>/dev/null && echo redis://127.0.0.1:6379/0))
export REDIS_URL
endif

# Web server, Celery worker and beat, demo data. Ctrl-C stops all three. On a small install one
# worker consumes every workload's queue (docker-compose.yml shows a worker per workload).
run: install
	@mkdir -p "$${SKILLPROOF_DATA_DIR:-var}"
	@echo "Broker: $${CELERY_BROKER_URL:-$${REDIS_URL:-the embedded filesystem broker}}"
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py seed_demo
	@echo "Starting web (http://$(HOST):$(PORT)), Celery worker and beat. Ctrl-C stops all of it."
	@trap 'kill 0' INT TERM EXIT; \
	  $(VENV)/bin/celery -A hiring worker --loglevel=INFO --concurrency=2 \
	    --queues=scoring,issuance,email,webhooks,reports,maintenance & \
	  $(VENV)/bin/celery -A hiring beat --loglevel=INFO & \
	  $(PY) manage.py runserver --noreload $(HOST):$(PORT) & \
	  sleep 5; $(PY) manage.py seed_demo; \
	  wait

# Debian packages the tests use: headless Chromium (Playwright cannot download one here) and
# poppler-utils (pdftotext, to read back PDF reports).
system-packages:
	@{ test -x /usr/bin/chromium && command -v pdftotext >/dev/null; } || { \
	  echo "Installing Debian's chromium and poppler-utils for the tests"; \
	  (apt-get update -qq && apt-get install -y -qq chromium poppler-utils) || \
	  { echo "Could not install them: run 'apt-get install -y chromium poppler-utils' as root" >&2; exit 1; }; }

test: install system-packages
	$(VENV)/bin/lint-imports
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	  $(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .
