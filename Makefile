# One-command set-up: every target creates .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: run test bench eval clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@ $(STAMP)

run: $(STAMP)
	$(BIN)/citatbot repl

# One worker a core; a test file's tests stay on one worker (they share its servers and fixtures).
test: $(TEST_STAMP)
	$(BIN)/python -m pytest -q -n auto --dist loadfile

eval: $(STAMP)
	$(BIN)/citatbot eval --gold corpus/gold.jsonl

$(BENCH_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test,bench]'
	touch $@ $(TEST_STAMP) $(STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks.load
	$(BIN)/python -m benchmarks.storms
	$(BIN)/python -m benchmarks.replicas
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.levers
	$(BIN)/python -m benchmarks.grams
	$(BIN)/python -m benchmarks.semantic
	$(BIN)/python -m benchmarks.spin
	$(BIN)/python -m benchmarks.documents
	$(BIN)/python -m benchmarks.users_folder --sizes 100000 1000000

clean:
	rm -rf $(VENV) .pytest_cache
