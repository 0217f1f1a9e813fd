"""Safe persistence with skops: the skfit types a fitted estimator's file may hold.

``pickle`` and ``joblib`` files run arbitrary code when loaded, so a model
file from someone else is a program from someone else. ``skops.io`` stores
the same objects in a format that loads only the types the reader trusts.
Fitted skfit estimators (and Pipelines holding them) consist of scikit-learn
and NumPy objects, which skops trusts already, plus the skfit types listed
in :data:`SKOPS_TRUSTED_TYPES`.
"""

SKOPS_TRUSTED_TYPES = [
    "skfit.feature_selection._mutual_info.MutualInfoSelector",
    "skfit.keras._mlp.KerasMLPClassifier",
    "skfit.keras._mlp.KerasMLPRegressor",
    "skfit.keras._mlp.MLPArchitecture",
    "skfit.keras._objectives.Objective",
    "skfit.keras._objectives.binary_accuracy",
    "skfit.keras._objectives.binary_crossentropy",
    "skfit.keras._objectives.multilabel_crossentropy",
    "skfit.keras._objectives.sparse_accuracy",
    "skfit.keras._objectives.sparse_crossentropy",
    "skfit.keras._objectives.squared_error",
    "skfit.keras._objectives.subset_accuracy",
    "skfit.keras._params.TrainingParams",
    "skfit.keras._wrappers.KerasClassifier",
    "skfit.keras._wrappers.KerasRegressor",
    "skfit.keras._wrappers.SerializedKerasModel",
    "skfit.keras._wrappers.UserModelArchitecture",
    "skfit.keras._wrappers.clone_user_model",
]
"""skfit's own types in a skops file of a fitted skfit estimator or Pipeline.

Pass them to :func:`skops.io.load` instead of ``trusted=True``:

>>> import skops.io as sio                                  # doctest: +SKIP
>>> from skfit.utils import SKOPS_TRUSTED_TYPES             # doctest: +SKIP
>>> sio.dump(fitted_pipeline, "model.skops")                # doctest: +SKIP
>>> model = sio.load("model.skops", trusted=SKOPS_TRUSTED_TYPES)  # doctest: +SKIP

A ``KerasClassifier`` / ``KerasRegressor`` built from your own function also
holds that function (and any custom loss): skops lists it among the
untrusted types, for you to trust by name once you know the file is yours.
"""
