# Two entry points on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi
# The suite runs on every core (pytest-xdist); each worker has its own databases. `make test PYTEST_ARGS=-x` runs serially.
PYTEST_ARGS ?= -n auto

.PHONY: run test lint venv dev-venv node-dev translations messages db demo serve clean bench lock

# Installs come from the locks: every package of the tree pinned with its hashes (pip --require-hashes).
# requirements*.txt are the hand-edited top-level pins. To re-lock after editing them: `make lock`
# (keeps the other pins; `make lock LOCK_ARGS=--upgrade` moves every unpinned dependency to its newest release).
PIP_COMPILE = $(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
	--no-emit-index-url --no-emit-find-links $(LOCK_ARGS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The venv's own pip and setuptools first, at their pinned versions.
$(VENV)/.pip: requirements-pip.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-pip.lock
	touch $@

$(VENV)/.runtime: requirements.lock $(VENV)/.pip
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(VENV)/.dev: requirements-dev.lock requirements.lock $(VENV)/.pip
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@ $(VENV)/.runtime

venv: $(VENV)/.runtime
dev-venv: $(VENV)/.dev

# The browser tests' JavaScript tools (axe-core), exactly as package-lock.json pins them; again only when it changed.
node_modules/.installed: package-lock.json package.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

node-dev: node_modules/.installed

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
test: dev-venv node-dev translations
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)

lint: dev-venv
	$(BIN)/ruff check .

## Re-lock requirements*.lock from requirements*.txt (the dev lock is constrained to the runtime one).
lock: $(VENV)/.pip
	$(BIN)/pip install --quiet pip-tools==7.6.2
	$(PIP_COMPILE) -o requirements-pip.lock requirements-pip.txt
	$(PIP_COMPILE) -o requirements.lock requirements.txt
	$(PIP_COMPILE) -c requirements.lock -o requirements-dev.lock requirements-dev.txt

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache
