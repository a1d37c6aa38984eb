# Every command in the README is a target here. `make help` lists them.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(abspath $(VENV))/bin
INSTALLED := $(VENV)/.installed
SDK_VENV := var/sdk-venv
export PATH := $(BIN):$(PATH)

.DEFAULT_GOAL := help
.PHONY: help install run run-prod test test-fast lint format migrate demo admin sdk-venv clean

help: ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(PY):
	@python=$$(scripts/find-python) || exit 1; \
	  echo "Creating $(VENV) with $$python ($$($$python -V))"; \
	  "$$python" -m venv $(VENV)

$(INSTALLED): requirements/base.txt requirements/dev.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements/dev.txt
	@touch $@

install: $(INSTALLED) ## Create .venv (Python 3.12+) and install the pinned requirements.

migrate: install ## Apply database migrations.
	$(PY) manage.py migrate --noinput

demo: migrate ## Load the demo catalogue and make sure the admin account exists.
	$(PY) manage.py load_demo_catalogue
	$(PY) manage.py ensure_demo_admin

run: demo ## Start web (http://127.0.0.1:8000), Celery worker and beat, sandbox gateway on.
	@echo "Starting web, worker and beat (Ctrl-C stops all three)..."
	@honcho --procfile Procfile.dev start; rc=$$?; \
	  [ $$rc -eq 0 ] || [ $$rc -eq 130 ] || [ $$rc -eq 143 ]  # Ctrl-C is a normal way to stop

run-prod: install ## Production shape locally: PostgreSQL db `loomleaf`, Redis, gunicorn, worker, beat.
	@scripts/run-prod; rc=$$?; \
	  [ $$rc -eq 0 ] || [ $$rc -eq 130 ] || [ $$rc -eq 143 ]  # Ctrl-C is a normal way to stop

$(SDK_VENV)/.installed: tests/sdk_compat/requirements.txt | $(PY)
	@rm -rf $(SDK_VENV)
	$(PY) -m venv $(SDK_VENV)
	$(SDK_VENV)/bin/python -m pip install --disable-pip-version-check -q -r tests/sdk_compat/requirements.txt
	@touch $@

sdk-venv: $(SDK_VENV)/.installed ## Separate venv with PhonePe's official SDK (for the compatibility test).

test: install sdk-venv ## Run the whole test suite.
	$(PY) -m pytest

lint: install ## ruff (lint + format check) and mypy.
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

format: install ## Format the code with ruff.
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean: ## Remove the venv, the local database, uploaded media and task files.
	rm -rf $(VENV) var media

.PHONY: bench bench-smoke
bench: install ## Benchmarks of the production shape (~25 min); bench/README.md, bench/results/.
	$(PY) -m bench.run $(BENCH_ARGS)

bench-smoke: install ## The benchmarks with tiny numbers (~1.5 min, CI): fails only if broken.
	$(PY) -m bench.run --smoke $(BENCH_ARGS)
