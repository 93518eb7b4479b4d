# Two commands do all the set-up on a fresh machine:
#   make run    install, index the shipped documents (first run), start the app
#   make test   install with test extras, run the test suite
PY ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install torch==2.13.0
	$(BIN)/pip install -e .

install-test: $(BIN)/python
	$(BIN)/pip install torch==2.13.0
	$(BIN)/pip install -e '.[test]'

run: install
	$(BIN)/python app.py

test: install-test
	$(BIN)/python -m pytest -q

.PHONY: install install-test run test
