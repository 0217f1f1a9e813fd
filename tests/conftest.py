import os
import sys

import pytest
from hypothesis import settings

# CI draws the same examples on every run, so that a red CI means a change broke
# something rather than that a new example was found (one was, 2026-12-07: an int64
# minimum whose weights overflowed with a finite loss); elsewhere each run explores.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("SKFIT_HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def _undo_scikeras_global_state():
    """A seeded scikeras fit leaves TensorFlow's op determinism on for the whole
    process (a known scikeras 0.13 bug). Switch it off after each test so that
    the bug of one test cannot leak into the next one."""
    yield
    if "tensorflow" in sys.modules:
        from skfit.utils.fixes import disable_op_determinism, op_determinism_enabled

        if op_determinism_enabled():
            disable_op_determinism()
