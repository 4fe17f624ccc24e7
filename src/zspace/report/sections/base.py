"""What a section is made of, and the view of a run that sections read.

A :class:`RunView` reads a run's saved artefacts once (the typed analysis
result, history, sample folders); sections only read from it and never compute
an analysis. A missing file is ``None`` (the section says what makes it); a
damaged one stops the report with one line naming it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from zspace.analysis.result import AnalysisResult, load_analysis
from zspace.errors import ZspaceError
from zspace.report.analysis_folder import FIGURES_FOLDER, figure_names
from zspace.report.embed import Picture, embed_png
from zspace.run import Run
from zspace.training.history import read_history


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    caption: str = ""


@dataclass
class Aligned:
    """Pictures of one kind (a sampler's samples, a sweep) that the builder lines up with the same ``key`` of the
    other runs' columns: N(0, I) beside N(0, I). ``order`` sorts the keys of all columns; ``title`` heads the row."""

    key: str
    title: str
    order: tuple
    pictures: list[Picture] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Column:
    """One run's content of one section. ``missing`` says in words what makes what is absent.

    ``missing_key`` names that step (``"structure"``); a caller's table of commands (the CLI's)
    puts its command in place of the words (``build_report(commands=...)``). ``aligned`` content
    comes after the rest, in rows shared with the other runs' columns.
    """

    paragraphs: list[str] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    missing: str | None = None
    missing_key: str | None = None
    aligned: list[Aligned] = field(default_factory=list)


@dataclass(frozen=True)
class SectionSpec:
    anchor: str
    title: str
    build: Callable[[RunView], Column]


def _read_json(path: Path) -> Any:
    """The JSON in ``path``; None when there is no such file; one clear error when it is damaged."""
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ZspaceError(f"{path}: cannot be read as JSON ({error}); make it again or remove it") from None


class RunView:
    """A run (or a bare analysis folder) as the report sees it: saved files, read once."""

    def __init__(self, run: Run, analysis_dir: Path | None = None) -> None:
        self.run = run
        self.analysis_dir = analysis_dir if analysis_dir is not None else run.analysis_dir
        self.downscaled = 0  # pictures shrunk to keep the report small
        self.evaluations: list[Path] = []  # evaluation.json files given to the report (beside RUN/evaluation/)

    @property
    def name(self) -> str:
        return self.run.name

    @cached_property
    def analysis(self) -> AnalysisResult | None:
        """The saved analysis, or None when there is none yet."""
        if not (self.analysis_dir / AnalysisResult.FILE).is_file():
            return None
        return load_analysis(self.analysis_dir)

    @cached_property
    def model_config(self) -> dict | None:
        return _read_json(self.run.config_file)

    @cached_property
    def train_config(self) -> dict | None:
        return _read_json(self.run.train_config_file)

    @cached_property
    def latents_meta(self) -> dict | None:
        return _read_json(self.run.latents_meta_file)

    @property
    def has_model(self) -> bool:
        return self.run.has_model()

    @cached_property
    def history(self) -> list[dict[str, float]]:
        return read_history(self.run.history_file)

    @cached_property
    def sample_folders(self) -> list[tuple[Path, dict]]:
        """Every generate output of the run (RUN/samples/*/generate.json), in name order."""
        found = []
        if self.run.samples_dir.is_dir():
            for folder in sorted(self.run.samples_dir.iterdir()):
                info = _read_json(folder / Run.GENERATE_FILE)
                if isinstance(info, dict):
                    found.append((folder, info))
        return found

    def figure(self, name: str, caption: str = "") -> Picture | None:
        """An analysis figure (analysis/figures/NAME) embedded, or None when it was not drawn."""
        return self.picture(self.analysis_dir / FIGURES_FOLDER / name, caption)

    def picture(self, path: Path, caption: str = "") -> Picture | None:
        if not path.is_file():
            return None
        picture = embed_png(path, caption)
        self.downscaled += picture.downscaled
        return picture

    def figures(self, prefix: str) -> list[str]:
        """Names of the analysis figures that start with ``prefix``, in the order the analysis draws them."""
        return [name for name in figure_names(self.analysis) if name.startswith(prefix)] if self.analysis else []


def analysis_missing(view: RunView) -> str:
    """What to run when a run has no analysis yet."""
    if view.run.has_latents():
        return f"zspace analyze {view.run.path}"
    return f"zspace encode {view.run.path}, then zspace analyze {view.run.path}"


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"
