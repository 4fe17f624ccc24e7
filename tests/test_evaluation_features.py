"""Bring-your-own-features evaluation (issue 13): the row, its determinism, and the zspace evaluate command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from zspace.cli import main as cli_main
from zspace.errors import ZspaceError
from zspace.evaluation import EvaluationOptions, evaluate_features, measure_features

ROW_KEYS = {"run", "model", "sampler", "judge", "n", "n_real", "n_fake", "dim", "k", "seed", "fd", "fd_ci",
            "fd_infinity", "fd_by_n", "rank_real", "rank_fake", "kid", "kid_std", "precision", "recall", "density",
            "coverage"}
FAST = {"bootstrap": 10, "kid_subsets": 5, "kid_subset_size": 200, "fd_points": 4}


def features(rows: int, dim: int, seed: int, scale: float = 1.0) -> np.ndarray:
    return (np.random.default_rng(seed).normal(size=(rows, dim)) * scale).astype(np.float32)


def test_row_has_every_metric_and_is_deterministic_for_a_seed() -> None:
    real, fake = features(600, 6, 0), features(500, 6, 1, scale=1.3)
    row = evaluate_features(real, fake, k=4, seed=3, **FAST)
    assert ROW_KEYS <= set(row)
    assert (row["n_real"], row["n_fake"], row["dim"], row["k"], row["rank_real"]) == (600, 500, 6, 4, 6)
    assert row["fd_ci"][0] < row["fd"] < row["fd_ci"][1]
    assert json.loads(json.dumps(row, allow_nan=False)) == row  # plain JSON, no NaN/inf
    assert evaluate_features(real, fake, k=4, seed=3, **FAST) == row
    other = evaluate_features(real, fake, k=4, seed=4, **FAST)
    assert other["fd"] == row["fd"] and other["kid"] != row["kid"]  # the seed moves only the random parts


def test_same_set_scores_as_a_perfect_generator() -> None:
    real = features(400, 5, 2)
    result = measure_features(real, real.copy(), EvaluationOptions(**FAST))
    assert result.row["fd"] == pytest.approx(0.0, abs=1e-9)
    assert result.row["precision"] == result.row["recall"] == result.row["coverage"] == 1.0
    assert result.per_sample["realism"].shape == (400,)


@pytest.mark.parametrize(("real", "fake", "match"), [
    (np.zeros((50, 3)), np.zeros((50, 4)), "3 columns but .* 4"),
    (np.zeros((5, 8)), np.zeros((50, 8)), "d \\+ 1 = 9"),
    (np.zeros((50, 3, 1)), np.zeros((50, 3)), "rank 3"),
    (np.array([[1.0, 2.0]] * 19 + [[np.inf, 0.0]]), np.zeros((20, 2)),
     "1 of 20 rows hold NaN or inf \\(first: row 19\\)"),
    (np.array([["a", "b"]] * 20), np.zeros((20, 2)), "dtype <U1"),
])
def test_bad_arrays_raise_one_line(real: np.ndarray, fake: np.ndarray, match: str) -> None:
    with pytest.raises(ZspaceError, match=match) as caught:
        evaluate_features(real, fake, **FAST)
    assert "\n" not in str(caught.value)


def run_cli(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    # main.py registers commands by name; add ours here until the lead wires it in.
    monkeypatch.setitem(cli_main.COMMANDS, "evaluate", ("zspace.cli.evaluate:evaluate", "Evaluate."))
    return cli_main.main(["evaluate", *args])


def save(folder: Path, name: str, array: np.ndarray, allow_pickle: bool = False) -> str:
    path = folder / name
    np.save(path, array, allow_pickle=allow_pickle)
    return str(path)


def test_cli_writes_json_csv_markdown_and_realism(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture) -> None:
    real = save(tmp_path, "real.npy", features(300, 4, 0))
    fake = save(tmp_path, "fake.npy", features(250, 4, 1, scale=1.5))
    out = tmp_path / "eval"
    fast = ["--bootstrap", "10", "--kid-subsets", "5", "--kid-subset-size", "200", "--fd-points", "4"]
    assert run_cli(monkeypatch, "--real", real, "--fake", fake, "--out", str(out), *fast) == 0
    rows = json.loads((out / "evaluation.json").read_text())["rows"]
    assert len(rows) == 1 and ROW_KEYS <= set(rows[0]) and rows[0]["real"] == real
    assert rows[0] == {"real": real, "fake": fake, **evaluate_features(np.load(real), np.load(fake), **FAST)}
    assert (out / "evaluation.csv").read_text().splitlines()[0].startswith("run,model,sampler,judge")
    assert "| FD | FD low | FD high | FD∞ |" in (out / "evaluation.md").read_text()
    assert np.load(out / "per_sample" / "realism.npy").shape == (250,)
    printed = capsys.readouterr().out
    assert "precision" in printed and "not comparable to published" in printed
    # An existing result needs --force; with it, the folder is replaced.
    assert run_cli(monkeypatch, "--real", real, "--fake", fake, "--out", str(out), *fast) == 2
    assert "already exists" in capsys.readouterr().err
    assert run_cli(monkeypatch, "--real", real, "--fake", fake, "--out", str(out), "--force", *fast) == 0


def bad_inputs(folder: Path) -> dict[str, tuple[list[str], str]]:
    good = save(folder, "good.npy", features(40, 3, 0))
    out = str(folder / "out")
    user = folder / "mine"
    user.mkdir()
    (user / "notes.txt").write_text("keep me")
    return {
        "widths": (["--real", good, "--fake", save(folder, "wide.npy", features(40, 5, 1)), "--out", out],
                   "3 columns but"),
        "nan": (["--real", good, "--fake", save(folder, "nan.npy", np.full((40, 3), np.nan)), "--out", out],
                "NaN or inf"),
        "few rows": (["--real", good, "--fake", save(folder, "few.npy", features(3, 3, 2)), "--out", out],
                     "d + 1 = 4"),
        "not 2-D": (["--real", save(folder, "cube.npy", np.zeros((40, 3, 2))), "--fake", good, "--out", out],
                    "rank 3"),
        "objects": (["--real", save(folder, "obj.npy", np.array([{"a": 1}] * 40, dtype=object), True),
                     "--fake", good, "--out", out], "pickle"),
        "missing": (["--real", str(folder / "nope.npy"), "--fake", good, "--out", out], "file not found"),
        "no fake": (["--real", good, "--out", out], "--fake"),
        "user folder": (["--real", good, "--fake", good, "--out", str(user), "--force"], "not an output folder"),
    }


def test_cli_bad_inputs_exit_2_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture) -> None:
    for case, (args, expected) in bad_inputs(tmp_path).items():
        assert run_cli(monkeypatch, *args) == 2, case
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("zspace: error: ") and expected in err, (case, err)
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"
    assert not (tmp_path / "out").exists()
