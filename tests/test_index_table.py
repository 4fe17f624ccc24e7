"""The cache's index table: the fast reader and the csv module give the same columns; damage is refused."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from zspace.data import index_table
from zspace.data.index_table import read_index, write_index
from zspace.errors import ZspaceError


def reference(path) -> dict[str, list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return {name: [r[i] for r in rows[1:]] for i, name in enumerate(rows[0]) if i}


def columns(count: int, names: list[str]) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {"source_id": np.array([f"img-{i:06d}.jpg" for i in range(count)]),
            "split": np.where(rng.random(count) < 0.2, "val", "train"),
            "label": rng.integers(0, 5, count), "label_name": np.array(names)[rng.integers(0, len(names), count)],
            "smile": rng.normal(size=count), "young": rng.integers(-1, 2, count)}


@pytest.mark.parametrize("names", [["cat", "dog", "bird"],  # plain: the fast path
                                   ["a, with comma", 'say "hi"', "two\nlines", "é ü"]])  # quoted: the csv path
@pytest.mark.parametrize("block", [50_000, 7])  # one block, and many (split and converted in pieces)
def test_columns_match_the_csv_module(tmp_path, names, block, monkeypatch):
    monkeypatch.setattr(index_table, "BLOCK_ROWS", block)
    path = tmp_path / "index.csv"
    written = columns(500, names)
    write_index(path, written)
    got, want = read_index(path), reference(path)
    assert list(got) == list(want)
    for name, column in got.items():
        assert len(column) == 500
        if np.issubdtype(column.dtype, np.number):
            np.testing.assert_array_equal(column, np.asarray(want[name], dtype=column.dtype))
        else:
            assert column.tolist() == want[name]
    assert got["label"].dtype == np.int64 and got["smile"].dtype == np.float64
    np.testing.assert_array_equal(got["smile"], written["smile"])  # floats round-trip exactly
    assert got["label_name"].tolist() == written["label_name"].tolist()


@pytest.mark.parametrize("body", ["0,a,1\n1,b\n", "0,a,1\n1,b,2,3\n", '0,"a",1\n1,b\n'])
def test_rows_of_unequal_length_are_refused(tmp_path, body):
    path = tmp_path / "index.csv"
    path.write_text("row,name,value\n" + body)
    with pytest.raises(ZspaceError, match="unequal length"):
        read_index(path)


def test_windows_line_ends_and_a_missing_final_newline_read_the_same(tmp_path):
    plain, crlf = tmp_path / "plain.csv", tmp_path / "crlf.csv"
    plain.write_text("row,name,value\n0,a,1.5\n1,b,2")
    crlf.write_bytes(b"row,name,value\r\n0,a,1.5\r\n1,b,2\r\n")
    for path in (plain, crlf):
        got = read_index(path)
        assert got["name"].tolist() == ["a", "b"] and got["value"].tolist() == [1.5, 2.0]


def test_a_table_without_rows_and_a_foreign_csv(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("row,name\n")
    assert read_index(empty)["name"].shape == (0,)
    foreign = tmp_path / "foreign.csv"
    foreign.write_text("id,name\n0,a\n")
    with pytest.raises(ZspaceError, match="no 'row' header"):
        read_index(foreign)
    blank = tmp_path / "blank.csv"
    blank.write_text("")
    with pytest.raises(ZspaceError, match="no 'row' header"):
        read_index(blank)


def test_a_column_is_numeric_only_when_every_block_is(tmp_path, monkeypatch):
    monkeypatch.setattr(index_table, "BLOCK_ROWS", 3)
    path = tmp_path / "index.csv"
    path.write_text("row,code,size\n" + "".join(f"{i},{i if i < 8 else 'x9'},{i if i < 8 else 2.5}\n"
                                                 for i in range(10)))
    got = read_index(path)
    assert got["code"].dtype.kind == "U" and got["code"].tolist()[-2:] == ["x9", "x9"]
    assert got["size"].dtype == np.float64 and got["size"].tolist()[-1] == 2.5
