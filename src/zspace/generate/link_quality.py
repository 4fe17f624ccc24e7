"""Quality scores of decoded images that do not come from the encoder that defines the voids (issue 21).

The void score of z is measured in the run's latent space. A quality score of decode(z) measured by the
same encoder (encode(decode(z)) against the data latents) is circular when encode∘decode is close to the
identity: a z deep in a void comes back deep in a void by construction (the demo AE gave rho = +0.89).
The two scores here see only the decoded image:

- ``pixel_distance``: the Euclidean distance from the decoded image to its nearest training image, both as
  float images in [0, 1] average-pooled to at most 32 px (the judge network's input scale,
  ``judges/network.py``'s ``MAX_INPUT``) and flattened, over a seeded subsample of the train split (4,000
  images by default), divided by the subsample's typical (median) distance from an image to its nearest
  other one: > 1 reads "farther from every training image than training images are from each other".
  Exact nearest neighbours (:mod:`zspace.neighbours`).
- ``judge_unrealism``: 1 / the realism score of Kynkäänniemi et al. 2019 (sec. 5, eq. 3) in the feature
  space of the cache's judge (``evaluation/judges``), against the judge features of up to 2,000 of the
  same training images (seeded; the quick evaluation's real set is 1,000), by
  :func:`~zspace.evaluation.metrics.prdc.precision_recall_density_coverage` with k = 3; < 1 inside a
  retained real ball. Higher is worse, like every quality of the link.

Which judge: ``"stored"`` uses one already stored beside the cache (by ``zspace evaluate`` or the demo,
under any training settings, if its cache checksum matches; classifier, then factors, then random) and
none when there is none; ``"none"`` never uses one; a judge name (``"auto"``, ``"classifier"``,
``"factors"``, ``"random"``) opens it as ``evaluate`` does, training and storing it when missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch.nn import functional

from zspace.analysis.structure.voids import typical_distance
from zspace.data.cache import ImageCache
from zspace.data.loader import to_model_input
from zspace.errors import ZspaceError
from zspace.evaluation.judges import AUTO_ORDER, CHOICES, JUDGES, Judge, open_judge
from zspace.evaluation.judges.network import MAX_INPUT, NetworkShape
from zspace.evaluation.judges.store import judge_files, load_stored, request
from zspace.evaluation.judges.training import split_rows
from zspace.evaluation.metrics.prdc import precision_recall_density_coverage
from zspace.io import load_json
from zspace.neighbours import NeighbourIndex
from zspace.progress import Progress

JUDGE_CHOICES = ("stored", "none", *CHOICES)
JUDGE_IMAGES = 2000  # training images of the judge's real set (the realism balls)
REALISM_K = 3  # the realism score's balls: k = 3 (Kynkäänniemi et al. 2019), as evaluate's precision_recall_k
POOL_BATCH = 512
QUERY_ROWS = 4096  # decoded images scored at a time (the neighbour search's own chunk)


def pixel_size(image_shape: tuple[int, ...], side: int = MAX_INPUT) -> int:
    """Components of the pixel vector of one image of shape (C, H, W): C * min(H, side)^2."""
    return int(image_shape[0]) * min(int(image_shape[1]), side) ** 2


def pixel_vectors(images: np.ndarray, side: int = MAX_INPUT) -> np.ndarray:
    """uint8 (n, H, W, C) -> float32 (n, C * s * s) in [0, 1], average-pooled to s = min(H, side) px."""
    images = np.asarray(images)
    height = images.shape[1]
    out = np.empty((len(images), images.shape[3] * min(height, side) ** 2), dtype=np.float32)
    for start in range(0, len(images), POOL_BATCH):
        batch = to_model_input(torch.from_numpy(np.array(images[start:start + POOL_BATCH])))  # (c, C, H, W)
        if height > side:
            batch = functional.adaptive_avg_pool2d(batch, side)
        out[start:start + len(batch)] = batch.reshape(len(batch), -1).numpy()
    return out


@dataclass
class ImageReference:
    """A seeded subsample of the training images: pixel vectors in a neighbour index, judge features if any."""

    rows: np.ndarray  # cache rows used
    side: int  # pixels per side the images are compared at
    index: NeighbourIndex  # pixel vectors (n, C s s)
    typical: float  # median nearest-other-image pixel distance (1.0 when every image has a duplicate)
    judge: Judge | None = None
    judge_features: np.ndarray | None = None  # (n, 128) of the judge
    notes: list[str] = field(default_factory=list)

    def pixel_distance(self, images: np.ndarray) -> np.ndarray:
        """(n,) nearest-training-image pixel distance of each uint8 image / the typical distance."""
        nearest = np.empty(len(images))
        for start in range(0, len(images), QUERY_ROWS):  # bounds the float64 copy of the pixel vectors
            vectors = pixel_vectors(images[start:start + QUERY_ROWS]).astype(np.float64)
            nearest[start:start + len(vectors)] = self.index.query_in_chunks(vectors, 1)[0][:, 0]
        return nearest / self.typical

    def judge_unrealism(self, images: np.ndarray) -> np.ndarray | None:
        """(n,) 1 / realism score of each uint8 image in the judge's features; None without a judge."""
        if self.judge is None or self.judge_features is None:
            return None
        features, _ = self.judge.embed(images)
        if len(features) <= REALISM_K:
            self.notes.append(f"judge realism needs more than k = {REALISM_K} decoded images, got {len(features)}; "
                              "left out")
            return None
        realism = precision_recall_density_coverage(self.judge_features, features, REALISM_K).realism
        with np.errstate(divide="ignore"):
            return 1.0 / realism  # inf realism (a copy of a training image) -> 0; realism 0 -> inf

    def settings(self) -> dict[str, object]:
        """What the independent qualities were measured against, for the link's settings."""
        return {"reference_images": int(len(self.rows)), "pixel_side": self.side,
                "pixel_typical_distance": self.typical, "judge": None if self.judge is None else self.judge.label(),
                "judge_reference_images": None if self.judge_features is None else len(self.judge_features)}


def stored_judge(cache: ImageCache) -> Judge | None:
    """A judge already stored beside ``cache`` whose checksum matches (any settings), or None; never trains."""
    for name in AUTO_ORDER:  # classifier, factors, random
        _, record_file = judge_files(cache, name)
        if not record_file.is_file():
            continue
        try:
            record = load_json(record_file)
            shape = NetworkShape(record["shape"]["channels"], record["shape"]["outputs"],
                                 tuple(record["shape"]["filters"]))
            stored = load_stored(cache, request(cache, name, shape, record["settings"]))
        except (ZspaceError, KeyError, TypeError):
            continue
        if stored is not None:
            kind = JUDGES[name]()
            names = kind.output_names(cache) if kind.applies(cache) else []
            return Judge(name, stored[0], names, stored[1], reused=True)
    return None


def image_reference(cache: ImageCache, count: int = 4000, seed: int = 0, judge: str = "stored",
                    backend: str = "auto", progress: Progress | None = None) -> ImageReference:
    """Up to ``count`` training images of ``cache`` (seeded, train split): pixel index, typical distance, judge."""
    if judge not in JUDGE_CHOICES:
        raise ZspaceError(f"judge {judge!r} is not one of {', '.join(JUDGE_CHOICES)}")
    if count < 2:
        raise ZspaceError(f"reference images = {count}: the pixel distance needs at least 2 training images")
    rows = split_rows(cache, "train", count, seed)
    if len(rows) < 2:
        raise ZspaceError(f"{cache.path}: {len(rows)} training image(s); the pixel distance needs at least 2")
    images = cache.images[rows]
    index = NeighbourIndex(pixel_vectors(images), backend)
    typical = typical_distance(index.references, query_points=1000, seed=seed, index=index)
    notes = []
    if not typical > 0:
        notes.append(f"the {len(rows)} reference images are mostly duplicates (typical distance 0): pixel "
                     "distances are not divided by it")
        typical = 1.0
    opened = (None if judge == "none" else stored_judge(cache) if judge == "stored"
              else open_judge(cache, judge, progress=progress))
    features = None
    if opened is not None:
        notes += opened.notes
        chosen = np.arange(len(rows)) if len(rows) <= JUDGE_IMAGES else np.sort(
            np.random.default_rng(seed).choice(len(rows), size=JUDGE_IMAGES, replace=False))
        features = opened.embed(images[chosen])[0]
    return ImageReference(rows, min(cache.image_size, MAX_INPUT), index, float(typical), opened, features, notes)
