"""The demo, in its quick form: every figure it names exists and is a PNG."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from zspace.cli.main import main


def test_quick_demo_writes_what_it_names(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--quick", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    named = [Path(line.split()[-1]) for line in printed.splitlines() if line.strip().endswith(".png")]
    assert len(named) >= 9
    for path in named:
        with Image.open(path) as picture:
            assert picture.format == "PNG" and picture.width > 50
    assert (out / "vae" / "latents.npy").is_file() and (out / "ae" / "latents.npy").is_file()
    assert (out / "vae" / "analysis" / "metrics.json").is_file() and (out / "ae" / "samples" / "gmm_k-10").is_dir()
    assert f"report of both runs, side by side (open it in a browser): {out / 'report.html'}" in printed
    assert "active units (variance > " in printed and f"zspace explore {out / 'vae'}" in printed
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count('<div class="column">') >= 2 * 11 and "http" not in html.split("<body>")[1]
    assert main(["demo", "--quick", "--out", str(out)]) == 2  # refuses to overwrite without --force
