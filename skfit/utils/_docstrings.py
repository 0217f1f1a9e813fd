"""Shared numpydoc entries, written once and substituted where a docstring is defined.

A docstring names a shared entry with a ``%(name)s`` placeholder on a line
of its own; the :class:`DocEntries` decorator replaces each placeholder,
when the function or class is defined, by the entry indented like the
placeholder. An entry may itself hold placeholders for values given to the
decorator (``%(stratified)s``), so that one text serves several classes.
Unknown names fail at import time, so a typo cannot ship.

Examples
--------
>>> from skfit.utils._docstrings import DocEntries
>>> shared = DocEntries(
...     n_jobs='''n_jobs : int, default=None
...         Number of jobs run in parallel; None means 1.''')
>>> @shared
... def work(n_jobs=None):
...     '''Do the work.
...
...     Parameters
...     ----------
...     %(n_jobs)s
...     '''
>>> for line in work.__doc__.splitlines()[4:6]:
...     print(line)
    n_jobs : int, default=None
        Number of jobs run in parallel; None means 1.
"""

import re
import textwrap

__all__ = ["DocEntries", "PARAMETERS"]

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


class DocEntries:
    """A set of named numpydoc entries, and the decorator that substitutes them.

    Parameters
    ----------
    **entries : str
        Name -> entry text: ``"name : type, default=..."``, then the
        description on the next lines, indented (by any amount) below it.
    """

    def __init__(self, **entries):
        self.entries = {name: _entry(text) for name, text in entries.items()}

    def extend(self, **entries):
        """Return a new set with these entries added (or replaced).

        Parameters
        ----------
        **entries : str
            Name -> entry text.

        Returns
        -------
        entries : DocEntries
        """
        return DocEntries(**self.entries, **entries)

    def __call__(self, obj=None, /, **values):
        """Substitute the placeholders of ``obj``'s docstring; usable as a decorator.

        Parameters
        ----------
        obj : function, class, classmethod or staticmethod, default=None
            The object whose docstring is completed. When None, return a
            decorator that uses ``values``.
        **values : str
            Texts for placeholders inside the entries (or the docstring)
            that are not entries themselves.

        Returns
        -------
        obj : function or class
            ``obj`` itself, its ``__doc__`` complete.
        """
        if obj is None:
            return lambda target: self(target, **values)
        function = getattr(obj, "__func__", obj)  # a classmethod's or staticmethod's function
        function.__doc__ = self.fill(function.__doc__, **values)
        return obj

    def fill(self, docstring, **values):
        """Return ``docstring`` with its placeholders replaced.

        Parameters
        ----------
        docstring : str
            Text holding ``%(name)s`` placeholders.
        **values : str
            Texts for placeholders that are not entries.

        Returns
        -------
        docstring : str

        Raises
        ------
        KeyError
            If a placeholder names neither an entry nor a value.
        """
        texts = {**self.entries, **values}

        def replace_line(match):
            indent, name = match.group(1), match.group(2)
            text = _fill_values(texts[name], texts)
            return "\n".join(indent + line if line else line for line in text.splitlines())

        docstring = re.sub(r"(?m)^([ \t]*)%\((\w+)\)s[ \t]*$", replace_line, docstring)
        return _fill_values(docstring, texts)


def _entry(text):
    """An entry's first line flush left, its description indented by four spaces."""
    first, _, rest = text.strip("\n").partition("\n")
    rest = textwrap.indent(textwrap.dedent(rest), "    ") if rest.strip() else ""
    return first.strip() + ("\n" + rest if rest else "")


def _fill_values(text, texts):
    """Replace the placeholders within lines (values and nested entries).

    A value of several lines continues at the indentation of the line it
    is placed in.
    """
    for _ in range(5):  # nested entries, a few levels deep
        if not _PLACEHOLDER.search(text):
            return text
        lines = []
        for line in text.split("\n"):
            indent = line[: len(line) - len(line.lstrip())]
            lines.append(_PLACEHOLDER.sub(
                lambda match: texts[match.group(1)].replace("\n", "\n" + indent), line
            ))
        text = "\n".join(lines)
    return text


#: Parameters that many skfit functions and classes share.
PARAMETERS = DocEntries(
    cv="""cv : int, cross-validation generator or iterable, default=None
        As in :func:`sklearn.model_selection.cross_validate`: None means 5
        folds, stratified for classifiers (also for wrappers whose tags do
        not say they are one, such as scikeras 0.13's).""",
    groups="""groups : array-like of shape (n_samples,), default=None
        Group labels, passed to the splitter (e.g. ``GroupKFold``).""",
    n_jobs="""n_jobs : int, default=None
        Number of fits run in parallel by joblib; None means 1.""",
    verbose="""verbose : int, default=0
        0 shows nothing; 1 a progress bar of the fits (done / total, elapsed,
        remaining) on stderr when it is a terminal, one line per fit
        elsewhere; 2 also names each fit.""",
    random_state="""random_state : int, RandomState instance or None, default=None
        Seed of the randomness; the same seed gives the same result.""",
    ax="""ax : matplotlib Axes, default=None
        Axes to draw on; a new figure is created when None.""",
    ax_="""ax_ : matplotlib Axes
        The Axes drawn on.""",
    figure_="""figure_ : matplotlib Figure
        The Figure holding ``ax_``.""",
)
