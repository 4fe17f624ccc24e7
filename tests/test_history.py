"""history.csv: one reader for training and the report; a missing file is an empty history."""

from __future__ import annotations

from pathlib import Path

import pytest

from zspace.errors import ZspaceError
from zspace.training.history import HISTORY_COLUMNS, read_history, write_history


def test_round_trip_missing_file_and_empty_cells(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    assert read_history(path) == []
    rows = [{"epoch": 1, "train_loss": 2.5, "seconds": 1.25, "extra": 9.0}, {"epoch": 2, "train_loss": 1.5}]
    write_history(path, rows)
    assert path.read_text().splitlines()[0] == ",".join(HISTORY_COLUMNS)
    assert read_history(path) == [{"epoch": 1.0, "train_loss": 2.5, "seconds": 1.25},
                                  {"epoch": 2.0, "train_loss": 1.5}]  # unknown keys not written, empty cells left out
    path.write_text("epoch,train_loss,val_loss\n1,2.0\n")  # a short row (hand-edited): its missing cell is left out
    assert read_history(path) == [{"epoch": 1.0, "train_loss": 2.0}]


def test_a_damaged_history_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    path.write_text("epoch,train_loss\n1,abc\n")
    with pytest.raises(ZspaceError, match="history.csv: not a readable history table"):
        read_history(path)
