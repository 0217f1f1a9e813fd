"""Evaluation protocols, leak audits, baselines, hyper-parameter sweeps and searches."""

from ..utils._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "._duplicates": ["duplicate_groups"],
        "._split": ["DeduplicatedKFold", "train_val_test_split"],
        "._audit": ["audit_split", "audit_cv", "AuditResult", "AuditDisplay"],
        "._baseline": ["compare_to_baseline"],
        "._baseline_report": ["BaselineReport", "BaselineDisplay"],
        "._sweep": ["capacity_sweep", "learning_rate_sweep", "SweepResult"],
        "._search": ["FitThenRegularizeSearchCV"],
        "._search_path": ["SearchPath"],
    },
)
