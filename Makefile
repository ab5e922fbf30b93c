# Every target sets up (or refreshes) the local virtualenv by itself.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAMPLE ?= sample_projects/nextjs-app-router
ARGS ?=

.PHONY: setup run test check lint format typecheck contracts bench snapshots clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## run the wizard on a sample project (offline agent unless ANTHROPIC_API_KEY is set)
	$(BIN)/wizard-tui $(SAMPLE) --fresh $(ARGS)

test: $(STAMP)  ## the whole test suite, as CI runs it
	$(BIN)/python -m pytest -p no:cacheprovider

check: $(STAMP) lint typecheck contracts  ## ruff, mypy and import contracts

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

bench: $(STAMP)  ## benchmarks; prints one table
	$(BIN)/python -m bench

snapshots: $(STAMP)  ## re-record the TUI snapshots after a deliberate UI change
	$(BIN)/python -m pytest tests/tui --snapshot-update

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
