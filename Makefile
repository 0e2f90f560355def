# Pelita: `make run` to try it, `make test` to test it. Nothing needs installing by hand
# except Python 3.11+ (and, for browser tests, Debian's chromium: see README).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
PORT   ?= 5000
HOST   ?= 127.0.0.1
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: install run serve worker test test-pg test-e2e bench bench-reports screenshots lint translations-extract translations-update clean

# The stamp is rebuilt when the pinned requirements change.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $@

# The shipped plugins: every folder under plugins/ with a pyproject.toml, installed editable.
PLUGINS := $(patsubst %/pyproject.toml,%,$(wildcard plugins/*/pyproject.toml))

## install: the virtualenv, pinned dependencies, the shipped plugins and compiled translations
install: $(VENV)/.installed $(VENV)/.plugins
	$(BIN)/pybabel compile --statistics -d lms/translations
	@for dir in $(PLUGINS); do \
	  if [ -d $$dir ] && ls $$dir/*/translations >/dev/null 2>&1; then \
	    for tr in $$dir/*/translations; do $(BIN)/pybabel compile --statistics -d $$tr; done; \
	  fi; \
	done

# Re-installed when a plugin's pyproject.toml changes (a new entry point needs new metadata).
$(VENV)/.plugins: $(VENV)/.installed $(wildcard plugins/*/pyproject.toml)
	@isolation=; $(BIN)/python -c "import setuptools, wheel" 2>/dev/null && isolation=--no-build-isolation; \
	for dir in $(PLUGINS); do \
	  echo "pip install -e $$dir"; \
	  $(BIN)/python -m pip install --quiet $$isolation -e $$dir || exit 1; \
	done
	touch $@

# The public address (certificate QR codes, credentials, emailed links) for `make run` and
# `make worker`: PELITA_BASE_URL if set, else http://$(HOST):$(PORT). Not in production, where
# Pelita refuses to start without PELITA_BASE_URL. Give `make worker` the same PORT as `make run`.
IS_PRODUCTION := $(filter production,$(PELITA_ENV) $(FLASK_ENV))
DEV_BASE_URL := $(or $(PELITA_BASE_URL),$(if $(IS_PRODUCTION),,http://$(HOST):$(PORT)))

## run: install, migrate, import courses/, create demo accounts, serve on http://$(HOST):$(PORT)
## (certificates, QR codes and links use that address unless PELITA_BASE_URL says otherwise)
run: export PELITA_BASE_URL := $(DEV_BASE_URL)
run: install
	@echo "Public address (PELITA_BASE_URL): $(PELITA_BASE_URL)"
	$(FLASK) db upgrade
	$(FLASK) lms setup
	$(FLASK) run --host $(HOST) --port $(PORT)

## serve: the production entry point: migrate, create the credential signing key if it is
## missing (`flask lms ensure-keys`), then gunicorn with deploy/gunicorn.conf.py (30 s timeouts, a
## backlog of 64 that sheds load early, and a pid file and control socket
## of this instance's own: instance/run/pelita-$(PORT).{pid,ctl}, or PELITA_RUN_DIR). WEB_WORKERS
## sets the workers; PELITA_INSTANCE names the instance (default: the port). Several instances:
## migrate once (`make serve MIGRATE=0` for all but one, or deploy/systemd: docs/deploy.md).
MIGRATE ?= 1
serve: install
	$(if $(filter 1,$(MIGRATE)),$(FLASK) db upgrade)
	$(FLASK) lms ensure-keys
	HOST=$(HOST) PORT=$(PORT) $(BIN)/gunicorn --config deploy/gunicorn.conf.py

## worker: the background worker (certificate PDFs, overdue quiz attempts); run beside `serve`
worker: export PELITA_BASE_URL := $(DEV_BASE_URL)
worker: install
	$(FLASK) lms worker

## test: the whole suite on SQLite (browser tests run when /usr/bin/chromium exists)
test: install
	$(BIN)/python -m pytest -W error

## test-pg: the same suite on PostgreSQL (DATABASE_URL, default the local server)
test-pg: install
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} $(BIN)/python -m pytest -W error -m "not e2e"

## test-e2e: only the browser tests
test-e2e: install
	$(BIN)/python -m pytest -W error -m e2e

## bench: print the benchmark figures (see bench/README.md)
bench: install
	$(BIN)/python bench/run_all.py

## bench-reports: report pages on 2,000 participants and 50,000 attempts (DATABASE_URL: PostgreSQL)
bench-reports: install
	$(BIN)/python bench/reports.py

## screenshots: docs/screenshots/*.png of the role home pages, editors and admin set-up pages at
## 1280 and 360 px (a throw-away database with `flask lms setup`; Debian's chromium)
screenshots: install
	$(BIN)/python tools/screenshots.py

## lint: ruff, the architecture contracts of .importlinter (import-linter), and the Indonesian
## catalogue (msgfmt refuses a duplicated message, which Babel would silently ignore)
lint: install
	$(BIN)/ruff check .
	msgfmt --check -o /dev/null lms/translations/id/LC_MESSAGES/messages.po
	PYTHONPATH=. $(BIN)/lint-imports

translations-extract: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o lms/translations/messages.pot --ignore-dirs='.* _* tests bench plugins' .

translations-update: translations-extract
	$(BIN)/pybabel update -i lms/translations/messages.pot -d lms/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
