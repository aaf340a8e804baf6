# Luoshi — the two set-up commands are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install dev system-deps runtime-deps demo test test-sqlite test-postgres lint bench clean

$(BIN)/luoshi: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

install: $(BIN)/luoshi  ## the `luoshi` command alone

$(VENV)/.dev: $(BIN)/luoshi
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

dev: $(VENV)/.dev

system-deps:  ## Debian packages the tests need (PostgreSQL, Chromium, CJK fonts, gettext)
	bash scripts/system-deps.sh

runtime-deps:  ## Debian packages the app uses (LibreOffice for PDF bulletins, CJK fonts)
	bash scripts/runtime-deps.sh

demo: runtime-deps install  ## install, migrate, load the demo data and serve on http://127.0.0.1:8000
	$(BIN)/luoshi migrate --verbosity 0
	$(BIN)/luoshi demo
	LUOSHI_DEMO=1 $(BIN)/luoshi serve

test: system-deps dev  ## install everything and run the whole suite on SQLite and PostgreSQL
	$(BIN)/ruff check .
	bash scripts/test.sh

test-sqlite: dev  ## the suite on SQLite only
	$(BIN)/pytest

test-postgres: dev  ## the suite on a throw-away PostgreSQL server only (PG_PORT=… to choose its port)
	bash -c 'source scripts/pg.sh && pg_start && trap pg_stop EXIT && DATABASE_URL="$$PG_URL" $(BIN)/pytest'

lint: dev
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var test-artifacts
