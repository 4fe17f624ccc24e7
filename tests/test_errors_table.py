"""Each row of docs/errors.md: exit 2, one line naming the problem, no traceback, nothing changed."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from error_cases import Case, all_cases, run_case

DOC = Path(__file__).parents[1] / "docs" / "errors.md"


def snapshot(*roots: Path) -> dict[str, str]:
    files = {}
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                files[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


CASES = all_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, tmp_path: Path, faces_cache: Path, vae_run: Path) -> None:
    if case.name == "read-only-output" and Path("/sys").is_dir():
        try:
            Path("/sys/zspace-probe").mkdir()
            Path("/sys/zspace-probe").rmdir()
            pytest.skip("/sys is writable here, so it cannot stand for a read-only folder")
        except OSError:
            pass
    before = snapshot(faces_cache, vae_run)
    code, err, argv = run_case(case, tmp_path, faces_cache, vae_run)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert len(lines) == 1, err
    assert "Traceback" not in err and case.fragment in lines[0], lines[0]
    assert snapshot(faces_cache, vae_run) == before
    changed = snapshot(tmp_path)
    again = Case(case.name, case.bad_input, lambda t, c, r: argv, case.fragment)
    assert run_case(again, tmp_path, faces_cache, vae_run)[0] == 2
    assert snapshot(tmp_path) == changed  # running it again changes nothing either
    # no temporary output folder of replace_folder left behind (prepare's resumable .NAME.partial may stay)
    assert not [p for p in tmp_path.rglob(".*.partial") if re.fullmatch(r"\..+\.[a-z0-9_]{8}\.partial", p.name)]
    assert not (tmp_path / "out").exists() and not (tmp_path / "o").exists() and not (tmp_path / "new-run").exists()


def test_the_table_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert len(CASES) >= 25
    for case in CASES:
        assert f"`{case.name}`" in text, f"{case.name} missing from docs/errors.md: regenerate it"
