"""Feature selection by mutual information with an estimated noise floor."""

from ..utils._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {"._mutual_info": ["MutualInfoSelector", "mutual_info_scores"]},
)
