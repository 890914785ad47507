# Two commands on a fresh machine (see README):
#   make demo   set up, then validate, plan and check the bundled example mesh (domains/): the live
#               mesh is checked by what users run, never by `make test` (tests use fixture meshes)
#   make test   set up with the dev tools, then lint, type-check and run the tests
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck pytest bench clean

# -qq: pip still prints errors, but not setuptools' notices about editable installs.
$(BIN)/mesh: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -qq --upgrade pip
	$(BIN)/pip install -qq -e .
	touch $@

$(VENV)/.dev: pyproject.toml $(BIN)/mesh
	$(BIN)/pip install -qq -e '.[dev]'
	touch $@

demo: $(BIN)/mesh
	$(BIN)/mesh validate --domains domains
	$(BIN)/mesh codeowners --domains domains --platform-owner @daff/platform --check
	$(BIN)/mesh plan --domains domains --env dev
	$(BIN)/mesh check --domains domains --env dev
	$(BIN)/mesh check --domains domains --env prod

test: $(VENV)/.dev lint typecheck pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check .

typecheck: $(VENV)/.dev
	$(BIN)/mypy

pytest: $(VENV)/.dev
	$(BIN)/python -m pytest -q

# The benchmarks of bench/README.md (several minutes; bench_plan.py also times Pulumi mocks).
bench: $(VENV)/.dev
	$(BIN)/python bench/bench_validate.py
	$(BIN)/python bench/bench_plan.py
	$(BIN)/python bench/bench_check.py
	$(BIN)/python bench/bench_budgets.py
	$(BIN)/python bench/bench_diff.py
	$(BIN)/python bench/bench_catalog.py

clean:
	rm -rf $(VENV) *.egg-info
