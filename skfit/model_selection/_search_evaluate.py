"""Cross-validate configurations on the search's shared splits, read their curves.

:class:`Evaluator` is the ``evaluate`` function of the search's
:class:`~._search_procedure.Procedure`: it fits every configuration on every
split (in parallel with joblib, in a fixed order, so that the results equal
a serial run's), averages the curves over the splits, diagnoses them, and
returns :class:`~._search_path.Candidate` objects.
"""

import numpy as np

from ..diagnostics._curves import divergence
from ..diagnostics._diagnose import diagnose
from ._fold_fit import fit_on_folds, mean_curve
from ._search_path import STEPS, Candidate

__all__ = ["Evaluator"]


class Evaluator:
    """Fit configurations on shared splits; count the fits.

    Parameters
    ----------
    estimator : estimator object
        The estimator every configuration is set on (a clone each fit).
    X, y : indexable
    folds : list of (train, test)
        The splits, drawn once.
    scorer : callable
    knobs : Knobs
    constant_loss : tuple of (float, str) or None
        The loss of a constant prediction, for the diagnosis of divergence.
    n_jobs : int or None
    progress : FitProgress
        Told of each fit and each configuration's result.
    scoring : str, default="score"
        The metric's name, for the progress lines.
    """

    def __init__(self, estimator, X, y, folds, scorer, knobs, constant_loss, n_jobs, progress,
                 scoring="score"):
        self.estimator = estimator
        self.X, self.y = X, y
        self.folds = folds
        self.scorer = scorer
        self.knobs = knobs
        self.constant_loss = constant_loss
        self.n_jobs = n_jobs
        self.progress = progress
        self.scoring = scoring
        self.n_fits = 0
        self.n_candidates = 0

    def __call__(self, moves):
        """Cross-validate each move's configuration; return their candidates."""
        params = [self.knobs.params(move.config) for move in moves]

        def on_fit(i, k, fold_fit):
            self.n_fits += 1
            self.progress.fit_done(
                f"{STEPS[moves[i].step]}: {moves[i].move}, split {k + 1}/{len(self.folds)}: "
                f"{self.scoring} {fold_fit.score:.4g} in {fold_fit.fit_time:.1f} s"
            )

        fits = fit_on_folds(self.estimator, self.X, self.y, self.folds, params, self.scorer,
                            self.n_jobs, on_fit)
        candidates = [self._candidate(move, values, move_fits)
                      for move, values, move_fits in zip(moves, params, fits)]
        for candidate in candidates:
            self.progress.finding(f"{STEPS[candidate.step]}: {candidate.describe(self.scoring)}")
        return candidates

    def _candidate(self, move, params, fits):
        index = self.n_candidates
        self.n_candidates += 1
        histories = [{key: np.asarray(values, dtype=float) for key, values in fit.history.items()}
                     for fit in fits]
        keys = [key for key in histories[0] if all(key in h for h in histories)]
        history = {key: mean_curve([h[key] for h in histories]) for key in keys}
        diverged = [h for h in histories if not np.isfinite(h["loss"]).all()
                    or divergence(h, self.constant_loss) is not None]
        return Candidate(
            index=index, step=move.step, move=move.move, reason=move.reason,
            parent=move.parent, config=dict(move.config), params=params,
            fold_scores=np.array([fit.score for fit in fits], dtype=float),
            fit_times=np.array([fit.fit_time for fit in fits]),
            score_times=np.array([fit.score_time for fit in fits]),
            history=history, diagnosis=self._diagnose(diverged[0] if diverged else history),
            diverged=bool(diverged),
        )

    def _diagnose(self, history):
        try:
            level = self.constant_loss[0] if self.constant_loss is not None else None
            return diagnose(history, constant_loss=level)
        except ValueError:  # one epoch, or no finite validation value: nothing to read
            return None
