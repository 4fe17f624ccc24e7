"""Rows for the errors table from the CLI engineer: prepare's output folder and OS errors by cause.

Same contract as error_cases.py (exit 2, one line holding ``fragment``, no traceback,
nothing changed); tested by test_cli_errors.py until merged into ``error_cases.CASES``.
"""

from __future__ import annotations

from pathlib import Path

from error_cases import Case


def _thesis(tmp: Path) -> Path:
    (tmp / "thesis").mkdir()
    (tmp / "thesis" / "ch1.tex").write_text("work")
    return tmp / "thesis"


def _file(tmp: Path) -> Path:
    (tmp / "notes.txt").write_text("my notes")
    return tmp / "notes.txt"


CASES: list[Case] = [
    Case("prepare-force-on-foreign-folder", "prepare --force over a folder that is not a cache",
         lambda t, c, r: ["prepare", "digits", "--count", "10", "--out", str(_thesis(t)), "--force"],
         "not an output folder of zspace (no dataset.json)"),
    Case("prepare-force-on-a-file", "prepare --force with --out naming a file",
         lambda t, c, r: ["prepare", "digits", "--count", "10", "--out", str(_file(t)), "--force"],
         "a file, not an image cache folder"),
    Case("prepare-out-is-a-file", "prepare with --out naming an existing file",
         lambda t, c, r: ["prepare", "digits", "--count", "10", "--out", str(_file(t))], "file already exists"),
    Case("out-below-a-file", "an --out folder below a file (ENOTDIR)",
         lambda t, c, r: ["prepare", "digits", "--count", "10", "--out", str(_file(t) / "cache")],
         "Not a directory (a part of this path is a file where a folder was expected); check the path"),
    Case("verify-a-file", "verify given a file, not a cache folder",
         lambda t, c, r: ["verify", str(_file(t))], "a file, not a cache folder"),
]
