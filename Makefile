# Thin wrapper: every target calls uv and the `lab` CLI. `make up` and `make test` do all
# the set-up they need on a fresh machine (uv from PyPI, then the locked environment).
PYTHON ?= python3
UV := $(PYTHON) -m uv
RUN := $(UV) run --frozen

.PHONY: setup up docker-up docker-down test test-fast lint typecheck pytest pytest-unit clean help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

setup:  ## install uv (from PyPI) and the locked environment into .venv
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	@$(UV) sync --frozen --quiet

up: setup  ## run the lab as local processes on 127.0.0.1 (Ctrl-C stops it)
	$(RUN) lab up

docker-up: setup  ## the lab in containers: docker compose up --wait, then the URLs
	$(RUN) lab compose up $(if $(WITHOUT),$(foreach s,$(WITHOUT),--without $(s)))

docker-down: setup  ## stop the containers (their data volumes stay)
	$(RUN) lab compose down

test: setup lint typecheck pytest  ## ruff, mypy and the whole test suite

test-fast: setup lint typecheck pytest-unit  ## ruff, mypy and the unit tests only (under a minute)

lint:
	$(RUN) ruff check .
	$(RUN) ruff format --check .

typecheck:
	$(RUN) mypy

pytest:
	$(RUN) pytest $(PYTEST_ARGS)

pytest-unit:
	$(RUN) pytest tests/unit $(PYTEST_ARGS)

clean:  ## remove runtime state (metrics directories, sqlite db, results)
	rm -rf var results
