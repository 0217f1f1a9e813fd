"""Write the report: report.html (self-contained), report.md, the PNGs, results.json.

The results dict is the single source: it is turned into one document (a
list of sections of paragraphs, lists, tables and figures) that is rendered
twice, as Markdown and as HTML, so both say the same; every number they
show is in results.json.
"""

import base64
import html
import json
import math
from pathlib import Path

import numpy as np

from ._errors import InputError
from ._plots import draw_figures
from ._workflow import epochs_text

SHOWN_FEATURES = 15

_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222;
       max-width: 980px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
h1 { font-size: 1.7em; border-bottom: 2px solid #2c6fbb; padding-bottom: .2em; }
h2 { font-size: 1.3em; margin-top: 1.6em; color: #2c6fbb; }
table { border-collapse: collapse; margin: .8em 0; font-size: .92em; }
th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: left; }
th { background: #eef3fa; }
td:first-child { white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1em 0; }
img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: .9em; color: #555; }
code { background: #f3f3f3; padding: 0 .2em; }
"""


def make_folder(out_dir):
    """Create the report folder ``out_dir`` (and its parents) if needed; return its Path."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--out {out_dir}: cannot create the folder ({exc.strerror}).") from None
    return out


def write_report(results, out_dir):
    """Write the report files into the folder ``out_dir``; return their paths."""
    out = Path(out_dir)
    figures = draw_figures(results)
    results = {**results, "figures": sorted(figures)}
    document = build_document(results)
    paths = []
    for name, png in figures.items():
        (out / name).write_bytes(png)
        paths.append(out / name)
    (out / "report.md").write_text(to_markdown(document), encoding="utf-8")
    (out / "report.html").write_text(to_html(document, figures), encoding="utf-8")
    (out / "results.json").write_text(
        json.dumps(_jsonable(results), indent=2, allow_nan=False) + "\n", encoding="utf-8"
    )
    return [out / "report.html", out / "report.md", out / "results.json", *paths]


def _jsonable(value):
    """A copy with NumPy scalars made plain and non-finite floats made null."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    return value


# -- the document ---------------------------------------------------------------
def build_document(results):
    """Return ``(title, sections)``; a section is ``(heading, blocks)``.

    Blocks: ``("p", text)``, ``("list", items)``, ``("table", header, rows)``
    and ``("figure", file name, caption)``.
    """
    data = results["data"]
    title = f"skfit report: {data['name']}"
    sections = [
        ("Verdict", _verdict(results)),
        ("Data", _data_blocks(data)),
        ("Audit", _audit_blocks(results["audit"])),
        ("Evaluation protocol", _protocol_blocks(results["protocol"])),
        ("Feature selection", _selection_blocks(results["selection"],
                                                encoded=bool(data["categorical_columns"]))),
        ("Scores against the baselines", _score_blocks(results["scores"])),
        ("Diagnosis of one fit", _diagnosis_blocks(results["diagnosis"])),
    ]
    if results["warnings"]:
        sections.append(("Warnings raised during the run", [("list", [
            f"{w['warning']} (x{w['count']})" for w in results["warnings"]
        ])]))
    sections.append(("Reproduce", _reproduce_blocks(results)))
    return title, sections


def _fmt(value, digits=3):
    return "n/a" if value is None else f"{value:.{digits}f}"


def _verdict(results):
    scores, diagnosis = results["scores"], results["diagnosis"]
    best = scores["best_baseline"]
    model, baseline = scores["summary"]["model"]["mean"], scores["summary"][best]["mean"]
    p_value = "n/a" if scores["p_value"] is None else f"{scores['p_value']:.2g}"
    beats = "beats" if scores["beats_baseline"] else "does NOT beat"
    items = [
        f"The model ({scores['model_name']}) {beats} the best common-sense baseline "
        f"({best}): {scores['scoring']} {model:.3f} vs {baseline:.3f}, margin "
        f"{scores['margin']:+.3f}, one-sided p = {p_value} over {len(scores['model'])} splits.",
    ]
    if scores["n_permutations"]:
        shuffled = scores["summary"]["shuffled_labels"]["mean"]
        items.append(f"On shuffled labels the same model scores {shuffled:.3f} "
                     f"({scores['n_permutations']} run(s)): what chance looks like here.")
    items.append(f"Protocol: {results['protocol']['splitter']}; "
                 + ("no leak found in its splits." if results["protocol"]["leak_free"]
                    else "LEAKS FOUND in its splits (see below)."))
    items.append(f"Feature selection kept {results['selection']['n_kept']} of "
                 f"{results['selection']['n_features']} features.")
    items.append(f"Diagnosis of one fit: {diagnosis['status']}. Next step: "
                 + (diagnosis["advice"][0] if diagnosis["advice"] else "none."))
    return [("list", items)]


def _data_blocks(data):
    rows = [
        ("rows", str(data["n_rows"])),
        ("target", f"{data['target']}: {data['task']} ({data['task_reason']})"),
        ("numeric columns", _names(data["numeric_columns"])),
        ("categorical columns", _names(data["categorical_columns"])),
        ("time column", data["time_column"] or "none"),
        ("group column", data["group_column"] or "none"),
        ("dropped columns (--drop)", _names(data["dropped_columns"])),
    ]
    blocks = [("table", ("", ""), rows)]
    if data["notes"]:
        blocks.append(("list", data["notes"]))
    return blocks


def _names(names, limit=30):
    if not names:
        return "none"
    more = f", ... ({len(names)} in all)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def _audit_blocks(audit):
    items = [
        f"Duplicate rows: {audit['duplicate_rows']} rows repeat an earlier row "
        f"({audit['duplicate_groups']} distinct rows occur more than once)."
        if audit["duplicate_rows"] else "Duplicate rows: none.",
        "Missing values: " + (", ".join(f"{c}: {n}" for c, n in audit["missing_values"].items())
                              or "none") + ".",
    ]
    if audit["identifier_like"]:
        items.append("A distinct value on every row (identifiers? consider --drop): "
                     + ", ".join(audit["identifier_like"]) + ".")
    if audit["time"]:
        time = audit["time"]
        items.append(f"Time: {time['column']!r} runs from {time['first']} to {time['last']}.")
    else:
        items.append("Time: no time column.")
    blocks = [("list", items)]
    if "classes" in audit:
        counts = audit["classes"]["counts"]
        total = sum(counts.values())
        blocks.append(("p", f"Class balance: the majority class holds "
                            f"{audit['classes']['majority_share']:.1%} of the rows, the "
                            "accuracy of always predicting it."))
        blocks.append(("table", ("class", "rows", "share"),
                       [(c, str(n), f"{n / total:.1%}") for c, n in counts.items()]))
    else:
        target = audit["target"]
        blocks.append(("p", f"Target: mean {target['mean']:.4g}, standard deviation "
                            f"{target['std']:.4g}, from {target['min']:.4g} to "
                            f"{target['max']:.4g}."))
    return blocks


def _protocol_blocks(protocol):
    per_split = protocol["per_split"]
    header = ("split", "train rows", "validation rows", "overlap", "duplicates",
              "earlier in time", "unseen classes")
    columns = ("n_train", "n_test", "n_overlap", "n_duplicates", "n_temporal",
               "unseen_classes")
    rows = [
        (str(i + 1), *(_cell(per_split[c][i]) for c in columns))
        for i in range(protocol["n_splits"])
    ]
    return [
        ("p", f"Splitter: {protocol['splitter']} ({protocol['n_splits']} splits)."),
        ("p", f"Why: {protocol['reason']}."),
        ("p", "Leak audit of the splits: " + ("ok, no leak found."
                                              if protocol["leak_free"] else "LEAKS FOUND.")),
        ("list", protocol["leak_checks"]),
        ("table", header, rows),
    ]


def _cell(value):
    if value is None:
        return "not checked"
    if isinstance(value, list):
        return ", ".join(value) or "none"
    return str(value)


def _selection_blocks(selection, encoded):
    features = selection["features"]
    dropped = [f["name"] for f in features if not f["kept"]]
    kept = [f for f in features if f["kept"]]
    blocks = [
        ("p", f"Method: {selection['method']}. On all rows it keeps {selection['n_kept']} of "
              f"{selection['n_features']} features"
              + (" (after one-hot encoding)" if encoded else "") + "; inside the "
              f"cross-validation it is refit on each of the {selection['n_folds']} training "
              "parts, and 'kept in folds' counts how often each feature survived."),
        ("figure", "mutual_information.png",
         "Mutual information of each feature with the target (bars) and the noise floor it "
         "must exceed (black ticks)."),
    ]
    if selection["folds_only_best"]:
        blocks.append(("p", f"In {selection['folds_only_best']} training parts no feature "
                            "clears its noise floor; only the best one is kept there."))
    blocks.append(("p", f"Dropped ({len(dropped)}): {_names(dropped, limit=200)}."))
    shown = kept[:SHOWN_FEATURES]
    if shown:
        blocks.append(("p", f"The {len(shown)} highest-scoring kept features (all "
                            f"{len(features)} are in results.json):"))
        blocks.append(("table", ("feature", "MI (nats)", "noise floor", "kept in folds"), [
            (f["name"], f"{f['score']:.4f}", f"{f['threshold']:.4f}",
             f"{f['kept_in_folds']}/{selection['n_folds']}") for f in shown
        ]))
    return blocks


def _score_blocks(scores):
    names = ["model", *scores["baselines"]]
    labels = [f"model: {scores['model_name']}", *(f"baseline: {b}" for b in scores["baselines"])]
    if scores["n_permutations"]:
        names.append("shuffled_labels")
        labels.append(f"shuffled labels ({scores['n_permutations']} run(s))")
    summary = [(label, _fmt(scores["summary"][n]["mean"]), _fmt(scores["summary"][n]["std"]))
               for n, label in zip(names, labels)]
    shuffled = np.asarray(scores["shuffled_labels"]).mean(axis=0) if scores["n_permutations"] \
        else None
    per_split = [
        (str(i + 1), str(scores["train_sizes"][i]), str(scores["test_sizes"][i]),
         _fmt(scores["model"][i]), *(_fmt(v[i]) for v in scores["baselines"].values()),
         *((_fmt(float(shuffled[i])),) if shuffled is not None else ()))
        for i in range(len(scores["model"]))
    ]
    p_value = "n/a" if scores["p_value"] is None else f"{scores['p_value']:.3g}"
    test = (f"Margin over the best baseline ({scores['best_baseline']}): "
            f"{scores['margin']:+.4f}; Nadeau-Bengio corrected resampled t-test, one-sided: "
            f"t = {_fmt(scores['t_statistic'])}, p = {p_value}; beats the baseline at alpha "
            f"{scores['alpha']}: {'yes' if scores['beats_baseline'] else 'no'}.")
    if scores["n_permutations"] >= 19:
        test += (f" Permutation p-value ({scores['n_permutations']} runs on shuffled labels): "
                 f"{scores['permutation_p_value']:.3g}.")
    return [
        ("p", f"Every score comes from the same splits: the model, the Dummy baselines and the "
              f"model refit on shuffled labels. Metric: {scores['scoring']} (higher is "
              "better)."),
        ("figure", "fold_scores.png", f"{scores['scoring']} of each split."),
        ("table", (scores["scoring"], "mean", "std"), summary),
        ("p", test),
        ("table", ("split", "train rows", "validation rows", "model",
                   *scores["baselines"], *(("shuffled",) if shuffled is not None else ())),
         per_split),
    ]


def _diagnosis_blocks(diagnosis):
    baseline = diagnosis["baseline"]
    return [
        ("p", f"One fit of the pipeline on the {diagnosis['fit']}, read by skfit.diagnose: "
              f"status {diagnosis['status']}, {epochs_text(diagnosis)}. Baseline for {baseline['score']}: "
              f"{baseline['value']:.4g} ({baseline['meaning']})."),
        ("figure", "loss_curves.png", "Training and validation curves of that fit."),
        ("p", "Evidence:"),
        ("list", diagnosis["evidence"]),
        ("p", "Advice:"),
        ("list", diagnosis["advice"]),
    ]


def _reproduce_blocks(results):
    settings = ", ".join(f"{k}={v}" for k, v in results["settings"].items())
    return [
        ("p", f"Command: {results['command']}"),
        ("p", f"Settings: {settings}. skfit {results['skfit_version']}; the run took "
              f"{results['seconds']} s."),
    ]


# -- renderers -------------------------------------------------------------------
def to_markdown(document):
    """Render the document as Markdown; figures link to the PNG files."""
    title, sections = document
    lines = [f"# {title}", ""]
    for heading, blocks in sections:
        lines += [f"## {heading}", ""]
        for block in blocks:
            lines += _markdown_block(block) + [""]
    return "\n".join(lines)


def _markdown_block(block):
    kind = block[0]
    if kind == "p":
        return [block[1]]
    if kind == "list":
        return [f"- {item}" for item in block[1]]
    if kind == "figure":
        return [f"![{block[2]}]({block[1]})"]
    header, rows = block[1], block[2]

    def row(cells):
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    return [row(header), "|" + "---|" * len(header), *map(row, rows)]


def to_html(document, figures):
    """Render the document as one HTML page with the figures inlined (base64 PNG)."""
    title, sections = document
    body = [f"<h1>{html.escape(title)}</h1>"]
    for heading, blocks in sections:
        body.append(f"<h2>{html.escape(heading)}</h2>")
        body += [_html_block(block, figures) for block in blocks]
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body) + "\n</body>\n</html>\n"
    )


def _html_block(block, figures):
    kind = block[0]
    if kind == "p":
        return f"<p>{html.escape(block[1])}</p>"
    if kind == "list":
        return "<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in block[1]) + "</ul>"
    if kind == "figure":
        data = base64.b64encode(figures[block[1]]).decode("ascii")
        caption = html.escape(block[2])
        return (f'<figure><img alt="{caption}" src="data:image/png;base64,{data}">'
                f"<figcaption>{caption}</figcaption></figure>")
    header, rows = block[1], block[2]
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header) if any(header) else ""
    body = "".join(
        "<tr>" + "".join(_html_cell(c) for c in row) + "</tr>" for row in rows
    )
    return f"<table>{'<tr>' + head + '</tr>' if head else ''}{body}</table>"


def _html_cell(value):
    text = str(value)
    numeric = text.replace(".", "", 1).replace("-", "", 1).replace("+", "", 1).isdigit()
    return f'<td class="num">{html.escape(text)}</td>' if numeric else \
        f"<td>{html.escape(text)}</td>"
