"""Progress: a moving bar on a terminal; in a log, a line at the start, every ~10 % or 30 s, and at the end."""

from __future__ import annotations

import fcntl
import io
import os
import select
import struct
import termios
import time

import pytest

from zspace.cli import progress as cli_progress
from zspace.cli.progress import LineReport, progress_bar


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def report(total: int = 1000) -> tuple[LineReport, io.StringIO, Clock]:
    stream, clock = io.StringIO(), Clock()
    return LineReport(total, "img", "encode", stream, clock=clock), stream, clock


def lines(stream: io.StringIO) -> list[str]:
    return stream.getvalue().splitlines()


def test_log_lines_start_every_tenth_and_end() -> None:
    line_report, stream, clock = report()
    with line_report:
        line_report.advance(50)
        assert lines(stream) == []  # nothing in the first second
        clock.now += 1.5
        line_report.tick()
        assert lines(stream) == ["encode: started, 5% (50 of 1,000 img, 1.5 s)"]
        for _ in range(19):  # 50 at a time: a line each time another 100 are done, no more
            line_report.advance(50)
        clock.now += 2.0
        line_report.advance(0)
    assert lines(stream) == [
        "encode: started, 5% (50 of 1,000 img, 1.5 s)",
        "encode: 15% (150 of 1,000 img, 1.5 s)",
        "encode: 25% (250 of 1,000 img, 1.5 s)",
        "encode: 35% (350 of 1,000 img, 1.5 s)",
        "encode: 45% (450 of 1,000 img, 1.5 s)",
        "encode: 55% (550 of 1,000 img, 1.5 s)",
        "encode: 65% (650 of 1,000 img, 1.5 s)",
        "encode: 75% (750 of 1,000 img, 1.5 s)",
        "encode: 85% (850 of 1,000 img, 1.5 s)",
        "encode: 95% (950 of 1,000 img, 1.5 s)",
        "encode: done, 1,000 img in 3.5 s",
    ]


def test_a_step_that_reports_nothing_still_writes_every_30_seconds() -> None:
    line_report, stream, clock = report(total=1)
    with line_report:
        for _ in range(130):  # 65 s of a t-SNE that reports only at its end, ticked every 0.5 s
            clock.now += 0.5
            line_report.tick()
        line_report.advance(1)
    assert lines(stream) == [
        "encode: started, 0% (0 of 1 img, 1.0 s)",
        "encode: 0% (0 of 1 img, 31.0 s)",
        "encode: 0% (0 of 1 img, 1:01)",
        "encode: done, 1 img in 1:05",
    ]


def test_a_quick_step_writes_only_its_end_line_and_a_failed_one_nothing() -> None:
    line_report, stream, clock = report()
    with line_report:
        line_report.advance(1000)
        line_report.tick()
    assert lines(stream) == ["encode: done, 1,000 img in 0.0 s"]
    line_report, stream, clock = report()
    with pytest.raises(RuntimeError), line_report:
        clock.now += 0.2
        line_report.advance(10)
        raise RuntimeError("disk full")
    assert lines(stream) == []  # the error says it, once


def test_unknown_total_and_long_runs() -> None:
    line_report, stream, clock = report(total=0)
    with line_report:
        clock.now += 3725
        line_report.advance(7)
    assert lines(stream) == ["encode: started, (7 img, 1:02:05)", "encode: done, 7 img in 1:02:05"]


def test_without_a_terminal_progress_bar_writes_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cli_progress.MODE_VARIABLE, raising=False)
    stream = io.StringIO()  # not a terminal, like a log file
    with progress_bar(3, "img", "decode", stream=stream) as advance:
        advance(3)
    assert stream.getvalue().startswith("decode: done, 3 img in ")
    assert "\r" not in stream.getvalue()


def test_off_writes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cli_progress.MODE_VARIABLE, "off")
    stream = io.StringIO()
    with progress_bar(3, "img", "decode", stream=stream) as advance:
        advance(3)
    assert stream.getvalue() == ""


def read_available(fd: int) -> bytes:
    data = b""
    while select.select([fd], [], [], 0)[0]:
        data += os.read(fd, 65536)
    return data


def test_on_a_terminal_one_bar_that_keeps_moving(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bar on a pseudo-terminal is redrawn with no update at all, so its clock never freezes."""
    monkeypatch.delenv(cli_progress.MODE_VARIABLE, raising=False)
    monkeypatch.setattr(cli_progress, "REDRAW_SECONDS", 0.05)
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 100 columns, as a terminal has
    with os.fdopen(slave, "w") as terminal:
        with progress_bar(10, "img", "t-SNE", stream=terminal) as advance:
            advance(3)
            seen = read_available(master)
            deadline = time.monotonic() + 30
            redraws = 0
            while redraws < 3:  # three redraws without a single advance
                assert time.monotonic() < deadline, "the bar was not redrawn"
                if select.select([master], [], [], 1)[0]:
                    chunk = os.read(master, 65536)
                    redraws += chunk.count(b"\r")
                    seen += chunk
        seen += read_available(master)
    os.close(master)
    text = seen.decode(errors="replace")
    assert "t-SNE" in text and "3/10" in text
    assert "started" not in text  # a bar, not log lines
