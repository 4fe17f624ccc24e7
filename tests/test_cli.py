"""The command line: the happy path, and bad input as one line, exit code 2, nothing changed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from zspace.cli.main import main
from zspace.data.cache import open_cache

FAST = ["--filters", "8,16,16,16", "--latent-dim", "4", "--batch-size", "32"]


def run_cli(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_user_error(capsys: pytest.CaptureFixture, fragment: str, *args: str) -> str:
    code, _, err = run_cli(capsys, *args)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert len(lines) == 1 and "Traceback" not in err, err
    assert fragment in lines[0], lines[0]
    return lines[0]


def test_prepare_train_encode(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    data, run = tmp_path / "digits", tmp_path / "run"
    code, out, _ = run_cli(capsys, "prepare", "digits", "--count", "150", "--out", data)
    assert code == 0 and "150 images of 32x32x1" in out
    code, out, _ = run_cli(capsys, "train", data, "--model", "ae", "--epochs", "1", "--out", run, *FAST)
    assert code == 0 and f"{run}: 1 epoch, train loss" in out  # one epoch, not "1 epochs"
    code, out, _ = run_cli(capsys, "encode", run)
    assert code == 0
    latents = np.load(run / "latents.npy", allow_pickle=False)
    assert latents.shape == (len(open_cache(data)), 4)
    assert not (run / "logvar.npy").exists()  # an AE has no log-variance


def test_console_script_exits_2_without_traceback(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "zspace", "encode", str(tmp_path / "missing")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "Traceback" not in done.stderr
    assert "run folder not found" in done.stderr


def test_unknown_source_and_missing_paths(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert_user_error(capsys, "unknown; choose one of", "prepare", "celebrities", "--out", tmp_path / "x")
    assert_user_error(capsys, "needs a path", "prepare", "folder", "--out", tmp_path / "x")
    assert_user_error(capsys, "nope", "prepare", "folder", tmp_path / "nope", "--out", tmp_path / "x")
    assert_user_error(capsys, "dataset-fashion-mnist", "prepare", "fashion-mnist", tmp_path / "nope",
                      "--out", tmp_path / "x")
    (tmp_path / "empty").mkdir()
    assert_user_error(capsys, "empty", "prepare", "folder", tmp_path / "empty", "--out", tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_wrong_format_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    bogus = tmp_path / "images.idx"
    bogus.write_bytes(b"this is not an idx file at all")
    assert_user_error(capsys, str(bogus), "prepare", "idx", bogus, "--out", tmp_path / "x")


def test_existing_outputs_are_refused_and_unchanged(faces_cache: Path, vae_run: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture) -> None:
    before = (faces_cache / "images.npy").read_bytes()
    assert_user_error(capsys, "already exists", "prepare", "digits", "--out", faces_cache)
    assert (faces_cache / "images.npy").read_bytes() == before
    weights = (vae_run / "model.safetensors").read_bytes()
    assert_user_error(capsys, "--resume", "train", faces_cache, "--out", vae_run, *FAST)
    assert (vae_run / "model.safetensors").read_bytes() == weights


def test_bad_model_settings(faces_cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert_user_error(capsys, "latent dimension 0", "train", faces_cache, "--out", tmp_path / "r",
                      "--latent-dim", "0")
    assert_user_error(capsys, "unknown architecture", "train", faces_cache, "--out", tmp_path / "r",
                      "--arch", "vgg")
    assert_user_error(capsys, "--filters", "train", faces_cache, "--out", tmp_path / "r", "--filters", "a,b")
    small = tmp_path / "tiny"
    run_cli(capsys, "prepare", "digits", "--size", "8", "--count", "20", "--out", small)
    assert_user_error(capsys, "needs at least 16 px", "train", small, "--arch", "seed", "--out", tmp_path / "r")
    assert_user_error(capsys, "image cache not found", "train", tmp_path / "none", "--out", tmp_path / "r")
    assert not (tmp_path / "r").exists()


def test_bad_weights(vae_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    run = tmp_path / "run"
    run.mkdir()
    for name in ("config.json", "train_config.json"):
        (run / name).write_bytes((vae_run / name).read_bytes())
    (run / "model.safetensors").write_bytes(b"\x80\x04\x95 pickled weights")
    assert_user_error(capsys, "not a readable safetensors", "encode", run)
    assert not (run / "latents.npy").exists()


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture) -> None:
    code, _, err = run_cli(capsys, "train", "--no-such-option")
    assert code == 2 and "Traceback" not in err and "--no-such-option" in err
