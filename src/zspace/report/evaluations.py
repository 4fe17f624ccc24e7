"""The sample-quality tables the report shows for a run: its own RUN/evaluation/ and evaluations written elsewhere.

``zspace evaluate`` writes ``evaluation.json`` into whatever output folder it is given (the README
evaluates two runs into one folder), one row per run and sampler with the run's name (``run``) and
folder (``run_path``). The report reads the run's own ``RUN/evaluation/evaluation.json`` and every
evaluation given to it, and shows a given one in the column of each run its rows name. A row belongs
to a run when its ``run_path`` is the run's folder; a path that no longer leads to a folder (a copy, a
relative path from another working directory) falls back to the run's name. A file whose rows name no
run at all (two feature arrays compared) belongs to the run whose folder holds it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from zspace.errors import ZspaceError
from zspace.run import Run


@dataclass
class EvaluationTable:
    """One evaluation.json as the report shows it in one run's column."""

    path: Path
    rows: list[dict]  # every row of the file, in its order
    own: list[dict]  # the rows of this run

    @property
    def runs(self) -> list[str]:
        """The run names of the rows, in order of first appearance ("" for a row without one)."""
        return list(dict.fromkeys(str(row.get("run") or "") for row in self.rows))


def evaluation_json(path: str | os.PathLike) -> Path:
    """``path`` itself when it is a file, else the evaluation.json inside the folder ``path``."""
    path = Path(path)
    found = path / Run.EVALUATION_FILE if path.is_dir() else path
    if not found.is_file():
        raise ZspaceError(f"{path}: no {Run.EVALUATION_FILE} there; give an output folder of zspace evaluate",
                          options=("evaluations",))
    return found


def read_rows(path: Path) -> list[dict]:
    """The rows of an evaluation.json (a dict with "rows", or a bare list); one clear error when it is damaged."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ZspaceError(f"{path}: cannot be read as JSON ({error}); make it again with zspace evaluate") from None
    rows = data.get("rows") if isinstance(data, dict) else data
    if not isinstance(rows, list) or not rows or not all(isinstance(row, dict) for row in rows):
        raise ZspaceError(f"{path}: holds no evaluation rows; make it again with zspace evaluate")
    return rows


def belongs_to(row: dict, run: Run) -> bool:
    """Whether ``row`` of an evaluation is one of ``run``'s (by its folder, else by its name)."""
    recorded = row.get("run_path")
    if recorded:
        where = Path(str(recorded))
        if where.is_dir():
            return where.resolve() == run.path.resolve()
    return row.get("run") == run.name


def _names_a_run(rows: Iterable[dict]) -> bool:
    return any(row.get("run") or row.get("run_path") for row in rows)


def check_evaluations(paths: Sequence[str | os.PathLike], runs: Sequence[Run]) -> list[Path]:
    """The evaluation.json of every given evaluation, each checked to hold rows of one of ``runs``."""
    found = []
    for path in paths:
        file = evaluation_json(path)
        rows = read_rows(file)
        if not any(belongs_to(row, run) for row in rows for run in runs):
            held = (", ".join(dict.fromkeys(str(row.get("run") or "?") for row in rows)) if _names_a_run(rows)
                    else "no run (two feature arrays compared)")
            raise ZspaceError(f"{path}: its rows are of {held}, not of {', '.join(run.name for run in runs)}; give "
                              "an evaluation of the runs in the report", options=("evaluations",))
        found.append(file)
    return found


def evaluation_tables(run: Run, given: Sequence[Path] = ()) -> list[EvaluationTable]:
    """The run's own evaluation (when there is one), then each of ``given`` with rows of the run; no file twice."""
    tables, seen = [], set()
    own_file = run.evaluation_file
    for path in ([own_file] if own_file.is_file() else []) + list(given):
        key = path.resolve()
        if key in seen:
            continue
        seen.add(key)
        rows = read_rows(path)
        mine = [row for row in rows if belongs_to(row, run)]
        if key == own_file.resolve() and not _names_a_run(rows):
            mine = rows  # two feature arrays compared, written into the run's folder
        if mine or key == own_file.resolve():
            tables.append(EvaluationTable(path, rows, mine))
    return tables
