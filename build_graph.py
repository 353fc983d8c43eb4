#!/usr/bin/env python3
"""Build the knowledge graph from the bundled sources: the same as `sanctiongraph build`."""

import sys

from sanctiongraph.cli import main

sys.exit(main(["build", *sys.argv[1:]]))
