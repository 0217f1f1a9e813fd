"""The model the command line evaluates: preprocessing, feature selection, Keras MLP.

All preprocessing sits inside the pipeline, so that imputation, scaling,
one-hot encoding and feature selection are learnt from each training part
only, never from the rows they are validated on.
"""

from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .. import MutualInfoSelector
from ..utils._estimators import final_estimator

MAX_CATEGORIES = 20
VALIDATION_FRACTION = 0.2


def make_preprocessor(numeric, categorical):
    """ColumnTransformer: numeric imputed and scaled, categorical one-hot encoded.

    Numeric columns: median imputation with a missing-value indicator per
    column that had gaps, then standardization. Other columns: missing
    values become their own category ``"missing"``, then one-hot encoding
    of at most ``MAX_CATEGORIES`` categories per column (rarer ones pooled,
    unseen ones ignored). The output is a DataFrame with readable names.
    """
    steps = []
    if numeric:
        steps.append(("numeric", make_pipeline(
            SimpleImputer(strategy="median", add_indicator=True), StandardScaler()
        ), numeric))
    if categorical:
        steps.append(("categorical", make_pipeline(
            SimpleImputer(strategy="constant", fill_value="missing"),
            OneHotEncoder(handle_unknown="infrequent_if_exist", max_categories=MAX_CATEGORIES,
                          sparse_output=False),
        ), categorical))
    transformer = ColumnTransformer(steps, verbose_feature_names_out=False)
    return transformer.set_output(transform="pandas")


def make_selector(seed):
    """Mutual information above each feature's noise floor, never empty."""
    return MutualInfoSelector(min_features=1, random_state=seed)


def make_network(task, *, hidden, epochs, batch_size, learning_rate, seed):
    """The Keras MLP for the task, holding out a validation part for its curves."""
    from .. import KerasMLPClassifier, KerasMLPRegressor

    network = KerasMLPClassifier if task == "classification" else KerasMLPRegressor
    return network(hidden_layer_sizes=tuple(hidden), epochs=epochs, batch_size=batch_size,
                   learning_rate=learning_rate, validation_fraction=VALIDATION_FRACTION,
                   random_state=seed)


def make_model(table, *, hidden, epochs, batch_size, learning_rate, seed):
    """Pipeline[preprocess, select, network]; regression also standardizes the target.

    A standardized target keeps the network's default learning rate
    sensible whatever the target's units, and makes the mean predictor's
    mean squared error 1, the baseline its validation loss is read against.
    """
    pipeline = Pipeline([
        ("preprocess", make_preprocessor(table.numeric, table.categorical)),
        ("select", make_selector(seed)),
        ("network", make_network(table.task, hidden=hidden, epochs=epochs,
                                 batch_size=batch_size, learning_rate=learning_rate,
                                 seed=seed)),
    ])
    if table.task == "classification":
        return pipeline
    return TransformedTargetRegressor(regressor=pipeline, transformer=StandardScaler())


def network_step(model):
    """The Keras network inside a :func:`make_model` model (fitted when it is)."""
    return final_estimator(model)
