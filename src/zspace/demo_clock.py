"""The demo's step lines: each said with the time since the tour started, each step's seconds kept.

``StepClock(say)`` is called with a step line ("3/7 encode ...") and says it as
"3/7 encode ... (1:12 elapsed)"; a step lasts until the next one starts or ``finish()``.
``steps`` holds every step's wall-clock and CPU seconds (this process, its threads and the
worker processes it has waited for), which the demo writes into its ``demo.json`` so a
benchmark can tell where the time went. ``note`` says a line without a time (a finding,
not a step).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field


def cpu_seconds() -> float:
    """CPU seconds of this process (all its threads) and of its child processes that have ended."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def clock_text(seconds: float) -> str:
    """Seconds as minutes:seconds ("1:12"), or hours:minutes:seconds past an hour."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@dataclass
class StepClock:
    say: Callable[[str], None]
    steps: list[dict] = field(default_factory=list)
    started: float = field(init=False)
    cpu_started: float = field(init=False)

    def __post_init__(self) -> None:
        self.started, self.cpu_started = time.monotonic(), cpu_seconds()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def __call__(self, line: str) -> None:
        """Start a step: close the one before, say ``line`` with the time elapsed since the start."""
        self._close()
        self.steps.append({"step": line, "started_seconds": round(self.elapsed(), 2), "_cpu": cpu_seconds()})
        self.say(f"{line} ({clock_text(self.elapsed())} elapsed)")

    def note(self, line: str) -> None:
        """Say ``line`` as it is: a finding or a word before the first step, not a step."""
        self.say(line)

    def finish(self) -> dict:
        """Close the last step; the whole tour's seconds and every step's (wall clock and CPU)."""
        self._close()
        return {"seconds": round(self.elapsed(), 2), "cpu_seconds": round(cpu_seconds() - self.cpu_started, 2),
                "steps": self.steps}

    def _close(self) -> None:
        if self.steps and "_cpu" in self.steps[-1]:
            last = self.steps[-1]
            last["seconds"] = round(self.elapsed() - last["started_seconds"], 2)
            last["cpu_seconds"] = round(cpu_seconds() - last.pop("_cpu"), 2)
