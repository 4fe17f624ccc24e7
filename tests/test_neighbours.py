"""The one exact nearest-neighbour search (zspace.neighbours): against scikit-learn, scipy and brute force."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import cdist
from sklearn.neighbors import NearestNeighbors

from zspace.errors import ZspaceError
from zspace.neighbours import (
    NeighbourIndex,
    expanded_squared_distances,
    faiss_available,
    knn,
    scan_nearest,
    smallest,
    squared_norms,
    squared_norms_in_chunks,
)

BACKENDS = ["numpy"] + (["faiss"] if faiss_available() else [])


@pytest.mark.parametrize("backend", BACKENDS)
def test_knn_matches_scikit_learn(backend):
    rng = np.random.default_rng(0)
    references = rng.standard_normal((3000, 40)) * 3 + 100  # a large offset: centring keeps float32 exact
    queries = rng.standard_normal((200, 40)) * 3 + 100
    distances, indices = knn(queries, references, 7, backend=backend)
    expected_distances, expected_indices = NearestNeighbors(n_neighbors=7).fit(references).kneighbors(queries)
    np.testing.assert_array_equal(indices, expected_indices)
    np.testing.assert_allclose(distances, expected_distances, rtol=1e-10)  # sklearn expands the square


@pytest.mark.parametrize("backend", BACKENDS)
def test_knn_leaves_the_query_out(backend):
    rng = np.random.default_rng(1)
    points = rng.standard_normal((500, 8))
    rows = np.arange(0, 500, 5)
    distances, indices = knn(points[rows], points, 4, self_rows=rows, backend=backend)
    expected_distances, expected_indices = NearestNeighbors(n_neighbors=4).fit(points).kneighbors()
    np.testing.assert_array_equal(indices, expected_indices[rows])
    np.testing.assert_allclose(distances, expected_distances[rows], rtol=1e-10)
    assert not np.any(indices == rows[:, None])


def test_knn_errors():
    index = NeighbourIndex(np.random.default_rng(0).standard_normal((10, 3)), backend="numpy")
    with pytest.raises(ZspaceError, match="k = 10"):
        index.query(np.zeros((1, 3)), 10, self_rows=np.array([0]))
    with pytest.raises(ZspaceError, match="backend 'kd'"):
        knn(np.zeros((1, 3)), np.zeros((5, 3)), 1, backend="kd")
    with pytest.raises(ZspaceError, match="reference points of a neighbour search: array of shape \\(5,\\)"):
        NeighbourIndex(np.zeros(5))


def test_kernel_and_selection_match_scipy_and_a_full_sort():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((30, 6)), rng.standard_normal((50, 6))
    squared = expanded_squared_distances(a, b, squared_norms(b), squared_norms(a))
    np.testing.assert_allclose(squared, cdist(a, b, "sqeuclidean"), atol=1e-12)
    partial = expanded_squared_distances(a, b, squared_norms(b))  # without |a|^2: the same order per row
    for k in (1, 4, 50):
        np.testing.assert_array_equal(smallest(partial, k), np.argsort(squared, axis=1, kind="stable")[:, :k])


@pytest.mark.parametrize("exclude", [None, 0, 13, 299])
def test_scan_nearest_is_the_brute_force_answer(exclude, tmp_path):
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((300, 5)).astype(np.float32)
    vectors[40] = vectors[13]  # a duplicate of a query row: kept, at distance 0
    np.save(tmp_path / "z.npy", vectors)
    memmap = np.load(tmp_path / "z.npy", mmap_mode="r")
    query = vectors[13] if exclude == 13 else rng.standard_normal(5).astype(np.float32)
    norms = squared_norms_in_chunks(memmap, rows=64)
    np.testing.assert_allclose(norms, (vectors.astype(np.float64) ** 2).sum(1), rtol=1e-6)
    rows, distances = scan_nearest(memmap, query, 9, exclude, norms, rows=37)  # 9 chunks, merged
    exact = np.linalg.norm(vectors.astype(np.float64) - query, axis=1)
    if exclude is not None:
        exact[exclude] = np.inf
    assert rows.tolist() == np.argsort(exact, kind="stable")[:9].tolist()
    assert distances.dtype == np.float32 and exclude not in rows.tolist()
    np.testing.assert_allclose(distances**2, np.sort(exact)[:9] ** 2, atol=1e-5)  # float32 |x|^2 - 2 x.q + |q|^2
    again = scan_nearest(memmap, query, 9, exclude)  # one chunk, norms computed: the same answer
    np.testing.assert_array_equal(again[0], rows)
    np.testing.assert_allclose(again[1], distances, atol=1e-6)
