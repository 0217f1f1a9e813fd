"""What an estimator is and holds: the one place that sees through wrappers and wrong tags.

skfit's tools take a model, a Pipeline ending in one, or a
``TransformedTargetRegressor`` around either, and mean the same network:
each resolves the learning estimator once, where the call enters, with
:func:`final_estimator` (its fitted state, its parameters) and
:func:`final_param_name` (the name under which the meta-estimator sets one
of them).
"""

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
    return _path_to_final(estimator)[1]


def final_param_name(estimator, name):
    """The name under which ``estimator`` sets its final estimator's parameter ``name``.

    ``name`` itself when ``estimator`` has that parameter; otherwise the
    name with the prefixes of the Pipeline steps and target transformers
    leading to the final estimator (``"mlp__hidden_layer_sizes"``), when
    that one has it; else ``name`` unchanged.
    """
    params = estimator.get_params()
    if name in params:
        return name
    prefix, final = _path_to_final(estimator)
    if prefix and name in getattr(final, "get_params", dict)():
        return prefix + name
    return name


def _path_to_final(estimator):
    """Return ``(parameter prefix, final estimator)``."""
    prefix = ""
    while True:
        if isinstance(estimator, Pipeline):
            step, estimator = estimator.steps[-1]
            prefix += f"{step}__"
        elif hasattr(estimator, "regressor_") or hasattr(estimator, "regressor"):
            estimator = getattr(estimator, "regressor_", None) or estimator.regressor
            prefix += "regressor__"
        else:
            return prefix, estimator
