# The commands of the README: `make graph` builds the graph from the bundled
# sources; `make serve` serves it; `make test` lints, type-checks and runs the tests; `make bench` runs
# the benchmarks of BENCHMARKS.md (about 30 minutes). Each creates the virtual
# environment first; serve and test also install the query editor (npm), and test installs
# what the tests drive (Debian's Chromium and Virtuoso) when it is missing: through apt-get as root,
# otherwise it stops and prints the command to run.
PYTHON ?= python3
VENV := .venv
YASGUI := web/node_modules/@zazuko/yasgui/build/yasgui.min.js

# command:Debian package, for each command the tests run
SYSTEM_PACKAGES := chromium:chromium npm:npm virtuoso-t:virtuoso-opensource-7-bin

.PHONY: graph serve test bench system-packages

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

system-packages:
	@missing=""; for pair in $(SYSTEM_PACKAGES); do command -v $${pair%%:*} >/dev/null || missing="$$missing $${pair#*:}"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "make test needs$$missing: run  sudo apt-get install --no-install-recommends$$missing" >&2; exit 2; fi; \
	echo "installing$$missing (Debian packages)" >&2; \
	apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends$$missing >/dev/null

test: system-packages $(VENV)/.installed $(YASGUI)
	$(VENV)/bin/ruff check --quiet src tests benchmarks
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest

bench: $(VENV)/.installed
	$(VENV)/bin/python benchmarks/bench.py
