"""Write the report: report.html (self-contained), report.md, the PNGs, results.json.

Renderers only: the :class:`~skfit.cli._results.Evaluation` holds every
number and sentence. It is laid out once as a document (sections of
paragraphs, lists, tables and figures) that is rendered twice, as Markdown
and as HTML (a Jinja2 template), so both say the same; each figure is the
``plot()`` of a result; results.json is the evaluation's ``to_dict()``.
"""

import base64
import io
import json
import math
from pathlib import Path

import pandas as pd
from jinja2 import Environment

from ._errors import InputError

SHOWN_FEATURES = 15
FIGSIZE = (9, 4.2)
FIGURES = {  # file name: (the result drawn, caption)
    "fold_scores.png": ("scores", "{scoring} of each split."),
    "loss_curves.png": ("diagnosis", "Training and validation curves of that fit."),
    "mutual_information.png": (
        "selection", "Mutual information of each feature with the target (bars) and the noise "
                     "floor it must exceed (black ticks)."),
    "search_path.png": (  # with --tune only
        "tuning", "Validation loss (mean over the inner splits) of every configuration the "
                  "search tried; the chosen one is drawn thick, in black."),
}
OUTPUTS = ("report.html", "report.md", "results.json", *FIGURES)


def check_writable(out_dir):
    """Create the report folder if needed and check that every output can be written there.

    Called before any training, so that a bad ``--out`` costs nothing.
    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".skfit-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise InputError(f"--out {out_dir}: cannot write there ({exc.strerror}).") from None
    for name in OUTPUTS:
        path = out / name
        if path.is_dir() or (path.exists() and not _writable(path)):
            raise InputError(f"--out {out_dir}: {name} exists and cannot be overwritten.")
    return out


def _writable(path):
    try:
        with open(path, "ab"):
            return True
    except OSError:
        return False


def write_report(evaluation, out_dir):
    """Write the report files into the folder ``out_dir``; return their paths."""
    import dataclasses

    out = Path(out_dir)
    figures = draw_figures(evaluation)
    evaluation = dataclasses.replace(evaluation, figures=tuple(figures))
    document = build_document(evaluation)
    for name, png in figures.items():
        (out / name).write_bytes(png)
    (out / "report.md").write_text(to_markdown(document), encoding="utf-8")
    (out / "report.html").write_text(to_html(document, figures), encoding="utf-8")
    (out / "results.json").write_text(
        json.dumps(evaluation.to_dict(), indent=2, allow_nan=False) + "\n", encoding="utf-8"
    )
    return [out / "report.html", out / "report.md", out / "results.json",
            *(out / name for name in figures)]


def draw_figures(evaluation):
    """Return ``{file name: PNG bytes}``: the ``plot()`` of each figure's result.

    The figures are ``matplotlib.figure.Figure`` objects (no pyplot, no GUI
    backend), so the command works on machines without a display.
    """
    from matplotlib.figure import Figure

    pngs = {}
    for name, (attribute, _) in FIGURES.items():
        result = getattr(evaluation, attribute)
        if result is None:  # a step that did not run (tuning without --tune)
            continue
        figure = Figure(figsize=FIGSIZE, layout="constrained")
        result.plot(ax=figure.subplots(1, getattr(result, "n_panels", 1)))
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=100)
        pngs[name] = buffer.getvalue()
    return pngs


# -- the document ---------------------------------------------------------------
def build_document(evaluation):
    """Return ``(title, sections)``; a section is ``(heading, blocks)``.

    Blocks: ``("p", text)``, ``("list", items)``, ``("table", header, rows)``
    and ``("figure", file name, caption)``.
    """
    e = evaluation
    sections = [
        ("Verdict", [("list", e.verdicts)]),
        ("Data", [_table(e.data.to_frame(), header=("", "")), *_items(e.data.lines)]),
        ("Audit", _audit_blocks(e.audit)),
        ("Evaluation protocol", _protocol_blocks(e.protocol)),
        ("Feature selection", _selection_blocks(e.selection)),
        ("Scores against the baselines", _score_blocks(e.scores)),
    ]
    if e.tuning is not None:
        sections.append(("Tuning: fit, then regularize", _tuning_blocks(e.tuning)))
    sections.append(("Diagnosis of one fit", _diagnosis_blocks(e.diagnosis)))
    if e.warnings:
        sections.append(("Warnings raised during the run", [("list", [
            f"{w['warning']} (x{w['count']})" for w in e.warnings
        ])]))
    settings = ", ".join(f"{k}={v}" for k, v in e.settings.items())
    sections.append(("Reproduce", [
        ("p", f"Command: {e.command}"),
        ("p", f"Settings: {settings}. skfit {e.skfit_version}; the run took {e.seconds} s."),
    ]))
    return f"skfit report: {e.data.name}", sections


def _items(lines):
    return [("list", list(lines))] if lines else []


def _figure(name, **values):
    return ("figure", name, FIGURES[name][1].format(**values))


def _cell(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not checked"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) or "none"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _table(frame, header=None, formats=None):
    """A table block from a DataFrame: its index, then its columns."""
    formats = formats or {}
    rows = [
        (str(index), *(formats.get(column, _cell)(frame[column].iloc[i])
                       for column in frame.columns))
        for i, index in enumerate(frame.index)
    ]
    return ("table", header or (frame.index.name or "", *frame.columns), rows)


def _audit_blocks(audit):
    formats = {"share": lambda value: f"{value:.1%}"}
    return [*_items(audit.lines), _table(audit.to_frame(), formats=formats)]


def _protocol_blocks(protocol):
    frame = protocol.to_frame()[["n_train", "n_test", "n_overlap", "n_duplicates",
                                 "n_temporal", "unseen_classes"]]
    frame.index = frame.index + 1
    header = ("split", "train rows", "validation rows", "overlap", "duplicates",
              "earlier in time", "unseen classes")
    return [
        ("p", protocol.title + "."),
        *_items(protocol.lines),
        ("list", protocol.audit.findings),
        _table(frame, header=header),
    ]


def _selection_blocks(selection):
    kept = selection.to_frame().query("kept").head(SHOWN_FEATURES)
    kept = kept.assign(kept_in_folds=[f"{n}/{selection.n_folds}" for n in kept["kept_in_folds"]])
    return [
        ("p", f"Method: {selection.method}."),
        _figure("mutual_information.png"),
        *_items(selection.lines),
        ("p", f"Dropped ({len(selection.dropped)}): "
              + (", ".join(selection.dropped) or "none") + "."),
        ("p", f"The {len(kept)} highest-scoring kept features (all {selection.n_features} "
              "are in results.json):"),
        _table(kept[["score", "threshold", "kept_in_folds"]],
               header=("feature", "MI (nats)", "noise floor", "kept in folds"),
               formats={"score": "{:.4f}".format, "threshold": "{:.4f}".format}),
    ]


def _score_blocks(scores):
    three = "{:.3f}".format
    per_split = scores.to_frame()
    per_split.index = per_split.index + 1
    per_split.insert(0, "validation rows", scores.test_sizes)
    per_split.insert(0, "train rows", scores.train_sizes)
    summary = scores.score_summary()
    return [
        ("p", f"Every score comes from the same splits: the model, the Dummy baselines and the "
              f"model refit on shuffled labels. Metric: {scores.scoring} (higher is better)."),
        _figure("fold_scores.png", scoring=scores.scoring),
        _table(summary, formats={"mean": three, "std": lambda v: "n/a" if math.isnan(v)
                                 else three(v)}),
        ("p", scores.test_text),
        *([("p", scores.chance_text)] if scores.chance_text else []),
        _table(per_split, header=("split", *per_split.columns),
               formats={c: three for c in per_split.columns if "rows" not in c}),
    ]


def _tuning_blocks(tuning):
    three = "{:.3f}".format
    path = tuning.path
    blocks = [
        ("p", tuning.description),
        ("p", path.verdict),
        _figure("search_path.png"),
        ("p", "The final configuration against the starting one (the other options' MLP):"),
        _table(path.configurations()[["start", "chosen"]], header=("knob", "start", "chosen")),
        _table(tuning.score_table(), formats={"mean": three, "std": three}),
        ("p", path.stop_reason),
    ]
    for number, title in path.STEPS.items():
        blocks += [("p", f"{number}. {title}"),
                   ("list", path.lines.get(number) or ["(not reached)"])]
    frame = path.to_frame()[["step", "move", "status", "best_epoch", "n_epochs", "mean_score",
                             "std_score", "chosen"]]
    blocks.append(_table(frame, header=("#", *frame.columns),
                         formats={"mean_score": three, "std_score": three,
                                  "best_epoch": lambda v: "-" if pd.isna(v) else str(v)}))
    return blocks


def _diagnosis_blocks(fit):
    return [
        ("p", fit.description),
        _figure("loss_curves.png"),
        ("p", "Evidence:"),
        ("list", fit.diagnosis.evidence),
        ("p", "Advice:"),
        ("list", fit.diagnosis.advice),
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
"""

_HTML = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True).from_string("""\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ title }}</title>
<style>{{ css }}</style>
</head>
<body>
<h1>{{ title }}</h1>
{% for heading, blocks in sections %}
<h2>{{ heading }}</h2>
{% for block in blocks %}
{% if block[0] == "p" %}
<p>{{ block[1] }}</p>
{% elif block[0] == "list" %}
<ul>{% for item in block[1] %}<li>{{ item }}</li>{% endfor %}</ul>
{% elif block[0] == "figure" %}
<figure><img alt="{{ block[2] }}" src="data:image/png;base64,{{ images[block[1]] }}">\
<figcaption>{{ block[2] }}</figcaption></figure>
{% else %}
<table>{% if block[1] | select | list %}<tr>{% for cell in block[1] %}<th>{{ cell }}</th>\
{% endfor %}</tr>{% endif %}{% for row in block[2] %}<tr>{% for cell in row %}\
<td{% if cell is numeric_text %} class="num"{% endif %}>{{ cell }}</td>{% endfor %}</tr>\
{% endfor %}</table>
{% endif %}
{% endfor %}
{% endfor %}
</body>
</html>
""")
_HTML.environment.tests["numeric_text"] = lambda text: (
    str(text).replace(".", "", 1).replace("-", "", 1).replace("+", "", 1).isdigit()
)


def to_html(document, figures):
    """Render the document as one HTML page with the figures inlined (base64 PNG)."""
    title, sections = document
    images = {name: base64.b64encode(png).decode("ascii") for name, png in figures.items()}
    return _HTML.render(title=title, sections=sections, images=images, css=_CSS)
