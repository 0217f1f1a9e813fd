"""Read the data sets that Keras caches, without importing Keras or downloading.

``keras.datasets.<name>.load_data()`` downloads a file once into
``$KERAS_HOME/datasets`` (by default ``~/.keras/datasets``). skfit reads those
files where they are; when one is missing it says how to fetch it, and never
goes to the network itself.
"""

import io
import os
import pickle
import zipfile

import numpy as np


def keras_cache_path(filename):
    """Where Keras caches ``filename``: ``$KERAS_HOME/datasets/filename``.

    Parameters
    ----------
    filename : str
        A file name such as ``"mnist.npz"``.

    Returns
    -------
    path : str
        ``$KERAS_HOME/datasets/filename``, by default under ``~/.keras``.
    """
    home = os.environ.get("KERAS_HOME", os.path.join("~", ".keras"))
    return os.path.join(os.path.expanduser(home), "datasets", filename)


def missing_file_error(what, path, download):
    """The FileNotFoundError for a data set that is not cached at ``path``.

    ``download`` is the Python statement that caches it (run once, online).
    """
    return FileNotFoundError(
        f"{what} is not cached at {path!r}, and skfit never downloads data. "
        "Download it once (needs internet) with\n"
        f'    python -c "import keras; {download}"\n'
        "which caches it there (set KERAS_HOME to cache it elsewhere), or pass "
        "path= to a copy of the file."
    )


# Rebuilding a numpy object array (the ragged sequences of IMDB) from its
# pickle needs these globals and no others; anything else in the file is
# refused rather than executed.
_NUMPY_GLOBALS = frozenset(
    {
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
    }
)


class _NumpyOnlyUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _NUMPY_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def load_npz(path, names, what, *, objects=False):
    """The arrays ``names`` of the ``.npz`` file at ``path``.

    Numeric arrays are read with pickling disabled. With ``objects=True``,
    object arrays (ragged sequences) are read with an unpickler that can
    only rebuild numpy arrays (and the lists and numbers inside them), so a
    tampered file cannot run code, unlike ``np.load(path,
    allow_pickle=True)``; otherwise they are refused.

    Parameters
    ----------
    path : str
        The ``.npz`` file.
    names : iterable of str
        The arrays to read.
    what : str
        What the file should be, for error messages (``"Keras's imdb.npz"``).
    objects : bool, default=False
        Whether object arrays may be read.

    Returns
    -------
    arrays : dict of str to ndarray

    Raises
    ------
    ValueError
        When the file is not a zip of ``.npy`` arrays, lacks one of
        ``names``, or holds object arrays (unless ``objects``) or objects
        other than numpy arrays, lists and numbers.
    """
    names = sorted(names)
    try:
        with zipfile.ZipFile(path) as archive:
            found = {m[: -len(".npy")] for m in archive.namelist() if m.endswith(".npy")}
            missing = set(names) - found
            if missing:
                raise ValueError(
                    f"{path!r} is not {what}: it lacks the arrays {sorted(missing)} "
                    f"(found {sorted(found)})."
                )
            return {
                name: _read_npy(archive.read(f"{name}.npy"), objects) for name in names
            }
    except (zipfile.BadZipFile, pickle.UnpicklingError, EOFError) as error:
        raise ValueError(f"{path!r} is not {what}: {error}.") from error


def _read_npy(content, objects):
    buffer = io.BytesIO(content)
    version = np.lib.format.read_magic(buffer)
    header = np.lib.format.read_array_header_1_0 if version[0] == 1 else (
        np.lib.format.read_array_header_2_0
    )  # fmt: skip
    _, _, dtype = header(buffer)
    if not dtype.hasobject:
        buffer.seek(0)
        return np.lib.format.read_array(buffer, allow_pickle=False)
    if not objects:
        raise pickle.UnpicklingError("it holds Python objects where numbers were expected")
    return _NumpyOnlyUnpickler(buffer).load()
