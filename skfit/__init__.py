"""skfit: the fundamentals of machine-learning practice as scikit-learn components.

Public names are loaded lazily: ``import skfit`` and the TensorFlow-free
subpackages (model selection, feature selection, diagnostics, datasets) never
import TensorFlow; the Keras estimators import it on first use.
"""

from .utils._lazy import attach

__version__ = "0.1.0"

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        ".keras": [
            "KerasClassifier",
            "KerasRegressor",
            "KerasMLPClassifier",
            "KerasMLPRegressor",
            "build_mlp",
        ],
        ".feature_selection": ["MutualInfoSelector", "mutual_info_scores"],
        ".model_selection": [
            "duplicate_groups",
            "DeduplicatedKFold",
            "train_val_test_split",
            "audit_split",
            "audit_cv",
            "compare_to_baseline",
            "BaselineReport",
            "capacity_sweep",
            "learning_rate_sweep",
            "FitThenRegularizeSearchCV",
        ],
        ".diagnostics": ["diagnose", "Diagnosis", "LossCurveDisplay"],
        ".datasets": [
            "add_channels",
            "load_digits_channels",
            "load_mnist",
            "load_imdb",
            "make_reviews",
        ],
    },
)
