"""Which known factor a structure follows (zspace.analysis.structure.factors): planted rings, lines and classes."""

from __future__ import annotations

import numpy as np
import pytest

from zspace.analysis.structure.factors import (
    circular_alignment,
    eta_squared,
    is_categorical,
    local_factor_alignment,
    neighbour_agreement,
    plane_angle,
    plane_factors,
)
from zspace.errors import ZspaceError


def ring(count: int = 2000, seed: int = 0) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """A noisy ring whose angle is a circular hue; an unrelated factor beside it."""
    rng = np.random.default_rng(seed)
    hue = rng.uniform(0, 1, count)
    radius = 3 + 0.1 * rng.standard_normal(count)
    points = np.column_stack([radius * np.cos(-2 * np.pi * hue + 0.5), radius * np.sin(-2 * np.pi * hue + 0.5)])
    return points, {"hue": hue, "noise": rng.uniform(0, 1, count)}


def test_a_ring_follows_its_circular_factor() -> None:
    points, factors = ring()
    found = circular_alignment(plane_angle(points), factors["hue"])
    assert found["turning"] > 0.98 and found["sense"] == -1.0 and found["offset"] == pytest.approx(0.5, abs=0.05)
    assert circular_alignment(plane_angle(points), factors["noise"])["turning"] < 0.1
    table = plane_factors(points, factors)
    # a sawtooth in the angle: its first harmonic (cos, sin) explains 6 / pi^2 = 0.61 of its variance
    assert table["hue"]["angle_r2"] == pytest.approx(6 / np.pi**2, abs=0.03) and table["noise"]["angle_r2"] < 0.01
    assert table["hue"]["linear_r2"] > 0.5  # a line through the ring sees part of it


def test_classes() -> None:
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 5, 3000)
    points = np.eye(5)[labels] * 10 + rng.standard_normal((3000, 5))
    assert is_categorical(labels) and not is_categorical(rng.uniform(size=10)) and not is_categorical(np.array([0, 1]))
    assert eta_squared(points, labels) > 0.85 and eta_squared(points, rng.permutation(labels)) < 0.01
    agreement = neighbour_agreement(points, labels, k=5, queries=300)
    assert agreement["same_class_share"] > 0.99 and agreement["chance"] == pytest.approx(0.2, abs=0.02)
    assert plane_factors(points[:, :2], {"labels": labels})["labels"]["linear_r2"] > 0.3


def test_filaments_follow_the_factor_that_moves_along_them() -> None:
    rng = np.random.default_rng(2)
    count = 3000
    along, which = rng.uniform(0, 1, count), rng.integers(0, 6, count).astype(float)
    starts, directions = rng.standard_normal((6, 32)) * 5, rng.standard_normal((6, 32))
    idx = which.astype(int)
    points = starts[idx] + along[:, None] * 8 * directions[idx] + 0.01 * rng.standard_normal((count, 32))
    found = local_factor_alignment(points, {"along": along, "other": rng.uniform(0, 1, count)}, k=15, queries=300)
    assert found["alignment"]["along"] > 0.95 and found["alignment"]["other"] < 2 * found["chance"]
    assert found["anisotropy"] > 100
    with pytest.raises(ZspaceError, match="rows"):
        local_factor_alignment(points, {"short": along[:10]})
