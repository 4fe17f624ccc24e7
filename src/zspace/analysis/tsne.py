"""t-SNE maps of a subsample (SPEC S13) with openTSNE's FFT-accelerated gradient; UMAP when installed.

openTSNE (Policar et al. 2019) implements FIt-SNE's interpolation on an FFT grid
(Linderman et al. 2019): cost O(N) per iteration instead of Barnes-Hut's
O(N log N), which is what makes 165,000-point maps practical on 2 cores. Below
10,000 points the FFT grid costs more than it saves (measured: 1,000 points took
~20 s with FFT), so ``method="auto"`` uses Barnes-Hut there, as openTSNE's own
"auto" rule does; the method used is recorded in the map's settings. The seed's
settings were perplexity 10 and early_exaggeration 16; openTSNE's defaults are
30 and 12.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

import numpy as np

from zspace.errors import ZspaceError
from zspace.progress import Progress, step
from zspace.results import array_field

FFT_FROM_POINTS = 10_000
EARLY_ITERATIONS = 250  # openTSNE defaults: the early-exaggeration phase, then the normal one
NORMAL_ITERATIONS = 500
CALLBACK_EVERY = 25


@dataclass
class EmbeddingMap:
    method: str  # "tsne" or "umap"
    rows: np.ndarray = array_field("(m,) rows of the mapped vectors")
    coordinates: np.ndarray = array_field("(m, 2) map coordinates")
    pca_components: int  # 0 = on the raw vectors
    settings: dict[str, float | int | str]
    colour: np.ndarray | None = array_field("(m,) colour values (str categories or numbers)", default=None)
    colour_by: str | None = None

    @property
    def name(self) -> str:
        """File stem: "tsne", "tsne_pca10", "umap"."""
        return self.method + (f"_pca{self.pca_components}" if self.pca_components else "")


def reduce_with_pca(points: np.ndarray, components: np.ndarray, mean: np.ndarray, count: int) -> np.ndarray:
    """Project ``points`` (m, d) on the first ``count`` principal axes (rows of ``components``)."""
    return (points - mean) @ components[:count].T


def tsne_map(points: np.ndarray, rows: np.ndarray, perplexity: float = 30.0, early_exaggeration: float = 12.0,
             pca_components: int = 0, seed: int = 0, n_jobs: int | None = None, method: str = "auto",
             progress: Progress | None = None) -> EmbeddingMap:
    """openTSNE embedding of ``points`` (m, d), already reduced to ``pca_components`` axes if wanted.

    ``method``: "fft", "bh" (Barnes-Hut) or "auto" (FFT from 10,000 points on). ``n_jobs`` defaults to 1 below
    10,000 points and 2 from there: on small maps a second thread gains little and, when the cores are shared,
    openTSNE's waiting threads made a 150-point map 15x slower (measured: 2 s with 1 thread, 32 s with 2).
    """
    if importlib.util.find_spec("openTSNE") is None:
        raise ZspaceError("t-SNE needs the openTSNE package; install it with 'pip install openTSNE' or ask for no map")
    from openTSNE import TSNE

    if len(points) <= 3 * perplexity:
        raise ZspaceError(f"t-SNE: {len(points)} points are too few for perplexity {perplexity:g}; "
                          f"use more points or a perplexity below {len(points) / 3:.0f}")
    if method not in ("auto", "fft", "bh"):
        raise ZspaceError(f"t-SNE method {method!r}: use auto, fft or bh")
    if method == "auto":
        method = "fft" if len(points) >= FFT_FROM_POINTS else "bh"
    if n_jobs is None:
        n_jobs = 2 if len(points) >= FFT_FROM_POINTS else 1
    settings = {"perplexity": perplexity, "early_exaggeration": early_exaggeration,
                "negative_gradient_method": method, "seed": seed, "n_jobs": n_jobs}
    total = EARLY_ITERATIONS + NORMAL_ITERATIONS
    with step(progress, total, "iter", f"t-SNE of {len(points)} points") as advance:
        def callback(iteration: int, error: float, embedding: np.ndarray) -> bool:
            advance(CALLBACK_EVERY)
            return False  # never stop early

        embedding = TSNE(perplexity=perplexity, early_exaggeration=early_exaggeration,
                         early_exaggeration_iter=EARLY_ITERATIONS, n_iter=NORMAL_ITERATIONS,
                         negative_gradient_method=method, n_jobs=n_jobs, random_state=seed, verbose=False,
                         callbacks=callback if progress is not None else None,
                         callbacks_every_iters=CALLBACK_EVERY).fit(np.ascontiguousarray(points))
    return EmbeddingMap("tsne", rows, np.asarray(embedding, dtype=np.float64), pca_components, settings)


def umap_available() -> bool:
    return importlib.util.find_spec("umap") is not None


def umap_map(points: np.ndarray, rows: np.ndarray, pca_components: int = 0, seed: int = 0,
             n_neighbors: int = 15) -> EmbeddingMap:
    """UMAP embedding (optional dependency ``umap-learn``; not installed by zspace)."""
    if not umap_available():
        raise ZspaceError("UMAP needs the umap-learn package, which zspace does not install; "
                          "'pip install umap-learn' or leave UMAP off")
    import umap

    coordinates = umap.UMAP(n_neighbors=n_neighbors, random_state=seed).fit_transform(points)
    return EmbeddingMap("umap", rows, np.asarray(coordinates, dtype=np.float64), pca_components,
                        {"n_neighbors": n_neighbors, "seed": seed})
