# Set-up and everyday commands. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 1

.PHONY: run test install install-dev migrate seed serve lint format typecheck pytest fuzz clean bench bench-quick browser-test

run: install migrate seed serve

test: install-dev lint typecheck pytest

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'

# Under a PostgreSQL advisory lock: replicas starting together migrate once (app/migrate.py).
migrate:
	$(BIN)/python -m app.migrate

seed:
	$(BIN)/python -m seed

# One process drains on SIGTERM (app/serve.py); more workers are plain uvicorn.
serve:
ifeq ($(WORKERS),1)
	$(BIN)/python -m app.serve --host $(HOST) --port $(PORT)
else
	$(BIN)/uvicorn app.main:app --host $(HOST) --port $(PORT) --workers $(WORKERS) --no-access-log
endif

lint:
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck:
	$(BIN)/mypy

pytest:
	$(BIN)/pytest $(PYTEST_ARGS)

# The Schemathesis run of the suite (tests/test_fuzz.py) with more examples per operation.
FUZZ_EXAMPLES ?= 100
fuzz: install-dev
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest tests/test_fuzz.py $(PYTEST_ARGS)

# HTTP benchmark against the ceiling and Datasette (needs wrk); writes bench/RESULTS.md.
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

bench-quick: install
	$(BIN)/python -m bench.run --quick

# The explorer in Debian's Chromium, driven by Playwright (never a browser download), against a
# live server on a fresh seeded SQLite database; bounded in time.
CHROMIUM ?= /usr/bin/chromium
BROWSER_TEST_TIMEOUT ?= 600

$(CHROMIUM):
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

browser-test: install-dev $(CHROMIUM)
	CHROMIUM=$(CHROMIUM) timeout $(BROWSER_TEST_TIMEOUT) $(BIN)/pytest -m browser tests/browser $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) geoevents.db geoevents.db-wal geoevents.db-shm .pytest_cache .mypy_cache .ruff_cache
