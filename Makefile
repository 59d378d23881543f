# Two commands on a fresh machine (Python 3.11 and pip): `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: install demo test test-fast lint format bench clean messages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/tandem demo

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: install
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python benchmarks/matching.py --sizes 1000,10000

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache tandem-demo.db*

# After changing user-facing text: refresh the catalogues, then translate the new entries
# (tests/dialogs/test_i18n.py fails while any message lacks a French or English text).
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k t -k tn:1,2 --no-location --sort-output --project Tandem -o dialogs/core/locales/tandem.pot .
	$(BIN)/pybabel update -i dialogs/core/locales/tandem.pot -d dialogs/core/locales -D tandem --no-fuzzy-matching --ignore-obsolete
