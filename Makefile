# One entry point for people and CI: `make demo` to try it, `make test` to check it.
VENV ?= .venv
PYTHON ?= python3
# pytest-xdist worker processes for `make test` (CI's machines have two cores); each
# takes whole modules (--dist loadscope), so a module's fixtures (a live server, a
# browser, a replicated pair) are built once, in one worker.
TEST_WORKERS ?= 2
BIN := $(VENV)/bin

.PHONY: install demo serve test lint typecheck benchmark benchmark-quick

$(BIN)/lrs: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/lrs

demo: install  ## install, fill lrs.db with a demo organisation, serve LRS + dashboards
	$(BIN)/lrs demo

serve: install
	$(BIN)/lrs serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

test: lint typecheck  ## every check CI runs: lint, types, import contracts, tests on SQLite and PostgreSQL
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadscope

benchmark: install  ## the full benchmark at 1,000,000 statements, then how cost grows to 4,000,000 (plot in docs/)
	$(BIN)/python -m benchmarks
	$(BIN)/python -m benchmarks.curve --plot docs/performance-curve.png

benchmark-quick: install  ## a small run that checks the benchmark works (CI)
	$(BIN)/python -m benchmarks --quick
	$(BIN)/python -m benchmarks.curve --quick --sizes sqlite=1000 --sizes postgresql=1000 --seconds 1
