"""Run-level evaluation (issue 13): rows per (run, sampler), the held-out floor, determinism, the command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from zspace.cli import main as cli_main
from zspace.config import TrainConfig
from zspace.data.cache import prepare_cache
from zspace.data.synthetic_faces import synthetic_faces_source
from zspace.encoding import encode
from zspace.evaluation.judges import JudgeSettings
from zspace.evaluation.run_level import RunEvaluationOptions, evaluate_runs, write_run_evaluation
from zspace.models.architectures import model_config
from zspace.training.train import train

ROW_KEYS = {"run", "model", "sampler", "n", "judge", "fd", "fd_ci", "kid", "kid_std", "precision", "recall",
            "density", "coverage", "fd_latent", "off_manifold", "cycle_error"}
FAST = RunEvaluationOptions(samplers=("normal", "gmm:k=3"), num_samples=250, bootstrap=5, kid_subsets=5,
                            kid_subset_size=100, fd_points=3, cycle_samples=100,
                            judge_settings=JudgeSettings(epochs=1, max_train=500, max_heldout=100))
CLI_FAST = ["--bootstrap", "5", "--kid-subsets", "5", "--kid-subset-size", "100", "--fd-points", "3"]


@pytest.fixture(scope="module")
def ae_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny AE on 450 synthetic faces (35% held out, enough rows for FD in the judge's 128 dimensions)."""
    root = tmp_path_factory.mktemp("evaluate")
    prepare_cache(synthetic_faces_source(count=450, size=32, seed=11), root / "faces", val_fraction=0.35)
    config = model_config("small", model="ae", image_size=32, channels=3, latent_dim=8, filters=(8, 16, 16, 16))
    train(config, TrainConfig(data=str(root / "faces"), epochs=1, batch_size=32, seed=0), root / "ae")
    encode(root / "ae")
    return root / "ae"


def test_rows_floor_factors_and_determinism(ae_run: Path, tmp_path: Path) -> None:
    first = evaluate_runs([ae_run], FAST)
    assert [r["sampler"] for r in first.rows] == ["held-out data", "held-out reconstructions", "normal", "gmm:k=3"]
    for row in first.rows:
        assert ROW_KEYS <= set(row) and row["run"] == "ae" and row["model"] == "ae" and row["judge"] == "factors"
        assert set(row["factor_distance"]) >= {"skin_tone", "glasses"}
    floor, decoder, *samplers = first.rows
    assert floor["fd"] < min(r["fd"] for r in [decoder, *samplers])  # held-out images are the floor
    assert decoder["n"] == floor["n"] and decoder["off_manifold"] == pytest.approx(1.0, abs=0.2)
    assert floor["off_manifold"] == pytest.approx(1.0)  # by construction
    assert all(r["n"] == 250 for r in samplers) and floor["n"] == floor["n_fake"] < 250
    assert any(line.startswith("the normal samples of the AE have the right") for line in first.findings)
    assert first.per_sample["ae_normal"].shape == (250,) and first.per_sample["ae_normal_z"].shape == (250, 8)
    assert first.per_sample["ae_gmm_k-3_latent_distance"].shape == (250,)
    second = evaluate_runs([ae_run], FAST)  # judge and gmm fit now reused from their caches
    assert second.rows == first.rows
    assert second.judges[0]["reused"] and not first.judges[0]["reused"]
    out = write_run_evaluation(tmp_path / "eval", first, FAST)
    saved = json.loads((out / "evaluation.json").read_text())
    assert len(saved["rows"]) == 4 and saved["findings"] == first.findings
    assert (out / "ranking.png").stat().st_size > 1000 and (out / "evaluation.md").is_file()
    np.testing.assert_array_equal(np.load(out / "per_sample" / "ae_normal_z.npy"), first.per_sample["ae_normal_z"])


def run_cli(*args: str) -> int:
    return cli_main.main(["evaluate", *args])


def test_command_prints_the_table(ae_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "eval"
    assert run_cli(str(ae_run), "--samplers", "normal,diag", "--n", "150", "--judge", "random", "--out", str(out),
                   *CLI_FAST) == 0
    printed = capsys.readouterr().out
    assert "held-out data" in printed and "ae / normal" in printed and "off-manifold" in printed
    rows = json.loads((out / "evaluation.json").read_text())["rows"]
    assert [r["sampler"] for r in rows] == ["held-out data", "held-out reconstructions", "normal", "diag"]
    assert rows[2]["judge"] == "random"
    assert run_cli(str(ae_run), "--samplers", "normal", "--n", "200", "--out", str(out)) == 2  # exists, no --force


@pytest.mark.parametrize(("args", "words"), [
    (["{missing}", "--out", "{out}"], "run folder not found"),
    (["{run}", "--judge", "inception", "--out", "{out}"], "--judge inception: choose one of auto"),
    (["{run}", "--samplers", "bogus", "--n", "200", "--out", "{out}"], "unknown sampler 'bogus'"),
    (["{run}", "--n", "1", "--out", "{out}"], "--n 1"),
    (["{run}", "--real", "{run}/latents.npy", "--out", "{out}"], "not both"),
    (["{run}", "--judge-weights", "pt_inception.pth", "--out", "{out}"], "not supported yet"),
    (["{run}"], "--out DIR is needed"),
])
def test_bad_inputs_exit_2_with_one_line(ae_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture,
                                         args: list[str], words: str) -> None:
    filled = [a.format(run=ae_run, out=tmp_path / "eval", missing=tmp_path / "nothing") for a in args]
    assert run_cli(*filled) == 2
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1 and words in lines[0], captured.err
    assert not (tmp_path / "eval").exists()


def test_unencoded_run_is_refused_before_any_work(ae_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    for name in ("config.json", "train_config.json", "model.safetensors"):
        (bare / name).write_bytes((ae_run / name).read_bytes())
    assert run_cli(str(bare), "--out", str(tmp_path / "eval")) == 2
    assert "run 'zspace encode" in capsys.readouterr().err
