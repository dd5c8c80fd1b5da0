"""Progress reporting: a tqdm bar on a terminal, plain lines in logs.

    for q in progress_bar(range(V), desc="brute force", unit="query", disable=not progress): ...
    with progress_bar(total=N, desc="frontier", unit="strategy") as bar: bar.update(1)

tqdm redraws its bar with carriage returns, which a log file or a CI console keeps as one long
garbled line.  So when stderr is not a terminal, `progress_bar` writes whole lines instead
(`LineProgress`): one when the work starts, then one each time another LINE_FRACTION of the total is
done or LINE_SECONDS have passed since the last line, whichever comes first, and one at the end.
Every line ends with a newline and none contains '\\r'.  Both kinds support iteration, update(n),
close() and use as a context manager; `disable` gives an object that prints nothing.
"""

from __future__ import annotations

import sys
import time

LINE_FRACTION = 0.10  # a line each time another 10% is done ...
LINE_SECONDS = 10.0  # ... or 10 s have passed since the last line, whichever comes first


def _is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # no isatty, or a closed stream
        return False


def progress_bar(iterable=None, total=None, desc: str = "", unit: str = "it", disable: bool = False,
                 stream=None, **tqdm_options):
    """tqdm when `stream` (default sys.stderr) is a terminal, else a LineProgress writing plain lines.

    `total` defaults to len(iterable) when it has one.  `tqdm_options` go to tqdm only.
    """
    stream = sys.stderr if stream is None else stream
    if total is None and iterable is not None and hasattr(iterable, "__len__"):
        total = len(iterable)
    if not disable and _is_terminal(stream):
        from tqdm import tqdm

        return tqdm(iterable, total=total, desc=desc, unit=unit, file=stream, **tqdm_options)
    return LineProgress(iterable, total=total, desc=desc, unit=unit, disable=disable, stream=stream)


class LineProgress:
    """Plain-line progress (module docstring): no carriage returns, a modest number of lines."""

    def __init__(self, iterable=None, total=None, desc: str = "", unit: str = "it", disable: bool = False,
                 stream=None, fraction: float = LINE_FRACTION, seconds: float = LINE_SECONDS):
        self.iterable, self.total, self.desc, self.unit = iterable, total, desc, unit
        self.disable, self.stream = disable, sys.stderr if stream is None else stream
        self.fraction, self.seconds = fraction, seconds
        self.n = 0
        self.closed = False
        self.t0 = self.last_time = time.monotonic()
        self.next_n = self._step()
        self._line()

    def _step(self) -> float:
        if not self.total:
            return float("inf")
        return self.n + max(1.0, self.fraction * self.total)

    def _line(self, end: str = "") -> None:
        if self.disable:
            return
        elapsed = time.monotonic() - self.t0
        of = f"/{self.total}" if self.total is not None else ""
        pct = f" ({100 * self.n / self.total:.0f}%)" if self.total else ""
        self.stream.write(f"{self.desc}: {self.n}{of} {self.unit}{pct}, {elapsed:.1f} s{end}\n")
        self.stream.flush()
        self.last_time = time.monotonic()

    def update(self, n: int = 1) -> None:
        self.n += n
        if self.closed:
            return
        now = time.monotonic()
        if self.total is not None and self.n >= self.total:
            self.close()
        elif self.n >= self.next_n or now - self.last_time >= self.seconds:
            self._line()
            self.next_n = self._step()

    def close(self, finished: bool = True) -> None:
        """End the progress: a last line (", done"; ", stopped" if not `finished`)."""
        if not self.closed:
            self.closed = True
            self._line(", done" if finished else ", stopped")

    def set_postfix(self, *args, **kwargs) -> None:  # tqdm compatibility: lines carry no postfix
        pass

    def __iter__(self):
        finished = False
        try:
            for item in self.iterable:
                yield item
                self.update(1)
            finished = True
        finally:
            self.close(finished)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close(exc_type is None)
        return False
