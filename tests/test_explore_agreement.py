"""Neighbourhood agreement (issue 22 §1): against a brute-force reference and on known cases (the route: linked_api)."""

from __future__ import annotations

import numpy as np
import pytest

from zspace.explore.agreement import agreement_sample, neighbourhood_agreement


def brute_force(a: np.ndarray, b: np.ndarray, k: int) -> np.ndarray:
    """|N_a(i) ∩ N_b(i)| / k from full float64 distance matrices and a stable sort."""
    shares = []
    neighbours = []
    for space in (a, b):
        points = np.asarray(space, dtype=np.float64)
        distances = ((points[:, None, :] - points[None, :, :]) ** 2).sum(-1)
        np.fill_diagonal(distances, np.inf)
        neighbours.append(np.argsort(distances, axis=1, kind="stable")[:, :k])
    for mine, theirs in zip(*neighbours, strict=True):
        shares.append(len(set(mine) & set(theirs)) / k)
    return np.array(shares)


def test_matches_a_brute_force_reference() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=(300, 6)).astype(np.float32)
    b = (a[:, :3] + rng.normal(0, 0.5, (300, 3))).astype(np.float32)  # related, not equal: shares spread over [0, 1]
    found = neighbourhood_agreement(a, b, k=10)
    expected = brute_force(a, b, 10)
    assert found.dtype == np.float32 and found.shape == (300,)
    np.testing.assert_allclose(found, expected, atol=1e-6)
    assert 0.1 < found.mean() < 0.9 and found.min() >= 0 and found.max() <= 1
    np.testing.assert_allclose(neighbourhood_agreement(b, a, k=10), found, atol=1e-6)  # symmetric


def test_a_rotation_agrees_everywhere_and_noise_by_chance_only() -> None:
    rng = np.random.default_rng(1)
    a = rng.normal(size=(2000, 8))
    rotation, _ = np.linalg.qr(rng.normal(size=(8, 8)))
    assert np.all(neighbourhood_agreement(a, a @ rotation * 3.0 + 5.0) == 1.0)
    chance = neighbourhood_agreement(a, rng.normal(size=(2000, 8)))
    assert abs(chance.mean() - 10 / 1999) < 0.003  # expected overlap k / (n - 1) = 0.005


def test_above_the_sample_only_sampled_rows_are_measured_within_the_sample() -> None:
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(500, 4)), rng.normal(size=(500, 4))
    found = neighbourhood_agreement(a, b, k=5, sample=120, seed=3)
    rows = agreement_sample(500, 120, 3)
    assert len(rows) == 120 and np.array_equal(np.flatnonzero(np.isfinite(found)), rows)
    np.testing.assert_allclose(found[rows], brute_force(a[rows], b[rows], 5), atol=1e-6)
    with pytest.raises(ValueError, match="same rows"):
        neighbourhood_agreement(a, b[:10])

