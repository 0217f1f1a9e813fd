"""Significance tests for cross-validated score comparisons.

Private helpers of :func:`skfit.model_selection.compare_to_baseline`.
"""

import math

import numpy as np
from scipy import stats


def corrected_resampled_ttest(differences, n_train, n_test):
    """One-sided Nadeau-Bengio corrected resampled t-test of ``mean > 0``.

    The ``J`` per-split score differences of two models evaluated on the same
    splits are not independent: their training sets overlap. Nadeau and Bengio
    (2003) correct the variance of their mean for this overlap::

        var_corrected = (1 / J + n_test / n_train) * var(differences, ddof=1)
        t = mean(differences) / sqrt(var_corrected)

    with ``J - 1`` degrees of freedom. The same correction is used for
    repeated K-fold (Bouckaert and Frank, 2004), with ``J`` the total number
    of splits.

    Parameters
    ----------
    differences : array-like of shape (J,)
        Per-split score differences (model minus reference; higher is better).
    n_train, n_test : float
        Training and test set sizes (the means over splits when they vary).

    Returns
    -------
    t_statistic, p_value : float
        Both NaN when ``J < 2``. The p-value is one-sided: the probability,
        under the null hypothesis of no improvement, of a ``t`` at least this
        large.
    """
    differences = np.asarray(differences, dtype=float)
    n_splits = differences.size
    if n_splits < 2:
        return math.nan, math.nan
    mean = differences.mean()
    variance = (1.0 / n_splits + n_test / n_train) * differences.var(ddof=1)
    if variance > 0:
        t_statistic = mean / math.sqrt(variance)
    else:
        t_statistic = math.copysign(math.inf, mean) if mean != 0 else 0.0
    return float(t_statistic), float(stats.t.sf(t_statistic, df=n_splits - 1))


def permutation_p_value(observed, null_scores):
    """Permutation-test p-value: ``(#{null >= observed} + 1) / (n + 1)``.

    Parameters
    ----------
    observed : float
        The statistic on the real data (higher is better).
    null_scores : array-like of shape (n,)
        The statistic on ``n`` permuted data sets.

    Returns
    -------
    p_value : float
        NaN when ``n == 0``; otherwise at least ``1 / (n + 1)`` (Phipson and
        Smyth, 2010), so that the test is exact and never reports zero.
    """
    null_scores = np.asarray(null_scores, dtype=float)
    if null_scores.size == 0:
        return math.nan
    return float((np.count_nonzero(null_scores >= observed) + 1) / (null_scores.size + 1))
