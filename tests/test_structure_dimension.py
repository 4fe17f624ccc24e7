"""Intrinsic dimension on manifolds of known dimension (issue 12), against scikit-dimension on the same data."""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest

from zspace.analysis.structure.intrinsic_dimension import intrinsic_dimensions, mle, mle_at, pca_dimensions, twonn
from zspace.errors import ZspaceError
from zspace.neighbours import knn

POINTS = 2000
DIM = 256


def embed(points: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Points (n, m) mapped isometrically into R^256 by a random orthonormal frame, plus an offset."""
    frame, _ = np.linalg.qr(rng.standard_normal((DIM, points.shape[1])))  # (256, m)
    return points @ frame.T + rng.standard_normal(DIM)


def helix(rng: np.random.Generator) -> np.ndarray:
    t = rng.uniform(0, 4 * np.pi, POINTS)
    return embed(np.c_[np.cos(t), np.sin(t), 0.3 * t], rng)


def swiss_roll(rng: np.random.Generator) -> np.ndarray:
    t = 1.5 * np.pi * (1 + 2 * rng.uniform(size=POINTS))  # as sklearn.datasets.make_swiss_roll
    height = 21 * rng.uniform(size=POINTS)
    return embed(np.c_[t * np.cos(t), height, t * np.sin(t)], rng)


def subspace(rng: np.random.Generator) -> np.ndarray:
    return embed(rng.standard_normal((POINTS, 10)), rng)


MANIFOLDS = {"helix": (helix, 1), "swiss_roll": (swiss_roll, 2), "subspace_10": (subspace, 10)}


def with_small_noise(points: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Isotropic noise in all 256 directions, its typical length 1% of the median neighbour distance."""
    distances, _ = knn(points, points, 1, self_rows=np.arange(len(points)), backend="numpy")
    sigma = 0.01 * np.median(distances) / np.sqrt(2 * DIM)
    return points + sigma * rng.standard_normal(points.shape)


@functools.cache
def make_manifold(name: str, noisy: bool) -> tuple[np.ndarray, np.ndarray, int]:
    """(points, sorted distances to the 20 nearest neighbours, true dimension), made once per session."""
    make, dimension = MANIFOLDS[name]
    rng = np.random.default_rng(7)
    points = make(rng)
    if noisy:
        points = with_small_noise(points, rng)
    distances, _ = knn(points, points, 20, self_rows=np.arange(len(points)))
    return points, distances, dimension


@pytest.mark.parametrize("noisy", [False, True], ids=["exact", "noise"])
@pytest.mark.parametrize("name", list(MANIFOLDS))
def test_twonn_and_mle_within_ten_percent(name, noisy):
    _, distances, dimension = make_manifold(name, noisy)
    assert twonn(distances) == pytest.approx(dimension, rel=0.1)
    assert mle(distances, (10, 20)) == pytest.approx(dimension, rel=0.1)


@pytest.mark.parametrize("name", list(MANIFOLDS))
def test_agrees_with_scikit_dimension(name):
    """Same data, same estimator: TwoNN (linear fit, 10% discarded) and MLE per k with the inverse mean."""
    skdim = pytest.importorskip("skdim")
    points, distances, _ = make_manifold(name, True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference_twonn = skdim.id.TwoNN(discard_fraction=0.1).fit(points).dimension_
        reference_mle = [skdim.id.MLE().fit(points, n_neighbors=k, comb="mle").dimension_ for k in (10, 20)]
    assert twonn(distances, 0.1) == pytest.approx(reference_twonn, rel=1e-6)
    assert [mle_at(distances, k) for k in (10, 20)] == pytest.approx(reference_mle, rel=1e-6)


def test_pca_dimensions_of_a_subspace():
    rng = np.random.default_rng(1)
    points = subspace(rng)
    centred = points - points.mean(axis=0)
    dims = pca_dimensions(points.mean(axis=0), centred.T @ centred / (len(points) - 1))
    assert 8 <= dims["pca_90"] <= dims["pca_95"] <= 10


def test_intrinsic_dimensions_keys():
    rng = np.random.default_rng(2)
    points = rng.standard_normal((300, 3))
    distances, _ = knn(points, points, 20, self_rows=np.arange(300))
    centred = points - points.mean(axis=0)
    result = intrinsic_dimensions(distances, points.mean(axis=0), centred.T @ centred / 299)
    assert set(result) == {"twonn", "mle", "pca_90", "pca_95"}
    assert result["pca_95"] == 3


def test_duplicates_are_left_out():
    rng = np.random.default_rng(3)
    points = rng.standard_normal((400, 2))
    doubled = np.concatenate([points, points[:50]])
    distances, _ = knn(doubled, doubled, 20, self_rows=np.arange(len(doubled)))
    assert np.isfinite(twonn(distances)) and np.isfinite(mle(distances))
    assert twonn(distances) == pytest.approx(2, rel=0.15)


@pytest.mark.parametrize("call", [lambda d: twonn(d, 1.0), lambda d: mle(d, (1, 5)), lambda d: mle_at(d, 30)])
def test_bad_settings_raise(call):
    distances = np.sort(np.random.default_rng(0).uniform(0.1, 1, (50, 20)), axis=1)
    with pytest.raises(ZspaceError):
        call(distances)
