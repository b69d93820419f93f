# Two commands matter: `make run` and `make test`. Everything else is plumbing.
# `make serve` is production: gunicorn with inspect_app/gunicorn_conf.py, no demo data.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
PO := inspect_app/translations/en/LC_MESSAGES/messages.po
MO := $(PO:.po=.mo)
export FLASK_APP := inspect_app

.PHONY: run serve worker test pytest lint bench db translations extract clean

$(BIN)/flask: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(MO): $(PO) $(BIN)/flask
	$(BIN)/pybabel compile --use-fuzzy -d inspect_app/translations -D messages

translations: $(MO)

db: $(BIN)/flask $(MO)
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty

# The development server and one queue worker beside it (exports, periodic cleanup);
# Ctrl-C stops both.
run: db
	$(BIN)/flask data cleanup
	$(BIN)/flask jobs worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	$(BIN)/flask run --host $(HOST) --port $(PORT)

serve: $(BIN)/flask $(MO)
	$(BIN)/flask db upgrade
	$(BIN)/gunicorn -c python:inspect_app.gunicorn_conf --bind $(HOST):$(PORT) 'inspect_app:create_app()'

# A production queue worker beside `make serve` (see README "Background jobs"); no demo data.
WORKERS ?= 2
worker: $(BIN)/flask $(MO)
	$(BIN)/flask jobs worker --workers $(WORKERS)

# One pytest worker per core (pytest-xdist); a file's tests stay on one worker, so module
# fixtures (the printed documents, the API server) are made once. PYTEST_ARGS= runs serially.
PYTEST_ARGS ?= -n auto --dist loadfile
test: $(BIN)/flask $(MO)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/pytest $(PYTEST_ARGS)

# The suite alone (CI runs it again on PostgreSQL with INSPECT_TEST_DATABASE_URL).
pytest: $(BIN)/flask $(MO)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(BIN)/flask
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(BIN)/flask $(MO)
	$(BIN)/python benchmarks/photos.py
	$(BIN)/python benchmarks/export.py
	$(BIN)/python benchmarks/pages.py
	$(BIN)/python benchmarks/imports.py
	$(BIN)/python benchmarks/load.py
	$(BIN)/python benchmarks/export_jobs.py $(BENCH_ARGS)

# The catalogue is sorted and carries no line numbers, so branches that add messages merge
# cleanly (.gitattributes merges it as a union).
extract: $(BIN)/flask
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--omit-header -o inspect_app/translations/messages.pot .
	$(BIN)/pybabel update -i inspect_app/translations/messages.pot -d inspect_app/translations \
		--no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date

clean:
	rm -rf $(VENV) $(MO)
