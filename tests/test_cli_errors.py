"""The CLI's rows of the errors table (error_cases_cli.py), under the same checks as test_errors_table.py."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from error_cases import Case, run_case
from error_cases_cli import CASES


def snapshot(root: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.is_symlink()}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    unused = tmp_path / "unused"  # these rows need neither the session's cache nor its run
    code, err, argv = run_case(case, work, unused, unused)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert len(lines) == 1 and "Traceback" not in err, err
    assert case.fragment in lines[0], lines[0]
    before = snapshot(work)
    again = Case(case.name, case.bad_input, lambda t, c, r: argv, case.fragment)
    assert run_case(again, work, unused, unused)[0] == 2
    assert snapshot(work) == before  # running it again changes nothing either
    assert not [p for p in work.iterdir() if p.name.startswith(".")]  # no partial or temp folder left
