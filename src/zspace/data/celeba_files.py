"""Parsers for CelebA's metadata files, in the official (.txt) and Kaggle (.csv) forms.

- partitions: ``list_eval_partition.txt`` ("000001.jpg 0") or ``.csv``
  ("image_id,partition"); 0 = train, 1 = val, 2 = test.
- attributes: ``list_attr_celeba.txt`` (a count line, a line of 40 names, then
  "000001.jpg -1  1 ...") or ``.csv`` ("image_id,5_o_Clock_Shadow,..."); values
  -1/1 become 0/1.
- identities: ``identity_CelebA.txt`` ("000001.jpg 2880").

Every parser takes the text and a name for messages, and raises ZspaceError
naming the file and line for anything malformed, never another exception.
"""

from __future__ import annotations

import csv
import io

import numpy as np

from zspace.errors import ZspaceError

PARTITION_NAMES = {0: "train", 1: "val", 2: "test"}


def _fail(origin: str, line: int, what: str) -> ZspaceError:
    return ZspaceError(f"{origin}: line {line}: {what}; the file is damaged, restore it or leave it out")


def _rows(text: str, origin: str, is_csv: bool) -> list[tuple[int, list[str]]]:
    """(line number, fields) of each non-empty line."""
    if is_csv:
        try:
            reader = csv.reader(io.StringIO(text))
            return [(n, [f.strip() for f in row]) for n, row in enumerate(reader, start=1) if row]
        except csv.Error as err:
            raise ZspaceError(f"{origin}: not a readable CSV file ({err})") from None
    return [(n, line.split()) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]


def _int(value: str, origin: str, line: int, allowed: set[int] | None = None) -> int:
    try:
        number = int(value)
    except ValueError:
        raise _fail(origin, line, f"{value[:40]!r} is not a whole number") from None
    if allowed is not None and number not in allowed:
        raise _fail(origin, line, f"value {number} is not one of {sorted(allowed)}")
    return number


def parse_partitions(text: str, origin: str, is_csv: bool = False) -> dict[str, str]:
    """image file name -> "train" | "val" | "test"."""
    rows = _rows(text, origin, is_csv)
    if is_csv and rows and rows[0][1][:1] == ["image_id"]:
        rows = rows[1:]
    out: dict[str, str] = {}
    for line, fields in rows:
        if len(fields) != 2:
            raise _fail(origin, line, f"expected 'IMAGE PARTITION', found {len(fields)} fields")
        out[fields[0]] = PARTITION_NAMES[_int(fields[1], origin, line, set(PARTITION_NAMES))]
    return out


def parse_identities(text: str, origin: str) -> dict[str, int]:
    """image file name -> identity number."""
    out: dict[str, int] = {}
    for line, fields in _rows(text, origin, is_csv=False):
        if len(fields) != 2:
            raise _fail(origin, line, f"expected 'IMAGE IDENTITY', found {len(fields)} fields")
        out[fields[0]] = _int(fields[1], origin, line)
    return out


def parse_attributes(text: str, origin: str, is_csv: bool = False) -> tuple[list[str], dict[str, np.ndarray]]:
    """(attribute names, image file name -> int8 array of 0/1 per attribute)."""
    rows = _rows(text, origin, is_csv)
    if is_csv:
        if not rows or rows[0][1][:1] != ["image_id"]:
            raise ZspaceError(f"{origin}: expected a header 'image_id,<attribute names>'")
        names, body = rows[0][1][1:], rows[1:]
    else:
        if len(rows) < 2:
            raise ZspaceError(f"{origin}: expected a count line and a line of attribute names")
        _int(rows[0][1][0] if len(rows[0][1]) == 1 else "x", origin, rows[0][0])
        names, body = rows[1][1], rows[2:]
    if not names or len(set(names)) != len(names):
        raise ZspaceError(f"{origin}: attribute names are missing or repeated")
    out: dict[str, np.ndarray] = {}
    for line, fields in body:
        if len(fields) != len(names) + 1:
            raise _fail(origin, line, f"expected an image name and {len(names)} values, found {len(fields)} fields")
        values = [_int(v, origin, line, {-1, 1}) for v in fields[1:]]
        out[fields[0]] = (np.array(values, dtype=np.int8) + 1) // 2
    return names, out
