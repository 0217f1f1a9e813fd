"""The exceptions skfit raises beyond scikit-learn's own."""

__all__ = ["NonFiniteWeightsError"]


class NonFiniteWeightsError(ValueError):
    """A fitted network whose weights are no longer finite was asked to predict.

    Training diverged (the loss became NaN or infinite, usually from too high
    a learning rate or unscaled inputs), so any prediction would be NaN or
    arbitrary. The message says what to change before refitting.

    See Also
    --------
    skfit.diagnose : Reads the loss curves of a fit; a diverged one is
        ``not_training``, with a lower learning rate as first advice.

    Examples
    --------
    >>> import numpy as np, warnings
    >>> from skfit import KerasMLPRegressor
    >>> from skfit.exceptions import NonFiniteWeightsError
    >>> X, y = np.random.rand(40, 3), np.random.rand(40)
    >>> reg = KerasMLPRegressor(optimizer="sgd", learning_rate=1e20, epochs=2, random_state=0)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     reg = reg.fit(X * 1e15, y)
    >>> try:
    ...     reg.predict(X)
    ... except NonFiniteWeightsError as error:
    ...     print("refused")
    refused
    """
