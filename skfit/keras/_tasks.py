"""Classification and regression behaviour shared by all skfit Keras estimators.

Each mixin encodes the target, picks the objective matching the network's
output layer, turns network outputs back into predictions, and offers
``partial_fit`` with the signature scikit-learn's MLPs have.
"""

from numbers import Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import column_or_1d

from ..utils.fixes import StrOptions, _fit_context
from ..utils.validation import check_target
from ._objectives import (
    multilabel_objective,
    regression_objective,
    sigmoid_objective,
    softmax_objective,
)

# Outputs a probability may stray from [0, 1] (and a softmax row from a sum of
# 1) by float32 rounding; beyond that the network does not output probabilities.
_PROBABILITY_TOLERANCE = 1e-3


class ClassifierTaskMixin:
    """Class labels or a multilabel indicator matrix; probabilities out."""

    _parameter_constraints: dict = {"class_weight": [dict, StrOptions({"balanced"}), None]}
    _validation_score = "accuracy"  # scikit-learn's validation_scores_

    def _target_validation(self):
        return {"multi_output": True}

    def _check_raw_target(self, y):
        return y if y is None or sp.issparse(y) else check_target(y)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train one epoch on ``X, y``, continuing from the current weights.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of the training rows.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Their class labels (or multilabel indicator rows).
        classes : array-like of shape (n_classes,), default=None
            Every class the estimator will see; required on the first call
            (as for scikit-learn's incremental classifiers), ignored after.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights of the loss.

        Returns
        -------
        self : object
            The estimator, trained one more epoch.
        """
        if not hasattr(self, "_weights") and classes is None:
            raise ValueError(
                f"The first call to {type(self).__name__}.partial_fit needs classes=: "
                "every class label it will see (e.g. classes=np.unique(y_all))."
            )
        return self._partial_fit(X, y, sample_weight, classes=classes)

    # -- encoding ----------------------------------------------------------------
    def _encode_target(self, y, classes=None):
        y = _as_label_array(y)
        self._multilabel = type_of_target(y) == "multilabel-indicator" if y.ndim == 2 else False
        if self._multilabel:
            return self._encode_multilabel(y)
        self._check_labels(y)
        known = np.unique(_as_label_array(classes)) if classes is not None else None
        self.classes_ = known if known is not None else np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in y; "
                f"got 1 class: {self.classes_[0]!r}."
            )
        self.n_outputs_ = len(self.classes_)
        return self._class_indices(y)

    def _encode_known_target(self, y, *, incremental):
        y = _as_label_array(y)
        if self._multilabel:
            if y.ndim != 2 or type_of_target(y) != "multilabel-indicator" or y.shape[1] != len(self.classes_):
                raise ValueError(
                    f"{type(self).__name__} was fitted on a multilabel y of "
                    f"{len(self.classes_)} labels; this y does not match it."
                )
            return _indicator(y)
        self._check_labels(y)
        if not incremental:
            labels = np.unique(y)
            if not np.array_equal(labels, self.classes_):
                raise ValueError(
                    "warm_start needs y to have the same classes as in the previous fit: "
                    f"{self.classes_.tolist()}; this y has {labels.tolist()}. Fit a clone "
                    "(or set warm_start=False) to train on new classes."
                )
        return self._class_indices(y)

    def _check_labels(self, y):
        if y.ndim == 2:
            raise ValueError(
                f"{type(self).__name__} takes 1-D class labels or a multilabel 0/1 "
                f"indicator matrix; y of shape {y.shape} is {type_of_target(y)}. For "
                "several multiclass targets, wrap it in "
                "sklearn.multioutput.MultiOutputClassifier."
            )
        check_classification_targets(y)

    def _class_indices(self, y):
        try:
            index = np.minimum(np.searchsorted(self.classes_, y), len(self.classes_) - 1)
            unknown = self.classes_[index] != y
        except TypeError:  # labels of another type than classes_ (str vs int)
            unknown = np.ones(len(y), dtype=bool)
        if unknown.any():
            raise ValueError(
                f"y has labels {np.unique(y[unknown]).tolist()} that are not among the "
                f"classes given to the first partial_fit: {self.classes_.tolist()}."
            )
        return index.astype(np.int32)

    def _encode_multilabel(self, y):
        if self.class_weight is not None:
            raise ValueError(
                f"class_weight={self.class_weight!r} is not supported for a multilabel y; "
                "weight rows with sample_weight instead."
            )
        self.classes_ = np.arange(y.shape[1])
        self.n_outputs_ = y.shape[1]
        return _indicator(y)

    def _encode_for_output(self, y_encoded, n_units):
        """Encoding and objective for a network with ``n_units`` outputs."""
        n_classes = len(self.classes_)
        if self._multilabel:
            if n_units == n_classes:
                return y_encoded, multilabel_objective(n_classes)
            raise ValueError(
                f"The Keras model of {type(self).__name__} outputs {n_units} values per "
                f"sample but y has {n_classes} labels: its last layer needs {n_classes} "
                "sigmoid units."
            )
        if n_units == n_classes:
            return y_encoded, softmax_objective()
        if n_units == 1 and n_classes == 2:
            return y_encoded.astype(np.float32).reshape(-1, 1), sigmoid_objective()
        raise ValueError(
            f"The Keras model of {type(self).__name__} outputs {n_units} values per "
            f"sample but y has {n_classes} classes: its last layer needs {n_classes} "
            "units (softmax)" + (" or 1 unit (sigmoid)." if n_classes == 2 else ".")
        )

    def _check_training_part(self, y_encoded, n_train):
        if self._multilabel:
            return
        n_classes = len(np.unique(y_encoded))
        if n_train < n_classes:
            raise ValueError(
                f"validation_fraction={self.validation_fraction} leaves {n_train} of the "
                f"{len(y_encoded)} rows to train on, fewer than the {n_classes} classes: some "
                "class would have no row to learn from. Use a smaller validation_fraction, "
                "or 0 to train on every row."
            )

    def _with_every_class(self, y_encoded, train, val):
        """Every class keeps a row in the training part: a class whose only rows the
        validation split drew (a class of one row, or more classes than validation rows
        allow stratifying) trades one of them for a row of the largest class."""
        if self._multilabel:
            return train, val
        train, val = train.copy(), val.copy()
        for label in np.setdiff1d(y_encoded, y_encoded[train]):
            counts = np.bincount(y_encoded[train], minlength=label + 1)
            donor = np.flatnonzero(y_encoded[train] == np.argmax(counts))[0]
            taken = np.flatnonzero(y_encoded[val] == label)[0]
            train[donor], val[taken] = val[taken], train[donor]
        return train, val

    def _stratified_validation(self, y_encoded, n_val):
        if self._multilabel:
            return False
        counts = np.bincount(y_encoded)
        n_classes = np.count_nonzero(counts)
        return counts[counts > 0].min() >= 2 and n_classes <= n_val <= len(y_encoded) - n_classes

    def _target_weights(self, y_encoded):
        if self.class_weight is None:
            return 1.0
        if isinstance(self.class_weight, dict):
            _check_class_weight(self.class_weight, self.classes_)
        return compute_sample_weight(self.class_weight, self.classes_[y_encoded])

    def _check_sample_outputs(self, architecture):
        outputs = getattr(architecture, "sample_outputs", None)
        if outputs is not None:
            self._check_probabilities(np.asarray(outputs, dtype=np.float64), when="on the first rows of X")

    def _check_probabilities(self, outputs, when):
        softmax = outputs.shape[1] > 1 and not self._multilabel
        in_range = (outputs >= -_PROBABILITY_TOLERANCE) & (outputs <= 1 + _PROBABILITY_TOLERANCE)
        sums_to_one = np.abs(outputs.sum(axis=1) - 1) <= _PROBABILITY_TOLERANCE if softmax else True
        if not (np.all(in_range) and np.all(sums_to_one)):
            activation = "softmax" if softmax else "sigmoid"
            raise ValueError(
                f"The Keras model of {type(self).__name__} does not output probabilities "
                f"{when} (values outside [0, 1]"
                + (" or rows that do not sum to 1" if softmax else "")
                + f"): its last layer needs a {activation} activation. A model that outputs "
                "logits can end with keras.layers.Activation("
                f"{activation!r})."
            )

    # -- prediction --------------------------------------------------------------
    def predict_proba(self, X):
        """Class probabilities of ``X``, columns in the order of ``classes_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            For a multilabel ``y``, the probability of each label.
        """
        outputs = self._forward(X)
        self._check_probabilities(outputs, when="for X")
        outputs = np.clip(outputs, 0.0, 1.0, out=outputs)  # a fresh array: changed in place
        if self._multilabel:
            return outputs
        if outputs.shape[1] == 1:
            return np.hstack([1.0 - outputs, outputs])
        outputs /= outputs.sum(axis=1, keepdims=True)
        return outputs

    def predict(self, X):
        """Predicted class of each row of ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_labels)
            For a multilabel ``y``, the 0/1 indicator matrix of the labels
            whose probability exceeds 0.5.
        """
        proba = self.predict_proba(X)
        if self._multilabel:
            return (proba > 0.5).astype(int)
        return self.classes_[np.argmax(proba, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class RegressorTaskMixin:
    """Single- and multi-output regression on linear outputs.

    When ``_scales_target`` is true the network learns the target
    standardized (per output: minus its mean, over its standard deviation,
    over all rows, unweighted), and predictions are mapped back, so that
    targets of any scale and offset train alike.
    """

    _parameter_constraints: dict = {}
    _scales_target = False
    _validation_score = "r2"  # scikit-learn's validation_scores_

    def _target_validation(self):
        return {"multi_output": True, "y_numeric": True}

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Train one epoch on ``X, y``, continuing from the current weights.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of the training rows.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Their targets (standardized with the first chunk's mean and
            standard deviation by ``KerasMLPRegressor``).
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights of the loss.

        Returns
        -------
        self : object
            The estimator, trained one more epoch.
        """
        return self._partial_fit(X, y, sample_weight)

    def _encode_target(self, y, classes=None):
        y = np.asarray(y, dtype=np.float64)
        self._y_ndim = y.ndim
        y = y.reshape(len(y), -1)
        self.n_outputs_ = y.shape[1]
        if self._scales_target:
            self._y_offset, self._y_scale = _location_and_scale(y)
        else:
            self._y_offset, self._y_scale = np.zeros(y.shape[1]), np.ones(y.shape[1])
        return self._scaled(y)

    def _encode_known_target(self, y, *, incremental):
        y = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
        if y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"{type(self).__name__} was fitted on {self.n_outputs_} target column(s); "
                f"this y has {y.shape[1]}."
            )
        return self._scaled(y)

    def _scaled(self, y):
        with np.errstate(over="ignore"):
            scaled = ((y - self._y_offset) / self._y_scale).astype(np.float32)
        if not np.isfinite(scaled).all():
            raise ValueError(
                f"y holds values beyond float32's range (largest magnitude "
                f"{np.abs(y).max():.3g} > 3.4e+38) and {type(self).__name__} trains in "
                "float32. Scale y first (e.g. with "
                "sklearn.compose.TransformedTargetRegressor)."
            )
        return scaled

    def _encode_for_output(self, y, n_units):
        if n_units != self.n_outputs_:
            raise ValueError(
                f"The Keras model of {type(self).__name__} outputs {n_units} values per "
                f"sample but y has {self.n_outputs_} output(s): its last layer needs "
                f"{self.n_outputs_} units."
            )
        return y, regression_objective(self.n_outputs_)

    def predict(self, X):
        """Predicted target of each row of ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        with np.errstate(over="ignore", invalid="ignore"):
            outputs = self._finite(self._forward(X) * self._y_scale + self._y_offset)
        return outputs.ravel() if self._y_ndim == 1 else outputs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


def _location_and_scale(y):
    """Per-column mean and standard deviation (1 for a constant column), computed on
    ``y`` divided by its largest magnitude so that no square overflows."""
    peak = np.abs(y).max(axis=0)
    unit = np.where(peak > 0, peak, 1.0)
    normalized = y / unit
    scale = normalized.std(axis=0) * unit
    return normalized.mean(axis=0) * unit, np.where(scale > 0, scale, 1.0)


def _as_label_array(y):
    if sp.issparse(y):
        y = y.toarray()
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        return column_or_1d(y, warn=True)  # a column vector: DataConversionWarning, as sklearn
    return y


def _indicator(y):
    return np.asarray(y, dtype=np.float32)


def _check_class_weight(class_weight, classes):
    unknown = [k for k in class_weight if k not in set(classes.tolist())]
    if unknown:
        raise ValueError(
            f"class_weight has weights for {unknown}, which are not classes of y "
            f"({classes.tolist()})."
        )
    bad = {k: w for k, w in class_weight.items() if not (isinstance(w, Real) and np.isfinite(w) and w >= 0)}
    if bad:
        raise ValueError(
            f"class_weight values must be finite numbers >= 0; got {bad}. (A negative "
            "weight would reward the loss for misclassifying that class.)"
        )
