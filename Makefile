# Two commands do all set-up on a fresh Debian machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export DATABASE_URL ?=
export REDIS_URL ?=

.PHONY: run test test-fast lint worker beat system-run system-test messages letter-fonts backup restore

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

system-run:
	scripts/install-system-packages.sh run

system-test:
	scripts/install-system-packages.sh test

messages: $(VENV)/.installed
	$(BIN)/python manage.py compilemessages --ignore=.venv -v0

# The letter fonts' outlines converted ahead (replies/letter/outlines.py): about a minute the
# first time, a second after.
letter-fonts: $(VENV)/.installed
	$(BIN)/python manage.py prepare_letter_fonts

# The app with demo data on http://127.0.0.1:8000. SQLite and in-process tasks unless
# DATABASE_URL / REDIS_URL are set (then start a worker: `make worker`, and `make beat`).
run: system-run $(VENV)/.installed messages letter-fonts
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(BIN)/python manage.py runserver 127.0.0.1:8000

# The whole suite against PostgreSQL (DATABASE_URL, default the local server, user postgres)
# and Redis (REDIS_URL, default the local server). With CI=true an unreachable service fails the run.
test: system-test $(VENV)/.installed messages letter-fonts
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/jianyi} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/15} \
	$(BIN)/pytest

# The edit-test loop: everything but the browser tests and those that start a Celery worker or gunicorn.
test-fast: $(VENV)/.installed messages letter-fonts
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/jianyi} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/15} \
	$(BIN)/pytest -m "not browser and not worker and not server" $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run

worker: $(VENV)/.installed
	$(BIN)/celery -A config worker --loglevel=INFO

beat: $(VENV)/.installed
	$(BIN)/celery -A config beat --loglevel=INFO

# The database and the media folder in one dated archive (PostgreSQL only): make backup,
# then make restore FILE=var/backups/jianyi-backup-….tar.gz
backup:
	scripts/backup.sh backup

restore:
	scripts/backup.sh restore $(FILE)
