"""Read the fit off its loss curves: diagnosis, advice and plots."""

from ..utils._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "._diagnose": ["diagnose"],
        "._diagnosis": ["Diagnosis", "DiagnosisDisplay"],
        "._display": ["LossCurveDisplay"],
    },
)
