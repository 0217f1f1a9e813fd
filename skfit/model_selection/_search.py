"""FitThenRegularizeSearchCV: the chapter's procedure as a scikit-learn search."""

import copy
import dataclasses
import functools
import math
import time
import warnings
from copy import deepcopy
from numbers import Integral, Real

import numpy as np
from scipy.stats import rankdata
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.metrics import get_scorer_names
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.utils import check_random_state
from sklearn.utils import get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ..diagnostics._diagnose import uniform_guess_loss
from ..utils._docstrings import PARAMETERS
from ..utils._estimators import estimator_kind, final_estimator, final_param_name
from ..utils._progress import FitProgress
from ..utils.fixes import HasMethods, Interval, StrOptions, _fit_context
from ._baseline import prepare_paired
from ._search_evaluate import Evaluator
from ._search_knobs import find_knobs
from ._search_path import SearchPath
from ._search_procedure import MIN_EVALUATIONS, Procedure, _all_scores, refit_config
from ._search_race import Budget, Pace

__all__ = ["FitThenRegularizeSearchCV"]

#: Cross-validations of the default budget: those of a RandomizedSearchCV of 20 candidates.
DEFAULT_EVALUATIONS = 20


def _search_estimator_has(attribute):
    """Whether the refitted estimator (or, before fit, the estimator) has ``attribute``."""

    def check(self):
        estimator = getattr(self, "best_estimator_", self.estimator)
        getattr(estimator, attribute)  # raises AttributeError when missing
        return True

    return check


def _delegated(method, summary, returns, meaning):
    """A method of the search that calls ``method`` of the refitted best estimator."""

    def delegate(self, X):
        check_is_fitted(self)
        return getattr(self.best_estimator_, method)(X)

    delegate.__name__ = method
    delegate.__qualname__ = f"FitThenRegularizeSearchCV.{method}"
    delegate.__doc__ = f"""{summary}

        Parameters
        ----------
        X : {{array-like, sparse matrix}} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        {returns}
            {meaning}
        """
    return available_if(_search_estimator_has(method))(delegate)


@PARAMETERS
class FitThenRegularizeSearchCV(MetaEstimatorMixin, BaseEstimator):
    """Search hyper-parameters the way the chapter works: fit, overfit, then regularize.

    Grid and random searches spend their budget blindly; this search reads
    the per-epoch curves of every configuration it tries and takes the
    next step the practice prescribes, on folds drawn once and shared by
    every configuration and by the Dummy baselines:

    1. **Get training started, at the right step size**: the start, then
       (when it trains) the learning rate 3 and 10 times larger and 3 times
       smaller, and batches 4 times smaller; the next steps take, of the
       scores within the folds' noise of the best, the smallest learning
       rate whose validation loss turned (a steadier curve), or when none
       turned, the one whose fits took the fewest gradient steps.
       When nothing trains (:func:`~skfit.diagnostics.diagnose` says
       ``not_training``, or a classifier stays no better than a uniform
       guess on its own rows), learning rates a decade apart, then with 4
       times bigger batches.
    2. **Beat the baseline**: once the model has had its capacity (after
       step 3), the best configuration must beat the Dummy baselines on the
       same splits (one-sided corrected t-test); otherwise the search stops
       and says so, since regularizing cannot help (the inputs may not
       carry the information, or the architecture does not suit the data).
    3. **Reach overfitting, and past it**: train longer while the
       validation loss is still falling when the room ends (the same fits
       continued, not new ones; kept when they score better), and grow the
       network (4 times wider, one layer deeper) while a larger one scores
       better by more than the folds' noise.
    4. **Regularize**: dropout, L2 and L1 at two strengths, a smaller
       network and a larger regularized one; then the best refined
       (stronger, weaker, combined, larger) while the budget lasts. A
       configuration that takes the lead while its validation loss is
       still falling where its room ends trains longer, as in step 3.
    5. **Choose with the noise in view, and refit**: the three best are
       cross-validated again on a second draw of the splits, and the best
       mean over both draws is refit on all the data, for the room its
       fits used (its patience that room: one fit has no folds to average
       out its validation noise), keeping its best epoch.

    Every fit trains with early stopping (patience a tenth of its room, at
    least 10 epochs): its curve still shows where the validation loss
    turns up, its score is that of its best epoch, and a configuration's
    ``epochs`` is the room its fits used. Configurations run in rounds of
    epochs that continue one another; between rounds, one that is behind
    on every split by more than one standard error, and would not catch up
    at its pace, is stopped (successive halving on the shared splits).

    The path taken (every configuration, its curves, its diagnosis and the
    reason for each move) is kept in ``path_``; ``print(search.path_)``
    tells it step by step and ``search.path_.plot()`` draws the validation
    curves of every configuration on one axis.

    Parameters
    ----------
    estimator : estimator object
        The network to tune, whose settings are the starting point: one of
        skfit's Keras estimators (``KerasMLPClassifier``,
        ``KerasMLPRegressor``; ``KerasClassifier``/``KerasRegressor``
        through their model-building function's ``hidden_layer_sizes`` or
        ``units`` (and ``n_layers``), ``dropout``, ``l1`` and ``l2``), a
        scikeras wrapper (the same, with ``optimizer__learning_rate`` and
        ``validation_split``), or a Pipeline (or
        ``TransformedTargetRegressor``) ending in one. Knobs the model does
        not expose are left alone, and the path says so.
    %(cv)s
        The splits are drawn once: every configuration and every baseline
        is scored on the same ones.
    scoring : str or callable, default=None
        The score that chooses the configuration (higher is better). None
        means ``"accuracy"`` for classification and ``"r2"`` for
        regression. A metric that does not fit the task raises a ValueError
        before anything is fit.
    max_fits : int, default=None
        Most fits to run: each configuration on each split counts once
        (however many rounds of epochs it runs), the finalists' second draw
        and the final refit included (the Dummy baselines, which cost
        nothing, are not counted). None: ``20 * n_splits + 1``, the fits of a
        ``RandomizedSearchCV`` of 20 candidates with its refit. It must allow
        three cross-validations and the refit: ``3 * n_splits + 1``. The
        search may stop earlier.
    max_time : float, default=None
        Seconds the whole ``fit`` may take, the refit included: a round of
        epochs that would not end in time is shortened or not started, and
        the refit's predicted time is held back from the start (the first
        round of the start configuration always runs). None: no limit.
        With a time limit, how far the search gets depends on the
        machine's speed, so the same seed may take another path.
    %(random_state)s
        It seeds the Dummy baselines and, when the estimator has no
        ``random_state`` of its own, the networks: every configuration
        gets the same seed, so that they are compared on equal terms.
    %(n_jobs)s
        The results equal a serial run's.
    verbose : int, default=0
        1: a progress bar of the fits (done / ``max_fits``, elapsed,
        remaining) on a terminal, one line per fit elsewhere, and a line per
        configuration (its move, score and diagnosis), on stderr; 2: each
        fit's split, score and time too.

    Attributes
    ----------
    best_estimator_ : estimator object
        The chosen configuration, refit on all the data.
    best_params_ : dict
        Its parameters as the refit used them, ``set_params`` arguments of
        ``estimator``: ``clone(estimator).set_params(**best_params_)`` is
        ``best_estimator_`` before its fit. With early stopping, its
        ``patience`` is its whole room (``cv_results_["params"]`` has the
        patience its cross-validation used).
    best_score_ : float
        Its mean cross-validated score over every split it was scored on
        (both draws for a finalist).
    best_index_ : int
        Its row in ``cv_results_`` (and its number in ``path_``).
    cv_results_ : dict of numpy (masked) ndarrays
        One entry per configuration, in scikit-learn's format
        (``params``, ``param_<name>``, ``split<k>_test_score``,
        ``mean_test_score``, ``std_test_score``, ``rank_test_score``,
        ``mean_fit_time``, ...), plus the finalists' scores on the second
        draw (``repeat_split<k>_test_score``, ``mean_repeat_test_score``;
        NaN for the others), ``step``, ``move``, ``status`` (the
        diagnosis), ``best_epoch`` and ``n_epochs``;
        ``pandas.DataFrame(search.cv_results_)`` is a table.
    path_ : SearchPath
        The path taken, in skfit's results protocol.
    scorer_ : callable
        The scorer used.
    n_splits_ : int
        Number of splits.
    n_fits_ : int
        Fits run, the refit included (at most ``max_fits``).
    refit_time_ : float
        Seconds taken by the refit.
    classes_ : ndarray of shape (n_classes,)
        Class labels (classifiers).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of str
        Column names of ``X`` when it is a DataFrame with string columns.

    See Also
    --------
    SearchPath : The path the search took.
    compare_to_baseline : The comparison with the baselines.
    skfit.diagnostics.diagnose : The reading of each configuration's curves.
    sklearn.model_selection.RandomizedSearchCV : A search blind to the curves.

    Notes
    -----
    Each configuration's curves are averaged over the splits before they
    are diagnosed (a split that diverged is diagnosed alone), so that the
    noise of one split does not decide the next move. The budget is shared
    out: step 1 may use a quarter of the fits and seconds, step 3 a quarter,
    step 4 the rest but the finalists' second draw and the refit. The rules
    are written out, with their constants, in
    ``skfit/model_selection/_search_procedure.py``.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skfit import KerasMLPClassifier
    >>> from skfit.model_selection import FitThenRegularizeSearchCV
    >>> X, y = load_digits(return_X_y=True)
    >>> X, y = X[:500] / 16, y[:500]
    >>> model = KerasMLPClassifier(hidden_layer_sizes=(16,), learning_rate=1e-2, epochs=10)
    >>> search = FitThenRegularizeSearchCV(model, cv=3, max_fits=10, random_state=0)
    >>> search.fit(X, y).n_fits_
    10
    >>> search.best_score_ > 0.85
    True
    >>> search.predict(X[:3]).shape
    (3,)
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "get_params", "set_params"])],
        "cv": ["cv_object"],
        "scoring": [StrOptions(set(get_scorer_names())), callable, None],
        "max_fits": [Interval(Integral, 1, None, closed="left"), None],
        "max_time": [Interval(Real, 0, None, closed="neither"), None],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(self, estimator, *, cv=None, scoring=None, max_fits=None, max_time=None,
                 random_state=None, n_jobs=None, verbose=0):
        self.estimator = estimator
        self.cv = cv
        self.scoring = scoring
        self.max_fits = max_fits
        self.max_time = max_time
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, groups=None):
        """Run the procedure on ``X, y``, then refit the chosen configuration on all of it.

        Everything that can be checked (the estimator, the target, the
        metric, the budget against the number of splits) is checked before
        the first fit.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target: class labels or a continuous target.
        groups : array-like of shape (n_samples,), default=None
            Group labels for a group splitter (``GroupKFold``,
            ``DeduplicatedKFold``...).

        Returns
        -------
        self : object
            The fitted search.
        """
        budget = Budget(self.max_time)
        knobs = find_knobs(self.estimator)
        setup = prepare_paired(self.estimator, X, y, cv=self.cv, scoring=self.scoring,
                               groups=groups, rng=check_random_state(self.random_state))
        budget.max_fits = self._check_budget(len(setup.folds))
        estimator = self._seeded(setup.rng)
        learner = final_estimator(self.estimator)
        classifier = setup.task == "classification"
        n_classes = len(np.unique(np.asarray(setup.y))) if classifier else 0
        constant_loss = (uniform_guess_loss(learner, learner.get_params(), n_classes)
                         if classifier else None)
        rows_per_epoch = setup.train_sizes.mean() * (1 - knobs.start["validation_fraction"])
        knobs = knobs.resolved(rows_per_epoch)
        pace = Pace()
        with FitProgress(self.verbose, budget.max_fits, type(self).__name__) as progress:
            evaluate = Evaluator(estimator, setup, knobs, constant_loss, budget, pace,
                                 self.n_jobs, progress,
                                 (_n_features(setup.X), n_classes if classifier else 1))
            candidates, lines, stop_reason, best = Procedure(
                knobs, evaluate, budget, pace, setup, rows_per_epoch, constant_loss,
                functools.partial(self._second_draw, setup, estimator),
            ).run()
            self._warn_if_nothing_trained(candidates)
            config = refit_config(best.config, knobs)
            refit = knobs.params(config)
            lines[5].append(_refit_line(best, config, len(setup.y)))
            progress.finding(f"Refit: #{best.index} on all {len(setup.y)} rows")
            start = time.perf_counter()
            self.best_estimator_ = clone(estimator).set_params(**refit).fit(setup.X, setup.y)
            self.refit_time_ = time.perf_counter() - start
            progress.fit_done(f"refit in {self.refit_time_:.1f} s")
        self.cv_results_ = _cv_results(candidates, len(setup.folds))
        self.best_index_ = best.index
        self.best_params_ = dict(refit)
        self.best_score_ = float(np.mean(_all_scores(best)))
        self.scorer_ = setup.scorer
        self.n_splits_ = len(setup.folds)
        self.n_fits_ = budget.fits + 1
        self.multimetric_ = False
        self.path_ = SearchPath(
            model_name=knobs.model_name, scoring=setup.scoring, n_samples=len(setup.y),
            max_fits=budget.max_fits, n_fits=self.n_fits_, candidates=candidates, lines=lines,
            baselines=setup.baseline_scores, train_sizes=setup.train_sizes,
            test_sizes=setup.test_sizes, best_index=best.index, stop_reason=stop_reason,
        )
        if not self.path_.beats_baseline:
            warnings.warn(
                f"No configuration of {knobs.model_name} beats the common-sense baselines on "
                "these splits (see path_): the inputs may not carry the information needed, "
                "or the architecture does not suit the data. best_estimator_ is the best "
                "configuration tried, refit anyway.",
                UserWarning,
                stacklevel=2,
            )
        return self

    def _check_budget(self, n_splits):
        """The budget of fits: ``max_fits``, or the default for ``n_splits`` splits."""
        if self.max_fits is None:
            return DEFAULT_EVALUATIONS * n_splits + 1
        needed = MIN_EVALUATIONS * n_splits + 1
        if self.max_fits < needed:
            raise ValueError(
                f"max_fits={self.max_fits} is too small for {n_splits} splits: the procedure "
                f"needs at least {needed} fits (the starting configuration, one step up and "
                f"one regularized configuration on each of the {n_splits} splits, and the "
                "final refit). Raise max_fits, or use fewer splits (cv)."
            )
        return self.max_fits

    def _seeded(self, rng):
        """A clone of the estimator; with one seed for every configuration when it has none."""
        estimator = clone(self.estimator)
        name = final_param_name(estimator, "random_state")
        if name in estimator.get_params() and estimator.get_params()[name] is None:
            estimator.set_params(**{name: int(rng.randint(np.iinfo(np.int32).max))})
        return estimator

    @staticmethod
    def _warn_if_nothing_trained(candidates):
        if not any(math.isfinite(c.mean_score) for c in candidates):
            warnings.warn(
                "Every configuration failed to train (no finite score on every split); "
                "best_estimator_ is the starting configuration. See path_ for the curves.",
                UserWarning,
                stacklevel=3,
            )

    def _second_draw(self, setup, estimator):
        """Splits for the finalists' second cross-validation, how they were drawn, and the
        parameters to add: the splitter reshuffled when it shuffles (an int or None: a
        shuffled K-fold), else the same splits with another seed of the networks."""
        seed = int(setup.rng.randint(np.iinfo(np.int32).max))
        classifier = setup.task == "classification"
        cv = self.cv
        splitter = None
        if cv is None or isinstance(cv, Integral):
            kind = StratifiedKFold if classifier else KFold
            splitter = kind(len(setup.folds), shuffle=True, random_state=seed)
        elif getattr(cv, "shuffle", False) and hasattr(cv, "random_state"):
            splitter = copy.deepcopy(cv)
            splitter.random_state = seed
        if splitter is not None:
            folds = list(splitter.split(setup.X, setup.y, setup.groups))
            try:  # checked as the first draw was
                dataclasses.replace(setup, folds=folds).check_scorable(setup.y)
                return folds, f"a reshuffled {type(splitter).__name__}", {}
            except ValueError:
                pass
        name = final_param_name(estimator, "random_state")
        params = {name: seed} if name in estimator.get_params() else {}
        return setup.folds, "the same splits with another seed of the networks", params

    # -- delegation to the refitted estimator ----------------------------------
    predict = _delegated("predict", "Predict with the refitted best estimator.",
                         "y_pred : ndarray of shape (n_samples,)",
                         "Predictions of ``best_estimator_``.")
    predict_proba = _delegated("predict_proba", "Class probabilities of the refitted best "
                               "estimator.", "proba : ndarray of shape (n_samples, n_classes)",
                               "Probabilities, columns in the order of ``classes_``.")
    predict_log_proba = _delegated("predict_log_proba", "Log class probabilities of the "
                                   "refitted best estimator.",
                                   "log_proba : ndarray of shape (n_samples, n_classes)",
                                   "Log probabilities, columns in the order of ``classes_``.")
    decision_function = _delegated("decision_function", "Decision function of the refitted "
                                   "best estimator.", "scores : ndarray",
                                   "Its ``decision_function(X)``.")

    def score(self, X, y):
        """Score the refitted best estimator with the search's scorer.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.
        y : array-like of shape (n_samples,)
            True target.

        Returns
        -------
        score : float
            ``scorer_(best_estimator_, X, y)``.
        """
        check_is_fitted(self)
        return self.scorer_(self.best_estimator_, X, y)

    @property
    def classes_(self):
        check_is_fitted(self)
        return self.best_estimator_.classes_

    @property
    def n_features_in_(self):
        try:
            check_is_fitted(self)
        except Exception as exc:
            raise AttributeError(
                f"{type(self).__name__} is not fitted: it has no n_features_in_."
            ) from exc
        return self.best_estimator_.n_features_in_

    @property
    def feature_names_in_(self):
        check_is_fitted(self)
        return self.best_estimator_.feature_names_in_

    def __sklearn_is_fitted__(self):
        return hasattr(self, "best_estimator_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        sub = get_tags(self.estimator)
        kind = estimator_kind(self.estimator)  # also scikeras, whose tags are wrong
        tags.estimator_type = sub.estimator_type or kind
        tags.classifier_tags = deepcopy(sub.classifier_tags)
        tags.regressor_tags = deepcopy(sub.regressor_tags)
        tags.input_tags.sparse = sub.input_tags.sparse
        tags.target_tags = deepcopy(sub.target_tags)
        return tags


def _cv_results(candidates, n_splits):
    """scikit-learn's ``cv_results_`` layout for the candidates, plus the path's columns."""
    scores = np.array([c.fold_scores for c in candidates], dtype=float)
    fit_times = np.array([c.fit_times for c in candidates])
    score_times = np.array([c.score_times for c in candidates])
    results = {}
    for name, times in (("fit_time", fit_times), ("score_time", score_times)):
        results[f"mean_{name}"] = times.mean(axis=1)
        results[f"std_{name}"] = times.std(axis=1)
    names = sorted({name for c in candidates for name in c.params})
    for name in names:
        values = np.empty(len(candidates), dtype=object)
        mask = np.ones(len(candidates), dtype=bool)
        for i, candidate in enumerate(candidates):
            if name in candidate.params:
                values[i], mask[i] = candidate.params[name], False
        results[f"param_{name}"] = np.ma.MaskedArray(values, mask=mask)
    results["params"] = [dict(c.params) for c in candidates]
    for k in range(n_splits):
        results[f"split{k}_test_score"] = scores[:, k]
    repeats = np.array([c.repeat_scores if c.repeat_scores is not None
                        else np.full(n_splits, np.nan) for c in candidates], dtype=float)
    for k in range(n_splits):
        results[f"repeat_split{k}_test_score"] = repeats[:, k]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a configuration that diverged: NaN
        means = scores.mean(axis=1)
        results["mean_test_score"] = means
        results["std_test_score"] = scores.std(axis=1)
        results["mean_repeat_test_score"] = repeats.mean(axis=1)
    finite = np.where(np.isnan(means), np.nanmin(means) - 1 if np.isfinite(means).any() else 0,
                      means)
    results["rank_test_score"] = rankdata(-finite, method="min").astype(np.int32)
    results["step"] = np.array([c.step for c in candidates])
    results["move"] = np.array([c.move for c in candidates], dtype=object)
    results["status"] = np.array([c.status for c in candidates], dtype=object)
    results["best_epoch"] = np.ma.MaskedArray(
        [c.best_epoch or 0 for c in candidates], mask=[c.best_epoch is None for c in candidates])
    results["n_epochs"] = np.array([c.n_epochs for c in candidates])
    return results


def _n_features(X):
    shape = getattr(X, "shape", None)
    return int(shape[1]) if shape is not None and len(shape) > 1 else len(X[0])


def _refit_line(best, config, n_rows):
    """The path's line on the refit of ``best`` as ``config``, with its patience when it
    differs from the folds'."""
    line = f"#{best.index} is refit on all {n_rows} rows"
    if config.get("patience") == best.config.get("patience"):
        return line + "."
    return (f"{line}, with patience {config['patience']} (its whole room): a single fit runs "
            "the epochs its folds used and keeps its best one, instead of stopping at a "
            "plateau of its own validation noise.")
