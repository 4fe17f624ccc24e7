"""zspace.arrays.read_rows: rows of a (memory-mapped) array, any shape of row ids, against numpy's own indexing."""

from __future__ import annotations

import numpy as np

from zspace.arrays import read_rows


def test_read_rows_equals_fancy_indexing_on_a_memmap(tmp_path):
    array = np.random.default_rng(0).integers(0, 255, size=(500, 4, 4, 3), dtype=np.uint8)
    np.save(tmp_path / "a.npy", array)
    mapped = np.load(tmp_path / "a.npy", mmap_mode="r", allow_pickle=False)
    rows = np.random.default_rng(1).integers(0, 500, size=(7, 9))  # repeats, unsorted, 2-D
    for chunk in (3, 65_536):  # read in many chunks, and in one
        found = read_rows(mapped, rows, chunk_rows=chunk)
        assert found.shape == (7, 9, 4, 4, 3) and found.dtype == np.uint8
        np.testing.assert_array_equal(found, array[rows])


def test_read_rows_of_one_dimension_keeps_the_order_asked():
    vectors = np.arange(20, dtype=np.float32).reshape(10, 2)
    np.testing.assert_array_equal(read_rows(vectors, np.array([9, 0, 9, 3])), vectors[[9, 0, 9, 3]])
