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

install-test: $(BIN)/python browser
	$(BIN)/pip install torch==2.13.0
	$(BIN)/pip install -e '.[test]'

# The browser tests drive Debian's chromium (Playwright's own browser download
# does not work offline). Installed here when missing and apt-get is usable.
browser:
	@command -v chromium >/dev/null || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	  (apt-get install -y -q chromium >/dev/null 2>&1 || \
	   (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)); } || \
	  echo "chromium is missing: install it (apt-get install chromium) for the browser tests"

run: install
	$(BIN)/python app.py

test: install-test
	$(BIN)/python -m pytest -q

.PHONY: install install-test browser run test
