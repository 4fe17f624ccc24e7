"""Streaming moments and correlation against numpy on the full array (SPEC S9, X1)."""

from __future__ import annotations

import numpy as np
import pytest

from zspace.analysis.correlation import correlation_summary
from zspace.analysis.moments import streaming_moments


def test_exact_against_numpy_with_large_offset() -> None:
    # An offset of 1e4 against unit spread breaks the naive sum-of-squares formula; the shift must save it.
    rng = np.random.default_rng(1)
    data = rng.standard_normal((5_000, 12)) @ rng.standard_normal((12, 12)) + 1e4
    moments = streaming_moments(data, chunk_rows=333)  # uneven chunks, last one short
    np.testing.assert_allclose(moments.mean, data.mean(axis=0), rtol=0, atol=1e-9)
    np.testing.assert_allclose(moments.covariance, np.cov(data, rowvar=False), rtol=1e-10, atol=1e-10)
    assert np.max(np.abs(moments.correlation() - np.corrcoef(data, rowvar=False))) < 1e-10
    np.testing.assert_array_equal(moments.minimum, data.min(axis=0))
    np.testing.assert_array_equal(moments.maximum, data.max(axis=0))


def test_chunk_size_does_not_change_the_result() -> None:
    data = np.random.default_rng(2).standard_normal((1_001, 7)).astype(np.float32)
    one = streaming_moments(data, chunk_rows=1_001)
    many = streaming_moments(data, chunk_rows=64)
    assert np.max(np.abs(one.correlation() - many.correlation())) < 1e-12
    radii = np.linalg.norm(data.astype(np.float64), axis=1)
    assert abs(many.radius_sum - radii.sum()) < 1e-8
    assert many.radius_max == pytest.approx(radii.max())


def test_memmap_and_keep_mask(tmp_path) -> None:
    data = np.random.default_rng(3).standard_normal((3_000, 9)).astype(np.float32)
    np.save(tmp_path / "z.npy", data)
    mapped = np.load(tmp_path / "z.npy", mmap_mode="r")
    keep = np.ones(len(data), dtype=bool)
    keep[::7] = False
    moments = streaming_moments(mapped, chunk_rows=500, keep=keep)
    assert moments.count == keep.sum()
    expected = np.corrcoef(data[keep].astype(np.float64), rowvar=False)
    assert np.max(np.abs(moments.correlation() - expected)) < 1e-10


def test_constant_component_gets_zero_correlation() -> None:
    data = np.random.default_rng(4).standard_normal((200, 4))
    data[:, 2] = 5.0
    r = streaming_moments(data).correlation()
    assert np.all(np.isfinite(r))
    assert r[2, 2] == 1.0 and np.all(r[2, [0, 1, 3]] == 0.0)


def test_correlation_counts_each_pair_once() -> None:
    r = np.eye(4)
    r[0, 1] = r[1, 0] = 0.55
    r[2, 3] = r[3, 2] = -0.25
    summary = correlation_summary(r, n_used=10)
    assert summary.counts_above == {"0.1": 2, "0.2": 2, "0.3": 1, "0.4": 1, "0.5": 1, "0.6": 0}
    assert [(p.i, p.j, p.r) for p in summary.top_pairs] == [(0, 1, 0.55)]
