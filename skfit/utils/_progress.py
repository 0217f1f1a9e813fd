"""Progress of the tools that run many fits: the one function they report through.

A multi-fit tool calls :func:`report_progress` after each fit (and with
each finding worth a line); what the user sees is decided here only, so
that a progress bar can replace these lines without touching the tools.
"""

import sys

__all__ = ["report_progress"]


def report_progress(verbose, done, total, message, *, level=1):
    """Report one event of a multi-fit tool when ``verbose >= level``.

    Parameters
    ----------
    verbose : int
        The tool's ``verbose`` parameter; 0 reports nothing.
    done : int
        Fits finished so far.
    total : int
        Fits planned at most (the budget).
    message : str
        What just happened.
    level : int, default=1
        Verbosity needed for this event: 1 for findings, 2 for each fit.
    """
    if verbose >= level:
        print(f"[{done}/{total} fits] {message}", file=sys.stdout, flush=True)
