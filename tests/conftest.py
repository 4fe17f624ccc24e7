"""Shared fixtures: a tiny image cache and a tiny trained run, made once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from zspace.config import TrainConfig
from zspace.data.cache import prepare_cache
from zspace.data.synthetic_faces import synthetic_faces_source
from zspace.models.architectures import model_config
from zspace.report.figures import write_loss_figure
from zspace.run import Run
from zspace.training.train import train


@pytest.fixture(scope="session")
def faces_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cache") / "faces"
    prepare_cache(synthetic_faces_source(count=192, size=32, seed=3), out)
    return out


def small_faces(tmp_path_factory: pytest.TempPathFactory, name: str, seed: int, val_fraction: float) -> Path:
    """A cache of 400 synthetic faces of 32 px in a new folder ``name``, ``val_fraction`` of them held out."""
    out = tmp_path_factory.mktemp(name) / "faces"
    prepare_cache(synthetic_faces_source(count=400, size=32, seed=seed), out, val_fraction=val_fraction)
    return out


def tiny_configs(cache: Path, model: str = "vae", epochs: int = 2, seed: int = 0):
    config = model_config("small", model=model, image_size=32, channels=3, latent_dim=8, filters=(8, 16, 16, 16))
    return config, TrainConfig(data=str(cache), epochs=epochs, batch_size=32, seed=seed)


@pytest.fixture(scope="session")
def vae_run(faces_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("runs") / "vae"
    train(*tiny_configs(faces_cache), out)
    write_loss_figure(Run(out))  # as zspace train does after training
    return out
