"""What kind of estimator: the one place that also sees through wrong tags."""

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
    final = estimator
    while isinstance(final, Pipeline):
        final = final.steps[-1][1]
    if isinstance(final, ClassifierMixin):
        return "classifier"
    if isinstance(final, RegressorMixin):
        return "regressor"
    return None
