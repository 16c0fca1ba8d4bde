# Pronto: `make run` starts a demo on SQLite; `make test` runs the suite on PostgreSQL and Redis.
SHELL := /bin/bash
# Python 3.12: the routing engine's wheel (osrm-bindings) is built for it. Look for a 3.13/3.12 on
# PATH first, then for pyenv's (a bare `python3.12` shim is refused until a version is selected).
PYTHON ?= $(shell for v in 3.13 3.12; do command -v python$$v >/dev/null 2>&1 && python$$v -c 'import sys' >/dev/null 2>&1 && { echo python$$v; exit; }; done; \
	for d in $$(pyenv root 2>/dev/null)/versions/3.12* $$(pyenv root 2>/dev/null)/versions/3.13*; do [ -x $$d/bin/python3 ] && { echo $$d/bin/python3; exit; }; done; echo python3.12)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

# The test suite's services; override to point at others.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/pronto
TEST_BROKER_URL ?= redis://127.0.0.1:6379/0

.PHONY: run test bench lint services venv venv-dev clean assets messages

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/python -c 'import sys; assert sys.version_info >= (3, 12), "Pronto needs Python 3.12 or newer"'
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

venv: $(VENV)/.runtime
venv-dev: $(VENV)/.dev

# The console's front-end (htmx, Leaflet) comes from the npm registry, pinned in package-lock.json,
# and is served by whitenoise from static/vendor/: dispatch offices often have no internet, so no CDN.
# The source map goes along: the hashed static storage refuses a file whose map is missing.
VENDOR := static/vendor
assets: $(VENDOR)/.stamp

$(VENDOR)/.stamp: package.json package-lock.json
	@scripts/ensure_node.sh
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)/leaflet/images
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.js.map node_modules/leaflet/dist/leaflet.css $(VENDOR)/leaflet/
	cp node_modules/leaflet/dist/images/*.png $(VENDOR)/leaflet/images/
	# The offline basemap: Natural Earth's countries (world-atlas) drawn with topojson-client.
	mkdir -p $(VENDOR)/world-atlas
	cp node_modules/world-atlas/countries-50m.json $(VENDOR)/world-atlas/
	cp node_modules/topojson-client/dist/topojson-client.min.js $(VENDOR)/
	touch $@

# Italian translations: the .po file is the source; the compiled .mo is committed too (the image
# needs no gettext) and rebuilt here so a changed .po never runs with a stale .mo.
messages: venv
	@if command -v msgfmt >/dev/null; then \
		$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules --verbosity 0; \
	else echo "msgfmt (gettext) not installed: using the committed .mo files"; fi

run: venv assets messages
	DEBUG=1 $(PY) manage.py migrate --noinput --verbosity 0
	DEBUG=1 $(PY) manage.py seed_demo --if-empty
	DEBUG=1 $(PY) manage.py seed_history --if-empty
	DEBUG=1 $(PY) manage.py telematics_demo --if-empty
	@scripts/banner.sh $(HOST) $(PORT)
	# Tracking links and Twilio signatures use PUBLIC_BASE_URL: the address this demo serves on.
	# The demo signs the customer's texts (the incident page's "customer's phone") with this token.
	DEBUG=1 PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://$(HOST):$(PORT)} \
		TWILIO_AUTH_TOKEN=$${TWILIO_AUTH_TOKEN:-demo-auth-token} $(PY) manage.py runserver $(HOST):$(PORT)

services:
	@scripts/ensure_services.sh

test: venv-dev services assets messages
	@scripts/ensure_chromium.sh
	@scripts/ensure_gettext.sh
	$(BIN)/lint-imports --no-cache
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) $(BIN)/pytest $(PYTEST_ARGS)

# Each seeds its own database (BENCH_DATABASE_URL, default pronto_bench; BENCH_API_DATABASE_URL,
# default pronto_bench_api) with up to 1,000,000 machines. BENCH_API_SCALE=quick for a short run.
# The SMS burst uses pronto_bench_sms (SMS_BENCH_DATABASE_URL) and Redis DB 14 (SMS_BENCH_BROKER_URL).
bench: venv-dev services
	@scripts/ensure_wrk.sh
	$(PY) bench/nearest.py
	$(PY) bench/promise.py
	$(PY) bench/api_load.py
	$(PY) bench/ingest.py
	$(PY) bench/sms_burst.py

# Style, types (django-stubs, drf-stubs) and the one-way dependencies between apps.
lint: venv-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache node_modules $(VENDOR)
