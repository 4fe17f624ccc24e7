"""``Run``: a run folder, its layout, and everything in it opened by name.

A run folder is made by ``zspace train`` (or ``zspace import``, for a model trained elsewhere) and filled by
the later stages::

    RUN/
      config.json              ModelConfig: rebuilds the network (zspace import: {"imported": ImportRecord})
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
      features/KIND-CHECKSUM/  images' features in a feature space (zspace evaluate in DINOv2, CLIP, ...)
      report.html              zspace report
      export.parquet           zspace export: one table of every row (zspace.export)

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
from zspace.data.cache import open_cache
from zspace.devices import resolve_device
from zspace.errors import ZspaceError
from zspace.io import load_json
from zspace.latents import LatentSet, read_latents
from zspace.models.autoencoder import build_model
from zspace.models.factory import ImportRecord, open_imported
from zspace.models.weights import load_state_into, read_safetensors
from zspace.results import save


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
    FEATURES = "features"  # cached image features per feature space (outside EVALUATION, which is replaced)
    REPORT = "report.html"
    EXPORT = "export.parquet"  # zspace export's table of every row (zspace.export)
    IMPORTED = "imported"  # config.json's one key in a run made by zspace import: the ImportRecord

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
    def features_dir(self) -> Path:
        return self.path / self.FEATURES

    @property
    def report_file(self) -> Path:
        return self.path / self.REPORT

    @property
    def export_file(self) -> Path:
        return self.path / self.EXPORT

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
    def imported(self):
        """The ``ImportRecord`` of a model brought in by 'zspace import' (config.json), or None for a trained run."""

        data = load_json(self.require().config_file)
        if not (isinstance(data, dict) and set(data) == {self.IMPORTED}):
            return None

        return ImportRecord.from_dict(data[self.IMPORTED], str(self.config_file))

    def has_model(self) -> bool:
        """True when the folder holds a model to decode with: trained weights, or an imported model's record."""
        return self.exists() and (self.model_file.is_file() or self.imported() is not None)

    def model_config(self) -> ModelConfig:
        if self.imported() is not None:
            raise ZspaceError(f"{self.path}: holds an imported model ('zspace import'), not one of zspace's "
                              "architectures; open it with Run.model() and read its latent_shape and image_shape")
        return load_config(ModelConfig, self.config_file)

    def train_config(self) -> TrainConfig:
        self.require()
        return load_config(TrainConfig, self.train_config_file)

    def training_data(self) -> Path:
        """The image cache the run was trained on (an imported model's: the one it was imported against)."""
        record = self.imported()
        return Path(record.data if record is not None else self.train_config().data)

    def model(self, device: str | torch.device = "cpu"):
        """The trained network (``Autoencoder``), rebuilt from config.json with model.safetensors, in eval mode;
        an imported model (``ImportedModel``) rebuilt from its record (its factory's code is imported again)."""

        device = resolve_device(device)  # a device this machine lacks: one line, before the weights are read
        record = self.imported()
        if record is not None:

            return open_imported(record, self.path, device)
        model = build_model(self.model_config())
        load_state_into(model, read_safetensors(self.model_file), str(self.model_file))
        return model.to(device).eval()

    def cache(self, data: str | os.PathLike | None = None):
        """The image cache ``data``, by default the one the run was trained on (an ``ImageCache``)."""

        return open_cache(data if data is not None else self.training_data())

    def encoded_cache(self):
        """The image cache the latents were encoded from (latents.json names it), else the training one."""

        meta = load_json(self.latents_meta_file) if self.latents_meta_file.is_file() else {}
        data = meta.get("data") if isinstance(meta, dict) else None
        return self.cache(data) if data else self.cache()

    def analysis(self):
        """The saved analysis (``AnalysisResult``) of analysis/; one clear error before 'zspace analyze'."""
        from zspace.analysis.result import load_analysis  # scipy: only for commands that read an analysis

        if not self.analysis_dir.is_dir():
            raise ZspaceError(f"{self.analysis_dir}: not found; run 'zspace analyze {self.path}' first")
        return load_analysis(self.analysis_dir)

    def save(self, result, force: bool = False, extras=None) -> Path:
        """Write a stage's result into its folder of the run (an ``AnalysisResult`` into analysis/), replaced
        whole; ``extras(temporary_folder)`` may add files (figures) first. See :func:`zspace.results.save`."""

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

    def mismatched_latents(self, count: int, rows: int, holder: str) -> ZspaceError:
        """The error for latents whose row count is not their cache's (a cache prepared again, an encode cut short)."""
        return ZspaceError(f"{self.latents_file}: {count:,} latent vectors but {holder} has {rows:,}; the run's "
                           "latents do not match its cache: encode the run again, replacing its latents "
                           "(encode with force)")

    def _splits(self) -> np.ndarray | None:
        """The split of every latent row (None when the index has none), checked against the row count."""
        latents = self._latents
        if "split" not in latents.index:
            return None
        split = np.asarray(latents.index["split"])
        if len(split) != len(latents.vectors):
            raise self.mismatched_latents(len(latents.vectors), len(split), "the index of its image cache")
        return split

    def fit_rows(self, split: str = "train") -> np.ndarray:
        """Row numbers of ``split``, or every row when the index has no splits.

        This is the one rule every fitted sampler, attribute vector and axis uses.
        """
        latents = self._latents
        splits = self._splits()
        if splits is None:
            return np.arange(len(latents.vectors))
        rows = np.flatnonzero(splits == split)
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
        splits = self._splits()
        if splits is not None:
            rows = np.flatnonzero(splits == "val")
            if len(rows):
                return rows
        return np.arange(len(latents.vectors))
