"""The link to generation, run-level (SPEC S15's second half, issue 12): do sampled points decode badly
*because* they lie in voids of the data?

For every sampler: draw ``count`` points z (fitted samplers are fitted on the
run's train latents, as ``zspace generate`` does), decode them, encode the
images again, and score each point:

- void score of z: distance to the nearest data latent / the data's typical
  (median) nearest-neighbour distance (:func:`voids.void_scores`; > 1: in a void);
- Mahalanobis distance of z from the data latents' mean in their covariance
  metric: the baseline "far from the Gaussian bulk", which a Gaussian null has too;
- quality, higher is worse, from the model alone (no judge): the data
  distance, the void score of encode(decode(z)) (how unlike every data image
  the decoded image is; the primary score), and the cycle error
  |encode(decode(z)) - z| / |z|. The cycle error counts the components the
  decoder ignores (a VAE's collapsed units: the encoder maps every image to
  about 0 there), so for a VAE it grows with |z| in those components just as
  the void score does; the data distance has no such shared term.

Then Spearman's rank correlation of void score with each quality per sampler
and pooled, and the partial one with the Mahalanobis distance held fixed
(:mod:`link_summary`). The data latents are every row of ``latents.npy``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from zspace.analysis.structure.link_summary import GenerationLink, SamplerScores
from zspace.analysis.structure.voids import typical_distance
from zspace.errors import ZspaceError
from zspace.generate.cycle import cycle_errors
from zspace.generate.from_run import fitted_sampler
from zspace.neighbours import NeighbourIndex, resolve_backend
from zspace.progress import Progress, step
from zspace.run import Run
from zspace.samplers import parse_sampler
from zspace.samplers.registry import DEFAULT_SAMPLERS


def whitening(data: np.ndarray, relative_floor: float = 1e-10) -> tuple[np.ndarray, np.ndarray]:
    """(mean (d,), W (d, r)) of the data, with |(z - mean) W| the Mahalanobis distance (pseudo-inverse on the
    covariance's rank r)."""
    data = np.asarray(data, dtype=np.float64)
    values, vectors = np.linalg.eigh(np.cov(data, rowvar=False))
    keep = values > relative_floor * max(values.max(), 1e-300)
    return data.mean(axis=0), vectors[:, keep] / np.sqrt(values[keep])


def mahalanobis(points: np.ndarray, mean: np.ndarray, transform: np.ndarray) -> np.ndarray:
    """sqrt((z - mean)' C^+ (z - mean)) per row of ``points``, with (mean, transform) from :func:`whitening`."""
    whitened = (np.asarray(points, dtype=np.float64) - mean) @ transform
    return np.sqrt(np.einsum("ij,ij->i", whitened, whitened))


def generation_link(run: str | os.PathLike, samplers: Sequence[str] = DEFAULT_SAMPLERS, count: int = 500,
                    seed: int = 0, progress: Progress | None = None, device: str = "cpu", batch_size: int = 256,
                    backend: str = "auto") -> GenerationLink:
    """Void score against decoded quality for ``count`` points of each sampler spec of ``run``.

    ``run``: a trained and encoded run folder (or :class:`zspace.run.Run`). Returns a :class:`GenerationLink`
    (``.to_dict()``: one row per sampler plus the pooled row; ``.figures()``; ``.arrays()``).
    """

    if count < 3:
        raise ZspaceError(f"count = {count}: the link needs at least 3 points per sampler")
    if not samplers:
        raise ZspaceError("samplers is empty: give at least one sampler spec, e.g. 'normal'")
    parsed = [parse_sampler(spec) for spec in samplers]  # every spec checked before any work
    backend = resolve_backend(backend)
    opened = (run if isinstance(run, Run) else Run(run)).require()
    latents = opened.latents()
    model = opened.model(device)
    if latents.dim != model.config.latent_dim:
        raise ZspaceError(f"{opened.latents_file} has dim {latents.dim}, the model {model.config.latent_dim}; "
                          f"encode the run again")
    data = np.asarray(latents.vectors, dtype=np.float32)
    if not np.all(np.isfinite(data)):
        raise ZspaceError(f"{opened.latents_file} holds NaN or inf; encode the run again")
    index = NeighbourIndex(data, backend)
    typical = typical_distance(data, seed=seed, index=index)
    if not typical > 0:
        raise ZspaceError(f"the data latents' typical neighbour distance is {typical}: duplicate points only")
    mean, transform = whitening(data)
    seeds = np.random.SeedSequence(seed).spawn(len(parsed))
    scores, notes = [], []
    with step(progress, len(parsed) * count, "pt", "link") as advance:
        for spec, sampler, sampler_seed in zip(samplers, parsed, seeds, strict=True):
            fitted, _reused, sampler_notes = fitted_sampler(opened, sampler, model.config.latent_dim)
            notes.extend(sampler_notes)
            z = np.asarray(fitted.sample(count, np.random.default_rng(sampler_seed)), dtype=np.float32)
            again, cycle = cycle_errors(model, z, batch_size=batch_size, device=device)
            nearest = index.query_in_chunks(np.concatenate([z, again]).astype(np.float64), 1)[0][:, 0] / typical
            scores.append(SamplerScores(spec, nearest[:count], mahalanobis(z, mean, transform),
                                        {"data_distance": nearest[count:], "cycle_error": cycle}, z))
            advance(count)
    settings = {"samplers": list(samplers), "count": count, "seed": seed, "backend": backend,
                "run": str(opened.path.resolve()), "data": str(opened.latents_file)}
    return GenerationLink(scores, typical, len(data), settings, notes)
