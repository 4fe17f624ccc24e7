"""Generation: the generate/compare commands on a tiny run, sweeps, paths, attribute vectors, sharpening."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from zspace.cli.main import main
from zspace.encoding import encode
from zspace.errors import ZspaceError
from zspace.generate.attributes import attribute_direction
from zspace.generate.compare import compare_reconstructions
from zspace.generate.from_run import Decoding, generate_samples
from zspace.generate.paths import interpolate, principal_axis, slerp
from zspace.generate.sharpen import sharpen


@pytest.fixture(scope="module")
def encoded_run(vae_run: Path) -> Path:
    encode(vae_run, force=True)
    return vae_run


def grid_size(count: int, columns: int = 7, side: int = 32, padding: int = 2, scale: int = 2) -> tuple[int, int]:
    rows = -(-count // columns)
    return ((columns * (side + padding) + padding) * scale, (rows * (side + padding) + padding) * scale)


def test_generate_is_seeded_and_writes_the_grid(encoded_run, tmp_path):
    for name in ("a", "b"):
        code = main(["generate", str(encoded_run), "--sampler", "gmm:k=2", "--seed", "5", "--out",
                     str(tmp_path / name), "--save-images", "--sharpen", "7"])
        assert code == 0
    first, second = np.load(tmp_path / "a" / "z.npy"), np.load(tmp_path / "b" / "z.npy")
    assert first.shape == (28, 8) and first.dtype == np.float32
    np.testing.assert_array_equal(first, second)
    assert Image.open(tmp_path / "a" / "grid.png").size == grid_size(28)
    assert len(list((tmp_path / "a" / "images").glob("*.png"))) == 28
    assert (tmp_path / "a" / "sharpen.png").is_file()
    assert list((encoded_run / "samplers").glob("gmm_k-2*.npz"))  # fitted state cached
    main(["generate", str(encoded_run), "--sampler", "gmm:k=2", "--seed", "6", "--out", str(tmp_path / "c")])
    assert not np.array_equal(first, np.load(tmp_path / "c" / "z.npy"))


def test_second_call_reuses_the_fit(encoded_run, tmp_path):
    first = generate_samples(encoded_run, "fullcov", tmp_path / "one", num_samples=7)
    second = generate_samples(encoded_run, "fullcov", tmp_path / "two", num_samples=7)
    assert second.reused_fit is True
    np.testing.assert_array_equal(first.z, second.z)
    assert generate_samples(encoded_run, "normal", tmp_path / "n", num_samples=3).reused_fit is None


@pytest.mark.parametrize("spec", ["gmm:k=0", "uniform:b=-1", "gauss", "gmm:depth=2"])
def test_bad_specs_exit_2_with_one_line(encoded_run, tmp_path, capsys, spec):
    assert main(["generate", str(encoded_run), "--sampler", spec, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("zspace: error:") and "\n" not in err
    assert not (tmp_path / "z.npy").exists()


def test_missing_latents_says_run_encode(vae_run, tmp_path):
    bare = tmp_path / "bare"
    bare.mkdir()
    for name in ("config.json", "model.safetensors", "train_config.json"):
        shutil.copy(vae_run / name, bare / name)
    with pytest.raises(ZspaceError, match="zspace encode"):
        generate_samples(bare, "gmm:k=2", tmp_path / "out")
    assert generate_samples(bare, "normal", tmp_path / "out", num_samples=2).z.shape == (2, 8)  # needs no latents


def test_sweep_writes_one_grid_per_value(encoded_run, tmp_path):
    assert main(["generate", str(encoded_run), "--sweep", "uniform:b=0.5,1,2", "--n", "7",
                 "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.glob("grid_*.png")) == ["grid_b-0.5.png", "grid_b-1.png", "grid_b-2.png"]
    z = np.load(tmp_path / "z.npy")
    assert z.shape == (3, 7, 8)
    np.testing.assert_allclose(z[2], 4 * z[0], rtol=1e-5)  # same seed: same directions, b scales them
    width, height = Image.open(tmp_path / "sweep.png").size
    assert 3 * grid_size(7)[1] < height < 3 * grid_size(7)[1] + 40 and width > grid_size(7)[0]  # title, labels


def test_attribute_interpolate_traverse_commands(encoded_run, tmp_path):
    assert main(["generate", str(encoded_run), "--attribute", "glasses", "--factors", "-4,-2,0,2,4",
                 "--rows", "3", "--out", str(tmp_path / "attr")]) == 0
    z = np.load(tmp_path / "attr" / "z.npy")
    direction = np.load(tmp_path / "attr" / "direction.npy")
    assert z.shape == (3, 5, 8)
    np.testing.assert_allclose(z[:, 4] - z[:, 2], 4 * np.broadcast_to(direction, (3, 8)), rtol=1e-4, atol=1e-5)
    assert (tmp_path / "attr" / "attribute.png").is_file()
    assert main(["generate", str(encoded_run), "--attribute", "nose", "--out", str(tmp_path / "x")]) == 2

    assert main(["generate", str(encoded_run), "--interpolate", "3,17", "--steps", "5",
                 "--out", str(tmp_path / "interp")]) == 0
    latents = np.load(encoded_run / "latents.npy")
    path = np.load(tmp_path / "interp" / "z.npy")
    assert path.shape == (2, 5, 8)
    for method in range(2):
        np.testing.assert_allclose(path[method, 0], latents[3], atol=1e-5)
        np.testing.assert_allclose(path[method, -1], latents[17], atol=1e-5)

    assert main(["generate", str(encoded_run), "--traverse", "pca:1", "--rows", "2",
                 "--out", str(tmp_path / "trav")]) == 0
    assert np.load(tmp_path / "trav" / "z.npy").shape == (2, 7, 8)
    assert main(["generate", str(encoded_run), "--traverse", "component:2", "--rows", "2",
                 "--out", str(tmp_path / "comp")]) == 0
    moved = np.load(tmp_path / "comp" / "z.npy")
    change = np.abs(moved[:, -1] - moved[:, 0])  # offset +3 against -3
    assert np.all(change[:, 2] > 0) and np.all(np.delete(change, 2, axis=1) == 0)  # only component 2 moves
    assert main(["generate", str(encoded_run), "--traverse", "axis:1", "--out", str(tmp_path / "y")]) == 2
    assert main(["generate", str(encoded_run), "--out", str(tmp_path / "z")]) == 2  # no mode given


def test_compare_two_runs(encoded_run, tmp_path):
    rows = compare_reconstructions(encoded_run, encoded_run, num_images=4)
    assert [label for label, _ in rows][0] == "original" and len(rows) == 3
    assert rows[0][1].shape == (4, 32, 32, 3)
    np.testing.assert_array_equal(rows[1][1], rows[2][1])  # the same run reconstructs identically
    assert not np.array_equal(rows[0][1], rows[1][1])
    assert main(["compare", str(encoded_run), str(encoded_run), "--n", "4", "--out", str(tmp_path / "c.png")]) == 0
    assert 3 * grid_size(4, columns=4)[1] < Image.open(tmp_path / "c.png").size[1] < 3 * grid_size(4, columns=4)[1] + 40
    before = (tmp_path / "c.png").read_bytes()
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["compare", str(encoded_run), str(encoded_run), "--out", str(tmp_path / "notes.txt")]) == 2
    assert (tmp_path / "notes.txt").read_text() == "mine"  # a user's file is never overwritten without --force
    assert main(["compare", str(encoded_run), str(encoded_run), "--out", str(tmp_path / "c.png")]) == 2
    assert (tmp_path / "c.png").read_bytes() == before
    assert main(["compare", str(encoded_run), str(encoded_run), "--n", "2", "--out", str(tmp_path / "c.png"),
                 "--force"]) == 0 and (tmp_path / "c.png").read_bytes() != before


def test_attribute_direction_recovers_planted_directions():
    rng = np.random.default_rng(0)
    planted = rng.normal(size=16)
    noise = rng.normal(size=(20_000, 16))
    binary = rng.random(20_000) < 0.3
    found = attribute_direction(noise + np.outer(binary, planted), binary.astype(np.int8))
    assert np.dot(found, planted) / np.linalg.norm(found) / np.linalg.norm(planted) > 0.99
    np.testing.assert_allclose(found, planted, atol=0.1)  # the mean difference is the planted shift
    continuous = rng.random(20_000)
    found = attribute_direction(noise + np.outer(continuous, planted), continuous)
    np.testing.assert_allclose(found / (2 * continuous.std()), planted, atol=0.1)  # slope per unit of y
    with pytest.raises(ZspaceError, match="no variation"):
        attribute_direction(noise, np.full(20_000, 0.5))


def test_interpolation_endpoints_and_slerp_norms():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=64), rng.normal(size=64)
    for method in ("linear", "spherical"):
        path = interpolate(a, b, 7, method)
        np.testing.assert_allclose(path[0], a, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(path[-1], b, rtol=1e-5, atol=1e-6)
    middle = slerp(a, b, np.array([0.5]))[0]
    linear_middle = interpolate(a, b, 3, "linear")[1]
    assert np.linalg.norm(middle) > np.linalg.norm(linear_middle) + 1  # slerp keeps the norm up
    np.testing.assert_allclose(slerp(a, 2 * a, np.array([0.5]))[0], 1.5 * a, rtol=1e-5)  # parallel: linear
    with pytest.raises(ZspaceError, match="linear, spherical"):
        interpolate(a, b, 5, "cubic")


def test_principal_axis_is_the_largest_variance_direction():
    rng = np.random.default_rng(2)
    data = rng.normal(size=(5000, 4)) * [1, 5, 1, 1]
    axis = principal_axis(data, 1)
    assert np.argmax(np.abs(axis)) == 1 and abs(np.linalg.norm(axis) - 5) < 0.3


def test_sharpen_factor_one_is_identity_and_zero_blurs():
    images = np.random.default_rng(0).integers(0, 256, (3, 16, 16, 3), dtype=np.uint8)
    np.testing.assert_array_equal(sharpen(images, 1.0), images)
    blurred = sharpen(images, 0.0)
    assert blurred.std() < images.std()
    assert sharpen(images[..., :1], 5.0).shape == (3, 16, 16, 1)
    with pytest.raises(ZspaceError, match=">= 0"):
        sharpen(images, -1)
    assert Decoding().sharpen is None


def test_uint8_conversion_rounds_like_the_reference() -> None:
    import torch

    from zspace.models.inference import to_uint8

    images = torch.rand(5, 3, 7, 9, generator=torch.Generator().manual_seed(0))
    images[0, 0, 0, :3] = torch.tensor([0.0, 1.0, 0.5 / 255])
    expected = (images * 255).round().byte().permute(0, 2, 3, 1).numpy()
    got = to_uint8(images)
    assert got.shape == (5, 7, 9, 3) and got.dtype == np.uint8
    assert np.abs(got.astype(int) - expected.astype(int)).max() <= 1  # ties may round up instead of to even
    assert got[0, 0, 0, 0] == 0 and got[0, 0, 1, 0] == 255


def test_existing_output_folder_is_refused_then_replaced_whole(encoded_run, tmp_path):
    out = tmp_path / "sweep"
    assert main(["generate", str(encoded_run), "--sweep", "uniform:b=1,2,3", "--n", "3", "--out", str(out)]) == 0
    assert main(["generate", str(encoded_run), "--sampler", "normal", "--n", "3", "--out", str(out)]) == 2
    assert (out / "grid_b-3.png").is_file()  # refused: nothing touched
    assert main(["generate", str(encoded_run), "--sampler", "normal", "--n", "3", "--out", str(out), "--force"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["generate.json", "grid.png", "z.npy"]  # no stale grid_b-*.png
    assert not list(tmp_path.glob(".sweep.*"))  # no temporary folder left behind
    user = tmp_path / "mine"
    user.mkdir()
    (user / "thesis.tex").write_text("x")
    assert main(["generate", str(encoded_run), "--sampler", "normal", "--out", str(user), "--force"]) == 2
    assert (user / "thesis.tex").read_text() == "x"  # not a generate folder: never replaced


def test_every_mode_writes_generate_json(encoded_run, tmp_path):
    import json

    for name, args in {"t": ["--traverse", "pca:1", "--rows", "2"], "i": ["--interpolate", "1,2", "--steps", "3"],
                       "a": ["--attribute", "glasses", "--rows", "2"]}.items():
        assert main(["generate", str(encoded_run), *args, "--out", str(tmp_path / name)]) == 0
        info = json.loads((tmp_path / name / "generate.json").read_text())
        assert info["mode"] in ("traverse", "interpolate", "attribute") and info["files"]


def test_many_samples_stream_to_z_and_the_grid_is_capped(encoded_run, tmp_path):
    result = generate_samples(encoded_run, "normal", tmp_path / "many", num_samples=300,
                              decoding=Decoding(grid_limit=14))
    assert np.load(tmp_path / "many" / "z.npy").shape == (300, 8)
    assert Image.open(tmp_path / "many" / "grid.png").size == grid_size(14)
    assert any("first 14 of 300" in note for note in result.notes)
    with pytest.raises(ZspaceError, match="GiB"):
        generate_samples(encoded_run, "normal", tmp_path / "huge", num_samples=10**15)
    assert not (tmp_path / "huge").exists()


def test_categorical_attribute_takes_one_class_against_the_rest():
    from zspace.generate.attributes import attribute_values

    index = {"label": np.array([0, 1, 2, 1]), "label_name": np.array(["Shirt", "Sneaker", "Bag", "Sneaker"]),
             "glasses": np.array([0, 1, 0, 1])}
    name, values = attribute_values(index, "label=Sneaker")
    assert name == "label=Sneaker" and values.tolist() == [0, 1, 0, 1]
    assert attribute_values(index, "label=2")[1].tolist() == [0, 0, 1, 0]
    assert attribute_values(index, "glasses")[1].tolist() == [0, 1, 0, 1]
    with pytest.raises(ZspaceError, match="categorical.*label=Shirt"):
        attribute_values(index, "label")
    with pytest.raises(ZspaceError, match="no class 'Hat'"):
        attribute_values(index, "label=Hat")


def test_read_only_run_fits_without_the_cache_and_says_so(encoded_run, tmp_path, monkeypatch):
    import zspace.generate.from_run as from_run

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Read-only file system")

    monkeypatch.setattr(from_run, "fit_cached", refuse)
    result = generate_samples(encoded_run, "diag", tmp_path / "ro", num_samples=4)
    assert result.z.shape == (4, 8) and result.reused_fit is False
    assert any("Read-only file system" in note and "not cached" in note for note in result.notes)


def test_default_output_is_under_the_runs_samples(encoded_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(encoded_run, run)
    assert main(["generate", str(run), "--sampler", "uniform:b=1.5", "--n", "2"]) == 0
    assert main(["generate", str(run), "--traverse", "pca:1", "--rows", "1"]) == 0
    assert sorted(p.name for p in (run / "samples").iterdir()) == ["traverse-pca_1", "uniform_b-1.5"]
    assert (run / "samples" / "uniform_b-1.5" / "generate.json").is_file()
