# Two commands matter (see README): `make run` and `make test`. Everything else is a step.
# Needs only Python 3.11 (with venv and pip) and Node.js with npm.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
FRONTEND := portal/frontend
STAMPS := .make

.PHONY: run test coverage install frontend migrate lint check clean

run: install migrate  ## set up everything, load plans and demo content, serve on :8000
	$(PY) manage.py load_plan
	$(PY) manage.py setup_site
	$(PY) manage.py load_demo
	@echo "Serving on http://127.0.0.1:8000  (staff area: /admin/, health: /healthz)"
	$(PY) manage.py runserver 127.0.0.1:8000

test: install  ## run the whole test suite (SQLite unless DATABASE_URL is set)
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest $(PYTEST_ARGS)

coverage: install  ## the test suite under coverage.py, then the per-module table and the total
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m coverage run -m pytest $(PYTEST_ARGS)
	$(PY) -m coverage report --sort=cover

install: $(STAMPS)/python $(STAMPS)/frontend

$(STAMPS)/python: pyproject.toml
	@mkdir -p $(STAMPS)
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# Install the dependencies pinned in pyproject.toml; the project itself runs from this folder.
	$(PY) -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; print("\n".join(p["dependencies"] + p["optional-dependencies"]["test"]))' > $(STAMPS)/requirements.txt
	$(PY) -m pip install --quiet -r $(STAMPS)/requirements.txt
	@touch $@

$(STAMPS)/frontend: $(FRONTEND)/package.json $(FRONTEND)/package-lock.json $(wildcard $(FRONTEND)/scss/*) $(wildcard $(FRONTEND)/js/*) $(FRONTEND)/build.mjs
	@mkdir -p $(STAMPS)
	cd $(FRONTEND) && npm ci --no-audit --no-fund --loglevel=error
	cd $(FRONTEND) && npm run --silent build
	@touch $@

frontend: $(STAMPS)/frontend

migrate: install
	$(PY) manage.py migrate --noinput

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports  # the layers in pyproject.toml: no app imports one above it

clean:
	rm -rf $(VENV) $(STAMPS) $(FRONTEND)/node_modules $(FRONTEND)/dist db.sqlite3
