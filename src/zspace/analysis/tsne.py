"""t-SNE maps (SPEC S13) with openTSNE's FFT-accelerated gradient, UMAP when installed: fitted, then placed.

openTSNE (Policar et al. 2019) implements FIt-SNE's interpolation on an FFT grid
(Linderman et al. 2019): cost O(N) per iteration instead of Barnes-Hut's
O(N log N), which is what makes 165,000-point maps practical on 2 cores. Below
10,000 points the FFT grid costs more than it saves (measured: 1,000 points took
~20 s with FFT), so ``method="auto"`` uses Barnes-Hut there, as openTSNE's own
"auto" rule does; the method used is recorded in the map's settings. The seed's
settings were perplexity 10 and early_exaggeration 16; openTSNE's defaults are
30 and 12.

A map of every point (issue 22): t-SNE is *fitted* on a subsample, then the other
points are *placed* in the fitted map, chunk by chunk, without moving it (openTSNE's
``prepare_partial`` + ``optimize``, the steps of its ``transform``; Policar et al.
2019 describe it as embedding new samples): each new point starts at the median of
its 25 nearest fitted points and is optimised against the fitted map only, with a
perplexity of 5. Placing costs a neighbour query and 100 cheap iterations per point,
far less than fitting (docs/analysis.md has the figures). ``EmbeddingMap.fitted``
says which points were fitted and which placed. UMAP does the same with its own
``fit`` and ``transform``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from zspace.errors import ZspaceError
from zspace.progress import Progress, step
from zspace.results import array_field

FFT_FROM_POINTS = 10_000
EARLY_ITERATIONS = 250  # openTSNE defaults: the early-exaggeration phase, then the normal one
NORMAL_ITERATIONS = 500
CALLBACK_EVERY = 25
# Placing (openTSNE transform's settings, but 100 iterations instead of 250: on 20,000 points in 20 clusters the
# 10-NN label agreement of the placed points was 0.909 with no iteration, 0.912 after 100 and 0.913 after 250).
PLACE_PERPLEXITY = 5.0
PLACE_NEIGHBOURS = 25
PLACE_ITERATIONS = 100
PLACE_LEARNING_RATE = 0.1
PLACE_EXAGGERATION = 1.5
PLACE_MOMENTUM = 0.8
PLACE_MAX_GRADIENT = 0.25
PLACE_CHUNK_ROWS = 50_000  # points placed at once: one chunk's vectors and affinities in memory, never all


@dataclass
class EmbeddingMap:
    method: str  # "tsne" or "umap"
    rows: np.ndarray = array_field("(m,) rows of the mapped vectors, ascending")
    coordinates: np.ndarray = array_field("(m, 2) map coordinates")
    pca_components: int  # 0 = on the raw vectors
    settings: dict[str, float | int | str]
    colour: np.ndarray | None = array_field("(m,) colour values (str categories or numbers)", default=None)
    colour_by: str | None = None
    fitted: np.ndarray | None = array_field("(m,) bool: True where the map was fitted on the point, False where "
                                            "the point was placed in the fitted map", default=None)

    @property
    def name(self) -> str:
        """File stem: "tsne", "tsne_pca10", "umap"."""
        return self.method + (f"_pca{self.pca_components}" if self.pca_components else "")

    def fitted_mask(self) -> np.ndarray:
        """(m,) bool, True for the fitted points (every point of a map saved before placing existed)."""
        return np.ones(len(self.rows), dtype=bool) if self.fitted is None else np.asarray(self.fitted, dtype=bool)

    def described(self) -> dict[str, int]:
        fitted = int(np.count_nonzero(self.fitted_mask()))
        return {"fitted_points": fitted, "placed_points": len(self.rows) - fitted}


@dataclass
class Placement:
    """The points to place in a map fitted on others: their rows, read ``chunk_rows`` at a time by ``read``
    (rows -> (k, d') float64 points as the map sees them), so a million vectors never sit in memory whole."""

    rows: np.ndarray
    read: Callable[[np.ndarray], np.ndarray]
    chunk_rows: int = PLACE_CHUNK_ROWS

    def chunks(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for start in range(0, len(self.rows), self.chunk_rows):
            rows = self.rows[start:start + self.chunk_rows]
            yield rows, np.ascontiguousarray(self.read(rows), dtype=np.float64)


def reduce_with_pca(points: np.ndarray, components: np.ndarray, mean: np.ndarray, count: int) -> np.ndarray:
    """Project ``points`` (m, d) on the first ``count`` principal axes (rows of ``components``)."""
    return (points - mean) @ components[:count].T


def _threads(points: int) -> int:
    return 2 if points >= FFT_FROM_POINTS else 1


def tsne_map(points: np.ndarray, rows: np.ndarray, perplexity: float = 30.0, early_exaggeration: float = 12.0,
             pca_components: int = 0, seed: int = 0, n_jobs: int | None = None, method: str = "auto",
             progress: Progress | None = None, placement: Placement | None = None) -> EmbeddingMap:
    """openTSNE embedding fitted on ``points`` (m, d), already reduced to ``pca_components`` axes if wanted; the
    points of ``placement`` (if any) are then placed in it. The map's rows come out ascending.

    ``method``: "fft", "bh" (Barnes-Hut) or "auto" (FFT from 10,000 points on). ``n_jobs`` defaults to 1 below
    10,000 points and 2 from there: on small maps a second thread gains little and, when the cores are shared,
    openTSNE's waiting threads made a 150-point map 15x slower (measured: 2 s with 1 thread, 32 s with 2).
    """
    if importlib.util.find_spec("openTSNE") is None:
        raise ZspaceError("t-SNE needs the openTSNE package; install it with 'pip install openTSNE' or ask for no map")
    from openTSNE import TSNE  # heavy (numba-compiled kernels): imported when a map is made

    if len(points) <= 3 * perplexity:
        raise ZspaceError(f"t-SNE: {len(points)} points are too few for perplexity {perplexity:g}; "
                          f"use more points or a perplexity below {len(points) / 3:.0f}",
                          options=("tsne_fit_points", "tsne_perplexity"))
    if method not in ("auto", "fft", "bh"):
        raise ZspaceError(f"t-SNE method {method!r}: use auto, fft or bh")
    if method == "auto":
        method = "fft" if len(points) >= FFT_FROM_POINTS else "bh"
    n_jobs = n_jobs if n_jobs is not None else _threads(len(points))
    settings: dict[str, float | int | str] = {
        "perplexity": perplexity, "early_exaggeration": early_exaggeration, "negative_gradient_method": method,
        "seed": seed, "n_jobs": n_jobs}
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
    if placement is None or not len(placement.rows):
        return _assembled("tsne", rows, np.asarray(embedding, dtype=np.float64), pca_components, settings)
    embedding -= (np.max(embedding, axis=0) + np.min(embedding, axis=0)) / 2  # centred, as openTSNE's transform
    neighbours = min(PLACE_NEIGHBOURS, len(points) - 1)
    place_perplexity = min(PLACE_PERPLEXITY, (len(points) - 1) / 3)
    settings |= {"place_perplexity": place_perplexity, "place_neighbours": neighbours,
                 "place_iterations": PLACE_ITERATIONS, "place_negative_gradient_method": "fft"}

    def place(chunk: np.ndarray) -> np.ndarray:
        partial = embedding.prepare_partial(chunk, initialization="median", k=neighbours, perplexity=place_perplexity)
        partial.optimize(n_iter=PLACE_ITERATIONS, learning_rate=PLACE_LEARNING_RATE, exaggeration=PLACE_EXAGGERATION,
                         momentum=PLACE_MOMENTUM, max_grad_norm=PLACE_MAX_GRADIENT, negative_gradient_method="fft",
                         n_jobs=_threads(len(chunk)), inplace=True)
        return np.asarray(partial, dtype=np.float64)

    placed = _place(placement, place, f"placing {len(placement.rows)} points in the t-SNE map", progress)
    return _assembled("tsne", rows, np.asarray(embedding, dtype=np.float64), pca_components, settings,
                      placement.rows, placed)


def _place(placement: Placement, place: Callable[[np.ndarray], np.ndarray], description: str,
           progress: Progress | None) -> np.ndarray:
    """(p, 2) coordinates of the placement's points, placed one chunk at a time."""
    placed = np.empty((len(placement.rows), 2), dtype=np.float64)
    done = 0
    with step(progress, len(placement.rows), "points", description) as advance:
        for rows, chunk in placement.chunks():
            placed[done:done + len(rows)] = place(chunk)
            done += len(rows)
            advance(len(rows))
    return placed


def _assembled(method: str, rows: np.ndarray, coordinates: np.ndarray, pca_components: int,
               settings: dict[str, float | int | str], placed_rows: np.ndarray | None = None,
               placed: np.ndarray | None = None) -> EmbeddingMap:
    """The map of the fitted points and the placed ones, rows ascending, ``fitted`` saying which is which."""
    placed_rows = np.zeros(0, dtype=np.int64) if placed_rows is None else placed_rows
    placed = np.zeros((0, 2)) if placed is None else placed
    all_rows = np.concatenate([np.asarray(rows, dtype=np.int64), np.asarray(placed_rows, dtype=np.int64)])
    order = np.argsort(all_rows, kind="stable")
    fitted = np.arange(len(all_rows)) < len(rows)
    return EmbeddingMap(method, all_rows[order], np.concatenate([coordinates, placed])[order], pca_components,
                        settings, fitted=fitted[order])


def umap_available() -> bool:
    return importlib.util.find_spec("umap") is not None


def umap_map(points: np.ndarray, rows: np.ndarray, pca_components: int = 0, seed: int = 0,
             n_neighbors: int = 15, placement: Placement | None = None,
             progress: Progress | None = None) -> EmbeddingMap:
    """UMAP embedding fitted on ``points`` (optional dependency ``umap-learn``; not installed by zspace); the
    points of ``placement`` are placed with ``UMAP.transform``."""
    if not umap_available():
        raise ZspaceError("UMAP needs the umap-learn package, which zspace does not install; "
                          "'pip install umap-learn' or leave UMAP off")
    import umap  # optional: umap-learn is not a dependency of zspace

    with step(progress, 1, "map", f"UMAP of {len(points)} points") as advance:
        model = umap.UMAP(n_neighbors=n_neighbors, random_state=seed).fit(points)
        advance(1)
    settings: dict[str, float | int | str] = {"n_neighbors": n_neighbors, "seed": seed}
    coordinates = np.asarray(model.embedding_, dtype=np.float64)
    if placement is None or not len(placement.rows):
        return _assembled("umap", rows, coordinates, pca_components, settings)
    placed = _place(placement, lambda chunk: np.asarray(model.transform(chunk), dtype=np.float64),
                    f"placing {len(placement.rows)} points in the UMAP map", progress)
    return _assembled("umap", rows, coordinates, pca_components, settings, placement.rows, placed)
