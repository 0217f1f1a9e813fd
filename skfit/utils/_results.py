"""The one protocol every skfit result speaks, and the helpers its Displays share.

A result (:class:`~skfit.model_selection.AuditResult`,
:class:`~skfit.model_selection.BaselineReport`,
:class:`~skfit.model_selection.SweepResult`,
:class:`~skfit.diagnostics.Diagnosis`, and what the command line assembles
from them) answers, the same way:

- ``repr(result)``: one line naming the result and its headline numbers;
- ``result.summary()`` (and ``str(result)``, hence ``print(result)``): the
  text a person reads;
- ``result.to_dict()``: every field and derived number, JSON-safe
  (``json.loads(json.dumps(d)) == d``): NumPy values become Python ones,
  tuples lists, non-finite floats None, nested results their own dicts;
- ``result.to_frame()``, where the result is a table: a DataFrame;
- ``result.plot(ax=None)``: a Display object (``figure_``, ``ax_``), as
  scikit-learn's Displays;
- ``result._repr_html_()``: what a notebook shows (the summary and the
  table).

A subclass defines ``_repr_fields`` (the one-line repr), ``_summary_lines``
(the text, without the table) and ``_content`` (what ``to_dict`` holds);
``to_frame`` and ``plot`` where they make sense. A tabular result's summary
ends with its table as text; in a notebook the table is an HTML table.
"""

import datetime
import html
import math
from numbers import Integral, Real

import numpy as np

__all__ = ["Result", "jsonable", "axes_or_new"]


class Result:
    """Mixin of the results protocol; see the module docstring."""

    _summary_table = True  # False: to_frame() exists but is too long to show with the summary

    def _repr_fields(self):
        """Return ``{name: value}`` shown by the one-line repr."""
        raise NotImplementedError

    def _content(self):
        """Return ``{name: value}``: everything ``to_dict`` holds, before conversion."""
        raise NotImplementedError

    def _summary_lines(self):
        """Return the lines of the summary, without the table."""
        raise NotImplementedError

    def summary(self):
        """Return the result as readable text: the verdict, then the details.

        Returns
        -------
        text : str
            Tabular results end with their table (``to_frame()``) as text.
        """
        lines = list(self._summary_lines())
        frame = self._frame()
        if frame is not None:
            lines += ["", frame.to_string(na_rep="-")]
        return "\n".join(lines)

    def to_dict(self):
        """Return every field and derived number as a JSON-safe dict.

        Returns
        -------
        fields : dict
            Plain Python values only (str, int, float, bool, None, list,
            dict); non-finite numbers are None, so that
            ``json.loads(json.dumps(fields)) == fields``.
        """
        return jsonable(self._content())

    def __repr__(self):
        fields = ", ".join(f"{name}={_short(value)}" for name, value in self._repr_fields().items())
        return " ".join(f"{type(self).__name__}({fields})".split())

    def __str__(self):
        return self.summary()

    def _repr_html_(self):
        parts = [f"<pre>{html.escape(chr(10).join(self._summary_lines()))}</pre>"]
        frame = self._frame()
        if frame is not None:
            parts.append(frame.to_html(float_format=lambda v: f"{v:.4g}", na_rep="-"))
        return '<div class="skfit-result">' + "".join(parts) + "</div>"

    def _frame(self):
        """The table shown with the summary: ``to_frame()`` unless ``_summary_table`` is False."""
        to_frame = getattr(self, "to_frame", None)
        return to_frame() if callable(to_frame) and self._summary_table else None


def _short(value):
    """A compact text of ``value`` for the one-line repr."""
    if isinstance(value, (float, np.floating)):
        return "nan" if math.isnan(value) else f"{value:.4g}"
    if isinstance(value, dict):
        return "(" + ", ".join(f"{k}={_short(v)}" for k, v in value.items()) + ")"
    return repr(value)


def jsonable(value):
    """Return a JSON-safe copy of ``value`` (see :meth:`Result.to_dict`).

    Parameters
    ----------
    value : object
        Nested dicts, lists, tuples, arrays, NumPy or Python scalars, dates,
        results. Other objects (a splitter, an estimator) become their repr.

    Returns
    -------
    value : object
        Built from str, int, float, bool, None, list and dict only; dict
        keys are str, non-finite floats are None.
    """
    if isinstance(value, Result):
        return value.to_dict()
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, np.ndarray):
        return [jsonable(item) for item in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else str(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if _is_missing(value):
        return None
    return str(value) if isinstance(value, np.generic) else repr(value)


def _is_missing(value):
    try:
        import pandas as pd

        return value is pd.NA or value is pd.NaT
    except ImportError:  # pragma: no cover - pandas is a dependency
        return False


def axes_or_new(ax, ncols=1):
    """Return ``ax``, or the Axes of a new pyplot figure with ``ncols`` panels.

    Displays draw on the Axes they are given (the command line gives Axes of
    a ``matplotlib.figure.Figure``, so it never needs pyplot), or on a new
    figure, as scikit-learn's Displays do.
    """
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(1, ncols, figsize=(6.4 * ncols if ncols > 1 else 6.4, 4.8),
                         layout="constrained")
    return ax
