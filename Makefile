# Two entry points on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: run test lint venv dev-venv translations messages db demo serve clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

venv: $(VENV)/.runtime
dev-venv: $(VENV)/.dev

translations: venv
	$(BIN)/pybabel -q compile -d translations

## After adding or changing user-facing strings: extract them and update every catalogue (then translate).
messages: venv
	$(BIN)/pybabel -q extract -F babel.cfg --no-location --sort-output -k _l -k lazy_gettext -o translations/messages.pot .
	$(BIN)/pybabel -q update -i translations/messages.pot -d translations

## Serve the demo on http://127.0.0.1:5000 (SQLite in instance/ unless DATABASE_URL is set).
run: venv translations
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load
	@echo "Demo logins (password demo12345): clerk, legal, auditor, admin"
	$(BIN)/flask run --host 127.0.0.1 --port 5000

## Lint and the whole test suite (SQLite always; PostgreSQL too when TEST_DATABASE_URL is set).
test: dev-venv translations
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)

lint: dev-venv
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
