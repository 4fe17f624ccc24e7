"""Training: a short run, reproducibility, resume equals uninterrupted, run-folder files."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from conftest import tiny_configs
from safetensors.torch import load_file

from zspace.errors import ZspaceError
from zspace.run import Run
from zspace.training.history import read_history
from zspace.training.train import train


def weights(run: Path) -> dict[str, torch.Tensor]:
    return load_file(str(run / "model.safetensors"))


def test_run_folder_contents(vae_run: Path) -> None:
    for name in ("model.safetensors", "config.json", "train_config.json", "checkpoint.safetensors",
                 "history.csv", "figures/loss.png"):
        assert (vae_run / name).is_file(), name
    history = read_history(vae_run / "history.csv")
    assert [row["epoch"] for row in history] == [1, 2]
    assert all(row["train_kl"] > 0 and row["val_loss"] > 0 for row in history)
    assert history[1]["train_loss"] < history[0]["train_loss"]  # it learns
    config = json.loads((vae_run / "config.json").read_text())
    assert config["model"] == "vae" and config["latent_dim"] == 8
    model = Run(vae_run).model()
    assert not model.training and model.config.latent_dim == 8


def test_seeded_runs_are_identical_and_resume_matches(faces_cache: Path, tmp_path: Path) -> None:
    model_cfg, train_cfg = tiny_configs(faces_cache, epochs=2, seed=7)
    train(model_cfg, train_cfg, tmp_path / "a")
    train(model_cfg, train_cfg, tmp_path / "b")
    train(model_cfg, replace(train_cfg, epochs=1), tmp_path / "c")
    resumed = train(model_cfg, train_cfg, tmp_path / "c", resume=True)
    a, b, c = weights(tmp_path / "a"), weights(tmp_path / "b"), weights(tmp_path / "c")
    for key in a:
        assert torch.equal(a[key], b[key]), key
        torch.testing.assert_close(a[key], c[key], rtol=1e-5, atol=1e-6, msg=key)
    assert [row["epoch"] for row in resumed.history] == [1, 2]
    other = train(model_cfg, replace(train_cfg, seed=8), tmp_path / "d")
    assert not torch.equal(weights(tmp_path / "d")["to_mean.weight"], a["to_mean.weight"])
    assert other.epochs_done == 2


def test_existing_run_is_refused_and_left_alone(vae_run: Path, faces_cache: Path) -> None:
    before = (vae_run / "model.safetensors").read_bytes()
    with pytest.raises(ZspaceError, match="already exists"):
        train(*tiny_configs(faces_cache), vae_run)
    assert (vae_run / "model.safetensors").read_bytes() == before


def test_force_refuses_a_folder_that_is_not_a_run(faces_cache: Path, tmp_path: Path) -> None:
    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "chapter1.tex").write_text("years of work")
    with pytest.raises(ZspaceError, match="not a zspace run folder"):
        train(*tiny_configs(faces_cache), precious, force=True)
    assert (precious / "chapter1.tex").read_text() == "years of work"


def test_non_finite_loss_stops_with_the_step(faces_cache: Path, tmp_path: Path) -> None:
    model_cfg, train_cfg = tiny_configs(faces_cache, epochs=1)
    with pytest.raises(ZspaceError, match=r"loss became .* at step \d+"):
        train(model_cfg, replace(train_cfg, learning_rate=1e30), tmp_path / "nan")


def test_mismatched_weights_are_refused(vae_run: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    config = json.loads((vae_run / "config.json").read_text())
    config["latent_dim"] = 9
    (run / "config.json").write_text(json.dumps(config))
    (run / "model.safetensors").write_bytes((vae_run / "model.safetensors").read_bytes())
    with pytest.raises(ZspaceError, match="do not match the model"):
        Run(run).model()
    (run / "model.safetensors").write_bytes(b"\x80\x04K\x01.")  # a pickle, not safetensors
    with pytest.raises(ZspaceError, match="not a readable safetensors"):
        Run(run).model()


@pytest.mark.slow
def test_compiled_and_channels_last_training_matches_eager(faces_cache: Path, tmp_path: Path) -> None:
    """--compile and --channels-last change how the net runs, not what it learns."""
    model_cfg, train_cfg = tiny_configs(faces_cache, epochs=1, seed=4)
    eager = train(model_cfg, train_cfg, tmp_path / "eager")
    fast = train(model_cfg, replace(train_cfg, compile=True, channels_last=True), tmp_path / "fast")
    assert "_orig_mod" not in " ".join(weights(tmp_path / "fast"))  # plain names in the weights file
    assert fast.history[0]["train_loss"] == pytest.approx(eager.history[0]["train_loss"], rel=1e-3)
