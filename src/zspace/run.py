"""``Run``: a run folder, its layout, and everything in it opened by name.

A run folder is made by ``zspace train`` and filled by the later stages::

    RUN/
      config.json              ModelConfig: rebuilds the network
      train_config.json        TrainConfig: data, recipe, seed
      model.safetensors        latest weights
      checkpoint.safetensors   weights + Adam state + progress (resume)
      history.csv              losses per epoch
      figures/                 training figures (loss.png)
      latents.npy logvar.npy latents.json     zspace encode
      analysis/                zspace analyze (metrics.json, arrays, figures/)
      samplers/                fitted sampler states (zspace generate)
      samples/NAME/            zspace generate's default output folders (z.npy, grids, generate.json)
      evaluation/              zspace evaluate's default output (evaluation.json, table, ranking)
      report.html              zspace report

Every stage and command goes through :class:`Run` for these names; no other
module spells them. A folder holding only latents (encoded into a folder of their own)
is opened the same way: :meth:`Run.latents` reads any folder in this layout.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

import numpy as np
import torch

from zspace.config import ModelConfig, TrainConfig, load_config
from zspace.errors import ZspaceError
from zspace.latents import LatentSet, read_latents


class Run:
    """One run folder. Cheap to create; files are read when asked for."""

    CONFIG = "config.json"
    TRAIN_CONFIG = "train_config.json"
    MODEL = "model.safetensors"
    CHECKPOINT = "checkpoint.safetensors"
    HISTORY = "history.csv"
    FIGURES = "figures"
    LOSS_FIGURE = "loss.png"  # in FIGURES
    LATENTS = "latents.npy"
    LOGVAR = "logvar.npy"
    LATENTS_META = "latents.json"
    ANALYSIS = "analysis"
    SAMPLERS = "samplers"
    SAMPLES = "samples"
    GENERATE_FILE = "generate.json"  # in each SAMPLES/NAME folder: how it was made
    EVALUATION = "evaluation"
    EVALUATION_FILE = "evaluation.json"  # in EVALUATION (and any evaluate output folder)
    REPORT = "report.html"

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"Run({str(self.path)!r})"

    def __fspath__(self) -> str:
        return str(self.path)

    @property
    def name(self) -> str:
        return self.path.name

    # -- layout -------------------------------------------------------------------------------
    @property
    def config_file(self) -> Path:
        return self.path / self.CONFIG

    @property
    def train_config_file(self) -> Path:
        return self.path / self.TRAIN_CONFIG

    @property
    def model_file(self) -> Path:
        return self.path / self.MODEL

    @property
    def checkpoint_file(self) -> Path:
        return self.path / self.CHECKPOINT

    @property
    def history_file(self) -> Path:
        return self.path / self.HISTORY

    @property
    def figures_dir(self) -> Path:
        return self.path / self.FIGURES

    @property
    def loss_figure_file(self) -> Path:
        return self.figures_dir / self.LOSS_FIGURE

    @property
    def latents_file(self) -> Path:
        return self.path / self.LATENTS

    @property
    def logvar_file(self) -> Path:
        return self.path / self.LOGVAR

    @property
    def latents_meta_file(self) -> Path:
        return self.path / self.LATENTS_META

    @property
    def analysis_dir(self) -> Path:
        return self.path / self.ANALYSIS

    @property
    def samplers_dir(self) -> Path:
        return self.path / self.SAMPLERS

    @property
    def samples_dir(self) -> Path:
        return self.path / self.SAMPLES

    @property
    def evaluation_dir(self) -> Path:
        return self.path / self.EVALUATION

    @property
    def evaluation_file(self) -> Path:
        return self.evaluation_dir / self.EVALUATION_FILE

    @property
    def report_file(self) -> Path:
        return self.path / self.REPORT

    @staticmethod
    def part_file(file: Path, rank: int, world_size: int) -> Path:
        """One rank's share of ``file`` (latents.npy, logvar.npy) while a distributed encode runs."""
        return file.with_name(f"{file.stem}.part{rank}of{world_size}.npy")

    # -- state --------------------------------------------------------------------------------
    def exists(self) -> bool:
        """True when the folder holds a trained model's config (it is a run, not any folder)."""
        return self.config_file.is_file()

    def has_checkpoint(self) -> bool:
        return self.checkpoint_file.is_file()

    def has_latents(self) -> bool:
        return self.latents_file.is_file()

    def require(self) -> Run:
        """Self, or one clear error when the folder is not a run."""
        if not self.path.is_dir():
            raise ZspaceError(f"{self.path}: run folder not found; train one with 'zspace train'")
        if not self.exists():
            raise ZspaceError(f"{self.path}: not a zspace run folder (no {self.CONFIG}); "
                              "give the folder that 'zspace train' wrote")
        return self

    # -- contents -----------------------------------------------------------------------------
    def model_config(self) -> ModelConfig:
        self.require()
        return load_config(ModelConfig, self.config_file)

    def train_config(self) -> TrainConfig:
        self.require()
        return load_config(TrainConfig, self.train_config_file)

    def training_data(self) -> Path:
        """The image cache the run was trained on."""
        return Path(self.train_config().data)

    def model(self, device: str | torch.device = "cpu"):
        """The trained network (``Autoencoder``), rebuilt from config.json with model.safetensors, in eval mode."""
        from zspace.models.autoencoder import build_model
        from zspace.models.weights import load_state_into, read_safetensors

        model = build_model(self.model_config())
        load_state_into(model, read_safetensors(self.model_file), str(self.model_file))
        return model.to(device).eval()

    def cache(self, data: str | os.PathLike | None = None):
        """The image cache ``data``, by default the one the run was trained on (an ``ImageCache``)."""
        from zspace.data.cache import open_cache

        return open_cache(data if data is not None else self.training_data())

    def analysis(self):
        """The saved analysis (``AnalysisResult``) of analysis/; one clear error before 'zspace analyze'."""
        from zspace.analysis.result import load_analysis  # scipy: only for commands that read an analysis

        if not self.analysis_dir.is_dir():
            raise ZspaceError(f"{self.analysis_dir}: not found; run 'zspace analyze {self.path}' first")
        return load_analysis(self.analysis_dir)

    def save(self, result, force: bool = False, extras=None) -> Path:
        """Write a stage's result into its folder of the run (an ``AnalysisResult`` into analysis/), replaced
        whole; ``extras(temporary_folder)`` may add files (figures) first. See :func:`zspace.results.save`."""
        from zspace.results import save

        folders = {"AnalysisResult": self.analysis_dir}
        kind = type(result).__name__
        if kind not in folders:
            raise ZspaceError(f"a run keeps no {kind}; save it with zspace.results.save(result, folder)")
        return save(result, folders[kind], force, extras)

    def latents(self, mmap: bool = True) -> LatentSet:
        """latents.npy (+ logvar.npy) with the index of their cache; one clear error before 'zspace encode'."""
        if not self.latents_file.is_file():
            raise ZspaceError(f"{self.latents_file}: not found; run 'zspace encode {self.path}' first")
        return read_latents(self.latents_file, self.logvar_file, self.latents_meta_file, mmap=mmap)

    @cached_property
    def _latents(self) -> LatentSet:
        return self.latents()

    def fit_rows(self, split: str = "train") -> np.ndarray:
        """Row numbers of ``split``, or every row when the index has no splits.

        This is the one rule every fitted sampler, attribute vector and axis uses.
        """
        latents = self._latents
        if "split" not in latents.index:
            return np.arange(len(latents.vectors))
        rows = np.flatnonzero(np.asarray(latents.index["split"]) == split)
        if len(rows) == 0:
            raise ZspaceError(f"{self.path}: no latents in the {split!r} split; "
                              "choose a sampler that fits on another split")
        return rows

    def fit_vectors(self, split: str = "train") -> np.ndarray:
        """The latent vectors of :meth:`fit_rows` (float32, in memory)."""
        latents = self._latents
        rows = self.fit_rows(split)
        if len(rows) == len(latents.vectors):
            return np.asarray(latents.vectors, dtype=np.float32)
        return np.asarray(latents.vectors[rows], dtype=np.float32)

    def heldout_rows(self) -> np.ndarray:
        """Row numbers of the validation split, or every row when there is none."""
        latents = self._latents
        if "split" in latents.index:
            rows = np.flatnonzero(np.asarray(latents.index["split"]) == "val")
            if len(rows):
                return rows
        return np.arange(len(latents.vectors))
