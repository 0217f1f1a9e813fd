"""scikit-learn's MLP gallery examples run with skfit's MLPs swapped in, and score alike.

Each example (tests/sklearn_examples.py) runs, in a smaller version, with
scikit-learn's ``MLPClassifier``/``MLPRegressor`` and with skfit's
``KerasMLPClassifier``/``KerasMLPRegressor`` under the same names; skfit's
scores must be within noise of scikit-learn's (their mean over the example's
settings within the standard error of a test score of that many rows). The
whole examples, and their times side by side, are in
benchmarks/bench_sklearn_examples.py.
"""

import numpy as np
import pytest
from sklearn.neural_network import MLPClassifier, MLPRegressor

from skfit import KerasMLPClassifier, KerasMLPRegressor

from .sklearn_examples import EXAMPLES

#: Most mean difference of the scores allowed, per example: about two standard errors of
#: an accuracy near 0.9 on the examples' test sets (40 rows for the 2-D tables, 360 for
#: digits), or of R^2 on 120 rows.
TOLERANCE = {
    "varying alpha (L-BFGS)": 0.08,
    "training curves of the solvers": 0.06,
    "first layer's weights": 0.04,
    "RBM + classifier pipeline": 0.06,
    "classifier comparison": 0.08,
    "partial dependence": 0.08,
}


@pytest.mark.parametrize("name", EXAMPLES)
def test_sklearn_example_runs_on_skfit_and_scores_alike(name):
    run = EXAMPLES[name]
    theirs = run(MLPClassifier, MLPRegressor, quick=True)
    ours = run(KerasMLPClassifier, KerasMLPRegressor, quick=True)
    assert ours.keys() == theirs.keys()
    if name == "partial dependence":
        informative = "informative feature's partial dependence range"
        noise = "noise feature's partial dependence range"
        assert ours[informative] > 3 * ours[noise]  # the curve shows what matters
        ours, theirs = ({"R^2": scores["test R^2"]} for scores in (ours, theirs))
    difference = np.mean([ours[k] for k in ours]) - np.mean([theirs[k] for k in theirs])
    assert difference > -TOLERANCE[name], (ours, theirs)
