"""The link to generation, run-level (SPEC S15's second half, issues 12 and 21): do sampled points decode
badly *because* they lie in voids of the data?

For every sampler: draw ``count`` points z (fitted samplers are fitted on the
run's train latents, as ``zspace generate`` does), decode them, and score each point:

- void score of z: distance to the nearest data latent / the data's typical
  (median) nearest-neighbour distance (:func:`voids.void_scores`; > 1: in a void);
- Mahalanobis distance of z from the data latents' mean in their covariance
  metric: the baseline "far from the Gaussian bulk", which a Gaussian null has too;
- quality of the decoded image, higher is worse. The primary scores do not come from
  the encoder that defines the voids (:mod:`zspace.generate.link_quality`): the judge's
  unrealism (1 / realism score) where a judge of the cache is at hand, and the
  pixel-space distance to the nearest training image. Two encoder-space scores are
  kept as labelled extras, circular by construction when encode∘decode ≈ identity: the
  data distance (the void score of encode(decode(z))) and the cycle error
  |encode(decode(z)) - z| / |z| (which also counts components the decoder ignores).

Then Spearman's rank correlation of void score with each quality per sampler and
pooled, the partial one with the Mahalanobis distance held fixed, and the samplers
compared at matched void depth (:mod:`link_summary`, :mod:`link_depth`). The data
latents are every row of ``latents.npy``.
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
from zspace.generate.link_quality import ImageReference, image_reference, pixel_size
from zspace.models.inference import decode
from zspace.models.protocol import LatentModel, check_images_fit, latent_dim
from zspace.neighbours import NeighbourIndex, resolve_backend
from zspace.progress import Progress, step
from zspace.resources import check_room
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


def _reference(opened: Run, model: LatentModel, reference_images: int, seed: int, judge: str, backend: str,
               progress: Progress | None) -> tuple[ImageReference | None, list[str]]:
    """The training images the independent qualities are measured against; None (and why) without the cache."""
    folder = opened.training_data()
    if not folder.is_dir():
        return None, [f"{folder}: the run's image cache is not found, so only the encoder-space qualities "
                      "(circular when encode∘decode ≈ identity) were measured; the link is inconclusive"]
    cache = opened.cache()
    check_images_fit(model, cache.images.shape[1:], cache.path)
    reference = image_reference(cache, reference_images, seed, judge, backend, progress)
    return reference, reference.notes


def generation_link(run: str | os.PathLike, samplers: Sequence[str] = DEFAULT_SAMPLERS, count: int = 500,
                    seed: int = 0, progress: Progress | None = None, device: str = "cpu", batch_size: int = 256,
                    backend: str = "auto", judge: str = "stored", reference_images: int = 4000,
                    model: LatentModel | None = None) -> GenerationLink:
    """Void score against decoded quality for ``count`` points of each sampler spec of ``run``.

    ``run``: a trained and encoded run folder (or :class:`zspace.run.Run`). ``judge``: ``"stored"`` (a judge
    already stored beside the run's cache, if any), ``"none"``, or a judge name that is trained when missing
    (:mod:`zspace.generate.link_quality`). ``reference_images``: training images (seeded subsample) of the pixel
    distance and the judge's real set. ``model``: a ``LatentModel`` to decode with instead of the run's own.
    Returns a :class:`GenerationLink` (``.to_dict()``: one row per sampler plus the pooled row; ``.arrays()``).
    """

    if count < 3:
        raise ZspaceError(f"count = {count}: the link needs at least 3 points per sampler")
    if not samplers:
        raise ZspaceError("samplers is empty: give at least one sampler spec, e.g. 'normal'")
    parsed = [parse_sampler(spec) for spec in samplers]  # every spec checked before any work
    backend = resolve_backend(backend)
    opened = (run if isinstance(run, Run) else Run(run)).require()
    latents = opened.latents()
    model = model if model is not None else opened.model(device)
    dim = latent_dim(model)
    if latents.dim != dim:
        raise ZspaceError(f"{opened.latents_file} has dim {latents.dim}, the model {dim}; encode the run again")
    image_bytes = int(np.prod(model.image_shape))
    # At least: one sampler's z, encode(decode(z)) and neighbour queries at a time; every sampler's images (scored
    # against the training images at the end) and scores; the training images and pixel vectors of the reference.
    check_room(count * 40 * dim + len(parsed) * count * (image_bytes + 4 * dim + 32)
               + reference_images * (image_bytes + 16 * pixel_size(model.image_shape)),
               f"{count:,} points per sampler: their images and scores", "draw fewer points",
               options=("link_samples",))
    data = np.asarray(latents.vectors, dtype=np.float32)
    if not np.all(np.isfinite(data)):
        raise ZspaceError(f"{opened.latents_file} holds NaN or inf; encode the run again")
    index = NeighbourIndex(data, backend)
    typical = typical_distance(data, seed=seed, index=index)
    if not typical > 0:
        raise ZspaceError(f"the data latents' typical neighbour distance is {typical}: duplicate points only")
    mean, transform = whitening(data)
    reference, notes = _reference(opened, model, reference_images, seed, judge, backend, progress)
    seeds = np.random.SeedSequence(seed).spawn(len(parsed))
    scores, decoded = [], []
    with step(progress, len(parsed) * count, "pt", "link") as advance:
        for spec, sampler, sampler_seed in zip(samplers, parsed, seeds, strict=True):
            fitted, _reused, sampler_notes = fitted_sampler(opened, sampler, dim)
            notes.extend(sampler_notes)
            z = np.asarray(fitted.sample(count, np.random.default_rng(sampler_seed)), dtype=np.float32)
            images = decode(model, z, batch_size, device)
            again, cycle = cycle_errors(model, z, images, batch_size=batch_size, device=device)
            nearest = index.query_in_chunks(np.concatenate([z, again]).astype(np.float64), 1)[0][:, 0] / typical
            scores.append(SamplerScores(spec, nearest[:count], mahalanobis(z, mean, transform),
                                        {"data_distance": nearest[count:], "cycle_error": cycle}, z))
            decoded.append(images if reference is not None else None)
            advance(count)
    if reference is not None:
        _add_independent(reference, decoded, scores)
    settings = {"samplers": list(samplers), "count": count, "seed": seed, "backend": backend,
                "run": str(opened.path.resolve()), "data": str(opened.latents_file),
                **(reference.settings() if reference is not None else {"judge": None})}
    return GenerationLink(scores, typical, len(data), settings, notes)


def _add_independent(reference: ImageReference, decoded: list[np.ndarray], scores: list[SamplerScores]) -> None:
    """The pixel distance and (with a judge) the judge's unrealism of every sampler's images, each in one pass
    over all of them, put before the encoder-space qualities: the first is the primary quality."""
    images = np.concatenate(decoded)
    independent = {"judge_unrealism": reference.judge_unrealism(images), "pixel_distance": reference.pixel_distance(
        images)}
    start = 0
    for found in scores:
        rows = slice(start, start + len(found.void))
        found.quality = {**{name: values[rows] for name, values in independent.items() if values is not None},
                         **found.quality}
        start = rows.stop
