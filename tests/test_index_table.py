"""The cache's index table: the fast reader and the csv module give the same columns; damage is refused."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from zspace.data import index_table
from zspace.data.index_table import read_header, read_index, read_table, write_index
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


@pytest.mark.parametrize("end", ["\n\n", "\n\n\n", "\r\n\r\n"])
@pytest.mark.parametrize("quoted", [False, True])
def test_blank_lines_at_the_end_are_not_rows(tmp_path, end, quoted):
    # issue 23: `analyze --index` read an index ending with a blank line as one row too many
    # ("3001 data rows but the vectors have 3000"); both readers are one parser now.
    from zspace.analysis.load import load_index_table

    name = '"a, b"' if quoted else "ab"
    path = tmp_path / "labels.csv"
    path.write_bytes(("label,name" + end[:len(end) // 2] + f"1,{name}" + end[:len(end) // 2] + "2,c" + end).encode())
    table = load_index_table(path, rows=2)
    assert table["label"].tolist() == [1, 2] and table["name"].tolist() == ["a, b" if quoted else "ab", "c"]
    index = tmp_path / "index.csv"
    index.write_bytes(("row,label" + end[:len(end) // 2] + "0,1" + end[:len(end) // 2] + "1,2" + end).encode())
    assert read_index(index)["label"].tolist() == [1, 2]


@pytest.mark.parametrize("text", ["row,label\n0,1\n\n1,2\n", "row\n0\n\n1\n", 'row,label\n0,"1"\n\n1,2\n'])
def test_a_blank_line_inside_the_table_is_damage(tmp_path, text):
    path = tmp_path / "index.csv"
    path.write_text(text)
    with pytest.raises(ZspaceError, match="unequal length"):
        read_index(path)
    with pytest.raises(ZspaceError, match="unequal length; the file is damaged, repair the CSV"):
        read_table(path)


def test_read_table_keeps_every_column_and_refuses_an_empty_file(tmp_path):
    path = tmp_path / "any.csv"
    path.write_text("id,score\n7,0.5\n8,1.5\n")
    got = read_table(path)
    assert list(got) == ["id", "score"] and got["id"].dtype == np.int64 and got["score"].tolist() == [0.5, 1.5]
    assert read_header(path) == ["id", "score"]
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(ZspaceError, match="empty table"):
        read_table(tmp_path / "empty.csv")
    with pytest.raises(ZspaceError, match="not found; check the path"):
        read_table(tmp_path / "missing.csv")
