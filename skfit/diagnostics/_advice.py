"""The advice of diagnose: concrete next steps, with the model's own parameter values.

:func:`advise` writes the advice items named by :mod:`._decision`. The
parameters are those of the network that was fit (the final step of a
Pipeline), so that the same network gets the same advice wherever it sits.
"""

from numbers import Integral, Real

HUGE_LOSS = 1e6  # a regression loss this large usually means an unscaled target

_UNREADABLE = (
    "The validation curve is too noisy to tell underfitting from overfitting: lower the "
    "learning rate, use a bigger batch or a larger validation set (validation_fraction), "
    "then diagnose again."
)


def advise(items, params, task=None):
    """Return the advice texts for ``items`` (``(kind, numbers)`` pairs), in order.

    Parameters
    ----------
    items : list of (str, dict)
        Advice kinds and their numbers, from the decision.
    params : dict
        ``get_params()`` of the diagnosed network (empty for a bare history).
    task : {"classifier", "regressor"} or None
        What the network is, when known.
    """
    writers = {
        "not_training": lambda numbers: _not_training(params, task, **numbers),
        "not_generalizing": lambda numbers: _not_generalizing(),
        "underfitting": lambda numbers: _underfitting(params, **numbers),
        "cut_short": lambda numbers: _cut_short(params, **numbers),
        "overfitting": lambda numbers: _overfitting(params, **numbers),
        "good_fit": lambda numbers: _good_fit(**numbers),
        "blown_up": lambda numbers: [_blown_up(params)],
        "unreadable": lambda numbers: [_UNREADABLE],
        "noisy": lambda numbers: [
            "Lower the learning rate or use a bigger batch to calm the validation curve."
        ],
    }
    return [text for kind, numbers in items for text in writers[kind](numbers)]


def _scaled_sizes(sizes, factor):
    if sizes is None:
        return None
    sizes = tuple(sizes) if isinstance(sizes, (list, tuple)) else (sizes,)
    if factor > 1:
        return tuple(int(size * factor) for size in sizes) or (64,)
    return tuple(max(1, int(size * factor)) for size in sizes)


def _not_training(params, task, *, diverged, loss):
    rate, batch = params.get("learning_rate"), params.get("batch_size")
    if diverged:
        lower = min(rate / 100, 1e-3) if isinstance(rate, Real) else None
        rate_text = (
            f"Lower the learning rate, training diverged: learning_rate={rate:g} -> {lower:g}, "
            "then learning_rate_sweep to find the largest rate that trains."
            if lower is not None else
            "Lower the learning rate, training diverged: try 100 to 1000 times smaller, "
            "then learning_rate_sweep to find the largest rate that trains."
        )
    else:
        lower = (f"learning_rate={rate:g} -> try {rate / 10:g} and {rate / 100:g}"
                 if isinstance(rate, Real) else "try 10 and 100 times smaller")
        rate_text = f"Lower the learning rate: {lower} (learning_rate_sweep)."
    bigger = (f"batch_size={batch} -> {4 * batch}" if isinstance(batch, Integral)
              else "for example 4 times larger")
    advice = [
        rate_text,
        f"Use a bigger batch for less noisy gradients: {bigger}.",
        "Check that the inputs are scaled (StandardScaler) and the targets match the loss.",
    ]
    if task == "regressor" and loss > HUGE_LOSS:
        scale = (
            f"Scale the target: a loss of about {loss:.3g} means targets far from unit scale; "
            "wrap the model in TransformedTargetRegressor(regressor=model, "
            "transformer=StandardScaler())."
        )
        advice.insert(1 if diverged else 0, scale)
    return advice


def _not_generalizing():
    return [
        "The inputs may not hold the information needed: check the data and labels, "
        "engineer better features, drop noise features (MutualInfoSelector).",
        "The model's architecture prior may not suit the data: try another model family.",
        "Confirm on identical folds, against shuffled labels: compare_to_baseline(..., "
        "n_permutations=...).",
    ]


def _underfitting(params, *, falling):
    epochs, sizes = params.get("epochs"), params.get("hidden_layer_sizes")
    advice = []
    if falling:
        longer = (f"epochs={epochs} -> {2 * epochs}" if isinstance(epochs, Integral)
                  else "more epochs")
        advice.append(f"Train longer, validation loss is still falling: {longer}.")
    bigger = _scaled_sizes(sizes, 2)
    advice.append(
        "Increase capacity until validation loss turns up: "
        + (f"hidden_layer_sizes={tuple(sizes) if isinstance(sizes, (list, tuple)) else sizes}"
           f" -> {bigger}" if bigger else "more units or layers")
        + " (capacity_sweep)."
    )
    regularized = {key: params[key] for key in ("l1", "l2", "dropout")
                   if isinstance(params.get(key), Real) and params.get(key)}
    if regularized:
        current = ", ".join(f"{key}={value:g}" for key, value in regularized.items())
        advice.append(f"Reduce regularization: {current}.")
    return advice


def _cut_short(params, *, restored):
    patience = params.get("patience")
    more = (f"patience={patience} -> {2 * patience}" if isinstance(patience, Integral)
            else "a larger patience")
    return [
        f"Early stopping cut training at epoch {restored} while the validation loss was "
        f"still falling: {more}.",
        *_underfitting(params, falling=True)[1:],
    ]


def _overfitting(params, *, best_epoch):
    sizes, l2, dropout = (params.get(key) for key in ("hidden_layer_sizes", "l2", "dropout"))
    smaller = _scaled_sizes(sizes, 0.5)
    return [
        f"Stop at epoch {best_epoch}: early_stopping=True, or epochs={best_epoch}.",
        "Add weight regularization: "
        + (f"l2={l2:g} -> {10 * l2:g}." if isinstance(l2, Real) and l2
           else "l2=1e-3 (L2, weight decay)."),
        "Add dropout: "
        + (f"dropout={dropout:g} -> {min(0.5, dropout + 0.2):g}."
           if isinstance(dropout, Real) and dropout else "dropout=0.2 to 0.5."),
        "Use a smaller model: "
        + (f"hidden_layer_sizes={tuple(sizes) if isinstance(sizes, (list, tuple)) else sizes}"
           f" -> {smaller}" if smaller else "fewer units")
        + " (capacity_sweep).",
        "Get more, or cleaner, training data.",
    ]


def _blown_up(params):
    rate = params.get("learning_rate")
    lower = (f"learning_rate={rate:g} -> try {rate / 10:g} and {rate / 100:g}"
             if isinstance(rate, Real) else "try 10 and 100 times smaller")
    return ("The training loss blew up first (steps far too large): this fit ended well by the "
            f"luck of its draws, which another seed may not repeat. Lower the learning rate: "
            f"{lower} (learning_rate_sweep).")


def _good_fit(*, epoch):
    return [
        f"Keep this configuration; retrain on training plus validation data for "
        f"{epoch} epochs and evaluate once on the test set.",
        "To go further: better features or more data, or a larger model with L2 or dropout.",
    ]
