"""Feature spaces from local weights (issue 20): tiny random DINOv2 and CLIP folders, a user's extractor.

zspace's features must equal calling transformers directly (the folder's image processor, then the
model's pooled CLS output); FD of a set with itself is 0; features are cached per run and space;
``zspace evaluate RUN --features dinov2:DIR`` prints a table labelled with the space; bad inputs
stop with one line and exit 2.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import tiny_configs

from zspace.cli import main as cli_main
from zspace.data.cache import prepare_cache
from zspace.data.loader import to_model_input
from zspace.data.synthetic_faces import synthetic_faces_source
from zspace.encoding import encode
from zspace.errors import ZspaceError
from zspace.evaluation.feature_space_open import open_feature_space
from zspace.evaluation.features import EvaluationOptions, measure_features
from zspace.evaluation.run_level import RunEvaluationOptions, evaluate_runs
from zspace.evaluation.table import console_cells, in_space
from zspace.training.train import train

transformers = pytest.importorskip("transformers")

TINY = {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64,
        "image_size": 32, "patch_size": 8}
FAST = ["--bootstrap", "3", "--kid-subsets", "3", "--kid-subset-size", "40", "--fd-points", "3"]
EXTRACTOR = """
import torch

def extract():
    torch.manual_seed(1)
    return torch.nn.Sequential(torch.nn.AdaptiveAvgPool2d(4), torch.nn.Flatten(), torch.nn.Linear(48, 6))

def not_a_module():
    return "features"
"""


def save_dinov2(folder: Path) -> Path:
    torch.manual_seed(0)
    transformers.Dinov2Model(transformers.Dinov2Config(**TINY)).save_pretrained(folder)
    transformers.BitImageProcessorPil(size={"shortest_edge": 36}, crop_size={"height": 32, "width": 32},
                                      image_mean=[0.485, 0.456, 0.406],
                                      image_std=[0.229, 0.224, 0.225]).save_pretrained(folder)
    return folder


def save_clip(folder: Path, whole: bool = False) -> Path:
    """A CLIPVisionModel folder, or (``whole``) a whole CLIPModel whose vision tower zspace takes."""
    torch.manual_seed(0)
    if whole:
        config = transformers.CLIPConfig(text_config={**TINY, "vocab_size": 64, "bos_token_id": 0,
                                                      "eos_token_id": 1, "pad_token_id": 1},
                                         vision_config=TINY, projection_dim=16)
        transformers.CLIPModel(config).save_pretrained(folder)
    else:
        transformers.CLIPVisionModel(transformers.CLIPVisionConfig(**TINY)).save_pretrained(folder)
    transformers.CLIPImageProcessorPil(size={"shortest_edge": 32},
                                       crop_size={"height": 32, "width": 32}).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("spaces")
    (root / "features.py").write_text(EXTRACTOR)
    return {"dinov2": save_dinov2(root / "dinov2"), "clip": save_clip(root / "clip"),
            "clip-whole": save_clip(root / "clip-whole", whole=True), "file": root / "features.py"}


def images(count: int, seed: int, shape: tuple[int, int, int] = (40, 48, 3)) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (count, *shape), dtype=np.uint8)


@torch.no_grad()
def transformers_features(folder: Path, kind: str, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What transformers gives by itself: (pooler_output, the CLS token after the final layer norm)."""
    processor = transformers.AutoImageProcessor.from_pretrained(folder, local_files_only=True)
    pixels = processor(images=list(batch), return_tensors="pt")["pixel_values"]
    if kind == "dinov2":
        output = transformers.Dinov2Model.from_pretrained(folder, local_files_only=True).eval()(pixel_values=pixels)
        return output.pooler_output.numpy(), output.last_hidden_state[:, 0].numpy()  # already layer-normed
    model = transformers.CLIPVisionModel.from_pretrained(folder, local_files_only=True).eval()
    output = model(pixel_values=pixels)
    tower = getattr(model, "vision_model", model)  # transformers 4 nests the tower, 5 does not
    return output.pooler_output.numpy(), tower.post_layernorm(output.last_hidden_state[:, 0]).numpy()


@pytest.mark.parametrize(("spec", "kind"), [("dinov2", "dinov2"), ("clip", "clip"), ("clip-whole", "clip")])
def test_features_equal_transformers(folders: dict[str, Path], spec: str, kind: str) -> None:
    space = open_feature_space(f"{kind}:{folders[spec]}")
    batch = images(70, seed=1)  # 40 x 48: resized and centre-cropped to 32 x 32 by the processor
    features, outputs = space.embed(batch)
    pooled, cls = transformers_features(folders[spec], kind, batch)
    assert outputs is None and features.shape == (70, 32) and features.dtype == np.float32
    np.testing.assert_allclose(features, pooled, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(features, cls, rtol=1e-5, atol=1e-6)
    assert space.name == {"dinov2": "DINOv2", "clip": "CLIP"}[kind] and space.record["feature_dim"] == 32
    assert space.record["checksum"].startswith("sha256:") and space.record["preprocessing"]["crop_size"]["height"]
    grey = batch[..., :1]  # one channel: seen as RGB with three equal channels
    np.testing.assert_allclose(space.embed(grey)[0], space.embed(np.repeat(grey, 3, axis=-1))[0], rtol=1e-6)


def test_fd_of_a_set_with_itself_is_zero(folders: dict[str, Path]) -> None:
    space = open_feature_space(f"dinov2:{folders['dinov2']}")
    first, _ = space.embed(images(120, seed=2))
    other, _ = space.embed(images(120, seed=3)[:, ::-1] // 2)  # darker, flipped: another distribution
    options = EvaluationOptions(bootstrap=0, kid_subsets=3, kid_subset_size=50, fd_points=0)
    itself = measure_features(first, first, options).row
    assert itself["fd"] == pytest.approx(0.0, abs=1e-8 * np.trace(np.cov(first.T)))
    assert itself["precision"] == itself["recall"] == itself["coverage"] == 1.0
    assert measure_features(first, other, options).row["fd"] > 0.01 * np.trace(np.cov(first.T))


def test_features_are_cached_by_space_and_images(folders: dict[str, Path], tmp_path: Path) -> None:
    space = open_feature_space(f"dinov2:{folders['dinov2']}").in_folder(tmp_path)
    batch = images(20, seed=4)
    first, _ = space.embed(batch)
    files = list(tmp_path.rglob("*.npy"))
    assert [f.parent.name for f in files] == [space.key] and space.key.startswith("dinov2-")
    assert space.counts == {"computed": 1, "reused": 0}
    again, _ = space.embed(batch.copy())
    np.testing.assert_array_equal(again, first)
    assert space.counts == {"computed": 1, "reused": 1}
    space.embed(batch[:19])  # other images: computed
    assert space.counts["computed"] == 2 and len(list(tmp_path.rglob("*.npy"))) == 2
    files[0].write_bytes(b"damaged")
    np.testing.assert_array_equal(space.embed(batch)[0], first)  # recomputed, not read
    assert space.counts["computed"] == 3
    clip = open_feature_space(f"clip:{folders['clip']}").in_folder(tmp_path)
    assert clip.key != space.key and not np.array_equal(clip.embed(batch)[0], first)


def test_a_users_extractor(folders: dict[str, Path]) -> None:
    space = open_feature_space(f"{folders['file']}:extract")
    batch = images(30, seed=5, shape=(16, 16, 3))
    features, _ = space.embed(batch)
    torch.manual_seed(1)
    module = torch.nn.Sequential(torch.nn.AdaptiveAvgPool2d(4), torch.nn.Flatten(), torch.nn.Linear(48, 6))
    with torch.no_grad():
        expected = module(to_model_input(torch.from_numpy(batch))).numpy()
    np.testing.assert_allclose(features, expected, rtol=1e-6)
    assert space.name == "extract" and space.record["feature_dim"] == 6 and space.record["kind"] == "file"


def test_table_names_the_space() -> None:
    row = {"run": "ae", "model": "ae", "sampler": "normal", "judge": "DINOv2", "n_fake": 5, "fd": 1.0,
           "fd_ci": None, "kid": 0.1, "kid_std": 0.01, "precision": 1.0, "recall": 1.0, "density": 1.0,
           "coverage": 1.0}
    assert console_cells([row])[0][2:4] == ["FD", "FD CI"]  # a judge's rows: plain names
    headings = console_cells([{**row, "feature_space": "DINOv2"}])[0]
    assert headings[2:7] == ["FD_DINOv2", "FD_DINOv2 CI", "FD∞_DINOv2", "KID_DINOv2", "KID_DINOv2 std"]
    assert in_space(["precision", "FD latent"], [{"feature_space": "CLIP"}]) == ["precision", "FD latent"]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny encoded AE on 200 synthetic faces, 70 held out: more than the 32 + 1 FD needs."""
    root = tmp_path_factory.mktemp("space-run")
    prepare_cache(synthetic_faces_source(count=200, size=32, seed=5), root / "faces", val_fraction=0.35)
    train(*tiny_configs(root / "faces", model="ae", epochs=1), root / "ae")
    encode(root / "ae")
    return root / "ae"


def evaluate(*args: str) -> int:
    return cli_main.main(["evaluate", *args])


def test_evaluate_prints_a_table_labelled_with_the_space(folders: dict[str, Path], run: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZSPACE_PROGRESS", "off")
    argv = [str(run), "--features", f"dinov2:{folders['dinov2']}", "--samplers", "normal", "--n", "60", *FAST]
    assert evaluate(*argv, "--out", str(tmp_path / "a")) == 0
    printed = capsys.readouterr().out
    assert "FD_DINOv2" in printed and "KID_DINOv2" in printed and "not comparable to judge FDs" in printed
    assert "computed, cached in" in printed
    saved = json.loads((tmp_path / "a" / "evaluation.json").read_text())
    assert [r["sampler"] for r in saved["rows"]] == ["held-out data", "held-out reconstructions", "normal"]
    assert all(r["feature_space"] == "DINOv2" and r["judge"] == "DINOv2" and r["dim"] == 32 for r in saved["rows"])
    assert saved["judges"][0]["checksum"].startswith("sha256:") and saved["options"]["features"].startswith("dinov2:")
    assert "FD_DINOv2" in (tmp_path / "a" / "evaluation.md").read_text()
    cached = sorted((run / "features").rglob("*.npy"))
    assert len(cached) == 4  # training images, held-out images, their reconstructions, the normal samples
    assert evaluate(*argv, "--out", str(tmp_path / "b")) == 0  # the same again: every feature set from the cache
    assert "reused from" in capsys.readouterr().out
    again = json.loads((tmp_path / "b" / "evaluation.json").read_text())
    assert again["rows"] == saved["rows"] and sorted((run / "features").rglob("*.npy")) == cached


def test_library_refuses_a_judge_and_a_space_and_too_few_samples(run: Path, folders: dict[str, Path]) -> None:
    with pytest.raises(ZspaceError, match="give one"):
        evaluate_runs([run], RunEvaluationOptions(judge="random", features=f"dinov2:{folders['dinov2']}"))
    before = sorted(run.rglob("*"))
    with pytest.raises(ZspaceError, match="32 DINOv2 features needs at least d [+] 1 = 33") as caught:
        evaluate_runs([run], RunEvaluationOptions(samplers=("normal",), num_samples=32,
                                                  features=f"dinov2:{folders['dinov2']}"))
    assert caught.value.options == ("num_samples",) and sorted(run.rglob("*")) == before  # refused before work


def _not_hugging_face(tmp: Path, folders: dict[str, Path]) -> str:
    (tmp / "empty").mkdir()
    return f"dinov2:{tmp / 'empty'}"


def _no_safetensors(tmp: Path, folders: dict[str, Path]) -> str:
    (tmp / "bin").mkdir()
    (tmp / "bin" / "config.json").write_text((folders["dinov2"] / "config.json").read_text())
    return f"dinov2:{tmp / 'bin'}"


def _no_processor(tmp: Path, folders: dict[str, Path]) -> str:
    (tmp / "bare").mkdir()
    for name in ("config.json", "model.safetensors"):
        (tmp / "bare" / name).write_bytes((folders["dinov2"] / name).read_bytes())
    return f"dinov2:{tmp / 'bare'}"


@pytest.mark.parametrize(("make", "fragment"), [
    (lambda t, f: f"dinov2:{t / 'missing'}", "no such folder"),
    (_not_hugging_face, "no config.json, so not a Hugging Face model folder"),
    (lambda t, f: f"dinov2:{f['clip']}", "model type 'clip_vision_model', not a DINOv2 model"),
    (lambda t, f: f"clip:{f['dinov2']}", "model type 'dinov2', not a CLIP model"),
    (_no_safetensors, "zspace loads safetensors only"),
    (_no_processor, "no preprocessor_config.json"),
    (lambda t, f: f"{f['file']}:missing", "'missing' not found in"),
    (lambda t, f: f"{f['file']}:not_a_module", "returned a str, not a torch.nn.Module"),
    (lambda t, f: f"{t / 'absent.py'}:extract", "not found"),
], ids=["missing-folder", "not-a-model-folder", "clip-as-dinov2", "dinov2-as-clip", "no-safetensors",
        "no-processor", "no-function", "not-a-module", "no-file"])
def test_bad_feature_space_one_line_exit_2(make, fragment: str, folders: dict[str, Path], run: Path,
                                           tmp_path: Path, capsys: pytest.CaptureFixture,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZSPACE_PROGRESS", "off")
    before = sorted(p.name for p in run.rglob("*"))
    code = evaluate(str(run), "--features", make(tmp_path, folders), "--samplers", "normal", "--n", "60",
                    "--out", str(tmp_path / "out"))
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("zspace: error")]
    assert code == 2 and len(errors) == 1 and fragment in errors[0] and "(--features)" in errors[0], lines
    assert all(line.startswith(("zspace: error", "importing ")) for line in lines)  # a user file is announced
    assert not (tmp_path / "out").exists() and sorted(p.name for p in run.rglob("*")) == before


def test_features_need_run_folders(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    np.save(tmp_path / "a.npy", np.zeros((10, 2)))
    assert evaluate("--real", str(tmp_path / "a.npy"), "--fake", str(tmp_path / "a.npy"), "--features",
                    "dinov2:DIR", "--out", str(tmp_path / "out")) == 2
    assert "a feature space embeds the images of run folders" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
