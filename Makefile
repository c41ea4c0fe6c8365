# Set-up and everyday commands. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 1

.PHONY: run test install install-dev migrate seed serve lint format typecheck pytest fuzz clean bench bench-quick \
	browser-test client client-check client-test bench-stall faults cluster cluster-stop cluster-test cluster-bench

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
	$(BIN)/uvicorn app.main:app --host $(HOST) --port $(PORT) --workers $(WORKERS) --no-access-log --no-server-header
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

# HTTP benchmark against the ceiling and Datasette (needs wrk); writes bench/RESULTS.md, or
# refuses a run whose ceiling is far below its quiet figure (bench/quiet.json; --allow-noisy).
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

# A local cluster on loopback (cluster/run.py): nginx, 3 replicas, the local PostgreSQL server as
# primary, a pg_basebackup standby, Redis. cluster-test starts one, runs the load while replicas
# restart and the standby stops and starts, and removes it; bounded by CLUSTER_TEST_TIMEOUT.
NGINX ?= /usr/sbin/nginx
CLUSTER_SECONDS ?= 60
CLUSTER_CONNECTIONS ?= 32
CLUSTER_TEST_TIMEOUT ?= 900

$(NGINX):
	DEBIAN_FRONTEND=noninteractive apt-get install -y nginx

cluster: install $(NGINX)
	$(BIN)/python -m cluster.run up

cluster-stop:
	$(BIN)/python -m cluster.run down

cluster-test: install $(NGINX)
	$(BIN)/python -m cluster.run up
	status=0; timeout $(CLUSTER_TEST_TIMEOUT) $(BIN)/python -m cluster.load \
		--seconds $(CLUSTER_SECONDS) --connections $(CLUSTER_CONNECTIONS) || status=$$?; \
	[ $$status -eq 0 ] || $(BIN)/python -m cluster.run logs; \
	$(BIN)/python -m cluster.run down; exit $$status

# Reads/s through nginx with 1, 2 and 3 replicas, the proxy hop, standby lag (needs wrk);
# writes its section of bench/RESULTS.md.
cluster-bench: install $(NGINX)
	$(BIN)/python -m bench.cluster_bench $(BENCH_ARGS)

# The TypeScript client (clients/typescript): its types are generated from the app's OpenAPI
# document, dumped without a server. `client` regenerates them; `client-check` fails when the
# committed ones differ from what the current app generates; `client-test` runs its tests
# against a live server on a fresh seeded SQLite database.
CLIENT := clients/typescript

$(CLIENT)/node_modules: $(CLIENT)/package.json
	cd $(CLIENT) && npm install --no-package-lock --no-audit --no-fund
	touch $@

client: install $(CLIENT)/node_modules
	$(BIN)/python -m app.openapi_clients $(CLIENT)/openapi.json
	cd $(CLIENT) && npx --no-install openapi-typescript openapi.json --default-non-nullable false --output src/schema.d.ts

client-check: install $(CLIENT)/node_modules
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(BIN)/python -m app.openapi_clients "$$tmp/openapi.json" && \
	(cd $(CLIENT) && npx --no-install openapi-typescript "$$tmp/openapi.json" --default-non-nullable false \
		--output "$$tmp/schema.d.ts" >/dev/null) && \
	if diff -u $(CLIENT)/src/schema.d.ts "$$tmp/schema.d.ts"; then \
		echo "$(CLIENT)/src/schema.d.ts matches the API"; \
	else \
		echo "$(CLIENT)/src/schema.d.ts is stale: run make client and commit it"; exit 1; \
	fi

client-test: install-dev $(CLIENT)/node_modules
	cd $(CLIENT) && GEOEVENTS_PYTHON=$(abspath $(BIN)/python) npm test

# Slow anonymous reads flooding one worker while /health and a GET by id are timed;
# writes its section of bench/RESULTS.md.
bench-stall: install
	$(BIN)/python -m bench.stall_bench $(STALL_ARGS)

# Fault tests: kill -9 during keyed writes, killed PostgreSQL connections, concurrent keyed
# writers, on SQLite and PostgreSQL (127.0.0.1 only); figures go to bench/RESULTS.md.
FAULTS_TIMEOUT ?= 1200
faults: install
	timeout $(FAULTS_TIMEOUT) $(BIN)/python -m bench.faults $(FAULTS_ARGS)

clean:
	rm -rf $(VENV) geoevents.db geoevents.db-wal geoevents.db-shm .pytest_cache .mypy_cache .ruff_cache \
		$(CLIENT)/node_modules $(CLIENT)/dist $(CLIENT)/openapi.json
