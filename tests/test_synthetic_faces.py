"""The procedural cartoon faces: factors, rendering, determinism, the source."""

from __future__ import annotations

import numpy as np
import pytest

from zspace.data import synthetic_faces
from zspace.data.source import ImageSource
from zspace.data.synthetic_faces import (
    FACTOR_NAMES,
    render_faces,
    sample_factors,
    synthetic_faces_source,
)
from zspace.errors import ZspaceError


def neutral(count: int, **changes: object) -> dict[str, np.ndarray]:
    """``count`` faces with every continuous factor at 0.5, no glasses, then ``changes``."""
    factors = {name: np.full(count, 0.5, dtype=np.float32) for name in FACTOR_NAMES}
    factors["glasses"] = np.zeros(count, dtype=np.int8)
    for name, values in changes.items():
        factors[name] = np.asarray(values, dtype=factors[name].dtype)
    return factors


def mean_abs_diff(first: np.ndarray, second: np.ndarray) -> float:
    return float(np.abs(first.astype(np.int16) - second.astype(np.int16)).mean())


def test_factors_are_named_in_range_and_typed() -> None:
    assert len(FACTOR_NAMES) >= 8
    assert len(set(FACTOR_NAMES)) == len(FACTOR_NAMES)
    factors = sample_factors(500, seed=3)
    assert list(factors) == [*FACTOR_NAMES, "glasses"]
    for name in FACTOR_NAMES:
        values = factors[name]
        assert values.dtype == np.float32 and values.shape == (500,)
        assert values.min() >= 0.0 and values.max() <= 1.0
        assert values.std() > 0.2  # spread over the range, not stuck
    assert factors["glasses"].dtype == np.int8
    assert set(np.unique(factors["glasses"])) == {0, 1}


def test_sample_factors_is_deterministic_per_seed_and_prefix_stable() -> None:
    first, again = sample_factors(50, seed=7), sample_factors(50, seed=7)
    other = sample_factors(50, seed=8)
    longer = sample_factors(80, seed=7)
    for name in first:
        np.testing.assert_array_equal(first[name], again[name])
        np.testing.assert_array_equal(first[name], longer[name][:50])
    assert not np.array_equal(first["smile"], other["smile"])


def test_glasses_share_is_near_thirty_percent() -> None:
    share = sample_factors(2000, seed=0)["glasses"].mean()
    assert 0.26 < share < 0.34


@pytest.mark.parametrize("size", [28, 64, 96])
def test_render_shape_and_dtype(size: int) -> None:
    images = render_faces(sample_factors(3, seed=1), size)
    assert images.shape == (3, size, size, 3)
    assert images.dtype == np.uint8
    assert images.std() > 20  # a drawing, not a flat fill


def test_render_is_deterministic() -> None:
    factors = sample_factors(10, seed=2)
    first = render_faces(factors, 48)
    second = render_faces({name: values.copy() for name, values in factors.items()}, 48)
    assert first.tobytes() == second.tobytes()


def test_a_face_renders_the_same_in_any_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    # Chunks of 3 images, so the ranges below start and end mid-chunk.
    monkeypatch.setattr(synthetic_faces, "_CHUNK_PIXELS", 3 * 32 * 32)
    source = synthetic_faces_source(count=20, size=32, seed=5)
    everything = source.read(0, 20)
    for start, stop in [(0, 1), (4, 11), (7, 20), (19, 20), (6, 6)]:
        part = source.read(start, stop)
        assert part.shape == (stop - start, 32, 32, 3)
        assert part.tobytes() == everything[start:stop].tobytes()
    factors = sample_factors(20, seed=5)
    alone = render_faces({name: values[13:14] for name, values in factors.items()}, 32)
    assert alone.tobytes() == everything[13:14].tobytes()


def test_source_has_index_details_and_shape() -> None:
    source = synthetic_faces_source(count=12, size=32, seed=4)
    assert isinstance(source, ImageSource)
    assert source.name == "synthetic-faces"
    assert source.shape == (12, 32, 32, 3)
    assert source.index["source_id"][0] == "face-000000"
    assert source.index["source_id"][11] == "face-000011"
    factors = sample_factors(12, seed=4)
    for name in [*FACTOR_NAMES, "glasses"]:
        np.testing.assert_array_equal(source.index[name], factors[name])
    assert source.details == {
        "seed": 4,
        "factors": [*FACTOR_NAMES, "glasses"],
        "generator": "zspace.synthetic_faces v1",
    }
    assert source.read(2, 5).tobytes() == render_faces(
        {name: values[2:5] for name, values in factors.items()}, 32
    ).tobytes()


def test_images_vary() -> None:
    images = render_faces(sample_factors(16, seed=9), 32)
    flat = images.reshape(16, -1)
    for i in range(16):
        for j in range(i + 1, 16):
            assert mean_abs_diff(flat[i], flat[j]) > 5, (i, j)
    assert images.astype(np.float32).std(axis=0).mean() > 25


@pytest.mark.parametrize("name", FACTOR_NAMES)
def test_each_factor_changes_the_image(name: str) -> None:
    low, high = render_faces(neutral(2, **{name: [0.1, 0.9]}), 64)
    assert mean_abs_diff(low, high) > 0.4


@pytest.mark.parametrize("name", FACTOR_NAMES)
def test_each_factor_changes_the_image_smoothly(name: str) -> None:
    # A VAE needs continuity: a 1% step moves the image far less than an 80% one.
    images = render_faces(neutral(3, **{name: [0.1, 0.5, 0.51]}), 64)
    assert mean_abs_diff(images[1], images[2]) < 0.1 * mean_abs_diff(images[0], images[1]) + 0.05


def test_glasses_change_only_the_face() -> None:
    without, with_glasses = render_faces(neutral(2, glasses=[0, 1]), 64)
    assert mean_abs_diff(without, with_glasses) > 0.4
    changed = np.argwhere(np.any(without != with_glasses, axis=-1))
    # Around the eyes: the middle band of the image.
    assert changed[:, 0].min() > 10 and changed[:, 0].max() < 40
    assert with_glasses.astype(int).sum() < without.astype(int).sum()  # dark frames


def test_background_hue_changes_the_corner_only_it_changes() -> None:
    images = render_faces(neutral(3, background_hue=[0.1, 0.9, 0.1], skin_tone=[0.5, 0.5, 0.9]), 64)
    assert np.abs(images[0, 0, 0].astype(int) - images[1, 0, 0].astype(int)).max() > 30
    np.testing.assert_array_equal(images[0, 0, 0], images[2, 0, 0])


def test_skin_tone_runs_light_to_dark() -> None:
    images = render_faces(neutral(3, skin_tone=[0.0, 0.5, 1.0]), 64).astype(int)
    cheek = images[:, 40, 24].sum(axis=-1)  # below the left eye, beside the nose
    assert cheek[0] > cheek[1] > cheek[2]


def test_light_direction_shades_the_far_side() -> None:
    images = render_faces(neutral(2, light_direction=[0.0, 1.0]), 64).astype(int)
    left, right = images[:, 30:45, 20:30].mean(), images[:, 30:45, 34:44].mean()
    assert images[0, 30:45, 20:30].mean() > images[0, 30:45, 34:44].mean() + 10  # lit from left
    assert images[1, 30:45, 34:44].mean() > images[1, 30:45, 20:30].mean() + 10  # from right
    assert left == pytest.approx(right, abs=10)  # same light overall


def test_factors_are_clipped_to_the_unit_range() -> None:
    outside = render_faces(neutral(2, smile=[-3.0, 7.0], eye_size=[1.5, -0.5]), 32)
    inside = render_faces(neutral(2, smile=[0.0, 1.0], eye_size=[1.0, 0.0]), 32)
    assert outside.tobytes() == inside.tobytes()


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"count": 0}, "--count 0"),
        ({"count": -5}, "--count -5"),
        ({"count": 2.5}, "--count 2.5"),
        ({"count": "10"}, "--count '10'"),
        ({"size": 4}, "--size 4: synthetic faces need a size of at least 8 pixels"),
        ({"size": 2048}, "--size 2048"),
        ({"size": True}, "--size True"),
        ({"seed": -1}, "--seed -1"),
    ],
)
def test_bad_source_arguments_raise(kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises(ZspaceError, match=fragment.replace("'", ".")) as caught:
        synthetic_faces_source(**kwargs)
    assert "\n" not in str(caught.value)


def test_bad_render_arguments_raise() -> None:
    good = sample_factors(2)
    with pytest.raises(ZspaceError, match="--size 7"):
        render_faces(good, 7)
    with pytest.raises(ZspaceError, match="smile"):
        render_faces({name: v for name, v in good.items() if name != "smile"}, 32)
    with pytest.raises(ZspaceError, match="lengths"):
        render_faces({**good, "smile": np.zeros(3, np.float32)}, 32)
    with pytest.raises(ZspaceError, match="eye_size"):
        render_faces({**good, "eye_size": np.array([0.5, np.nan], np.float32)}, 32)
    with pytest.raises(ZspaceError, match="--count 0"):
        sample_factors(0)
    with pytest.raises(ZspaceError, match="rows 3:9"):
        synthetic_faces_source(count=5, size=16).read(3, 9)
