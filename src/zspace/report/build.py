"""``build_report()``: one self-contained HTML file telling the seed's story for a run (or two, side by side).

It reads what the stages saved (metrics.json, analysis figures, history.csv,
sample folders, evaluation.json) and never recomputes an analysis; the only
network work is the reconstruction of eight held-out images. Every picture is
embedded as a data URI, styles are inline, nothing refers to a URL, so the
file opens offline and can be mailed to a colleague.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from zspace.analysis.result import AnalysisResult
from zspace.errors import ZspaceError
from zspace.io import check_output, write_text
from zspace.report.evaluations import check_evaluations
from zspace.report.sections import SECTIONS, Column, RunView
from zspace.report.sections.base import Aligned
from zspace.run import Run

REPORT_MARK = b"<title>zspace report: "  # in the head of every report (templates/report.html.j2)


@dataclass
class ReportResult:
    path: Path
    size_bytes: int
    sections: list[str] = field(default_factory=list)
    missing: dict[str, list[str]] = field(default_factory=dict)  # section -> how to make what is absent
    downscaled: int = 0


def open_view(path: str | os.PathLike) -> RunView:
    """A run folder, or a bare analysis folder (an analysis of a latents array alone: metrics.json, no model)."""
    path = Path(path)
    if path.is_file():
        raise ZspaceError(f"{path}: a file, not a folder; give a run folder (made by zspace train) or an "
                          "analysis folder (made by zspace analyze), e.g. the folder that holds this file")
    if not path.is_dir():
        raise ZspaceError(f"{path}: folder not found; give a run folder (zspace train) or an analysis folder")
    run = Run(path)
    if run.exists():
        return RunView(run)
    if (path / AnalysisResult.FILE).is_file():
        return RunView(run, analysis_dir=path)
    raise ZspaceError(f"{path}: neither a run folder (no {Run.CONFIG}) "
                      f"nor an analysis folder (no {AnalysisResult.FILE})")


def build_report(run: str | os.PathLike, compare: str | os.PathLike | None = None,
                 out: str | os.PathLike | None = None, force: bool = False,
                 commands: Mapping[str, str] | None = None,
                 evaluations: Sequence[str | os.PathLike] = ()) -> ReportResult:
    """Write the report of ``run`` (and ``compare`` beside it) to ``out`` (default RUN/report.html).

    A missing part is described in words; ``commands`` (key -> a ``str.format`` template of
    ``run``, the view's Run) replaces them with the command that makes it, as the CLI does.
    ``evaluations``: output folders of ``zspace evaluate`` written elsewhere than RUN/evaluation/;
    each shows in the column of every run its rows name (report/evaluations.py).
    """
    views = [open_view(run)] + ([open_view(compare)] if compare is not None else [])
    if compare is not None and Path(run).resolve() == Path(compare).resolve():
        raise ZspaceError(f"{compare}: the same folder as the run itself; compare with a second run "
                          "(an AE beside a VAE), or leave the comparison out", options=("compare",))
    given = check_evaluations(evaluations, [view.run for view in views])
    for view in views:
        view.evaluations = given
    out = Path(out) if out is not None else views[0].run.report_file
    _check_report_out(out, force)
    sections = []
    result = ReportResult(out, 0)
    for spec in SECTIONS:
        columns: list[Column] = [spec.build(view) for view in views]
        for column, view in zip(columns, views, strict=True):
            if commands and column.missing_key in commands:
                column.missing = commands[column.missing_key].format(run=view.run)
        sections.append({"anchor": spec.anchor, "title": spec.title, "columns": columns,
                         "aligned": aligned_rows(columns)})
        result.sections.append(spec.anchor)
        absent = [c.missing for c in columns if c.missing]
        if absent:
            result.missing[spec.anchor] = absent
    result.downscaled = sum(view.downscaled for view in views)
    environment = Environment(loader=PackageLoader("zspace.report", "templates"),
                              autoescape=select_autoescape(["html", "j2"]))
    html = environment.get_template("report.html.j2").render(
        title=" vs ".join(view.name for view in views), names=[view.name for view in views],
        sections=sections, downscaled=result.downscaled, width=len(views),
        made=datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), version=_version())
    write_text(out, html)
    result.size_bytes = out.stat().st_size
    return result


def aligned_rows(columns: list[Column]) -> list[dict]:
    """The columns' aligned content as rows: {"title", "cells": one Aligned or None per column}, by ``order``."""
    first: dict[str, Aligned] = {}
    for column in columns:
        for item in column.aligned:
            first.setdefault(item.key, item)
    return [{"title": item.title,
             "cells": [next((a for a in column.aligned if a.key == key), None) for column in columns]}
            for key, item in sorted(first.items(), key=lambda pair: pair[1].order)]


def _check_report_out(out: Path, force: bool) -> None:
    """An .html path that holds nothing, or (with ``force``) an earlier zspace report: never a user's file."""
    if out.is_dir():
        raise ZspaceError(f"{out}: is a folder; give the path of the .html file to write", options=("out",))
    if out.suffix.lower() not in (".html", ".htm"):
        raise ZspaceError(f"{out}: the report is one HTML file; give a path ending in .html (a browser prints "
                          "it to PDF)", options=("out",))
    check_output(out, force)
    if out.is_file() and not is_report(out):
        raise ZspaceError(f"{out}: not a report made by zspace; refusing to replace it even with force, "
                          "choose another output path", options=("out",))


def is_report(path: Path) -> bool:
    """True when ``path`` starts as the reports zspace writes (its template's doctype and title)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(2048)
    except OSError:
        return False
    return head.lstrip().lower().startswith(b"<!doctype html>") and REPORT_MARK in head


def _version() -> str:

    try:
        return version("zspace")
    except PackageNotFoundError:
        return "unknown"
