"""The report's figures, drawn from the results dict alone, as PNG bytes.

Figures are made with ``matplotlib.figure.Figure`` (no pyplot, no GUI
backend), so the command works on machines without a display.
"""

import io

import numpy as np

FIGSIZE = (9, 4.2)
LABELLED_FEATURES = 40  # above this, the MI chart drops its feature names


def draw_figures(results):
    """Return ``{file name: PNG bytes}`` for the report's three figures."""
    figures = {
        "fold_scores.png": _fold_scores(results["scores"]),
        "loss_curves.png": _loss_curves(results["diagnosis"], results["scores"]["model_name"]),
        "mutual_information.png": _mutual_information(results["selection"]),
    }
    return {name: _png(figure) for name, figure in figures.items()}


def _png(figure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def _figure(ncols=1):
    from matplotlib.figure import Figure

    figure = Figure(figsize=FIGSIZE, layout="constrained")
    return figure, figure.subplots(1, ncols)


def _fold_scores(scores):
    figure, ax = _figure()
    splits = np.arange(1, len(scores["model"]) + 1)
    ax.plot(splits, scores["model"], "o-", lw=2, color="C0", zorder=3,
            label=f"model: {scores['model_name']}")
    for color, (name, values) in enumerate(scores["baselines"].items(), start=1):
        ax.plot(splits, values, "s--", lw=1, color=f"C{color}", label=f"baseline: {name}")
    if scores["n_permutations"]:
        shuffled = np.asarray(scores["shuffled_labels"])
        ax.plot(splits, shuffled.mean(axis=0), "^:", color="0.3",
                label=f"shuffled labels (mean of {len(shuffled)})")
    ax.set_xticks(splits)
    ax.set_xlabel("split")
    ax.set_ylabel(scores["scoring"])
    ax.set_title(f"{scores['scoring']} per split: margin {scores['margin']:+.3f} over the best "
                 f"baseline ({scores['best_baseline']})")
    ax.legend(fontsize="small", loc="best")
    return figure


def _loss_curves(diagnosis, model_name):
    from matplotlib.ticker import MaxNLocator

    from .. import LossCurveDisplay

    history = diagnosis["history"]
    classification = "val_accuracy" in history
    figure, axes = _figure(2 if classification else 1)
    loss_ax = axes[0] if classification else axes
    LossCurveDisplay({model_name: history}, metrics=("loss", "val_loss"),
                     best_epochs={model_name: diagnosis["best_epoch"]}).plot(ax=loss_ax)
    if not classification:
        loss_ax.axhline(diagnosis["baseline"]["value"], color="0.4", lw=1, ls="-.",
                        label="baseline: mean predictor")
        loss_ax.legend(fontsize="small")
    loss_ax.set_title(f"{model_name}: {diagnosis['status']}")
    if classification:
        ax = axes[1]
        epochs = np.arange(1, len(history["accuracy"]) + 1)
        ax.plot(epochs, history["accuracy"], "--", color="C0", label="training accuracy")
        ax.plot(epochs, history["val_accuracy"], "-", color="C0", label="validation accuracy")
        ax.axhline(diagnosis["baseline"]["value"], color="0.4", lw=1, ls="-.",
                   label="best baseline")
        ax.set_xlabel("epoch")
        ax.set_ylabel("accuracy")
        ax.set_title("accuracy vs the best baseline")
        ax.legend(fontsize="small")
    for ax in np.atleast_1d(axes):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return figure


def _mutual_information(selection):
    from matplotlib.patches import Patch

    figure, ax = _figure()
    features = selection["features"]
    positions = np.arange(len(features))
    scores = [f["score"] for f in features]
    colors = ["C0" if f["kept"] else "0.7" for f in features]
    ax.bar(positions, scores, color=colors, width=0.8)
    (floor,) = ax.plot(positions, [f["threshold"] for f in features], "_", color="k",
                       markersize=8, label="noise floor of each feature")
    if len(features) <= LABELLED_FEATURES:
        ax.set_xticks(positions, [f["name"] for f in features], rotation=60, ha="right",
                      fontsize="small")
    else:
        ax.set_xticks([])
        ax.set_xlabel(f"the {len(features)} features, by decreasing score")
    ax.set_ylabel("mutual information with the target (nats)")
    ax.set_title(f"feature selection on all rows: kept {selection['n_kept']} of "
                 f"{selection['n_features']}")
    ax.legend(handles=[Patch(color="C0", label="kept"), Patch(color="0.7", label="dropped"),
                       floor], fontsize="small")
    return figure
