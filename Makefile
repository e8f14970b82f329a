# PrivacyOps — two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: run test lint setup setup-dev messages clean-var bench bench-portal bench-records

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "PrivacyOps needs Python 3.11, found " + sys.version'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

setup: $(VENV)/.installed
setup-dev: $(VENV)/.installed-dev

# Laptop: SQLite, the file-system broker and e-mail files under var/, demo data, one foreground
# command for web + Celery worker + beat (Ctrl-C stops all three).
PORT ?= 8000
run: export DEBUG ?= true
run: export RUN_PORT = $(PORT)
run: setup
	mkdir -p var/mail
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	@echo
	@echo "  PrivacyOps: http://127.0.0.1:$(PORT)/admin/   (health: http://127.0.0.1:$(PORT)/healthz)"
	@echo "  Sent e-mail is written to var/mail/. Ctrl-C stops web, worker and beat."
	@echo
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho start -f Procfile

# The whole suite. PostgreSQL and Redis when DATABASE_URL / REDIS_URL point at them.
test: setup-dev
	$(BIN)/pytest $(PYTEST_ARGS)

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports

messages: export DEBUG ?= true
messages: setup-dev
	$(BIN)/python manage.py makemessages -l ja --no-obsolete --ignore=.venv --ignore=var
	$(BIN)/python manage.py compilemessages -l ja --ignore=.venv

clean-var:
	rm -rf var

# Benchmarks on PostgreSQL: the reminder sweep over 100k open requests (issue 5) and the audit trail
# over about a million history rows (issue 6); the consents selector and CSV import (issue 11). Reports median time, peak memory and queries; never
# asserted in tests (this machine is shared and noisy).
BENCH_DB ?= privacyops_bench
BENCH_URL ?= postgres://postgres@127.0.0.1:5432/$(BENCH_DB)
BENCH_REQUESTS ?= 100000
BENCH_HISTORY ?= 1100000
bench: export DATABASE_URL = $(BENCH_URL)
bench: export SECRET_KEY ?= bench-only-$(shell date +%s)-not-a-secret-xxxxxxxxxxxxxxxxxxxxxxxx
bench: setup-dev
	psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$(BENCH_DB)'" | grep -q 1 \
	  || createdb -h 127.0.0.1 -U postgres $(BENCH_DB)
	$(BIN)/python manage.py migrate --no-input -v0
	$(BIN)/python bench/generate.py --requests $(BENCH_REQUESTS) --history $(BENCH_HISTORY)
	$(BIN)/python bench/reminders.py --runs 3
	$(BIN)/python bench/audit.py --runs 7
	$(BIN)/python bench/consents.py --runs 20 --records 1000 --rows 2000

# Load run of the requester portal's status page (issue 14): gunicorn with the production settings on
# loopback, N clients for T seconds (bounded), p50/p95/max and errors into bench/results/.
PORTAL_BENCH_DB ?= privacyops_portal_bench
bench-portal: export DATABASE_URL = postgres://postgres@127.0.0.1:5432/$(PORTAL_BENCH_DB)
bench-portal: export REDIS_URL ?= redis://127.0.0.1:6379/14
bench-portal: setup-dev
	psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$(PORTAL_BENCH_DB)'" | grep -q 1 \
	  || createdb -h 127.0.0.1 -U postgres $(PORTAL_BENCH_DB)
	$(BIN)/python bench/portal_status.py --clients $(or $(CLIENTS),20) --seconds $(or $(SECONDS),20) \
	  --workers $(or $(WORKERS),4) --worker-class $(or $(WORKER_CLASS),sync) --threads $(or $(THREADS),4)

# The records an audit asks for (issue 15): the statistics page, the ledger page and its CSV at
# 100k requests (40 % answered, arrivals over about a year), in a database of its own made afresh.
RECORDS_BENCH_DB ?= privacyops_records_bench
bench-records: export DATABASE_URL = postgres://postgres@127.0.0.1:5432/$(RECORDS_BENCH_DB)
bench-records: export SECRET_KEY ?= bench-only-$(shell date +%s)-not-a-secret-xxxxxxxxxxxxxxxxxxxxxxxx
bench-records: setup-dev
	dropdb -h 127.0.0.1 -U postgres --if-exists $(RECORDS_BENCH_DB)
	createdb -h 127.0.0.1 -U postgres $(RECORDS_BENCH_DB)
	$(BIN)/python manage.py migrate --no-input -v0
	$(BIN)/python bench/generate.py --requests $(or $(REQUESTS),100000) --answered-share 0.4 --spread 245 --history 0
	$(BIN)/python bench/records.py --runs 7
