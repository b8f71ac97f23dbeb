# interviewloop: `make run` to try it, `make test` to prove it. Both set up the virtualenv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint bench clean

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# The embedded stack: SQLite, Celery on kombu's filesystem transport, console email. Nothing to install.
# One Ctrl-C stops all three; so does any one of them dying (honcho then exits non-zero, naming it).
run: export DEBUG ?= 1
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: install
	$(BIN)/python manage.py migrate --noinput
	# The guide's rubric first and on its own (its fixture names fixed ids, so seed_rubric loads it only into a
	# database without rubrics), then the rubric templates, which find themselves by name and version.
	$(BIN)/python manage.py seed_rubric
	$(BIN)/python manage.py loaddata rubric_templates
	$(BIN)/python manage.py import_questions ../shared/seeds/001_f19f35a3a6d4a17f.txt ../shared/seeds/003_347392037ab67eac.txt
	$(BIN)/python manage.py seed_demo
	PORT=$(PORT) HOST=$(HOST) $(BIN)/honcho --procfile Procfile.dev start

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/mypy .

# The suite on PYTEST_WORKERS pytest-xdist workers (two: CI's cores), each with its own test database and Redis
# database (tests/xdist_resources.py); worksteal hands a worker that runs out the other's queued tests, so one slow
# test near the end does not leave a core idle. PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= 2
test: lint
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal

# Load test on PostgreSQL + Redis (DATABASE_URL / CELERY_BROKER_URL, else the local ones): seeds a company, runs
# gunicorn + locust, prints a table, writes bench/results/latest.json. E.g. BENCH_ARGS="--scale 0.1 --duration 10".
bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf var/broker var/broker-processed var/celerybeat-schedule* var/interviewloop.sqlite3
