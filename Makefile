# PrivacyOps — two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: run test lint setup setup-dev messages clean-var bench bench-pages bench-load bench-reminders bench-trail-export bench-portal bench-records

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

# Benchmarks on PostgreSQL (issues 5, 6, 11, 16). `make bench` from a fresh clone measures the desk:
# it generates 100k requests in every state (1-4 items, documents, letters, ~1.1M history rows,
# 500k access-log rows) in $(BENCH_DB), then runs the page runner (bench/pages.py: the request list
# default / filtered / searched / sorted, a case page, the dashboard, the audit trail's pages; 3
# warm-ups + 20 runs, median, p95, queries, SQL time, slowest statement with EXPLAIN ANALYZE, most
# repeated statement), a load run (bench/load.py: gunicorn with the production settings, CLIENTS
# desk-staff clients for SECONDS s on WORKERS sync workers), the reminder sweep's dry run
# (bench/reminders.py), the whole audit trail as an export job (bench/trail_export.py: time and
# peak memory), the consents bench, and the page runner again at 10k requests in
# $(BENCH_10K_DB) (growth). bench/report.py writes bench/results/bench.json and bench.md (not
# committed). About 6 minutes on 2 cores, 3 of them generating. Never asserted in tests (this
# machine is shared and noisy).
#   make bench BENCH_SKIP_GENERATE=1                 # reuse both databases as they are
#   make bench CLIENTS=20 SECONDS=20 WORKERS=4       # the load run's parameters (these are the defaults)
#   make bench-pages | bench-load | bench-reminders | bench-trail-export  # one part, on $(BENCH_DB) as it is
BENCH_PG ?= postgres://postgres@127.0.0.1:5432
BENCH_DB ?= privacyops_bench
BENCH_URL ?= $(BENCH_PG)/$(BENCH_DB)
BENCH_10K_DB ?= privacyops_bench_10k
BENCH_REQUESTS ?= 100000
BENCH_HISTORY ?= 1100000
BENCH_ACCESS_LOG ?= 500000
BENCH_DESK = --states all --max-items 4 --full-cases 200 --spread 245
BENCH_SKIP_GENERATE ?=
CLIENTS ?= 20
SECONDS ?= 20
WORKERS ?= 4
# Create the database $(1) when missing, then migrate it.
bench_db = psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$(1)'" | grep -q 1 \
	  || createdb -h 127.0.0.1 -U postgres $(1); \
	DATABASE_URL=$(BENCH_PG)/$(1) $(BIN)/python manage.py migrate --no-input -v0
bench bench-pages bench-load bench-reminders bench-trail-export: export SECRET_KEY ?= bench-only-$(shell date +%s)-not-a-secret-xxxxxxxxxxxxxxxxxxxxxxxx
bench bench-load: export REDIS_URL ?= redis://127.0.0.1:6379/15
bench: setup-dev
	@date +%s > /tmp/privacyops-bench-started
	$(call bench_db,$(BENCH_DB))
ifeq ($(BENCH_SKIP_GENERATE),)
	DATABASE_URL=$(BENCH_URL) $(BIN)/python bench/generate.py --requests $(BENCH_REQUESTS) $(BENCH_DESK) \
	  --history $(BENCH_HISTORY) --access-log $(BENCH_ACCESS_LOG)
endif
	DATABASE_URL=$(BENCH_URL) $(BIN)/python bench/pages.py --label 100k
	DATABASE_URL=$(BENCH_URL) $(BIN)/python bench/load.py --clients $(CLIENTS) --seconds $(SECONDS) --workers $(WORKERS)
	DATABASE_URL=$(BENCH_URL) $(BIN)/python bench/reminders.py --runs 3
	DATABASE_URL=$(BENCH_URL) $(BIN)/python bench/trail_export.py
	DATABASE_URL=$(BENCH_URL) $(BIN)/python bench/consents.py --runs 20 --records 1000 --rows 2000
	$(call bench_db,$(BENCH_10K_DB))
ifeq ($(BENCH_SKIP_GENERATE),)
	DATABASE_URL=$(BENCH_PG)/$(BENCH_10K_DB) $(BIN)/python bench/generate.py --requests $$(( $(BENCH_REQUESTS) / 10 )) \
	  $(BENCH_DESK) --history $$(( $(BENCH_HISTORY) / 10 )) --access-log $$(( $(BENCH_ACCESS_LOG) / 10 ))
endif
	DATABASE_URL=$(BENCH_PG)/$(BENCH_10K_DB) $(BIN)/python bench/pages.py --label 10k
	$(BIN)/python bench/report.py
	@echo "make bench took $$(( $$(date +%s) - $$(cat /tmp/privacyops-bench-started) )) s"

bench-pages: setup-dev
	DATABASE_URL=$(BENCH_URL) $(BIN)/python bench/pages.py --label 100k
bench-load: setup-dev
	DATABASE_URL=$(BENCH_URL) $(BIN)/python bench/load.py --clients $(CLIENTS) --seconds $(SECONDS) --workers $(WORKERS)
bench-reminders: setup-dev
	DATABASE_URL=$(BENCH_URL) $(BIN)/python bench/reminders.py --runs 3
bench-trail-export: setup-dev
	DATABASE_URL=$(BENCH_URL) $(BIN)/python bench/trail_export.py

# Load run of the requester portal's status page (issue 14): gunicorn with the production settings on
# loopback, N clients for T seconds (bounded), p50/p95/max and errors into bench/results/.
PORTAL_BENCH_DB ?= privacyops_portal_bench
bench-portal: export DATABASE_URL = postgres://postgres@127.0.0.1:5432/$(PORTAL_BENCH_DB)
bench-portal: export REDIS_URL ?= redis://127.0.0.1:6379/14
bench-portal: setup-dev
	psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$(PORTAL_BENCH_DB)'" | grep -q 1 \
	  || createdb -h 127.0.0.1 -U postgres $(PORTAL_BENCH_DB)
	$(BIN)/python bench/portal_status.py --clients $(CLIENTS) --seconds $(SECONDS) \
	  --workers $(WORKERS) --worker-class $(or $(WORKER_CLASS),sync) --threads $(or $(THREADS),4)

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
