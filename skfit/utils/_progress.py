"""Progress of the tools that run many fits, drawn by tqdm.

A multi-fit tool (:func:`~skfit.model_selection.compare_to_baseline`, the
sweeps, :class:`~skfit.model_selection.FitThenRegularizeSearchCV`, the
command line) opens one :class:`FitProgress` and reports each finished fit
and each finding through it; what the user sees is decided here only. On a
terminal it is a tqdm bar redrawn in place (fits done / total, elapsed,
remaining); elsewhere (a log, a pipe, a notebook's captured stream) one
plain line per event, since carriage returns make logs unreadable.
"""

import sys
import time

from tqdm import tqdm

__all__ = ["FitProgress"]

_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} fits [{elapsed}<{remaining}{postfix}]"
_PLAIN = "{desc}: {n_fmt}/{total_fmt} fits [{elapsed} elapsed, {remaining} left]"


class FitProgress:
    """Fits done out of ``total`` for one multi-fit call, on ``stream``.

    Parameters
    ----------
    verbose : int
        The tool's ``verbose``: 0 shows nothing; 1 the bar (or one line per
        fit) and the findings; 2 also a note on each fit.
    total : int
        Fits planned (at most, for a search that may stop early).
    desc : str
        What runs, the bar's label.
    stream : file, default=sys.stderr
        A terminal gets a bar; anything else plain lines.

    Examples
    --------
    >>> import io
    >>> stream = io.StringIO()
    >>> with FitProgress(1, 2, "sweep", stream=stream) as progress:
    ...     progress.fit_done()
    ...     progress.fit_done()
    >>> print(stream.getvalue().splitlines()[-1].split(" [")[0])
    sweep: 2/2 fits
    """

    def __init__(self, verbose, total, desc, *, stream=None):
        self.verbose = verbose
        self.stream = sys.stderr if stream is None else stream
        self.total = total
        self.desc = desc
        self.n = 0
        self._start = time.monotonic()
        self._bar = None
        if verbose and _isatty(self.stream):
            self._bar = tqdm(total=total, desc=desc, unit="fit", file=self.stream,
                             bar_format=_FORMAT, dynamic_ncols=True, leave=True)

    def fit_done(self, note=""):
        """Count one finished fit; ``note`` describes it (shown with ``verbose >= 2``)."""
        self.n += 1
        if not self.verbose:
            return
        if self._bar is not None:
            if note and self.verbose >= 2:
                self._bar.set_postfix_str(note, refresh=False)
            self._bar.update(1)
            return
        line = tqdm.format_meter(self.n, self.total, time.monotonic() - self._start,
                                 prefix=self.desc, bar_format=_PLAIN)
        self._print(f"{line}: {note}" if note and self.verbose >= 2 else line)

    def finding(self, message):
        """Show a finding of the tool (a step taken, a verdict) above the bar."""
        if not self.verbose:
            return
        if self._bar is not None:
            self._bar.write(f"{self.desc}: {message}", file=self.stream)
        else:
            self._print(f"{self.desc}: {message}")

    def close(self):
        """End the bar; a tool that stopped early shows the fits it ran as the total."""
        if self._bar is None:
            return
        if self.n < self._bar.total:
            self._bar.total = self.n
            self._bar.refresh()
        self._bar.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False

    def _print(self, line):
        self.stream.write(line + "\n")
        self.stream.flush()


def _isatty(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or not a file
        return False
