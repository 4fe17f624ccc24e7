"""The analyze rows of the errors table (tests/error_cases_analysis.py): exit 2, one line, nothing changed."""

from __future__ import annotations

import contextlib
import hashlib
import io
from pathlib import Path

import pytest
from error_cases_analysis import CASES

from zspace.cli.main import main


def snapshot(root: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_analyze_bad_input(case, tmp_path: Path) -> None:
    argv = case.setup(tmp_path, tmp_path / "no-cache", tmp_path / "no-run")  # these rows need neither
    before = snapshot(tmp_path)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    lines = [line for line in err.getvalue().splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1, err.getvalue()
    assert "Traceback" not in err.getvalue() and case.fragment in lines[0], lines[0]
    assert snapshot(tmp_path) == before
    assert not (tmp_path / "o").exists()
