# Every target sets up (or refreshes) the local virtualenv by itself, saying what it does
# (scripts/setup-venv.sh: checks for Python 3.11+, rebuilds a venv of another Python).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
SAMPLE ?= sample_projects/nextjs-app-router
ARGS ?=

.PHONY: setup run apply revert test check lint format typecheck contracts bench snapshots clean

setup:  ## create or refresh .venv
	@PY='$(PY)' PY_GIVEN='$(if $(filter command line environment,$(origin PY)),yes,no)' VENV='$(VENV)' \
		sh scripts/setup-venv.sh

# WIZARD_TUI_MAKE_RUN tells the wizard it was started by `make run` (with or without SAMPLE=),
# so the hints it prints (continue with --resume, start over) are make commands too.
run: setup  ## run the wizard on a sample project (offline agent unless ANTHROPIC_API_KEY is set)
	@WIZARD_TUI_MAKE_RUN=$(if $(filter command line,$(origin SAMPLE)),sample,default) \
		$(BIN)/wizard-tui $(SAMPLE) $(ARGS)

# The same SAMPLE as `make run`, so the hints a run printed (make apply, make revert) work as typed.
apply: setup  ## apply the last finished run's changes.patch to SAMPLE, every file or none
	@WIZARD_TUI_MAKE_RUN=$(if $(filter command line,$(origin SAMPLE)),sample,default) \
		$(BIN)/wizard-tui apply $(SAMPLE)

revert: setup  ## undo the last apply on SAMPLE, byte for byte
	@WIZARD_TUI_MAKE_RUN=$(if $(filter command line,$(origin SAMPLE)),sample,default) \
		$(BIN)/wizard-tui revert $(SAMPLE)

test: setup  ## the whole test suite, as CI runs it
	$(BIN)/python -m pytest -p no:cacheprovider

check: setup lint typecheck contracts  ## ruff, mypy and import contracts

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: setup
	$(BIN)/mypy

contracts: setup
	$(BIN)/lint-imports

bench: setup  ## benchmarks; prints one table
	$(BIN)/python -m bench

snapshots: setup  ## re-record the TUI snapshots after a deliberate UI change
	$(BIN)/python -m pytest tests/tui --snapshot-update

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
