# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

BENCH_VENV := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed

.PHONY: run test lint unit browser format bench bench-venv clean

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

test: lint $(CHROMIUM)
	CHROMIUM=$(CHROMIUM) $(PY) -m pytest

unit: $(STAMP)
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

bench: $(STAMP) $(BENCH_STAMP) $(CHROMIUM)
	$(PY) bench/cli_forecast.py
	$(PY) bench/throughput.py
	$(PY) bench/chart_payload.py
	CHROMIUM=$(CHROMIUM) $(PY) bench/draw_time.py
	CHROMIUM=$(CHROMIUM) $(PY) bench/concurrency.py
	$(PY) bench/memory.py
	$(PY) bench/accuracy.py

clean:
	rm -rf $(VENV) $(BENCH_VENV) bench/.cache .pytest_cache .ruff_cache artifacts
