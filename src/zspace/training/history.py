"""history.csv: the losses of each epoch, written by training and read by everything else.

One reader for every stage (the trainer on resume, the report, tests): a missing file is
an empty history; empty cells are left out of their row; a damaged file is one error.
Light on purpose (no torch, no Lightning), so the report can import it.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from zspace.errors import ZspaceError
from zspace.io import write_text

HISTORY_COLUMNS = (
    "epoch", "train_loss", "train_reconstruction", "train_kl",
    "val_loss", "val_reconstruction", "val_kl", "seconds", "images_per_second",
)


def read_history(path: str | os.PathLike) -> list[dict[str, float]]:
    """One dict per epoch ({column: value}, values as floats); [] when the file does not exist."""
    path = Path(path)
    if not path.is_file():
        return []
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            return [{k: float(v) for k, v in row.items() if k is not None and v not in ("", None)}
                    for row in csv.DictReader(handle)]
    except (ValueError, TypeError, UnicodeDecodeError, csv.Error) as err:
        raise ZspaceError(f"{path}: not a readable history table ({err}); "
                          "it is rewritten by training the run again") from None


def write_history(path: str | os.PathLike, rows: list[dict[str, float]]) -> None:
    """Write ``rows`` (atomically) in :data:`HISTORY_COLUMNS` order; other keys are left out."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HISTORY_COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (int(v) if k == "epoch" else f"{v:.6g}") for k, v in row.items()})
    write_text(path, buffer.getvalue())
