"""Feature spaces from outside zspace (issue 20): the space FD, KID and precision/recall are measured in.

By default a run-level evaluation embeds images with a judge that zspace trains
on the cache (``judges/``). A feature space replaces it:

- ``dinov2:DIR`` / ``clip:DIR``: a pretrained vision transformer from a local
  Hugging Face folder (``hf_features.py``; DINOv2 is what Stein et al. 2023
  recommend for FD_DINOv2);
- ``FILE.py:function`` (or ``package.module:function``): the user's own PyTorch
  extractor (``user_features.py``).

A :class:`FeatureSpace` answers like a judge (``name``, ``record``, ``embed``),
so the data side and the rows need no second path. Its rows are labelled with
the space (``feature_space``: the table writes FD_DINOv2, KID_DINOv2), so no one
reads them as a judge's numbers. Features are cached per run and space in
``RUN/features/<kind>-<checksum>/<images checksum>.npy``: keyed by the space's
weights checksum and the sha256 of the very images embedded, so a cached file
is never stale; the folder can be deleted at any time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from zspace.errors import ZspaceError
from zspace.io import load_npy, save_npy
from zspace.progress import Progress, step

SPACE_KINDS = ("dinov2", "clip")  # kind:DIR, a local Hugging Face folder; anything else is user code

Extract = Callable[[np.ndarray], np.ndarray]  # uint8 (n, H, W, C) -> float32 (n, k)


@dataclass
class FeatureSpace:
    """An opened feature space: what embeds images, what it is (``record``), where its features are kept."""

    name: str  # DINOv2, CLIP or the user's function: the metrics are FD_<name>, KID_<name>
    extract: Extract  # one batch of uint8 images -> features
    record: dict  # JSON-ready: feature_space, spec, checksum, feature_dim, ...
    batch_size: int = 64
    store: Path | None = None  # the folder of cached features; None = no cache
    counts: dict[str, int] = field(default_factory=lambda: {"computed": 0, "reused": 0})  # shared by copies
    notes: list[str] = field(default_factory=list)
    output_names: list[str] = field(default_factory=list)  # no head: as a judge without one

    @property
    def reused(self) -> bool:
        """True when every feature set so far came from the cache."""
        return self.counts["reused"] > 0 and self.counts["computed"] == 0

    @property
    def key(self) -> str:
        """The cache folder's name: the kind and the first 16 hex digits of the weights' checksum."""
        return f"{self.record['kind']}-{self.record['checksum'].removeprefix('sha256:')[:16]}"

    def in_folder(self, folder: Path) -> FeatureSpace:
        """The same space (same network, same counts), caching its features under ``folder``."""
        return replace(self, store=Path(folder) / self.key)

    def label(self) -> str:
        return f"{self.name} ({self.record['spec']})"

    def embed(self, images: np.ndarray, progress: Progress | None = None,
              description: str = "features") -> tuple[np.ndarray, None]:
        """uint8 images (n, H, W, C) -> float32 features (n, k), from the cache when these images were
        embedded before; no head outputs (None)."""
        images = np.ascontiguousarray(images)
        path = self.store / f"{images_checksum(images)}.npy" if self.store is not None else None
        cached = self._cached(path, len(images))
        if cached is not None:
            self.counts["reused"] += 1
            return cached, None
        features = embed_batches(self.extract, images, self.batch_size, progress,
                                 f"{self.name} {description.removeprefix('judge ')}")
        self.record["feature_dim"] = features.shape[1]  # a user's extractor says its width only when run
        self.counts["computed"] += 1
        if path is not None:

            save_npy(path, features)
        return features, None

    def _cached(self, path: Path | None, rows: int) -> np.ndarray | None:
        """The features stored at ``path`` when they are there, whole and of the right shape."""
        if path is None or not path.is_file():
            return None

        try:
            features = load_npy(path)
        except ZspaceError:  # damaged: computed again and replaced
            return None
        dim = self.record["feature_dim"]
        if features.ndim != 2 or len(features) != rows or features.dtype != np.float32 or \
                (dim and features.shape[1] != dim):
            return None
        self.record["feature_dim"] = features.shape[1]
        return features


def images_checksum(images: np.ndarray) -> str:
    """32 hex digits of the sha256 of the images' shape, dtype and bytes (C order)."""
    digest = hashlib.sha256(f"{images.shape}{images.dtype}".encode())
    digest.update(memoryview(np.ascontiguousarray(images)).cast("B"))
    return digest.hexdigest()[:32]


def embed_batches(extract: Extract, images: np.ndarray, batch_size: int, progress: Progress | None,
                  description: str) -> np.ndarray:
    """``extract`` over ``images`` in batches into one (n, k) float32 array; k is the first batch's width."""
    features = None
    with step(progress, len(images), "img", description) as advance:
        for start in range(0, len(images), batch_size):
            batch = extract(images[start:start + batch_size])
            if features is None:
                features = np.empty((len(images), batch.shape[1]), dtype=np.float32)
            elif batch.shape[1] != features.shape[1]:
                raise ZspaceError(f"the feature extractor returned {batch.shape[1]} features per image after "
                                  f"{features.shape[1]} for the first batch; it must return the same width k")
            features[start:start + len(batch)] = batch
            advance(len(batch))
    if features is None:
        raise ZspaceError("no images to embed; the feature space needs at least one image")
    return features


def in_run(space, run):
    """A feature space caching into ``run``'s features folder; a judge as it is."""
    return space.in_folder(run.features_dir) if isinstance(space, FeatureSpace) else space


def space_columns(space) -> dict:
    """The row columns that name a feature space (none for a judge)."""
    return {"feature_space": space.name} if isinstance(space, FeatureSpace) else {}


def check_sample_count(space: FeatureSpace | None, num_samples: int) -> None:
    """FD's covariance in a space of width d needs d + 1 samples per set (a user's width is known only later)."""
    dim = space.record["feature_dim"] if space is not None else 0
    if dim and num_samples < dim + 1:
        raise ZspaceError(f"{num_samples} samples per sampler: the Fréchet distance in the {dim} {space.name} "
                          f"features needs at least d + 1 = {dim + 1}; draw {dim + 1} or more",
                          options=("num_samples",))
