"""What an estimator is and holds: the one place that sees through wrappers and wrong tags."""

from sklearn.base import ClassifierMixin, RegressorMixin, is_classifier, is_regressor
from sklearn.pipeline import Pipeline


def estimator_kind(estimator):
    """"classifier", "regressor" or None, from tags, then from the mixins.

    The mixins catch wrappers with wrong tags (scikeras 0.13), also as the
    final step of a Pipeline.
    """
    if is_classifier(estimator):
        return "classifier"
    if is_regressor(estimator):
        return "regressor"
    final = final_estimator(estimator)
    if isinstance(final, ClassifierMixin):
        return "classifier"
    if isinstance(final, RegressorMixin):
        return "regressor"
    return None


def final_estimator(estimator):
    """The estimator that does the learning inside Pipelines and target transformers.

    Follows the last step of a :class:`~sklearn.pipeline.Pipeline` and the
    (fitted, when there is one) regressor of a
    :class:`~sklearn.compose.TransformedTargetRegressor`, recursively.
    """
    while True:
        if isinstance(estimator, Pipeline):
            estimator = estimator.steps[-1][1]
        elif hasattr(estimator, "regressor_") or hasattr(estimator, "regressor"):
            estimator = getattr(estimator, "regressor_", None) or estimator.regressor
        else:
            return estimator
