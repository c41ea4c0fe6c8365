# Set-up and everyday commands. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 1

.PHONY: run test install install-dev migrate seed serve lint format typecheck pytest fuzz clean bench bench-quick bench-stall

run: install migrate seed serve

test: install-dev lint typecheck pytest

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'

migrate:
	$(BIN)/alembic upgrade head

seed:
	$(BIN)/python -m seed

serve:
	$(BIN)/uvicorn app.main:app --host $(HOST) --port $(PORT) --workers $(WORKERS) --no-access-log --no-server-header

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

# Slow anonymous reads flooding one worker while /health and a GET by id are timed;
# writes its section of bench/RESULTS.md.
bench-stall: install
	$(BIN)/python -m bench.stall_bench $(STALL_ARGS)

clean:
	rm -rf $(VENV) geoevents.db geoevents.db-wal geoevents.db-shm .pytest_cache .mypy_cache .ruff_cache
