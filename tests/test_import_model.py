"""zspace import (issue 20): a user's module and a diffusers AutoencoderKL through the same commands as a trained run.

A user module in a test file (tests/imported_models.py: not zspace's layout, a spatial latent
2 x 4 x 4) and a tiny random AutoencoderKL saved with save_pretrained go through import ->
encode -> analyze -> generate (samplers, sweep, interpolation, attribute, traversal) -> compare
-> evaluate -> report -> explore's click-to-decode, with no special case in any command; their
latents and decodes agree with calling the modules directly.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import small_faces
from PIL import Image

from zspace import usercode
from zspace.cli.main import main
from zspace.data.cache import open_cache
from zspace.data.loader import to_model_input
from zspace.errors import ZspaceError
from zspace.models.factory import save_state
from zspace.models.inference import decode
from zspace.models.protocol import latent_dim
from zspace.run import Run

MODELS = Path(__file__).parent / "imported_models.py"
EVALUATE_FAST = ["--judge", "random", "--n", "150", "--bootstrap", "5", "--kid-subsets", "5", "--kid-subset-size",
                 "50", "--fd-points", "3"]
STRUCTURE_FAST = ["--structure-draws", "2", "--structure-queries", "100", "--structure-probes", "20",
                  "--link-samples", "30"]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """400 synthetic faces, 40 % held out: enough held-out images for the FD in the judge's 128 features."""
    return small_faces(tmp_path_factory, "import", seed=11, val_fraction=0.4)


@pytest.fixture(scope="module")
def diffusers_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random AutoencoderKL (4 down blocks: 32 px -> latent 4 x 4 x 4), saved with save_pretrained."""
    diffusers = pytest.importorskip("diffusers", reason="the models extra: pip install -e '.[models]'")
    torch.manual_seed(0)
    vae = diffusers.AutoencoderKL(
        down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
        block_out_channels=(8, 8, 16, 16), layers_per_block=1, latent_channels=4, norm_num_groups=4, sample_size=32)
    out = tmp_path_factory.mktemp("diffusers") / "vae"
    vae.save_pretrained(out)
    return out


def images_of(cache: Path, rows: slice = slice(0, 6)) -> np.ndarray:
    return np.array(open_cache(cache).images[rows])  # a writable copy, as torch wants


def run_cli(capsys: pytest.CaptureFixture, *args: object) -> tuple[str, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out, captured.err


def click_to_decode(run: Path) -> None:
    """explore's click on a PCA plane decodes the exact inverse of the click with the run's model."""
    from fastapi.testclient import TestClient

    from zspace.explore.app import create_app
    from zspace.explore.data import open_explorer

    data = open_explorer(run)
    client = TestClient(create_app(data), base_url="http://127.0.0.1")
    answer = client.get("/api/invert?map=pca-1-2&x=0.3&y=-0.2").json()
    u, v = data.maps["pca-1-2"].to_map(0.3, -0.2)
    z = (data.pca.mean + u * data.pca.components[0] + v * data.pca.components[1]).astype(np.float32)
    image = np.asarray(Image.open(io.BytesIO(base64.b64decode(answer["image"].split(",", 1)[1]))))
    assert image.shape == (32, 32, 3) and np.array_equal(image, decode(data.model, z[None])[0])


def through_the_pipeline(run: Path, capsys: pytest.CaptureFixture, tmp_path: Path, structure: bool = False) -> None:
    """Every stage on the imported run, by the same commands as on a trained one."""
    run_cli(capsys, "encode", run)
    model = Run(run).model()
    assert Run(run).latents().vectors.shape == (400, latent_dim(model))
    structure_args = ["--structure", *STRUCTURE_FAST, "--link", "normal,gmm:k=2"] if structure else []
    run_cli(capsys, "analyze", run, "--tsne", "0", "--pca-planes", "", *structure_args)
    metrics = json.loads((run / "analysis" / "metrics.json").read_text())
    assert metrics["dim"] == latent_dim(model) and metrics["count"] == 400
    if structure:  # the link decodes sampled points with the imported model and encodes them again
        assert [row["sampler"] for row in metrics["link"]["rows"]] == ["normal", "gmm:k=2"]
        assert metrics["link"]["rows"][0]["count"] == 30
    for mode in (["--sampler", "normal", "--n", "7"], ["--sampler", "gmm:k=2", "--n", "7"],
                 ["--sweep", "uniform:b=1,3", "--n", "7"], ["--interpolate", "3,17", "--steps", "5"],
                 ["--attribute", "glasses"], ["--traverse", "pca:1", "--rows", "2"]):
        run_cli(capsys, "generate", run, *mode)
    normal = np.load(run / "samples" / "normal" / "z.npy")
    grid = np.asarray(Image.open(run / "samples" / "normal" / "grid.png"))
    first = decode(model, normal[:1])[0]  # grid.png's first cell (2 px padding, scale 2) is the first decode
    assert np.array_equal(grid[4:68:2, 4:68:2], first)
    assert sorted(p.name for p in (run / "samples").iterdir()) == [
        "attribute-glasses", "gmm_k-2", "interpolate-3_17", "normal", "sweep-uniform_b-1_3", "traverse-pca_1"]
    out, _ = run_cli(capsys, "compare", run, run, "--n", "4", "--out", tmp_path / f"compare-{run.name}.png")
    assert f"z {latent_dim(model)}" in out
    run_cli(capsys, "evaluate", run, "--samplers", "normal", "--out", run / "evaluation", *EVALUATE_FAST)
    rows = json.loads((run / "evaluation" / "evaluation.json").read_text())["rows"]
    assert [r["sampler"] for r in rows] == ["held-out data", "held-out reconstructions", "normal"]
    assert all(np.isfinite(r["fd"]) for r in rows)
    run_cli(capsys, "report", run)
    page = (run / "report.html").read_text(encoding="utf-8")
    assert "is an imported" in page and "Imported against" in page and "reconstructions (bottom)" in page
    click_to_decode(run)


def import_spatial_vae(cache: Path, run: Path, capsys: pytest.CaptureFixture) -> str:
    return run_cli(capsys, "import", f"{MODELS}:make_spatial_vae", "--data", cache, "--out", run)[0]


def test_a_user_module_with_a_spatial_latent(cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(usercode, "_ANNOUNCED", set())
    run = tmp_path / "run"
    out = import_spatial_vae(cache, run, capsys)
    assert f"importing {MODELS} and calling make_spatial_vae()" in out  # says which code it runs
    assert "latent 2 x 4 x 4 (32-d flattened)" in out
    record = json.loads((run / "config.json").read_text())["imported"]
    assert record["kind"] == "file" and record["path"] == str(MODELS) and record["function"] == "make_spatial_vae"
    assert record["latent_shape"] == [2, 4, 4] and record["image_shape"] == [3, 32, 32] and record["variational"]
    assert record["weights"] == "model.safetensors" and set(record["checksums"]) == {"model.safetensors"}
    assert sorted(p.name for p in run.iterdir()) == ["config.json", "model.safetensors"]  # no code, no pickle

    through_the_pipeline(run, capsys, tmp_path)
    # the latents are the module's own posterior means, flattened in its (C, H, W) order
    from imported_models import make_spatial_vae

    network = make_spatial_vae().eval()
    with torch.no_grad():
        mean = network.encode(to_model_input(torch.from_numpy(images_of(cache)))).mean
    np.testing.assert_allclose(Run(run).latents().vectors[:6], mean.flatten(1).numpy(), atol=1e-5)
    logvar = np.asarray(Run(run).latents().logvar)
    assert logvar.shape == (400, 32) and logvar.min() >= -6.0 and logvar.max() <= 2.0  # the module's clamp


def test_opening_a_run_that_names_code_says_so_once(cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    run = tmp_path / "run"
    run_cli(capsys, "import", "imported_models:make_plain_ae", "--data", cache, "--out", run)  # a module name
    monkeypatch.setattr(usercode, "_ANNOUNCED", set())  # as a new process
    out, _ = run_cli(capsys, "encode", run)
    assert out.count("importing imported_models and calling make_plain_ae()") == 1
    out, _ = run_cli(capsys, "generate", run, "--sampler", "diag", "--n", "3")
    assert "importing" not in out  # once per process
    model = Run(run).model()
    assert model.latent_shape == (6,) and not model.variational
    assert np.load(run / "samples" / "diag" / "z.npy").shape == (3, 6)


def test_weights_are_loaded_strictly_and_checked_by_checksum(cache: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture) -> None:
    from imported_models import SpatialVAE

    torch.manual_seed(42)
    trained = SpatialVAE()
    save_state(trained, tmp_path / "w.safetensors")
    run = tmp_path / "run"
    run_cli(capsys, "import", f"{MODELS}:make_spatial_vae", "--data", cache, "--out", run,
            "--weights", tmp_path / "w.safetensors")
    assert sorted(p.name for p in run.iterdir()) == ["config.json"]  # the weights stay where they are
    model = Run(run).model()
    for key, value in trained.state_dict().items():
        assert torch.equal(model.network.state_dict()[key], value)
    other = SpatialVAE()
    save_state(other, tmp_path / "w.safetensors")  # the file changed since the import
    with pytest.raises(ZspaceError, match="changed since the model of .* was imported"):
        Run(run).model()
    assert main(["encode", str(run)]) == 2 and not (run / "latents.npy").exists()


def test_a_wrong_input_range_is_a_warning_that_names_the_better_one(cache: Path, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture) -> None:
    _, err = run_cli(capsys, "import", f"{MODELS}:make_centred_identity", "--data", cache, "--out", tmp_path / "a")
    assert "zspace: warning:" in err and "with input range -1,1" in err and "(--input-range)" in err
    out, err = run_cli(capsys, "import", f"{MODELS}:make_centred_identity", "--data", cache, "--out", tmp_path / "c",
                       "--input-range", "-1,1")
    assert err == "" and Run(tmp_path / "c").imported().input_range == "-1,1"
    images = images_of(cache)
    model = Run(tmp_path / "c").model()
    rebuilt = decode(model, model.encode(to_model_input(torch.from_numpy(images))).mean.flatten(1))
    # in [-1, 1] the module returns 2x - 1 - mean(2x - 1); back in [0, 1] that is x - mean(x) + 1/2
    expected = np.clip(images - images.mean(axis=(1, 2, 3), keepdims=True) + 127.5, 0, 255)
    assert np.abs(rebuilt - expected).max() <= 1


def test_a_diffusers_autoencoder_kl_agrees_with_diffusers(cache: Path, diffusers_dir: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture) -> None:
    from diffusers import AutoencoderKL

    run = tmp_path / "run"
    out, _ = run_cli(capsys, "import", f"diffusers:{diffusers_dir}", "--data", cache, "--out", run)
    assert "input range -1,1" in out and "latent 4 x 4 x 4 (64-d flattened)" in out
    record = Run(run).imported()
    assert record.kind == "diffusers" and record.weights is None and len(record.checksums) == 2
    assert sorted(p.name for p in run.iterdir()) == ["config.json"]
    run_cli(capsys, "encode", run)
    run_cli(capsys, "generate", run, "--sampler", "gmm:k=2", "--n", "7")
    assert np.load(run / "samples" / "gmm_k-2" / "z.npy").shape == (7, 64)
    click_to_decode(run)

    vae = AutoencoderKL.from_pretrained(diffusers_dir).eval()
    images = images_of(cache)
    with torch.no_grad():
        direct = vae.encode(to_model_input(torch.from_numpy(images)) * 2 - 1).latent_dist
        decoded = ((vae.decode(direct.mean).sample + 1) / 2).clamp(0, 1)
    latents = Run(run).latents()
    np.testing.assert_allclose(latents.vectors[:6], direct.mean.flatten(1).numpy(), atol=1e-5)
    np.testing.assert_allclose(latents.logvar[:6], direct.logvar.flatten(1).numpy(), atol=1e-5)
    ours = decode(Run(run).model(), np.asarray(latents.vectors[:6]))
    expected = np.rint(decoded.permute(0, 2, 3, 1).numpy() * 255)
    assert np.abs(ours.astype(float) - expected).max() <= 1  # the same pixels, up to rounding


@pytest.mark.slow
def test_every_command_with_structure_and_link_on_both_imports(cache: Path, diffusers_dir: Path, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture) -> None:
    import_spatial_vae(cache, tmp_path / "user", capsys)
    through_the_pipeline(tmp_path / "user", capsys, tmp_path, structure=True)
    run_cli(capsys, "import", f"diffusers:{diffusers_dir}", "--data", cache, "--out", tmp_path / "diffusers")
    through_the_pipeline(tmp_path / "diffusers", capsys, tmp_path, structure=True)
