"""Resident memory of this process, and its peak over a block (sampled in a thread).

Shared by the benchmarks that report memory (``bench_memory.py``,
``bench_sparse.py``); Linux only (``/proc/self/statm``).
"""

import resource
import threading
import time


def rss_bytes():
    """Resident set size of this process now, in bytes."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


class PeakRSS:
    """Samples this process's resident memory in a thread; ``peak`` is the highest seen."""

    def __init__(self, interval=0.002):
        self.interval, self.peak, self._stop = interval, 0, threading.Event()

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes())
            time.sleep(self.interval)

    def __enter__(self):
        self.peak = rss_bytes()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())
