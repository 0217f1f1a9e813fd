import sys

import pytest


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
