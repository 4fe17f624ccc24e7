"""Rows of the errors table for zspace analyze (issues 10 and 11); the lead merges them into error_cases.CASES.

Each row: exit 2, one line holding the fragment, no traceback, nothing changed (see error_cases.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from error_cases import Case


def _latents(tmp: Path, *args: object, dim: int = 4) -> list[str]:
    np.save(tmp / "z.npy", np.random.default_rng(0).standard_normal((60, dim)).astype(np.float32))
    return ["analyze", "--latents", str(tmp / "z.npy"), "--out", str(tmp / "o"), "--tsne", "0", *map(str, args)]


def _existing_analysis(tmp: Path, c: Path, r: Path) -> list[str]:
    argv = _latents(tmp)
    argv[argv.index("--out") + 1] = str(tmp / "done")
    (tmp / "done").mkdir()
    (tmp / "done" / "metrics.json").write_text("{}")
    (tmp / "done" / "old.png").write_bytes(b"an earlier figure")
    return argv


def _foreign_folder(tmp: Path, c: Path, r: Path) -> list[str]:
    argv = _latents(tmp, "--force")
    argv[argv.index("--out") + 1] = str(tmp / "thesis")
    (tmp / "thesis").mkdir()
    (tmp / "thesis" / "ch1.tex").write_text("work")
    return argv


def _color_by_unknown(tmp: Path, c: Path, r: Path) -> list[str]:
    argv = _latents(tmp, "--color-by", "hue")
    (tmp / "index.csv").write_text("label\n" + "\n".join(str(k % 3) for k in range(60)) + "\n")
    return [*argv, "--index", str(tmp / "index.csv")]


CASES: list[Case] = [
    Case("analyze-out-exists", "an --out folder that holds an earlier analysis, without --force", _existing_analysis,
         "already exists"),
    Case("analyze-force-foreign-folder", "--force on a folder that is not an analysis", _foreign_folder,
         "not an output folder of zspace"),
    Case("analyze-tsne-negative", "--tsne -5", lambda t, c, r: _latents(t, "--tsne", "-5"), "--tsne -5"),
    Case("analyze-pca-plane-one-axis", "--pca-planes 2,2", lambda t, c, r: _latents(t, "--pca-planes", "2,2"),
         "two different axes"),
    Case("analyze-color-by-unknown", "--color-by a column the index does not have", _color_by_unknown,
         "colour column 'hue'"),
    Case("analyze-slice-units", "--slice-units raw", lambda t, c, r: _latents(t, "--slice-units", "raw"),
         "slice units 'raw'"),
    Case("analyze-zooms-negative", "--zooms full,-1", lambda t, c, r: _latents(t, "--zooms", "full,-1"),
         "window sides > 0"),
    Case("analyze-tsne-pca-too-many", "--tsne-pca 9 on 4-dimensional vectors", lambda t, c, r: _latents(
        t, "--tsne", "40", "--tsne-perplexity", "5", "--tsne-pca", "9"), "only 4 dimensions"),
    Case("analyze-inactive-ratio", "--inactive-ratio 2", lambda t, c, r: _latents(t, "--inactive-ratio", "2"),
         "inactive ratio 2"),
    Case("analyze-structure-draws", "--structure --structure-draws 1",
         lambda t, c, r: _latents(t, "--structure", "--structure-draws", "1"), "need at least 2 (--structure-draws)"),
    Case("analyze-structure-correction", "--structure --structure-correction fdr",
         lambda t, c, r: _latents(t, "--structure", "--structure-correction", "fdr"), "correction 'fdr'"),
    Case("analyze-link-without-run", "--link normal on a bare .npy (nothing to decode with)",
         lambda t, c, r: _latents(t, "--link", "normal"), "--link needs a run folder"),
    Case("analyze-link-unknown-sampler", "--link normal,warp on a run",
         lambda t, c, r: ["analyze", str(r), "--out", str(t / "o"), "--link", "normal,warp"], "warp"),
    Case("analyze-link-samples", "--link normal --link-samples 2 on a run",
         lambda t, c, r: ["analyze", str(r), "--out", str(t / "o"), "--link", "normal", "--link-samples", "2"],
         "--link-samples 2"),
]
