"""A tiny explorable run for the explorer tests: a copy of the session's VAE run, encoded, with a saved map."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from zspace.analysis.radius import RadiusStatistics
from zspace.analysis.result import AnalysisResult
from zspace.analysis.tsne import EmbeddingMap
from zspace.encoding import encode
from zspace.results import write_fields
from zspace.run import Run

TSNE_ROWS = 150  # the saved "t-SNE" map holds a subsample, as analyze's does


def make_explorable_run(vae_run: Path, folder: Path, fitted_every: int | None = None) -> Run:
    """Copy ``vae_run`` into ``folder``, encode it, and save a t-SNE-like map, a figure and a report.

    ``fitted_every``: the map says it was fitted on every ``fitted_every``-th of its points and placed the others
    (as analyze's full maps do); None: a map saved without saying (every point fitted)."""
    run = Run(folder / "run")
    shutil.copytree(vae_run, run.path)
    latents = encode(run, force=True)
    analysis = run.analysis_dir
    analysis.mkdir(exist_ok=True)
    rows = np.sort(np.random.default_rng(1).choice(len(latents.vectors), TSNE_ROWS, replace=False))
    vectors = np.asarray(latents.vectors[rows], dtype=np.float64)
    coordinates = (vectors - vectors.mean(0)) @ np.linalg.svd(vectors - vectors.mean(0))[2][:2].T * 7.0 + 3.0
    fitted = None if fitted_every is None else np.arange(TSNE_ROWS) % fitted_every == 0
    tsne = EmbeddingMap("tsne", rows.astype(np.int64), coordinates, 0, {"perplexity": 30.0}, fitted=fitted)
    radius = RadiusStatistics(2.5, 0.4, 2.4, 2.83, latents.dim, len(latents.vectors), [])
    write_fields(AnalysisResult, analysis, {"count": len(latents.vectors), "dim": latents.dim, "maps": [tsne],
                                            "radius": radius})
    (analysis / "figures").mkdir(exist_ok=True)
    (analysis / "figures" / "radius.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 16)
    run.report_file.write_text("<html><body>report</body></html>", encoding="utf-8")
    return run
