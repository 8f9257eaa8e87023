# The README's commands. Each target creates .venv if missing and installs the project into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
# The sample library lives in the user's data dir unless MINUTEBOOK_LIBRARY says otherwise.
SAMPLES := samples/minutes

.PHONY: run test test-fast lint bench eval eval-multi reliability clean-venv

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first and pinned: the CPU wheel on local disk, never the multi-GB CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $(STAMP)

# Unchanged files are skipped (by sha256), so ingesting the samples again is quick after the first run.
run: $(STAMP)
	$(BIN)/minutebook ingest $(SAMPLES)
	$(BIN)/minutebook ui

test: $(STAMP)
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check ingest index assistant ui eval tests
	$(BIN)/ruff format --check ingest index assistant ui eval tests
	$(BIN)/mypy

eval: $(STAMP)
	$(BIN)/python -m eval.run_dev

# The multi-body dev library (tests/data/external + samples) lives in the user cache dir and is built when missing.
eval-multi: $(STAMP)
	$(BIN)/python -m eval.multi eval --output-dir eval/results/multi-body

reliability: $(STAMP)
	$(BIN)/python -m tests.reliability.report

bench: $(STAMP)
	$(BIN)/python -m bench.run

clean-venv:
	rm -rf $(VENV)
