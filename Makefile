# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

BENCH_VENV := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed

.PHONY: run test lint unit browser format bench bench-venv clean postgresql

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m streamlit run app.py

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/hadolint Dockerfile

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium

# The tests of shared tuning studies start a throwaway PostgreSQL server of their own.
postgresql:
	@command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql; }

test: lint $(CHROMIUM) postgresql
	CHROMIUM=$(CHROMIUM) $(PY) -m pytest

unit: $(STAMP) postgresql
	$(PY) -m pytest --ignore=tests/e2e

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# The accuracy benchmark's statistical anchors need pandas < 3: a venv of their own.
$(BENCH_STAMP): requirements-bench.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -r requirements-bench.txt
	touch $(BENCH_STAMP)

bench-venv: $(BENCH_STAMP)

bench: $(STAMP) $(BENCH_STAMP) $(CHROMIUM) postgresql
	$(PY) bench/cli_forecast.py
	$(PY) bench/throughput.py
	$(PY) bench/members.py
	$(PY) bench/chart_payload.py
	CHROMIUM=$(CHROMIUM) $(PY) bench/draw_time.py
	CHROMIUM=$(CHROMIUM) $(PY) bench/concurrency.py
	$(PY) bench/memory.py
	$(PY) bench/accuracy.py
	$(PY) bench/tune.py

clean:
	rm -rf $(VENV) $(BENCH_VENV) bench/.cache .pytest_cache .ruff_cache artifacts
