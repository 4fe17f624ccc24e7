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
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from zspace.analysis.result import AnalysisResult
from zspace.errors import ZspaceError
from zspace.io import check_output, write_text
from zspace.report.sections import SECTIONS, Column, RunView
from zspace.run import Run


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
                 commands: Mapping[str, str] | None = None) -> ReportResult:
    """Write the report of ``run`` (and ``compare`` beside it) to ``out`` (default RUN/report.html).

    A missing part is described in words; ``commands`` (key -> a ``str.format`` template of
    ``run``, the view's Run) replaces them with the command that makes it, as the CLI does.
    """
    views = [open_view(run)] + ([open_view(compare)] if compare is not None else [])
    out = Path(out) if out is not None else views[0].run.report_file
    if out.is_dir():
        raise ZspaceError(f"{out}: is a folder; give the path of the .html file to write")
    check_output(out, force)
    sections = []
    result = ReportResult(out, 0)
    for spec in SECTIONS:
        columns: list[Column] = [spec.build(view) for view in views]
        for column, view in zip(columns, views, strict=True):
            if commands and column.missing_key in commands:
                column.missing = commands[column.missing_key].format(run=view.run)
        sections.append({"anchor": spec.anchor, "title": spec.title, "columns": columns})
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


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("zspace")
    except PackageNotFoundError:
        return "unknown"
