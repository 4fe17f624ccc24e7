"""What a section is made of, and the view of a run that sections read.

A :class:`RunView` reads a run's saved artefacts once (metrics.json, history,
sample folders); sections only read from it and never compute an analysis.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from zspace.analysis.store import FIGURES_FOLDER, METRICS_FILE
from zspace.report.embed import Picture, embed_png
from zspace.run import Run


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    caption: str = ""


@dataclass
class Column:
    """One run's content of one section. ``missing`` names the command that makes what is absent."""

    paragraphs: list[str] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    missing: str | None = None


@dataclass(frozen=True)
class SectionSpec:
    anchor: str
    title: str
    build: Callable[[RunView], Column]


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


class RunView:
    """A run (or a bare analysis folder) as the report sees it: saved files, read once."""

    def __init__(self, run: Run, analysis_dir: Path | None = None) -> None:
        self.run = run
        self.analysis_dir = analysis_dir if analysis_dir is not None else run.analysis_dir
        self.downscaled = 0  # pictures shrunk to keep the report small

    @property
    def name(self) -> str:
        return self.run.name

    @cached_property
    def metrics(self) -> dict | None:
        return _read_json(self.analysis_dir / METRICS_FILE)

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
        return self.run.model_file.is_file() and self.run.config_file.is_file()

    @cached_property
    def history(self) -> list[dict[str, float]]:
        import csv

        if not self.run.history_file.is_file():
            return []
        with open(self.run.history_file, newline="", encoding="utf-8") as handle:
            return [{k: float(v) for k, v in row.items() if v not in ("", None)} for row in csv.DictReader(handle)]

    @cached_property
    def sample_folders(self) -> list[tuple[Path, dict]]:
        """Every generate output of the run (RUN/samples/*/generate.json), in name order."""
        found = []
        if self.run.samples_dir.is_dir():
            for folder in sorted(self.run.samples_dir.iterdir()):
                info = _read_json(folder / "generate.json")
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

    def metric(self, *keys: str, default: Any = None) -> Any:
        """metrics.json[k1][k2]..., or ``default`` when any level is missing."""
        value: Any = self.metrics
        for key in keys:
            if not isinstance(value, dict) or key not in value:
                return default
            value = value[key]
        return value


def analysis_missing(view: RunView) -> str:
    """What to run when a run has no analysis yet."""
    if view.run.has_latents():
        return f"zspace analyze {view.run.path}"
    return f"zspace encode {view.run.path}, then zspace analyze {view.run.path}"


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"
