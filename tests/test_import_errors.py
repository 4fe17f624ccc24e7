"""zspace import, bad input: one line, exit 2, no traceback, nothing written (issue 20, section 1)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from zspace.cli.main import main
from zspace.errors import ZspaceError
from zspace.importing import import_model
from zspace.models.factory import save_state

MODELS = Path(__file__).parent / "imported_models.py"


def refused(capsys: pytest.CaptureFixture, tmp_path: Path, fragment: str, *args: object) -> str:
    """Run ``zspace import ARGS --out tmp/out``: exit 2, one line holding ``fragment``, nothing written."""
    before = sorted(tmp_path.rglob("*"))
    code = main(["import", *map(str, args), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert len(lines) == 1 and "Traceback" not in err, err
    assert fragment in lines[0], lines[0]
    assert sorted(tmp_path.rglob("*")) == before  # no run folder, no temporary folder
    return lines[0]


@pytest.mark.parametrize(("factory", "fragment"), [
    ("nope.py:make", "nope.py not found; check the path"),
    (f"{MODELS}:make_missing", "'make_missing' not found in"),
    (f"{MODELS}:Decoded", None),  # a class is callable: it is called, and what it returns is checked
    ("no_such_package.models:make", "module 'no_such_package.models' not found"),
    ("just-a-name", "give path/to/file.py:function or package.module:function"),
    (f"{MODELS}:make_nothing", "returned a NoneType, not a torch.nn.Module"),
    (f"{MODELS}:make_encoder_only", "its EncoderOnly lacks decode; the model needs encode(x) and decode(z)"),
    (f"{MODELS}:make_broken", "calling it raised RuntimeError: the checkpoint path is not set"),
    (f"{MODELS}:make_wrong_size", "decode gave images of shape (8, 3, 16, 16) for the cache's images of shape "
                                  "(8, 3, 32, 32)"),
    ("diffusers:nowhere", "folder"),
])
def test_a_factory_that_cannot_be_used(factory: str, fragment: str | None, faces_cache: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture) -> None:
    line = refused(capsys, tmp_path, fragment or "Decoded", factory, "--data", faces_cache)
    if fragment is None:
        assert "calling it raised TypeError" in line


def test_the_cache_size_names_the_option(faces_cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    line = refused(capsys, tmp_path, "decode gave images", f"{MODELS}:make_wrong_size", "--data", faces_cache)
    assert line.endswith("(--data)")


def test_weights_that_do_not_fit_name_the_keys(faces_cache: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture) -> None:
    from imported_models import PlainAE

    save_state(PlainAE(), tmp_path / "plain.safetensors")
    line = refused(capsys, tmp_path, "weights do not match the imported model (SpatialVAE)",
                   f"{MODELS}:make_spatial_vae", "--data", faces_cache, "--weights", tmp_path / "plain.safetensors")
    assert "missing (e.g. down.0.bias)" in line and "unexpected (e.g. decoder.bias)" in line
    assert line.endswith("(--weights)")
    refused(capsys, tmp_path, "file not found", f"{MODELS}:make_spatial_vae", "--data", faces_cache,
            "--weights", tmp_path / "none.safetensors")
    (tmp_path / "pickle.safetensors").write_bytes(b"\x80\x04not safetensors")
    refused(capsys, tmp_path, "not a readable safetensors file", f"{MODELS}:make_spatial_vae", "--data",
            faces_cache, "--weights", tmp_path / "pickle.safetensors")


def test_bad_range_data_and_existing_output(faces_cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    line = refused(capsys, tmp_path, "input range '0,255': choose one of 0,1, -1,1", f"{MODELS}:make_plain_ae",
                   "--data", faces_cache, "--input-range", "0,255")
    assert line.endswith("(--input-range)")
    refused(capsys, tmp_path, "image cache not found", f"{MODELS}:make_plain_ae", "--data", tmp_path / "nope")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine")
    refused(capsys, tmp_path, "folder already exists", f"{MODELS}:make_plain_ae", "--data", faces_cache)
    assert (tmp_path / "out" / "notes.txt").read_text() == "mine"


def test_a_file_that_fails_to_import(faces_cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "net.py").write_text("import torch\nraise ImportError('needs mylib')\n")
    refused(capsys, tmp_path, "net.py: importing it raised ImportError: needs mylib; fix the file",
            f"{tmp_path / 'net.py'}:make", "--data", faces_cache)
    assert not [name for name in sys.modules if name.startswith("zspace_user_net_")]


def test_a_diffusers_folder_without_safetensors_weights(faces_cache: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture) -> None:
    pytest.importorskip("diffusers", reason="the models extra: pip install -e '.[models]'")
    vae = tmp_path / "vae"
    vae.mkdir()
    (vae / "config.json").write_text('{"_class_name": "AutoencoderKL"}')
    (vae / "diffusion_pytorch_model.bin").write_bytes(b"pickle")
    refused(capsys, tmp_path, "no diffusion_pytorch_model.safetensors", f"diffusers:{vae}", "--data", faces_cache)


def test_without_the_models_extra_the_error_names_it(faces_cache: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "vae").mkdir()
    monkeypatch.setitem(sys.modules, "diffusers", None)  # import diffusers raises ImportError
    with pytest.raises(ZspaceError, match=r"needs the Python package 'diffusers'.*pip install 'zspace\[models\]'"):
        import_model(f"diffusers:{tmp_path / 'vae'}", faces_cache, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_spec_mismatch_after_import_is_one_line(faces_cache: Path, tmp_path: Path) -> None:
    """A record whose factory no longer builds (the function renamed) fails on opening, naming it."""
    from zspace.run import Run

    (tmp_path / "net.py").write_text(MODELS.read_text())
    run = import_model(f"{tmp_path / 'net.py'}:make_plain_ae", faces_cache, tmp_path / "run").run
    text = (tmp_path / "net.py").read_text().replace("def make_plain_ae", "def make_other_ae")
    (tmp_path / "net.py").write_text(text)
    for name in [n for n in sys.modules if n.startswith("zspace_user_net_")]:
        del sys.modules[name]  # a new process would import the file again
    with pytest.raises(ZspaceError, match="'make_plain_ae' not found in"):
        Run(run.path).model()
