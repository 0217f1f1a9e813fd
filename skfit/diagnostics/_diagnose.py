"""diagnose: read the fit off its loss curves; the entry point.

The curve statistics live in :mod:`._curves`, the decision in
:mod:`._decision`, the advice in :mod:`._advice` and the result in
:mod:`._diagnosis`. This module resolves what it is given (an estimator,
a Pipeline, a Keras ``History``, a dict) once, and puts the pieces together.
"""

import math
from numbers import Integral, Real

import numpy as np

from ..utils._estimators import estimator_kind, final_estimator
from ..utils.fixes import Interval, StrOptions, validate_params
from ._advice import advise
from ._decision import Settings, decide
from ._diagnosis import Diagnosis
from ._history import check_history

__all__ = ["diagnose"]


@validate_params(
    {
        "estimator_or_history": "no_validation",
        "baseline_score": [Real, None],
        "score": [str, None],
        "constant_loss": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"}), None],
        "baseline_margin": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
        "smoothing": [Interval(Integral, 1, None, closed="left")],
        "min_relative_decrease": [Interval(Real, 0, 1, closed="neither")],
        "overfit_margin": [Interval(Real, 0, None, closed="neither")],
        "plateau_tolerance": [Interval(Real, 0, None, closed="left")],
        "confidence": [Interval(Real, 0, 1, closed="neither")],
        "restored_epoch": [Interval(Integral, 1, None, closed="left"), None],
    },
    prefer_skip_nested_validation=True,
)
def diagnose(
    estimator_or_history,
    *,
    baseline_score=None,
    score=None,
    constant_loss="auto",
    baseline_margin="auto",
    smoothing=5,
    min_relative_decrease=0.1,
    overfit_margin=0.1,
    plateau_tolerance=0.02,
    confidence=0.99,
    restored_epoch=None,
):
    """Diagnose a fit from its training and validation curves.

    The checks follow the order of the practice: does the model train,
    does it beat the baseline, can it overfit, and did it stop at the right
    point. The best epoch is the minimum of the validation loss smoothed by
    a centered moving median, and a rise after it must be statistically
    significant, so that noisy epochs do not decide the verdict.

    - ``"not_training"``: training diverged (the training or validation
      loss ends NaN or infinite, or its moving median never falls below
      ten times the loss of a constant prediction, see ``constant_loss``);
      or the training loss does not decrease meaningfully, or climbs back
      up (see ``min_relative_decrease``). The advice starts with a lower
      learning rate.
    - ``"not_generalizing"``: the validation metric at the best epoch is no
      better than ``baseline_score`` (checked only when it is given), or
      the validation loss never changes while the training loss falls.
    - ``"overfitting"``: after its minimum the validation loss rises
      significantly (the ``confidence`` interval of its Theil-Sen slope lies
      above zero), by more than ``overfit_margin`` by the last epoch.
    - ``"underfitting"``: no significant rise after the minimum: the
      validation loss is still falling at the last epoch, or flat without
      ever turning up.
    - ``"good_fit"``: a significant rise, but smaller than
      ``overfit_margin``; or the estimator's early stopping restored the
      weights of its best epoch, no later than the overfitting began, and
      the curve was no longer falling; or (when ``constant_loss`` is
      known) the validation loss ends at most 0.001 times the constant
      prediction's: the validation rows are predicted (almost) exactly,
      still falling or not. When the training loss went above ten times
      the constant prediction's on the way, the advice is a lower learning
      rate: such a fit landed well by luck.

    A Pipeline (or a ``TransformedTargetRegressor``) is diagnosed as its
    final estimator: its curves, its parameters in the advice and its early
    stopping, so that a network gets the same diagnosis inside a Pipeline
    as on its own. A history of any length that ends early on a NaN or
    infinite loss (a fit stopped when it diverged) is read as diverged; NaN
    epochs of the validation curve are left out and reported.

    Parameters
    ----------
    estimator_or_history : estimator, keras.callbacks.History or dict
        A fitted skfit or scikeras estimator (its ``history_``), a Pipeline
        ending in one, a Keras ``History``, or a dict mapping ``"loss"``,
        ``"val_loss"`` and other metrics to one value per epoch.
    baseline_score : float, default=None
        Score of a common-sense baseline on the validation data (for
        example chance accuracy, or the mean of
        ``compare_to_baseline(...).baseline_scores``), in the units of
        ``score``. None skips the check.
    score : str, default=None
        History key of the validation metric compared with
        ``baseline_score``; ``"val_accuracy"`` when present, else
        ``"val_loss"``. Keys naming a loss or an error are lower-is-better.
    constant_loss : float > 0, "auto" or None, default="auto"
        The loss of a constant prediction on this data (for mean squared
        error, the variance of the target; for cross-entropy, the entropy of
        the class frequencies): a run whose training or validation loss
        (moving median of ``smoothing`` epochs: one epoch that lands low by
        chance does not count) stays above ten times it has diverged; one
        that ends at most 0.001 times it is a good fit.
        "auto": log(n_classes) for a fitted classifier trained with
        cross-entropy (a uniform guess), None otherwise. None skips this
        check.
    baseline_margin : float or "auto", default="auto"
        How much better than ``baseline_score`` the model must be. "auto":
        twice the epoch-to-epoch noise of the metric (a robust estimate
        from its second differences).
    smoothing : int, default=5
        Window, in epochs, of the moving median applied to the curves; 1
        disables smoothing.
    min_relative_decrease : float, default=0.1
        Relative decrease of the training loss, from its first epoch (or,
        after leading blow-up epochs, the lowest of the next third) to the
        median of the last third of the epochs, below which the model is
        not training; a later climb this far above the start is unstable.
    overfit_margin : float, default=0.1
        Rise of the validation loss from its minimum to the last epoch (the
        fitted trend, relative to the minimum) that counts as overfitting.
    plateau_tolerance : float, default=0.02
        Relative decrease of the smoothed validation loss over the last
        quarter of the epochs above which it is still falling.
    confidence : float, default=0.99
        Confidence level of the interval of the Theil-Sen slope of the
        validation loss after its minimum; the rise is significant when the
        whole interval lies above zero. On simulated flat curves with noise
        up to 10% per epoch, 0.99 calls about 1% of them overfitting.
    restored_epoch : int, default=None
        For a history given as a dict or a Keras ``History``: the 1-based
        epoch whose weights early stopping restored (Keras's
        ``EarlyStopping(restore_best_weights=True)``), so that a run that
        stopped at the right point reads ``"good_fit"``. An estimator says
        it itself (its ``early_stopping`` and ``best_epoch_``).

    Returns
    -------
    diagnosis : Diagnosis
        ``status``, ``best_epoch``, ``overfit_epoch``, ``gap``, ``evidence``
        and ``advice``; ``print(diagnosis)`` shows them all.

    Raises
    ------
    ValueError
        If the model trains but the history has no ``"val_loss"`` with a
        finite value (the later checks need a validation curve), or it has
        a single epoch.

    See Also
    --------
    Diagnosis : The result, with its plot.
    LossCurveDisplay : Plot the curves of several fits.
    learning_rate_sweep : Find the largest learning rate that trains.

    Examples
    --------
    >>> from skfit.diagnostics import diagnose
    >>> history = {
    ...     "loss":     [1.0, 0.6, 0.4, 0.3, 0.2, 0.15, 0.1, 0.07, 0.05, 0.03],
    ...     "val_loss": [1.1, 0.7, 0.5, 0.45, 0.44, 0.47, 0.52, 0.58, 0.65, 0.72],
    ... }
    >>> diagnosis = diagnose(history, smoothing=1)
    >>> diagnosis.status, diagnosis.best_epoch, diagnosis.overfit_epoch
    ('overfitting', 5, 6)
    >>> diagnosis.advice[0]
    'Stop at epoch 5: early_stopping=True, or epochs=5.'
    """
    curves = check_history(estimator_or_history)
    learner = final_estimator(estimator_or_history)  # a Pipeline's network, once
    params = _params(learner)
    task = estimator_kind(learner) if hasattr(learner, "fit") else None
    if constant_loss == "auto":
        constant_loss = _constant_loss(learner, params, task)
    elif constant_loss is not None:
        constant_loss = (float(constant_loss), "given")
    settings = Settings(baseline_score, score, baseline_margin, smoothing,
                        min_relative_decrease, overfit_margin, plateau_tolerance, confidence)
    verdict = decide(curves, settings, constant_loss=constant_loss,
                     restored=restored_epoch or _restored_epoch(learner, len(curves["loss"])))
    baseline = None
    if baseline_score is not None:
        key = score or ("val_accuracy" if "val_accuracy" in curves else "val_loss")
        baseline = {"score": key, "value": float(baseline_score)}
    return Diagnosis(
        status=verdict.status,
        best_epoch=verdict.best_epoch,
        overfit_epoch=verdict.overfit_epoch,
        gap=verdict.gap,
        evidence=verdict.evidence,
        advice=advise(verdict.advice, params, task),
        n_epochs=len(curves["loss"]),
        history=curves,
        baseline=baseline,
        model_name=type(learner).__name__ if hasattr(learner, "fit") else None,
        still_falling=verdict.still_falling,
        exact_fit=verdict.exact_fit,
    )


def _params(learner):
    """The learner's parameters, with "auto" epochs and batch size read off the fit."""
    get_params = getattr(learner, "get_params", None)
    params = dict(get_params()) if callable(get_params) else {}
    if params.get("epochs") == "auto" and hasattr(learner, "n_epochs_"):
        params["epochs"] = learner.n_epochs_
    if params.get("batch_size") == "auto" and hasattr(learner, "batch_size_"):
        params["batch_size"] = learner.batch_size_
    return params


def _restored_epoch(learner, n_epochs):
    best = getattr(learner, "best_epoch_", None)
    if getattr(learner, "early_stopping", False) and best is not None and best < n_epochs:
        return int(best)
    return None


def _constant_loss(learner, params, task):
    """``(loss, meaning)`` of a constant prediction for a fitted classifier, or None.

    A classifier trained with cross-entropy that predicts every one of its
    K classes with probability 1/K has a loss of log(K); the best constant
    prediction (the class frequencies) does no worse. Regressors give None:
    the loss of the mean prediction (the target's variance) is not known
    from the fitted model.
    """
    classes = getattr(learner, "classes_", None)
    if task != "classifier" or classes is None or np.ndim(classes) != 1:
        return None
    return uniform_guess_loss(learner, params, len(classes))


def uniform_guess_loss(learner, params, n_classes):
    """``(log(n_classes), meaning)`` for a classifier trained with cross-entropy, or None.

    Also for a classifier not fitted yet, whose number of classes is known
    from the target (the search reads many fits of one configuration).
    """
    if n_classes < 2 or not _uses_cross_entropy(learner, params):
        return None
    return math.log(n_classes), f"log({n_classes}), a uniform guess among {n_classes} classes"


def _uses_cross_entropy(learner, params):
    loss = params.get("loss")
    if loss is None:
        if type(learner).__module__.startswith("skfit."):
            return True  # skfit's classifiers default to cross-entropy
        loss = getattr(getattr(learner, "model_", None), "loss", None)
    name = loss if isinstance(loss, str) else getattr(loss, "name", None) or \
        getattr(loss, "__name__", "")
    return "crossentropy" in str(name).replace("_", "").lower()
