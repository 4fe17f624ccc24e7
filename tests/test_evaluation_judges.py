"""Judge networks (issue 13): trained on the cache, stored beside it, reused while the checksum matches."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import small_faces

from zspace.data.cache import open_cache, prepare_cache
from zspace.data.source import ImageSource
from zspace.data.synthetic_faces import render_faces, sample_factors
from zspace.errors import ZspaceError
from zspace.evaluation.judges import JudgeSettings, choose_judge, judge_files, open_judge
from zspace.io import load_json, save_json

FAST = JudgeSettings(epochs=1, max_train=200, max_heldout=100)


@pytest.fixture(scope="module")
def faces(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_faces(tmp_path_factory, "judges", seed=5, val_fraction=0.25)


@pytest.fixture(scope="module")
def attributes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CelebA-like cache: two 0/1 attribute columns listed in dataset.json, one with unknown (-1) values."""
    factors = sample_factors(300, seed=7)
    glasses = factors["glasses"].astype(np.int8)
    smiling = (factors["smile"] > 0.5).astype(np.int8)
    smiling[::17] = -1
    index = {"source_id": np.array([f"{i:06d}.jpg" for i in range(300)]), "Eyeglasses": glasses,
             "Smiling": smiling}
    source = ImageSource("celeba-like", 300, 32, 32, 3, index, lambda a, b: render_faces(
        {k: v[a:b] for k, v in factors.items()}, 32), {"attributes": ["Eyeglasses", "Smiling"]})
    out = tmp_path_factory.mktemp("judges") / "attributes"
    prepare_cache(source, out, val_fraction=0.25)
    return out


def copy(cache: Path, tmp_path: Path) -> Path:
    target = tmp_path / cache.name
    shutil.copytree(cache, target)
    return target


def test_factor_judge_trains_records_its_score_and_is_reused(faces: Path, tmp_path: Path) -> None:
    cache = open_cache(copy(faces, tmp_path))
    judge = open_judge(cache, "auto", FAST)
    assert judge.name == "factors" and not judge.reused
    weights, record_file = judge_files(cache, "factors")
    assert weights.is_file() and record_file.is_file()
    record = load_json(record_file)
    assert record["cache_checksum"] == cache.meta["checksum"] and record["settings"]["epochs"] == 1
    assert set(record["heldout"]["r2"]) >= {"skin_tone", "smile"} and 0 <= record["heldout"]["glasses_accuracy"] <= 1
    assert record["heldout"]["split"] == "val" and record["train_seconds"] > 0
    again = open_judge(cache, "factors", FAST)
    assert again.reused
    images = cache.images[:40]
    np.testing.assert_array_equal(judge.embed(images)[0], again.embed(images)[0])
    features, outputs = again.embed(images)
    assert features.shape == (40, 128) and outputs.shape == (40, 13) and np.isfinite(features).all()
    assert not open_judge(cache, "random", FAST).reused  # another kind: its own files


def test_changed_cache_checksum_retrains_the_judge(faces: Path, tmp_path: Path) -> None:
    folder = copy(faces, tmp_path)
    open_judge(open_cache(folder), "random", FAST)
    assert open_judge(open_cache(folder), "random", FAST).reused
    meta = load_json(folder / "dataset.json")
    save_json(folder / "dataset.json", {**meta, "checksum": "sha256:" + "0" * 64})
    judge = open_judge(open_cache(folder), "random", FAST)
    assert not judge.reused and judge.record["cache_checksum"] == "sha256:" + "0" * 64


def test_random_judge_needs_no_labels_and_is_deterministic(faces: Path, tmp_path: Path) -> None:
    first = open_judge(open_cache(copy(faces, tmp_path / "a")), "random", FAST)
    second = open_judge(open_cache(copy(faces, tmp_path / "b")), "random", FAST)
    assert first.record["heldout"] is None and first.network.head is None
    images = open_cache(faces).images[:30]
    features, outputs = first.embed(images)
    assert outputs is None and features.std(axis=0).mean() > 0
    np.testing.assert_array_equal(features, second.embed(images)[0])


def test_multi_label_classifier_on_attributes(attributes: Path, tmp_path: Path) -> None:
    cache = open_cache(copy(attributes, tmp_path))
    judge = open_judge(cache, "auto", FAST)
    assert judge.name == "classifier" and judge.output_names == ["Eyeglasses", "Smiling"]
    heldout = judge.record["heldout"]
    assert set(heldout["per_attribute"]) == {"Eyeglasses", "Smiling"} and 0 <= heldout["accuracy"] <= 1


def test_read_only_cache_still_judges_and_says_so(faces: Path, tmp_path: Path) -> None:
    folder = copy(faces, tmp_path)
    folder.chmod(0o555)
    try:
        judge = open_judge(open_cache(folder), "random", FAST)
    finally:
        folder.chmod(0o755)
    if judge.notes:  # root can write anyway
        assert "cannot be written" in judge.notes[0]


def test_choosing_a_judge(faces: Path, attributes: Path) -> None:
    assert choose_judge(open_cache(faces)).name == "factors"
    assert choose_judge(open_cache(attributes)).name == "classifier"
    with pytest.raises(ZspaceError, match="judge 'factors' does not apply"):
        choose_judge(open_cache(attributes), "factors")
    with pytest.raises(ZspaceError, match="judge 'inception' is unknown"):
        choose_judge(open_cache(faces), "inception")
