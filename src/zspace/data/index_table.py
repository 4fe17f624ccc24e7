"""The cache's index table: one CSV row per image (row, source_id, split, labels, attributes).

CSV keeps it readable by anything (pandas, a spreadsheet, ``head``) with no extra
dependency. Columns that parse as numbers come back as numeric arrays. The one CSV
parser of zspace: :func:`read_table` reads any table with a header row (an index given
to ``analyze``), :func:`read_index` the cache's own, which starts with the ``row`` column.
Blank lines at the end of a file are not rows (an editor often leaves one).
"""

from __future__ import annotations

import csv
import io
import itertools
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np

from zspace.errors import ZspaceError
from zspace.io import write_text

BLOCK_ROWS = 50_000  # rows split and converted per call when reading


def write_index(path: str | os.PathLike, columns: dict[str, np.ndarray]) -> None:
    names = list(columns)
    count = len(next(iter(columns.values()))) if columns else 0
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["row", *names])
    values = [np.asarray(columns[n]).tolist() for n in names]
    for row in range(count):
        writer.writerow([row, *(_format(v[row]) for v in values)])
    write_text(path, buffer.getvalue())


def _format(value: object) -> object:
    if isinstance(value, float):
        return repr(value)
    return value


_REPREPARE = "re-run 'zspace prepare'"


def read_index(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read the cache's index CSV (its first column ``row`` left out); see :func:`read_table`."""
    return _read(path, _REPREPARE, index=True)


def read_table(path: str | os.PathLike, fix: str = "repair the CSV") -> dict[str, np.ndarray]:
    """Read any CSV with a header row, every column; ``fix`` ends the messages about a damaged file.

    Numeric columns become int64/float64 arrays, others str arrays. A table without quotes (what
    ``write_index`` writes unless a value holds a comma, quote or newline) is split in a few
    C-level passes (a million rows in about a second); any other table goes through the csv
    module. Both give the same columns.
    """
    return _read(path, fix, index=False)


def read_header(path: str | os.PathLike) -> list[str]:
    """The column names of a CSV file, read from its first line only."""
    with open(path, newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle), [])


def _read(path: str | os.PathLike, fix: str, index: bool) -> dict[str, np.ndarray]:
    path = Path(path)
    if not path.is_file():
        raise ZspaceError(f"{path}: index table not found; {fix if index else 'check the path'}")
    with open(path, newline="", encoding="utf-8") as handle:
        text = handle.read()
    header, body = _split_plain(text) if '"' not in text and "\r" not in text else _split_csv(text)
    if index and header[:1] != ["row"]:
        raise ZspaceError(f"{path}: not a zspace index table (no 'row' header); {fix}")
    if not header:
        raise ZspaceError(f"{path}: empty table; it needs a header row and one row per item")
    if body is None:
        raise ZspaceError(f"{path}: rows of unequal length; the file is damaged, {fix}")
    first = 1 if index else 0
    return {name: _parse_column(body[i]) for i, name in enumerate(header[first:], start=first)}


def _split_plain(text: str) -> tuple[list[str], list[list[str]] | None]:
    """Header and columns of a table with no quoting: fields are exactly the text between commas."""
    lines = text.split("\n")
    while lines and lines[-1] == "":  # the final newline, and blank lines after it
        lines.pop()
    if not lines:
        return [], []
    header = lines[0].split(",")
    width = len(header)
    rows = lines[1:]
    if "" in rows or any(count != width - 1 for count in map(str.count, rows, itertools.repeat(","))):
        return header, None  # a blank line inside the table is damage, as in the csv path
    columns: list[list[str]] = [[] for _ in range(width)]
    for start in range(0, len(rows), BLOCK_ROWS):
        fields = ",".join(rows[start:start + BLOCK_ROWS]).split(",")
        for i, column in enumerate(columns):
            column.extend(fields[i::width])
    return header, columns


def _split_csv(text: str) -> tuple[list[str], list[list[str]] | None]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    while rows and rows[-1] == []:  # blank lines at the end
        rows.pop()
    if not rows:
        return [], []
    header, body = rows[0], rows[1:]
    if any(len(r) != len(header) for r in body):
        return header, None
    return header, [[r[i] for r in body] for i in range(len(header))]


class LazyIndex(Mapping):
    """The index table of ``path``, read on first use.

    Streaming stages (encode, analyze) never touch the index; parsing a million-row CSV
    would be their only memory that grows with N.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self._columns: dict[str, np.ndarray] | None = None

    def _load(self) -> dict[str, np.ndarray]:
        if self._columns is None:
            self._columns = read_index(self.path)
        return self._columns

    def __getitem__(self, key: str) -> np.ndarray:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


def count_rows(path: str | os.PathLike) -> int:
    """Data rows of an index CSV, counted without parsing (quoted newlines do not occur in it)."""
    with open(path, "rb") as handle:
        lines = sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
    return max(lines - 1, 0)


def _parse_column(text: list[str]) -> np.ndarray:
    for dtype in (np.int64, np.float64):
        try:
            return _array(text, dtype)
        except ValueError:
            continue
    return _array(text, str)


def _array(text: list[str], dtype) -> np.ndarray:
    """``np.array(text, dtype)`` in blocks, so that no single call holds the GIL for long (a web server
    reads the index in a background thread while it answers requests)."""
    if not text:
        return np.zeros(0, dtype)
    return np.concatenate([np.array(text[start:start + BLOCK_ROWS], dtype=dtype)
                           for start in range(0, len(text), BLOCK_ROWS)])
