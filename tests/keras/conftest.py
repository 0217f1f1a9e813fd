import numpy as np
import pytest
from sklearn.datasets import load_digits

from skfit.keras import _engine, _keras_fit


@pytest.fixture(scope="session")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16.0).astype(np.float64), y


@pytest.fixture(scope="session")
def small_digits(digits):
    X, y = digits
    return X[:600], y[:600]


@pytest.fixture
def no_training(monkeypatch):
    """Fail the test if either training path starts."""

    def fail(*args, **kwargs):
        raise AssertionError("training started despite bad input")

    monkeypatch.setattr(_engine, "train", fail)
    monkeypatch.setattr(_keras_fit.keras.Model, "fit", fail)
