import numpy as np
import pytest
from sklearn.datasets import load_digits


@pytest.fixture(scope="session")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16.0).astype(np.float64), y


@pytest.fixture(scope="session")
def small_digits(digits):
    X, y = digits
    return X[:600], y[:600]
