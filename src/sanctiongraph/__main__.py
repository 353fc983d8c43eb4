"""python -m sanctiongraph"""

import sys

from sanctiongraph.cli import main

sys.exit(main())
