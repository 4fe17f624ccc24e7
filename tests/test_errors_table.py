"""Each row of docs/errors.md: exit 2, one line naming the problem, no traceback, nothing changed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from error_cases import CASES, Case, run_case

DOC = Path(__file__).parents[1] / "docs" / "errors.md"


def snapshot(*roots: Path) -> dict[str, str]:
    files = {}
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                files[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


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
    code, err, _ = run_case(case, tmp_path, faces_cache, vae_run)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert len(lines) == 1, err
    assert "Traceback" not in err and case.fragment in lines[0], lines[0]
    assert snapshot(faces_cache, vae_run) == before
    assert not (tmp_path / "out").exists() and not (tmp_path / "o").exists() and not (tmp_path / "new-run").exists()


def test_the_table_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert len(CASES) >= 25
    for case in CASES:
        assert f"`{case.name}`" in text, f"{case.name} missing from docs/errors.md: regenerate it"
