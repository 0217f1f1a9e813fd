"""Classification and regression behaviour shared by all skfit Keras estimators.

Each mixin encodes the target, picks the objective matching the network's
output layer, and turns network outputs back into predictions.
"""

import numpy as np
from sklearn.utils import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets

from ..utils.fixes import StrOptions
from ._objectives import regression_objective, sigmoid_objective, softmax_objective


class ClassifierTaskMixin:
    """Target encoding, stratified validation split and class probabilities."""

    _parameter_constraints: dict = {"class_weight": [dict, StrOptions({"balanced"}), None]}

    def _target_validation(self):
        return {}

    def _encode_target(self, y):
        check_classification_targets(y)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in y; "
                f"got 1 class: {self.classes_[0]!r}."
            )
        self.n_outputs_ = len(self.classes_)
        return y_index.astype(np.int32)

    def _encode_for_output(self, y_index, n_units):
        """Encoding and objective for a network with ``n_units`` outputs."""
        n_classes = len(self.classes_)
        if n_units == n_classes:
            return y_index, softmax_objective()
        if n_units == 1 and n_classes == 2:
            return y_index.astype(np.float32).reshape(-1, 1), sigmoid_objective()
        raise ValueError(
            f"The Keras model of {type(self).__name__} outputs {n_units} values per "
            f"sample but y has {n_classes} classes: its last layer needs {n_classes} "
            "units (softmax)" + (" or 1 unit (sigmoid)." if n_classes == 2 else ".")
        )

    def _stratified_validation(self, y, n_val):
        y_index = np.asarray(y).reshape(len(y), -1)[:, 0]
        counts = np.bincount(y_index.astype(int))
        n_classes = np.count_nonzero(counts)
        return counts[counts > 0].min() >= 2 and n_classes <= n_val <= len(y) - n_classes

    def _target_weights(self, y_encoded):
        if self.class_weight is None:
            return 1.0
        return compute_sample_weight(self.class_weight, self.classes_[y_encoded])

    def predict_proba(self, X):
        """Class probabilities of ``X``, columns in the order of ``classes_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        outputs = self._forward(X).astype(np.float64)
        if outputs.shape[1] == 1:
            outputs = np.hstack([1.0 - outputs, outputs])
        outputs = np.clip(outputs, 0.0, None)
        return outputs / outputs.sum(axis=1, keepdims=True)

    def predict(self, X):
        """Predicted class of each row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]



class RegressorTaskMixin:
    """Single- and multi-output regression on linear outputs."""

    _parameter_constraints: dict = {}

    def _target_validation(self):
        return {"multi_output": True, "y_numeric": True}

    def _encode_target(self, y):
        self._y_ndim = np.ndim(y)
        y = np.asarray(y, dtype=np.float32).reshape(len(y), -1)
        self.n_outputs_ = y.shape[1]
        return y

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
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        outputs = self._forward(X).astype(np.float64)
        return outputs.ravel() if self._y_ndim == 1 else outputs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
