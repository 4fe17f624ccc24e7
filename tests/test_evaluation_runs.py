"""Run-level evaluation (issues 13, 21, 23): rows per (run, sampler), the reference rows, determinism, replicates
across seeds, judge robustness, the command."""

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
    # Samplers are set against the reference rows at the reference rows' n (issue 23 item 5), never at their own.
    assert all(r["fd_equal_n"]["n"] == decoder["n"] and len(r["fd_equal_n"]["fd_ci"]) == 2 for r in samplers)
    assert not any("best any sampler" in line for line in first.findings)
    assert any(line.startswith(f"ae (AE), at the held-out count n = {decoder['n']}") for line in first.findings)
    assert any(line.startswith("ae (AE), n = 250, 95% bootstrap intervals: FD from best to worst")
               for line in first.findings)
    assert first.groups == [] and first.judge_robustness == []  # one run, no other judges asked for
    assert any(line.startswith("the normal samples of the AE ") and "held-out images" in line
               for line in first.findings)  # factor gaps judged against the held-out images' own
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
                   "--judge-robustness", *CLI_FAST) == 0
    printed = capsys.readouterr().out
    assert "held-out data" in printed and "ae / normal" in printed and "off-manifold" in printed
    assert "precision@3" in printed and "coverage@5" in printed  # the k of each pair of metrics
    saved = json.loads((out / "evaluation.json").read_text())
    rows = saved["rows"]
    # The main judge is random (seed 0); the check adds the random judge of seed 1, stored under its own name.
    robustness = saved["judge_robustness"]
    assert [(r["judge"], r["other"], r["rows"]) for r in robustness] == [("random seed 0", "random seed 1", 2)]
    assert robustness[0]["verdict"] == "inconclusive"  # two samplers cannot show agreement
    assert "Kendall τ" in printed and all(set(r["fd_by_judge"]) == {"random seed 1"} for r in rows)
    judges = ae_run.parent / "faces" / "judges"
    assert (judges / "random.json").is_file() and (judges / "random-seed1.json").is_file()
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
    (["--real", "{run}/latents.npy", "--fake", "{run}/latents.npy", "--judge-robustness", "--out", "{out}"],
     "--judge-robustness re-ranks the samplers of run folders"),
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


@pytest.mark.slow
def test_three_seeds_form_a_group_with_a_spread(ae_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """Issue 21 item 4: runs that differ only in their seed are recognised and summarised across seeds."""
    cache = ae_run.parent / "faces"
    config = model_config("small", model="ae", image_size=32, channels=3, latent_dim=8, filters=(8, 16, 16, 16))
    seeds = []
    for seed in (1, 2):
        train(config, TrainConfig(data=str(cache), epochs=1, batch_size=32, seed=seed), tmp_path / f"ae-s{seed}")
        encode(tmp_path / f"ae-s{seed}")
        seeds.append(str(tmp_path / f"ae-s{seed}"))
    other = tmp_path / "ae-wide"  # another configuration: no group of its own
    train(model_config("small", model="ae", image_size=32, channels=3, latent_dim=4, filters=(8, 16, 16, 16)),
          TrainConfig(data=str(cache), epochs=1, batch_size=32, seed=0), other)
    encode(other)
    out = tmp_path / "eval"
    assert run_cli(str(ae_run), *seeds, str(other), "--samplers", "normal", "--n", "150", "--judge", "random",
                   "--out", str(out), *CLI_FAST) == 0
    printed = capsys.readouterr().out
    groups = json.loads((out / "evaluation.json").read_text())["groups"]
    assert [g["sampler"] for g in groups] == ["held-out data", "held-out reconstructions", "normal"]
    normal = groups[-1]
    assert normal["runs"] == ["ae", "ae-s1", "ae-s2"] and normal["seeds"] == [0, 1, 2]
    assert normal["fd_sd"] > 0 and normal["fd_interval"][0] < normal["fd_mean"] < normal["fd_interval"][1]
    assert groups[0]["fd_sd"] == pytest.approx(0.0, abs=1e-12)  # held-out images do not depend on the run
    assert "Across training seeds" in printed and "AE over 3 training seeds" in printed
