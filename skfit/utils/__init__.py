"""Utilities shared across skfit's subpackages, and helpers for running it in parallel."""

from ._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "._parallel": ["limit_tensorflow_threads", "register_dask_backend"],
        "._persistence": ["SKOPS_TRUSTED_TYPES"],
    },
)
