# The commands of the README: `make graph` builds the graph from the bundled
# sources; `make serve` serves it; `make test` type-checks and runs the tests; `make bench` runs
# the benchmarks of BENCHMARKS.md (about 30 minutes). Each creates the virtual
# environment first; serve and test also install the query editor (npm).
PYTHON ?= python3
VENV := .venv
YASGUI := web/node_modules/@zazuko/yasgui/build/yasgui.min.js

.PHONY: graph serve test bench

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $@

$(YASGUI): web/package.json web/package-lock.json
	npm ci --prefix web --no-audit --no-fund --loglevel=error
	touch $@

graph: $(VENV)/.installed
	$(VENV)/bin/sanctiongraph build

serve: $(VENV)/.installed $(YASGUI)
	$(VENV)/bin/sanctiongraph serve

test: $(VENV)/.installed $(YASGUI)
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest

bench: $(VENV)/.installed
	$(VENV)/bin/python benchmarks/bench.py
