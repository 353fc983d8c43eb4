# The two commands of the README: `make graph` builds the graph from the bundled
# sources; `make test` runs the tests. Both create the virtual environment first.
PYTHON ?= python3
VENV := .venv

.PHONY: graph test

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $@

graph: $(VENV)/.installed
	$(VENV)/bin/sanctiongraph build

test: $(VENV)/.installed
	$(VENV)/bin/pytest
