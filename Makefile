# Two commands set everything up on a fresh machine:
#   make run    a running app on http://127.0.0.1:5000 with demo data (embedded SQLite)
#   make test   ruff and the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint install install-dev browser-deps translations-extract translations-update translations-compile clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# `flask run` serves on FLASK_RUN_HOST/PORT, and the links printed and mailed follow them
# (campaign/config.py) unless BASE_URL is set.
run: export FLASK_RUN_HOST = $(HOST)
run: export FLASK_RUN_PORT = $(PORT)
run: install
	@$(FLASK) check
	$(FLASK) db upgrade
	@$(FLASK) seed-demo --if-empty --organizer
	$(FLASK) run

# Chromium and poppler (pdftoppm) from Debian for the browser and PDF tests.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! command -v pdftoppm >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium poppler-utils >/dev/null; \
	fi

lint: install-dev
	$(BIN)/ruff check campaign tests wsgi.py gunicorn.conf.py $(wildcard bench)
	$(BIN)/ruff format --check campaign tests wsgi.py gunicorn.conf.py $(wildcard bench)

test: install-dev browser-deps lint
	$(BIN)/pytest

translations-extract: install-dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o campaign/translations/messages.pot --no-location --sort-output --project campaign-organizer .

translations-update: translations-extract
	$(BIN)/pybabel update -i campaign/translations/messages.pot -d campaign/translations --no-fuzzy-matching --ignore-obsolete

translations-compile: install-dev
	$(BIN)/pybabel compile -d campaign/translations --statistics

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
