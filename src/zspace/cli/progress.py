"""Progress of long steps for the CLI: :func:`progress_bar` fits ``zspace.progress.Progress``.

On a terminal each step gets one tqdm bar, redrawn every second even when the step
reports nothing for a while (a t-SNE, a figure), so its clock never freezes. Without
a terminal (a log file, a pipe, CI) bars would be invisible until the end, so each
step writes plain lines instead: one when it has run for a second (a step that ends
or fails sooner prints only its end line, or nothing but the error), one each time
another ~10 % is done or 30 s have passed, and one when it ends, with the elapsed time
(``end_line=False`` leaves the last out, for a caller that prints its own: train's epoch line).
A terminal that reports no width (0 columns) gets bars of 80 columns, not empty ones.

``ZSPACE_PROGRESS=bars|lines|off`` overrides the choice.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import TextIO

LINE_EVERY_SHARE = 0.10  # a log line each time this share of the step is done...
LINE_EVERY_SECONDS = 30.0  # ...or this long has passed since the last line
FIRST_LINE_AFTER = 1.0  # seconds: a step that ends sooner writes only its end line
REDRAW_SECONDS = 1.0  # how often a terminal bar is redrawn when nothing else moves it
TICK_SECONDS = 0.5  # how often the log lines are checked when the step reports nothing
MODE_VARIABLE = "ZSPACE_PROGRESS"
UNKNOWN_WIDTH = 80  # columns assumed when a terminal reports 0 (no size set, as some containers do)
MIN_WIDTH = 20  # a bar narrower than this shows nothing useful


@contextlib.contextmanager
def progress_bar(total: int, unit: str, description: str, stream: TextIO | None = None,
                 interactive: bool | None = None, end_line: bool = True) -> Iterator[Callable[[int], None]]:
    """One step's progress on ``stream`` (stderr): a bar on a terminal, log lines elsewhere (with a
    closing line unless ``end_line`` is False)."""
    stream = stream or sys.stderr
    mode = os.environ.get(MODE_VARIABLE, "").strip().lower()
    if mode == "off":
        yield lambda n: None
        return
    if interactive is None:
        interactive = mode == "bars" or (mode != "lines" and _is_terminal(stream))
    report = (_bar(total, unit, description, stream) if interactive
              else LineReport(total, unit, description, stream, end_line=end_line))
    with report, _every(REDRAW_SECONDS if interactive else TICK_SECONDS, report.tick):
        yield report.advance


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or closed
        return False


@contextlib.contextmanager
def _every(seconds: float, action: Callable[[], None]) -> Iterator[None]:
    """Call ``action`` every ``seconds`` from a daemon thread while the block runs."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(seconds):
            action()

    thread = threading.Thread(target=loop, name="zspace-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


class _TqdmReport:
    """A tqdm bar with the same small interface as :class:`LineReport`."""

    def __init__(self, bar) -> None:
        self.bar = bar

    def advance(self, n: int) -> None:
        self.bar.update(n)

    def tick(self) -> None:
        self.bar.refresh()  # redraws the elapsed time and rate even when no update came

    def __enter__(self) -> _TqdmReport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.close()


def screen_shape(stream: TextIO) -> tuple[int, int]:
    """(columns - 1, rows - 1) of the terminal of ``stream``, as tqdm measures it, but a terminal that
    reports 0 columns counts as ``UNKNOWN_WIDTH`` and none narrower than ``MIN_WIDTH`` (tqdm would draw
    an empty line)."""
    try:
        columns, rows = os.get_terminal_size(stream.fileno())
    except (AttributeError, OSError, ValueError):
        columns, rows = 0, 0
    return max(columns or UNKNOWN_WIDTH, MIN_WIDTH) - 1, max(rows or 24, 2) - 1


def _bar(total: int, unit: str, description: str, stream: TextIO) -> _TqdmReport:
    # tqdm only when a bar is drawn on a terminal
    from tqdm import tqdm

    columns, rows = screen_shape(stream)
    bar = tqdm(total=total if total > 0 else None, unit=unit, desc=description, file=stream, ncols=columns,
               nrows=rows, disable=False, unit_scale=total >= 10_000)  # 203k/203k, but 3/10 rather than 3.00/10.0
    bar.dynamic_ncols = screen_shape  # re-measured at each redraw, as tqdm's dynamic_ncols=True does
    return _TqdmReport(bar)


class LineReport:
    """Progress as plain lines, for logs: start, every ~10 % or 30 s, end with the elapsed time."""

    def __init__(self, total: int, unit: str, description: str, stream: TextIO,
                 clock: Callable[[], float] = time.monotonic, end_line: bool = True) -> None:
        self.total, self.unit, self.description, self.stream, self.clock = total, unit, description, stream, clock
        self.end_line = end_line
        self.done = 0
        self.lock = threading.Lock()
        self.started = self.last_time = clock()
        self.last_done = 0
        self.announced = False

    def __enter__(self) -> LineReport:
        return self

    def __exit__(self, kind: type | None, *exc: object) -> None:
        if kind is None and self.end_line:  # a failed or interrupted step says so elsewhere, once
            self._write(f"{self.description}: done, {self.done:,} {self.unit} in {self._elapsed()}")

    def advance(self, n: int) -> None:
        with self.lock:
            self.done += n
        self.tick()

    def tick(self) -> None:
        """Write a line if another ~10 % is done or 30 s passed since the last line."""
        with self.lock:
            now = self.clock()
            if now - self.started < FIRST_LINE_AFTER or self.done >= self.total > 0:
                return  # too early to be worth a line, or the end line will say it
            first = not self.announced
            step_done = self.total > 0 and self.done - self.last_done >= LINE_EVERY_SHARE * self.total
            if not (first or step_done or now - self.last_time >= LINE_EVERY_SECONDS):
                return
            self.announced, self.last_time, self.last_done = True, now, self.done
            share = f"{self.done / self.total:.0%} " if self.total > 0 else ""
            of = f" of {self.total:,}" if self.total > 0 else ""
            line = f"{self.description}: {'started, ' if first else ''}{share}({self.done:,}{of} {self.unit}, " \
                   f"{self._elapsed()})"
        self._write(line)

    def _elapsed(self) -> str:
        seconds = self.clock() - self.started
        if seconds < 60:
            return f"{seconds:.1f} s"
        minutes, seconds = divmod(int(seconds), 60)
        return f"{minutes // 60}:{minutes % 60:02d}:{seconds:02d}" if minutes >= 60 else f"{minutes}:{seconds:02d}"

    def _write(self, line: str) -> None:
        try:
            print(line, file=self.stream, flush=True)
        except (OSError, ValueError):  # a closed pipe must not stop the work
            pass
