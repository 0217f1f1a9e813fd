"""Noise or zero channels appended to real features: the noisy-features experiment.

Appending uniform-noise columns to MNIST lowers validation accuracy by about a
point against appending all-zero columns; these helpers build that experiment
on sklearn's bundled digits (offline) or on a cached copy of MNIST.
"""

import os
from numbers import Integral

import numpy as np
from sklearn.datasets import load_digits
from sklearn.utils import Bunch, check_array, check_random_state

from ..utils.fixes import Interval, StrOptions, validate_params
from ._keras_cache import keras_cache_path, load_npz, missing_file_error

_KINDS = {"noise", "zeros"}


@validate_params(
    {
        "X": ["array-like"],
        "n_channels": [None, Interval(Integral, 0, None, closed="left")],
        "kind": [StrOptions(_KINDS)],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def add_channels(X, n_channels=None, kind="noise", random_state=None):
    """Append noise or all-zero columns to a feature matrix.

    The chapter's noisy-features experiment: features that carry no
    information (uniform noise) hurt a model more than features that carry
    nothing at all (zeros), and a feature selection should drop them.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Numeric features; not modified. A DataFrame gives a DataFrame, with
        the new columns named ``"{kind}_0"``, ``"{kind}_1"``, ...
    n_channels : int or None, default=None
        Number of columns to append; None appends as many as ``X`` has
        (the book's 784 + 784).
    kind : {"noise", "zeros"}, default="noise"
        ``"noise"``: values drawn uniformly between the minimum and the
        maximum of ``X`` (so that they look like the data, as uniform [0, 1]
        noise does next to MNIST pixels scaled to [0, 1]); ``"zeros"``: all
        zero, the control that adds no information and no noise.
    random_state : int, RandomState instance or None, default=None
        Seeds the noise.

    Returns
    -------
    X_new : ndarray or DataFrame of shape (n_samples, n_features + n_channels)
        ``X`` followed by the new channels.

    See Also
    --------
    load_digits_channels : Digits with the channels appended, ready to use.
    MutualInfoSelector : Drops the channels that carry no information.

    Examples
    --------
    >>> import numpy as np
    >>> from skfit.datasets import add_channels
    >>> X = np.arange(6.0).reshape(3, 2)
    >>> add_channels(X, kind="zeros")
    array([[0., 1., 0., 0.],
           [2., 3., 0., 0.],
           [4., 5., 0., 0.]])
    >>> add_channels(X, n_channels=1, random_state=0).shape
    (3, 3)
    """
    values = check_array(X, dtype=np.float64)
    n_channels = values.shape[1] if n_channels is None else n_channels
    shape = (values.shape[0], n_channels)
    if kind == "zeros":
        channels = np.zeros(shape)
    else:
        rng = check_random_state(random_state)
        channels = rng.uniform(values.min(), values.max(), size=shape)
    if hasattr(X, "columns"):
        import pandas as pd

        names = [f"{kind}_{i}" for i in range(n_channels)]
        added = pd.DataFrame(channels, index=X.index, columns=names)
        return pd.concat([X, added], axis=1)
    return np.hstack([values, channels])


@validate_params(
    {
        "kind": [StrOptions(_KINDS)],
        "n_channels": [None, Interval(Integral, 0, None, closed="left")],
        "random_state": ["random_state"],
        "return_X_y": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def load_digits_channels(kind="noise", *, n_channels=None, random_state=0, return_X_y=False):
    """Load sklearn's 8x8 digits with noise or zero channels appended.

    The offline stand-in for the book's MNIST experiment: pixels are scaled
    to [0, 1] (as the book divides MNIST by 255), then ``n_channels``
    columns of uniform [0, 1] noise or of zeros are appended.

    Parameters
    ----------
    kind : {"noise", "zeros"}, default="noise"
        What to append; see :func:`add_channels`.
    n_channels : int or None, default=None
        Number of columns to append; None appends 64, one per pixel.
    random_state : int, RandomState instance or None, default=0
        Seeds the noise; the default gives the same data on every call.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : Bunch or tuple
        Bunch with ``data`` (ndarray of shape (1797, 64 + n_channels)),
        ``target`` (the digit, 0-9), ``feature_names`` (``"pixel_r_c"`` then
        ``"{kind}_i"``), ``added`` (boolean mask of the appended columns) and
        ``DESCR``; or ``(data, target)`` when ``return_X_y`` is True.

    See Also
    --------
    add_channels : Append channels to any feature matrix.
    load_mnist : The book's MNIST, from a local copy.

    Examples
    --------
    >>> from skfit.datasets import load_digits_channels
    >>> digits = load_digits_channels("noise")
    >>> digits.data.shape, int(digits.added.sum())
    ((1797, 128), 64)
    """
    digits = load_digits()
    pixels = digits.data / 16.0
    data = add_channels(pixels, n_channels, kind=kind, random_state=random_state)
    if return_X_y:
        return data, digits.target
    n_added = data.shape[1] - pixels.shape[1]
    return Bunch(
        data=data,
        target=digits.target,
        feature_names=list(digits.feature_names) + [f"{kind}_{i}" for i in range(n_added)],
        added=np.arange(data.shape[1]) >= pixels.shape[1],
        DESCR=(
            f"sklearn's digits (1797 8x8 images, pixels scaled to [0, 1]) with "
            f"{n_added} {kind} channels appended."
        ),
    )


@validate_params({"path": [None, str, os.PathLike]}, prefer_skip_nested_validation=True)
def load_mnist(path=None):
    """Load MNIST from Keras's local cache; never downloads.

    The book's own data set, when a copy is already on this machine
    (``~/.keras/datasets/mnist.npz``, or ``path``); the tests and examples
    use :func:`load_digits_channels` instead, which needs nothing.

    Parameters
    ----------
    path : str, path-like or None, default=None
        A copy of ``mnist.npz`` (arrays ``x_train``, ``y_train``, ``x_test``,
        ``y_test``). None looks where ``keras.datasets.mnist.load_data()``
        caches it: ``$KERAS_HOME/datasets/mnist.npz``, by default
        ``~/.keras/datasets/mnist.npz``.

    Returns
    -------
    (X_train, y_train), (X_test, y_test) : tuple of tuples of ndarray
        Images flattened to rows of 784 float32 values scaled to [0, 1]
        (the book's preprocessing) and their digit labels.

    Raises
    ------
    FileNotFoundError
        When the file is absent, with how to download it once.
    ValueError
        When the file lacks the MNIST arrays.

    See Also
    --------
    load_digits_channels : The offline stand-in used by the tests and examples.

    Examples
    --------
    >>> from skfit.datasets import load_mnist
    >>> (X_train, y_train), (X_test, y_test) = load_mnist()  # doctest: +SKIP
    >>> X_train.shape  # doctest: +SKIP
    (60000, 784)
    """
    path = os.fspath(path) if path is not None else keras_cache_path("mnist.npz")
    if not os.path.isfile(path):
        raise missing_file_error("MNIST", path, "keras.datasets.mnist.load_data()")
    arrays = load_npz(path, ["x_train", "y_train", "x_test", "y_test"], "Keras's mnist.npz")
    return (
        (_flatten_scaled(arrays["x_train"]), arrays["y_train"]),
        (_flatten_scaled(arrays["x_test"]), arrays["y_test"]),
    )


def _flatten_scaled(images):
    return images.reshape(images.shape[0], -1).astype(np.float32) / 255.0
