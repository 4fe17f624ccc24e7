"""An analysis folder: the saved :class:`AnalysisResult` (metrics.json + arrays) and its figures/ beside it."""

from __future__ import annotations

import os
from pathlib import Path

from zspace.analysis.result import AnalysisResult
from zspace.progress import Progress
from zspace.report.analysis_figures import analysis_figures, write_analysis_figures
from zspace.report.structure_figures import link_figure_name, structure_figure_names, write_structure_figures
from zspace.results import save

FIGURES_FOLDER = AnalysisResult.FIGURES


def save_analysis(result: AnalysisResult, folder: str | os.PathLike, force: bool = False, figures: bool = True,
                  progress: Progress | None = None) -> list[Path]:
    """Write ``result`` into ``folder`` (replaced whole; an earlier analysis only with ``force``) with every
    figure drawn from it under figures/; returns the figures' paths in reading order."""
    drawn: list[str] = []

    def draw(temporary: Path) -> None:
        if not figures:
            return
        paths = write_analysis_figures(result, temporary / FIGURES_FOLDER, progress)
        paths += write_structure_figures(result.structure, result.link, temporary / FIGURES_FOLDER)
        drawn.extend(str(p.relative_to(temporary)) for p in paths)

    save(result, folder, force, draw)
    return [Path(folder) / name for name in drawn]


def figure_names(result: AnalysisResult) -> list[str]:
    """The figures :func:`save_analysis` draws for ``result``, by file name, in reading order."""
    names = [name for name, _ in analysis_figures(result)]
    names += structure_figure_names(result.structure)
    if result.link is not None and result.link.samplers:
        names += [link_figure_name(k, quality) for k, quality in enumerate(result.link.qualities)]
    return names
