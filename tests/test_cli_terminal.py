"""What a terminal and a log show (issue 23): train's lines inside an epoch, a bar on a terminal that
reports no width, the evaluate table whole at 80 columns."""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import struct
import termios
from pathlib import Path

import numpy as np
import pytest

from zspace.cli import progress as cli_progress
from zspace.cli.main import main
from zspace.cli.progress import progress_bar
from zspace.evaluation.table import console_cells

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def test_train_in_a_log_writes_lines_inside_each_epoch(faces_cache: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv(cli_progress.MODE_VARIABLE, "lines")
    monkeypatch.setattr(cli_progress, "FIRST_LINE_AFTER", 0.0)  # every batch is a tenth or more: a line each
    argv = ["train", str(faces_cache), "--out", str(tmp_path / "run"), "--epochs", "2", "--batch-size", "32",
            "--latent-dim", "4", "--filters", "4,8,8,8"]
    assert main(argv) == 0
    err = capsys.readouterr().err.splitlines()
    for epoch in (1, 2):
        inside = [line for line in err if line.startswith(f"epoch {epoch}/2: ") and "batch" in line]
        assert inside and inside[0].startswith(f"epoch {epoch}/2: started, "), err
        assert len(inside) >= 2 and all("done," not in line for line in inside), err  # the epoch line ends it
        after = err.index(inside[-1]) + 1
        assert err[after].startswith(f"epoch {epoch}/2: loss "), err


def test_a_terminal_of_width_0_still_gets_a_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cli_progress.MODE_VARIABLE, raising=False)
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 0, 0, 0, 0))  # no size, as some containers set
    terminal = os.fdopen(slave, "w")
    try:
        with progress_bar(10, "img", "t-SNE", stream=terminal) as advance:
            advance(3)
        terminal.flush()
        seen = b""
        while select.select([master], [], [], 0.5)[0]:
            seen += os.read(master, 65536)
    finally:
        terminal.close()
        os.close(master)
    drawn = [line for line in ANSI.sub("", seen.decode(errors="replace")).replace("\r", "\n").splitlines()
             if line.strip()]
    assert drawn and all(line.startswith("t-SNE:") for line in drawn), seen
    assert "3/10" in drawn[-1] and "█" in drawn[-1] and len(drawn[-1]) == cli_progress.UNKNOWN_WIDTH - 1, drawn


def test_the_evaluate_table_keeps_every_number_whole_at_80_columns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture) -> None:
    pytest.importorskip("rich")
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich takes stdout for a terminal of COLUMNS columns
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv(cli_progress.MODE_VARIABLE, "off")
    rng = np.random.default_rng(0)
    np.save(tmp_path / "real.npy", rng.standard_normal((300, 8)).astype(np.float32))
    np.save(tmp_path / "fake.npy", 1.1 * rng.standard_normal((300, 8)).astype(np.float32))
    assert main(["evaluate", "--real", str(tmp_path / "real.npy"), "--fake", str(tmp_path / "fake.npy"),
                 "--out", str(tmp_path / "eval"), "--bootstrap", "5", "--kid-subsets", "5"]) == 0
    shown = ANSI.sub("", capsys.readouterr().out)
    table = shown[: shown.index("FD and KID are measured")]
    headings, cells = console_cells(json.loads((tmp_path / "eval" / "evaluation.json").read_text())["rows"])
    widths = [max(len(heading), len(text)) for heading, text in zip(headings, cells[0], strict=True)]
    assert sum(widths) + 2 * (len(widths) - 1) > 80  # the table does not fit in one: it must be split, not cut
    assert max(len(line) for line in table.splitlines()) <= 80, table
    for text in [*headings, *cells[0]]:
        assert text in table, (text, table)
    assert "…" not in table
