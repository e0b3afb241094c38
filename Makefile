# The two commands a new user needs: `make run` and `make test`.
# Only Python 3.11, git and make are assumed; everything else is installed into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint build install install-test browser bench benchmark clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files make a second `make` skip the install when pyproject.toml is unchanged. An editable
# install leaves src/ without bytecode, which PYTHONDONTWRITEBYTECODE=1 then never writes: every
# command would compile newskg from source (~45 ms of `query run`), so compile it, as pip does.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m compileall -q src
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m compileall -q src
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

build: install
	$(BIN)/newskg build

# The analyst's view of the build, and a one-screen summary (`newskg query run-all` prints every table).
run: build
	$(BIN)/newskg report -o build/report.html --summary

# The browser tests drive Debian's chromium through Debian's chromedriver (never a browser
# download). Installed here when missing and apt-get is there (CI runs as root); without them
# the browser tests skip, except under CI=true, where they fail.
browser:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then :; \
	elif command -v apt-get >/dev/null 2>&1; then \
	  echo "installing chromium and chromium-driver (apt-get)"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; } \
	    || echo "could not install chromium: the browser tests will be skipped (they fail under CI=true)"; \
	else echo "no /usr/bin/chromium and no apt-get: the browser tests will be skipped"; fi

test: install-test lint browser
	$(BIN)/python -m pytest

# Settings in pyproject.toml ([tool.ruff], [tool.mypy]); both must be clean for `make test`.
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/mypy

# Issue 12's one table: build (rules, owlrl), add one report, queries, load, per corpus size
# (10k, 100k, 1M triples; ~12 minutes on 2 cores). `make bench BENCH_ARGS=--quick` for 10k only.
BENCH_ARGS ?=
bench: install-test
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

# Every other script, each measuring one concern in depth against its own reference; bench.py
# is left to `make bench`, since its default sizes alone take hours.
benchmark: install-test
	for script in benchmarks/*.py; do [ $$script = benchmarks/bench.py ] || $(BIN)/python $$script || exit 1; done

clean:
	rm -rf build .pytest_cache .ruff_cache .mypy_cache
