# casework — two commands set everything up on a fresh machine:
#   make run    install, migrate the SQLite database, load the demo once, serve on :8000
#               with a background worker beside the server (sweep, digest, email)
#   make test   install and run the whole suite (SQLite, then PostgreSQL when reachable)
#   make worker run the background worker (jobs and the periodic schedule) beside the server

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON := $(BIN)/python
export UV_NO_PROGRESS := 1
HOST ?= 127.0.0.1
PORT ?= 8000
DATA_DIR ?= var
# The PostgreSQL database the suite also runs against (pytest-django creates test_<name>).
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test
PYTEST_WORKERS ?= 2

.PHONY: install run serve worker demo migrate test test-sqlite test-postgres check lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(UV): $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==0.13.9"

$(VENV)/.installed: pyproject.toml uv.lock $(UV)
	$(UV) sync --frozen --quiet
	touch $@

install: $(VENV)/.installed

migrate: install
	CASEWORK_DATA_DIR=$(DATA_DIR) $(BIN)/casework migrate --noinput -v0

demo: migrate
	CASEWORK_DATA_DIR=$(DATA_DIR) $(BIN)/casework demo

run: demo
	@echo ""
	@echo "casework: http://$(HOST):$(PORT)/  (API: http://$(HOST):$(PORT)/api/v1/openapi.json)"
	CASEWORK_DATA_DIR=$(DATA_DIR) $(BIN)/casework serve --host $(HOST) --port $(PORT) --with-worker

serve: migrate
	CASEWORK_DATA_DIR=$(DATA_DIR) $(BIN)/casework serve --host $(HOST) --port $(PORT)

# Background jobs and the schedule (sweep every 15 minutes, the 07:00 digest), beside `make serve`
# in a second terminal, on the same database (`make run` starts one itself).
worker: migrate
	CASEWORK_DATA_DIR=$(DATA_DIR) $(BIN)/casework worker

check: install
	$(BIN)/ruff check casework tests bench
	$(BIN)/ruff format --check casework tests bench
	$(BIN)/mypy casework
	CASEWORK_DATA_DIR=$$(mktemp -d) $(BIN)/casework check --fail-level WARNING
	CASEWORK_DATA_DIR=$$(mktemp -d) $(BIN)/casework makemigrations --check --dry-run

test: check test-sqlite test-postgres

test-sqlite: install
	CASEWORK_DATA_DIR=$$(mktemp -d) $(BIN)/pytest -n $(PYTEST_WORKERS) -q

# Runs when PostgreSQL answers; .ci/run sets CASEWORK_REQUIRE_POSTGRES=1 so that a missing
# server is an error there instead of a skip.
test-postgres: install
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_TEST_URL)', connect_timeout=3).close()" 2>/dev/null; then \
		CASEWORK_DATA_DIR=$$(mktemp -d) CASEWORK_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -n $(PYTEST_WORKERS) -q -m "not browser"; \
	elif [ "$$CASEWORK_REQUIRE_POSTGRES" = "1" ]; then \
		echo "PostgreSQL at $(PG_TEST_URL) is not reachable and CASEWORK_REQUIRE_POSTGRES=1"; exit 1; \
	else \
		echo "SKIPPED: PostgreSQL suite ($(PG_TEST_URL) not reachable)"; \
	fi

format: install
	$(BIN)/ruff check --fix casework tests bench
	$(BIN)/ruff format casework tests bench

bench: install
	@ls bench/*.py | while read f; do echo "== $$f"; CASEWORK_DATA_DIR=$$(mktemp -d) $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
