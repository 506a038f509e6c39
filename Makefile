# One command to run the app with demo data, one to run every check.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
export FLASK_APP := training
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install lint format translations

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

## run: set up, migrate, load the curriculum and demo accounts, serve on http://127.0.0.1:5000
run: install
	KEFU_ENV=development $(BIN)/flask db upgrade
	KEFU_ENV=development $(BIN)/flask content sync
	KEFU_ENV=development $(BIN)/flask demo
	KEFU_ENV=development $(BIN)/flask run --host $(HOST) --port $(PORT)

## test: lint, check the shipped content, run the whole suite (PostgreSQL when TEST_DATABASE_URL is set)
test: install lint
	KEFU_ENV=development DATABASE_URL=sqlite:// $(BIN)/flask content check
	KEFU_ENV=development DATABASE_URL=sqlite:// $(BIN)/flask roleplay check
	$(BIN)/pytest $(PYTEST_ARGS)

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## translations: extract new messages into the catalogues, then compile them
translations:
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o /tmp/kefu-messages.pot .
	$(BIN)/pybabel update -i /tmp/kefu-messages.pot -d training/translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d training/translations
