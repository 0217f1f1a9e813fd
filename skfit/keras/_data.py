"""The training data of one fit, held once, and its way into TensorFlow.

A fit's rows are kept whole: the training and validation parts are index
arrays into them, not copies. Dense features are a C-contiguous float32
matrix that TensorFlow reads in place (through DLPack, when its memory is
aligned as TensorFlow requires); sparse features stay a CSR matrix whose
three arrays enter the graph as they are. So a fit holds at most one copy of
``X`` beyond the user's own (the float32 conversion, when ``X`` was not
already float32).
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ._tf import tf

# TensorFlow's CPU kernels assume buffers aligned to this many bytes
# (EIGEN_MAX_ALIGN_BYTES); a misaligned DLPack import aborts the process.
_ALIGNMENT = 64


@dataclass(frozen=True)
class TrainingData:
    """Features, encoded target and weights of one fit, with its row split.

    Attributes
    ----------
    x : ndarray of shape (n_samples, n_features) or scipy CSR matrix
        float32 features (CSR in canonical format when sparse).
    y : ndarray
        The encoded target, one row per sample.
    sample_weight : ndarray of shape (n_samples,)
        float32 weights of the loss.
    train, val : ndarray of int32
        Rows used for training and for the per-epoch validation loss
        (``val`` may be empty).
    """

    x: object
    y: np.ndarray
    sample_weight: np.ndarray
    train: np.ndarray
    val: np.ndarray

    @property
    def has_validation(self):
        return len(self.val) > 0

    @property
    def is_sparse(self):
        return sp.issparse(self.x)

    def part(self, rows):
        """``(x, y, sample_weight)`` of ``rows``, as copies (for ``model.fit``)."""
        return self.x[rows], self.y[rows], self.sample_weight[rows]


def float32_features(X):
    """``X`` as float32 features the engine can read without another copy.

    Parameters
    ----------
    X : ndarray or scipy sparse matrix/array
        Validated numeric data (float32 or float64; CSR when sparse).

    Returns
    -------
    X32 : ndarray or scipy.sparse.csr_matrix
        ``X`` itself when it already is an aligned C-contiguous float32
        array, else an aligned float32 copy; for sparse input, a float32 CSR
        matrix in canonical format (sorted indices, no duplicates) that never
        shares a mutable array with ``X`` it has changed.
    """
    if sp.issparse(X):
        return _float32_csr(X)
    X = np.asarray(X)
    if X.dtype == np.float32 and X.flags.c_contiguous and _is_aligned(X):
        return X
    aligned = _aligned_empty(X.shape, np.float32)
    with np.errstate(over="ignore"):
        np.copyto(aligned, X, casting="unsafe")
    return aligned


def _float32_csr(X):
    X = sp.csr_matrix(X)  # a CSR matrix (not array) of the same arrays when X is CSR
    if not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()  # also sorts the indices of each row
    with np.errstate(over="ignore"):
        data = X.data.astype(np.float32)
    csr = sp.csr_matrix((data, X.indices, X.indptr), shape=X.shape, copy=False)
    csr.has_canonical_format = True
    return csr


def as_tensor(x):
    """The engine's feature inputs: ``[x]`` dense, or ``[indptr, indices, values, n_features]``."""
    if sp.issparse(x):
        return [
            tf.constant(x.indptr.astype(np.int64)),
            _zero_copy(x.indices.astype(np.int32, copy=False)),
            _zero_copy(x.data),
            tf.constant(np.int64(x.shape[1])),
        ]
    return [_zero_copy(x)]


def _zero_copy(array):
    """A tensor over ``array``'s memory (aligned copy first when misaligned)."""
    if not (array.flags.c_contiguous and _is_aligned(array)):
        aligned = _aligned_empty(array.shape, array.dtype)
        aligned[...] = array
        array = aligned
    if array.size == 0:
        return tf.constant(array)
    try:
        capsule = array.__dlpack__()
    except BufferError:  # read-only memory (a joblib memmap): DLPack cannot say so
        return tf.constant(array)
    return tf.experimental.dlpack.from_dlpack(capsule)


def _is_aligned(array):
    return array.ctypes.data % _ALIGNMENT == 0


def _aligned_empty(shape, dtype):
    dtype = np.dtype(dtype)
    n_bytes = int(np.prod(shape)) * dtype.itemsize
    buffer = np.empty(n_bytes + _ALIGNMENT, dtype=np.uint8)
    offset = (-buffer.ctypes.data) % _ALIGNMENT
    return buffer[offset : offset + n_bytes].view(dtype).reshape(shape)
