# Tidewire: `make run` serves the embedded default with demo data; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs on the real PostgreSQL every machine has; without one it falls back to SQLite.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tidewire
ROOT := $(shell id -u)

.PHONY: run worker beat install install-dev lock system-deps test lint format bench bench-idle bench-chat bench-soak clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Exact versions with their hashes from the lock files (requirements/*.txt, made by
# `make lock` from pyproject.toml's ranges); the project itself on top, no deps.
install: $(BIN)/python node_modules
	$(BIN)/pip install --quiet -r requirements/base.txt
	$(BIN)/pip install --quiet --no-deps -e .

install-dev: $(BIN)/python node_modules
	$(BIN)/pip install --quiet -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps -e .

# Re-pin every Python dependency after changing pyproject.toml (uv: fast, and its
# lock output is the pip-tools format pip installs with hash checking).
lock: $(BIN)/python
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -q -o requirements/base.txt
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -q -o requirements/dev.txt

node_modules: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	@touch node_modules

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python -m config.serve --host $(HOST) --port $(PORT)

# Background jobs with REDIS_URL set (docs/deployment.md#background-jobs): any number
# of workers, and exactly one beat, which sends each periodic job's task on time.
# Without REDIS_URL, `make run`'s server runs the jobs itself.
worker: install
	$(BIN)/celery -A config worker --loglevel INFO

beat: install
	$(BIN)/celery -A config beat --loglevel INFO

# Chromium (Debian's package; Playwright cannot download its own here), a
# redis-server binary the suite can start on a free port, and nginx (whose `nginx -t`
# checks deploy/nginx.conf). Installed when missing,
# as root; otherwise the suite says what is missing.
system-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	[ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	if [ -n "$$missing" ]; then \
		if [ "$(ROOT)" = "0" ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "Missing system packages:$$missing (install them with apt-get as root)"; exit 1; \
		fi; \
	fi

test: install-dev system-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	npm test --silent
	@echo "Tests on the embedded default (SQLite, in-process channel layer)"
	$(BIN)/pytest
	@if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(TEST_DATABASE_URL)'.rsplit('/',1)[0]+'/postgres').close()" 2>/dev/null; then \
		echo "Tests on PostgreSQL ($(TEST_DATABASE_URL)) and Redis"; \
		DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest; \
	else \
		echo "No PostgreSQL on 127.0.0.1:5432: the PostgreSQL run is SKIPPED (CI has one)"; \
	fi

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install-dev system-deps
	$(BIN)/python -m bench.run

bench-idle: install-dev system-deps
	$(BIN)/python -m bench.idle

# Seed 003's chat: 500 conversations (1,000 sockets), 200 messages/s over the socket.
bench-chat: install-dev system-deps
	$(BIN)/python -m bench.chat

# The soak (by hand, never in CI): 30 minutes of mixed traffic with clients dropping
# and resuming; memory growth per hour, latency drift, losses (docs/reliability.md).
SOAK_MINUTES ?= 30
bench-soak: install-dev system-deps
	$(BIN)/python -m bench.soak --minutes $(SOAK_MINUTES)

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3 db.sqlite3-*
