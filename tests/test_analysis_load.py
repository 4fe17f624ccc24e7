"""Every bad input of the vector loader gives a one-line ZspaceError (issue 4, bad input)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from zspace.analysis.load import load_index_table, load_vectors
from zspace.errors import ZspaceError


def save(tmp_path, name: str, array: np.ndarray, allow_pickle: bool = False):
    path = tmp_path / name
    np.save(path, array, allow_pickle=allow_pickle)
    return path


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: save(p, "objects.npy", np.array([{"a": 1}, None], dtype=object), allow_pickle=True), "pickle"),
    (lambda p: save(p, "rank3.npy", np.zeros((4, 3, 2), np.float32)), "rank 3"),
    (lambda p: save(p, "rank1.npy", np.zeros(10, np.float32)), "rank 1"),
    (lambda p: save(p, "text.npy", np.array([["a", "b"], ["c", "d"], ["e", "f"]])), "not a real number"),
    (lambda p: save(p, "wide.npy", np.random.default_rng(0).standard_normal((5, 8))), "N > d"),
    (lambda p: save(p, "one.npy", np.zeros((1, 3))), "too small"),
])
def test_bad_arrays(tmp_path, make, message: str) -> None:
    path = make(tmp_path)
    with pytest.raises(ZspaceError, match=message) as raised:
        load_vectors(path)
    assert "\n" not in str(raised.value) and str(path) in str(raised.value)


def test_pickled_file_is_refused(tmp_path) -> None:
    path = tmp_path / "pickled.npy"
    path.write_bytes(pickle.dumps(np.zeros((10, 2))))
    with pytest.raises(ZspaceError, match=str(path)):
        load_vectors(path)


def test_missing_file_and_wrong_suffix(tmp_path) -> None:
    with pytest.raises(ZspaceError, match="not found"):
        load_vectors(tmp_path / "none.npy")
    (tmp_path / "z.csv").write_text("1,2\n")
    with pytest.raises(ZspaceError, match="not a .npy"):
        load_vectors(tmp_path / "z.csv")


def test_nonfinite_rows_counted_then_dropped(tmp_path) -> None:
    data = np.random.default_rng(1).standard_normal((50, 3)).astype(np.float32)
    data[4, 0] = np.nan
    data[9, 2] = np.inf
    data[9, 1] = -np.inf  # one row, two bad values: counted once
    path = save(tmp_path, "nan.npy", data)
    with pytest.raises(ZspaceError, match="2 of 50 rows hold NaN or inf"):
        load_vectors(path)
    source = load_vectors(path, drop_nonfinite=True)
    assert source.dropped == 2 and source.count == 48
    assert not source.keep[4] and not source.keep[9] and source.keep.sum() == 48


def test_loader_memory_maps(tmp_path) -> None:
    path = save(tmp_path, "z.npy", np.zeros((100, 4), np.float32) + np.arange(4))
    source = load_vectors(path)
    assert isinstance(source.vectors, np.memmap) and source.keep is None and source.dropped == 0


def test_index_table(tmp_path) -> None:
    (tmp_path / "index.csv").write_text("label,name\n1,a\n2,b\n3,c\n")
    table = load_index_table(tmp_path / "index.csv", rows=3)
    assert table["label"].dtype == np.int64 and list(table["name"]) == ["a", "b", "c"]
    with pytest.raises(ZspaceError, match="3 data rows but the vectors have 4"):
        load_index_table(tmp_path / "index.csv", rows=4)
