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

# Everything that ships, strict: datamesh/ and components/ (pyproject.toml), then the three
# Pulumi programs and the benchmarks in runs of their own (each program is a module __main__).
typecheck: $(VENV)/.dev
	$(BIN)/mypy
	$(BIN)/mypy __main__.py
	$(BIN)/mypy bootstrap/__main__.py
	$(BIN)/mypy policy_packs/mesh-guardrails/__main__.py policy_packs/mesh-guardrails/mesh_guardrails.py
	$(BIN)/mypy bench

pytest: $(VENV)/.dev
	$(BIN)/python -m pytest -q

# The benchmarks of bench/README.md (about 15 minutes; bench_plan.py also times Pulumi mocks).
# A script exits 1 when it misses a goal: `-` runs the others all the same (bench reports, it
# does not gate). bench_scale.py rewrites the Scale table of bench/README.md.
bench: $(VENV)/.dev
	-$(BIN)/python bench/bench_validate.py
	-$(BIN)/python bench/bench_plan.py
	-$(BIN)/python bench/bench_check.py
	-$(BIN)/python bench/bench_budgets.py
	-$(BIN)/python bench/bench_diff.py
	-$(BIN)/python bench/bench_discovery.py
	-$(BIN)/python bench/bench_catalog.py
	-$(BIN)/python bench/bench_serve.py
	$(BIN)/python bench/bench_scale.py --write-readme

clean:
	rm -rf $(VENV) *.egg-info
