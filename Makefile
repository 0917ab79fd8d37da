# Ventanilla: the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench bench-large lint format messages clean openapi

$(STAMP): requirements.lock requirements-dev.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/ventanilla demo

# The suite runs in one process per core (pytest-xdist), each test file whole in one of them so
# a module's shared set-up is built once, in the order collected (the longest tests first);
# TEST_PROCESSES=0 runs it in this process.
TEST_PROCESSES ?= auto
test: $(STAMP)
	$(BIN)/python -m pytest --numprocesses=$(TEST_PROCESSES) --dist=loadfile --no-loadscope-reorder \
		$(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	$(BIN)/python bench/cases.py
	$(BIN)/python bench/channels.py
	$(BIN)/python bench/deadlines.py
	$(BIN)/python bench/ratelimit.py
	REDIS_URL=redis://127.0.0.1:6379/0 $(BIN)/python bench/ratelimit.py
	$(BIN)/python bench/signin.py
	$(BIN)/python bench/identity_import.py
	$(BIN)/python bench/candidates.py
	$(BIN)/python bench/identity.py
	$(BIN)/python bench/identity_batch.py
	$(BIN)/python bench/analytics.py
	$(BIN)/python bench/associations.py
	$(BIN)/python bench/risk.py
	$(BIN)/python bench/events.py
	$(BIN)/python bench/classifier.py
	$(BIN)/python bench/precedents.py
	$(BIN)/python bench/participation.py
	$(BIN)/python bench/budgets.py
	$(BIN)/python bench/surveys.py

# The large town the README speaks of; seeding it takes a long while the first time (kept after).
bench-large: $(STAMP)
	$(BIN)/python bench/run.py --citizens 1000000 --interactions-per-citizen 10 $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	cd src && ../$(BIN)/lint-imports --no-cache --config ../pyproject.toml
	$(BIN)/ventanilla makemigrations --check --dry-run

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

messages: $(STAMP)
	cd src/ventanilla && ../../$(BIN)/ventanilla makemessages -l es --no-location --no-obsolete && ../../$(BIN)/ventanilla compilemessages

clean:
	rm -rf $(VENV) var

openapi: $(STAMP)
	$(BIN)/ventanilla export_openapi_schema --api ventanilla.api.urls.api --indent 2 --sorted --output docs/openapi.json
