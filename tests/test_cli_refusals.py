"""Refused up front, in one line (issue 23): devices this machine lacks, a port in use, latents the
explorer cannot map, arrays that cannot fit. The machine-independent cases are rows of the errors
table (error_cases_refusals.py); these need a CPU-only PyTorch simulated, a bound socket, or a
guard that fails the test (rather than hanging it) should the explorer start serving."""

from __future__ import annotations

import hashlib
import re
import shutil
import socket
from pathlib import Path

import numpy as np
import pytest
import torch

from zspace.cli.main import main
from zspace.devices import check_accelerator, resolve_device
from zspace.encoding import encode
from zspace.errors import ZspaceError
from zspace.resources import available_memory, check_room


def one_line(capsys: pytest.CaptureFixture) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def files(root: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def cpu_only_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    """This PyTorch as a CPU-only build, whatever the machine has."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.version, "cuda", None)
    monkeypatch.setattr(torch.version, "hip", None, raising=False)


@pytest.fixture
def one_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine with one CUDA GPU, as torch reports it (nothing is run on it)."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)


@pytest.fixture
def never_serve(monkeypatch: pytest.MonkeyPatch) -> None:
    """An explorer that gets as far as serving fails the test instead of blocking it."""
    uvicorn = pytest.importorskip("uvicorn")
    pytest.importorskip("fastapi")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the explorer started serving")

    monkeypatch.setattr(uvicorn.Server, "run", refuse)
    monkeypatch.setattr(uvicorn, "run", refuse)


@pytest.fixture(scope="module")
def encoded_run(vae_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = tmp_path_factory.mktemp("refusals") / "run"
    shutil.copytree(vae_run, run)
    encode(run)
    return run


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


COMMANDS = {
    "encode": lambda run, tmp: ["encode", str(run), "--out", str(tmp / "o")],
    "generate": lambda run, tmp: ["generate", str(run), "--sampler", "normal", "--out", str(tmp / "o")],
    "evaluate": lambda run, tmp: ["evaluate", str(run), "--out", str(tmp / "o")],
    "analyze --link": lambda run, tmp: ["analyze", str(run), "--link", "normal", "--out", str(tmp / "o")],
    "explore": lambda run, tmp: ["explore", str(run), "--port", str(free_port())],
    "compare": lambda run, tmp: ["compare", str(run), str(run), "--out", str(tmp / "c.png")],
}


@pytest.mark.parametrize("command", COMMANDS)
def test_cuda_on_a_cpu_only_pytorch(command: str, encoded_run: Path, tmp_path: Path, cpu_only_torch: None,
                                    never_serve: None, capsys: pytest.CaptureFixture) -> None:
    before = files(encoded_run)
    assert main([*COMMANDS[command](encoded_run, tmp_path), "--device", "cuda"]) == 2
    line = one_line(capsys)
    assert "device 'cuda': this PyTorch" in line and "built without CUDA" in line, line
    assert line.endswith("or use cpu (--device)"), line
    assert list(tmp_path.iterdir()) == [] and files(encoded_run) == before


def test_train_on_a_gpu_this_machine_lacks_leaves_no_folder(faces_cache: Path, vae_run: Path, tmp_path: Path,
                                                            cpu_only_torch: None,
                                                            capsys: pytest.CaptureFixture) -> None:
    assert main(["train", str(faces_cache), "--out", str(tmp_path / "new"), "--accelerator", "gpu"]) == 2
    line = one_line(capsys)
    assert "accelerator 'gpu': this PyTorch" in line and line.endswith("(--accelerator)"), line
    assert not (tmp_path / "new").exists()
    earlier = shutil.copytree(vae_run, tmp_path / "earlier")  # --force must not delete it first
    before = files(earlier)
    assert main(["train", str(faces_cache), "--out", str(earlier), "--force", "--accelerator", "gpu"]) == 2
    assert "accelerator 'gpu'" in one_line(capsys) and files(earlier) == before


def test_more_devices_than_gpus(faces_cache: Path, tmp_path: Path, one_gpu: None,
                                capsys: pytest.CaptureFixture) -> None:
    argv = ["train", str(faces_cache), "--out", str(tmp_path / "new"), "--accelerator", "gpu", "--devices", "3"]
    assert main(argv) == 2
    line = one_line(capsys)
    assert line.endswith("3 devices per node: this machine has 1 GPU; use 1 or fewer (--devices)"), line
    assert not (tmp_path / "new").exists()


def test_device_names(one_gpu: None) -> None:
    assert resolve_device("cpu") == torch.device("cpu") and resolve_device(" cuda:0 ") == torch.device("cuda:0")
    for text, words in [("banana", "'banana' is not a device name"), ("cuda:-1", "not a device name"),
                        ("meta", "zspace runs on cpu, cuda, mps"), ("cuda:2", "this machine has 1 GPU (cuda:0")]:
        with pytest.raises(ZspaceError, match=re.escape(words)) as raised:
            resolve_device(text)
        assert raised.value.options == ("device",)
    with pytest.raises(ZspaceError, match="choose one of cpu, gpu, cuda, mps, auto") as raised:
        check_accelerator("GPU")
    assert raised.value.options == ("accelerator",)
    check_accelerator("gpu", 1)  # one GPU, one device: fine


def test_a_port_in_use_is_one_line_before_any_work(encoded_run: Path, never_serve: None,
                                                   capsys: pytest.CaptureFixture) -> None:
    with socket.socket() as other:  # another program's server on the port
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        assert main(["explore", str(encoded_run), "--port", str(port)]) == 2
        captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1 and f"--port {port}: 127.0.0.1:{port} is already in use" in lines[0], captured.err
    assert f"--port {port + 1}" in lines[0]
    assert "explorer at" not in captured.out and "latent vectors" not in captured.out  # refused before opening


def _saved(run: Path, tmp: Path, change) -> Path:
    copy = shutil.copytree(run, tmp / "run")
    for name in ("latents.npy", "logvar.npy"):
        np.save(copy / name, change(np.load(copy / name)))
    return copy


def _with_nan(z: np.ndarray) -> np.ndarray:
    z = z.copy()
    z[[3, 9, 40], 1] = np.nan
    z[9, 0] = np.inf
    return z


@pytest.mark.parametrize(("change", "words"), [
    (lambda z: z[:100], "100 latent vectors but its image cache"),
    (_with_nan, "3 of 192 rows hold NaN or inf (rows 3, 9, 40), which no map can place"),
])
def test_explore_refuses_latents_it_cannot_map(change, words: str, encoded_run: Path, tmp_path: Path,
                                               never_serve: None, capsys: pytest.CaptureFixture) -> None:
    run = _saved(encoded_run, tmp_path, change)
    assert main(["explore", str(run), "--port", str(free_port())]) == 2
    line = one_line(capsys)
    assert words in line and "encode the run again" in line, line


def test_room_is_checked_in_memory_and_on_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert available_memory() is None or available_memory() > 2**20
    monkeypatch.setattr("zspace.resources.available_memory", lambda: 2**30)
    check_room(2**29, "half a GiB", "do less")
    with pytest.raises(ZspaceError, match=r"^3 rows would need 2\.0 GiB of memory and this machine has 1\.0 GiB "
                                          r"free; draw fewer rows$") as raised:
        check_room(2**31, "3 rows", "draw fewer rows", options=("num_samples",))
    assert raised.value.options == ("num_samples",)
    free = shutil.disk_usage(tmp_path).free
    with pytest.raises(ZspaceError, match=re.escape(f"GiB on disk and {tmp_path} has")):
        check_room(free + 2**40, "the file", "write less", disk=tmp_path / "not" / "yet")


@pytest.mark.parametrize("flags", [["--resume"], [], ["--resume", "--force"]])
def test_training_an_imported_run_says_zspace_does_not_train_imported_models(
        faces_cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture, flags: list[str]) -> None:
    """Before: --resume said "nothing to resume (no checkpoint)", and without it "continue it with --resume"."""
    run = tmp_path / "mine"
    models = Path(__file__).parent / "imported_models.py"
    assert main(["import", f"{models}:make_plain_ae", "--data", str(faces_cache), "--out", str(run)]) == 0
    capsys.readouterr()
    before = files(run)
    assert main(["train", str(faces_cache), "--out", str(run), *flags]) == 2
    line = one_line(capsys)
    assert "holds a model imported by 'zspace import'" in line and "zspace does not train imported models" in line
    assert "make_plain_ae" in line and files(run) == before
