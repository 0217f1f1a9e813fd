"""``python -m skfit.cli``: the ``skfit`` console script."""

import sys

from . import main

sys.exit(main())
