"""The frame benchmark (benchmarks/explore_frames.py) still drives the page it measures: a smoke run.

Slow (a minute or two in Chromium): `make test-slow`. It fails when the page's hooks the benchmark
uses (window.zspace panels, the overlay) change without the benchmark following.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from explore_browser import browser_missing

MISSING = browser_missing()


@pytest.mark.slow
@pytest.mark.skipif(MISSING is not None, reason=MISSING or "")
def test_the_frame_benchmark_runs_and_counts_redraws(tmp_path: Path) -> None:
    out = tmp_path / "frames.json"
    subprocess.run([sys.executable, "benchmarks/explore_frames.py", "--points", "20000", "--seconds", "1",
                    "--work", str(tmp_path), "--out", str(out)], check=True, timeout=600,
                   cwd=Path(__file__).parent.parent)
    run = json.loads(out.read_text())["runs"][0]
    assert run["page_errors"] == [] and run["redraws_counted"]
    assert run["pan"]["redraws"] >= 6 and "thumbnails" in run
