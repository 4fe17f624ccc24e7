"""A tiny explorable run for the explorer tests: a copy of the session's VAE run, encoded, with a saved map."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from zspace.encoding import encode
from zspace.io import save_json, save_npy
from zspace.run import Run

TSNE_ROWS = 150  # the saved "t-SNE" map holds a subsample, as analyze's does


def make_explorable_run(vae_run: Path, folder: Path) -> Run:
    """Copy ``vae_run`` into ``folder``, encode it, and save a t-SNE-like map, a figure and a report."""
    run = Run(folder / "run")
    shutil.copytree(vae_run, run.path)
    latents = encode(run, force=True)
    analysis = run.analysis_dir
    analysis.mkdir(exist_ok=True)
    rows = np.sort(np.random.default_rng(1).choice(len(latents.vectors), TSNE_ROWS, replace=False))
    vectors = np.asarray(latents.vectors[rows], dtype=np.float64)
    coordinates = (vectors - vectors.mean(0)) @ np.linalg.svd(vectors - vectors.mean(0))[2][:2].T * 7.0 + 3.0
    save_npy(analysis / "tsne_coordinates.npy", coordinates)
    save_npy(analysis / "tsne_rows.npy", rows.astype(np.int64))
    save_json(analysis / "metrics.json", {"n": len(latents.vectors), "dim": latents.dim,
                                          "radius": {"mean": 2.5, "mode": 2.4, "sqrt_dim": 2.83},
                                          "pca": {"explained_variance_ratio": [0.4, 0.2], "components_for_90pct": 5}})
    (analysis / "figures").mkdir(exist_ok=True)
    (analysis / "figures" / "radius.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 16)
    run.report_file.write_text("<html><body>report</body></html>", encoding="utf-8")
    return run
