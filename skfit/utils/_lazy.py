"""Lazy attribute loading for package ``__init__`` modules.

Importing :mod:`skfit` or one of its TensorFlow-free subpackages must not
import TensorFlow; public names are therefore resolved on first access.
"""

import importlib


def attach(package_name, submodules_to_names):
    """Return ``(__getattr__, __dir__, __all__)`` for a lazily loaded package.

    Parameters
    ----------
    package_name : str
        ``__name__`` of the package being populated.
    submodules_to_names : dict of str to list of str
        Maps a submodule (relative, e.g. ``"._split"``) to the public names
        it defines.
    """
    name_to_module = {
        name: module for module, names in submodules_to_names.items() for name in names
    }
    all_names = sorted(name_to_module)

    def __getattr__(name):
        if name not in name_to_module:
            raise AttributeError(f"module {package_name!r} has no attribute {name!r}")
        module = importlib.import_module(name_to_module[name], package_name)
        return getattr(module, name)

    def __dir__():
        return all_names

    return __getattr__, __dir__, all_names
