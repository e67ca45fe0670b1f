# The two commands a fresh clone needs: `make run` and `make test`. Both build .venv themselves: `make run` with
# only what running needs (no Synapse, mypy, ruff, hypothesis or reportlab), `make test` with the dev set.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUN_STAMP := $(VENV)/.run-installed

.PHONY: run test lint typecheck unit bench clean

$(RUN_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing what Readalong needs to run (first time only)…"
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install -e .
	touch $(RUN_STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP) $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/readalong console

lint: $(STAMP)
	$(BIN)/ruff check bot cogs tests bench
	$(BIN)/ruff format --check bot cogs tests bench
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

# One worker per core (pytest-xdist); each worker that runs a Matrix test starts its own Synapse. Grouping those
# tests on one worker (--dist loadgroup) does nothing with pytest 9.2: pytest-dev/pytest-xdist#1386.
unit: $(STAMP)
	$(BIN)/python -m pytest -n auto

test: lint typecheck unit

bench: $(STAMP)
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
