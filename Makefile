# The commands of the README: `make graph` builds the graph from the bundled
# sources; `make test` runs the tests; `make bench` runs the benchmarks of
# BENCHMARKS.md (about 20 minutes). Each creates the virtual environment first.
PYTHON ?= python3
VENV := .venv

.PHONY: graph test bench

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $@

graph: $(VENV)/.installed
	$(VENV)/bin/sanctiongraph build

test: $(VENV)/.installed
	$(VENV)/bin/pytest

bench: $(VENV)/.installed
	$(VENV)/bin/python benchmarks/bench.py
