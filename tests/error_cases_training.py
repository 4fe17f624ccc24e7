"""Rows for the errors table from training: --resume with nothing to resume, a bad --checkpoint-every.

Same contract as error_cases.py (exit 2, one line holding ``fragment``, no traceback,
nothing changed); tested by test_training_errors.py until merged into ``error_cases.CASES``.
"""

from __future__ import annotations

from pathlib import Path

from error_cases import Case, _copy_run, _train


def _run_without_checkpoint(tmp: Path, cache: Path, run: Path) -> list[str]:
    copy = _copy_run(run, tmp)  # a run stopped before its first checkpoint
    (copy / "checkpoint.safetensors").unlink()
    return ["train", str(cache), "--out", str(copy), "--resume"]


CASES: list[Case] = [
    Case("resume-without-checkpoint", "--resume on a run folder that has no checkpoint.safetensors",
         _run_without_checkpoint, "nothing to resume (no checkpoint"),
    Case("resume-missing-run", "--resume with an --out folder that does not exist",
         lambda t, c, r: _train(c, t, "--resume"), "nothing to resume (no such run folder"),
    Case("checkpoint-every-negative", "--checkpoint-every -1", lambda t, c, r: _train(
        c, t, "--checkpoint-every", "-1"), "checkpoint_every -1"),
]
