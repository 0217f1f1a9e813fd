"""Tests for add_channels, load_digits_channels and load_mnist."""

import os

import numpy as np
import pandas as pd
import pytest

from skfit.datasets import add_channels, load_digits_channels, load_mnist
from skfit.utils.fixes import InvalidParameterError


def test_zero_channels_double_the_width_by_default():
    X = np.arange(12.0).reshape(4, 3)
    X_new = add_channels(X, kind="zeros")
    np.testing.assert_array_equal(X_new[:, :3], X)
    np.testing.assert_array_equal(X_new[:, 3:], np.zeros((4, 3)))


def test_noise_spans_the_data_range_and_follows_random_state():
    X = np.random.default_rng(0).uniform(2.0, 5.0, size=(500, 4))
    noise = add_channels(X, n_channels=10, random_state=0)[:, 4:]
    assert noise.shape == (500, 10)
    assert X.min() <= noise.min() < X.min() + 0.1
    assert X.max() - 0.1 < noise.max() <= X.max()
    np.testing.assert_array_equal(noise, add_channels(X, n_channels=10, random_state=0)[:, 4:])
    assert not np.array_equal(noise, add_channels(X, n_channels=10, random_state=1)[:, 4:])


def test_input_untouched_and_zero_channels_allowed():
    X = np.ones((3, 2))
    np.testing.assert_array_equal(add_channels(X, n_channels=0), X)
    np.testing.assert_array_equal(X, np.ones((3, 2)))


def test_dataframe_in_dataframe_out():
    X = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]}, index=[10, 20])
    X_new = add_channels(X, n_channels=2, kind="zeros")
    assert list(X_new.columns) == ["a", "b", "zeros_0", "zeros_1"]
    assert list(X_new.index) == [10, 20]
    assert list(X.columns) == ["a", "b"]


def test_bad_kind_names_the_parameter():
    with pytest.raises(InvalidParameterError, match="'kind' parameter"):
        add_channels(np.ones((2, 2)), kind="gaussian")


@pytest.mark.parametrize("kind", ["noise", "zeros"])
def test_load_digits_channels(kind):
    digits = load_digits_channels(kind)
    assert digits.data.shape == (1797, 128)
    assert digits.added.sum() == 64 and digits.added[64:].all()
    assert digits.data.min() >= 0.0 and digits.data.max() <= 1.0
    assert digits.feature_names[0] == "pixel_0_0"
    assert digits.feature_names[64] == f"{kind}_0"
    if kind == "zeros":
        assert not digits.data[:, 64:].any()
    X, y = load_digits_channels(kind, n_channels=8, return_X_y=True)
    assert X.shape == (1797, 72) and y.shape == (1797,)


def test_load_digits_channels_is_reproducible_by_default():
    np.testing.assert_array_equal(load_digits_channels().data, load_digits_channels().data)


def _write_fake_mnist(path, n_train=5, n_test=3):
    rng = np.random.default_rng(0)
    np.savez(
        path,
        x_train=rng.integers(0, 256, size=(n_train, 28, 28), dtype=np.uint8),
        y_train=np.arange(n_train, dtype=np.uint8),
        x_test=np.full((n_test, 28, 28), 255, dtype=np.uint8),
        y_test=np.arange(n_test, dtype=np.uint8),
    )


def test_load_mnist_from_a_path(tmp_path):
    path = tmp_path / "mnist.npz"
    _write_fake_mnist(path)
    (X_train, y_train), (X_test, y_test) = load_mnist(path)
    assert X_train.shape == (5, 784) and X_test.shape == (3, 784)
    assert X_train.dtype == np.float32
    assert 0.0 <= X_train.min() and X_train.max() <= 1.0
    np.testing.assert_array_equal(X_test, 1.0)
    np.testing.assert_array_equal(y_train, np.arange(5))


def test_load_mnist_reads_the_keras_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    os.makedirs(tmp_path / "datasets")
    _write_fake_mnist(tmp_path / "datasets" / "mnist.npz", n_train=4)
    (X_train, _), _ = load_mnist()
    assert X_train.shape == (4, 784)


def test_load_mnist_missing_file_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError) as error:
        load_mnist()
    message = str(error.value)
    assert str(tmp_path / "datasets" / "mnist.npz") in message
    assert "keras.datasets.mnist.load_data()" in message
    assert "never downloads" in message


def test_load_mnist_rejects_a_file_without_the_arrays(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, x_train=np.zeros((2, 28, 28)))
    with pytest.raises(ValueError, match=r"lacks the arrays \['x_test', 'y_test', 'y_train'\]"):
        load_mnist(str(path))
