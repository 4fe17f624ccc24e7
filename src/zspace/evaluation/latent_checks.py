"""Sample quality seen from the latent space: FD to the held-out latents, off-manifold distance, cycle error.

Three numbers that need no judge network, so they also work where no judge
fits the data:

- ``fd_latent``: the Fréchet distance (Heusel et al. 2017) between the sampled
  z and the encodings of held-out images, in the latent space itself.
- ``off_manifold``: how far sampled points fall from the encoded data. Each
  sampled z gets its distance to the nearest training encoding; the median of
  these is divided by the median distance from each held-out encoding to its
  nearest training encoding. Held-out data scores 1 by construction (both are
  points the reference set has not seen); 3 means samples sit three times as
  far from the data as real unseen images do (in the voids of the seed's S15).
- ``cycle_error``: median over samples of ‖encode(decode(z)) − z‖ / ‖z‖
  (:mod:`zspace.generate.cycle`). Measured on the first ``cycle_samples``
  samples: a median needs no more, and it saves an encode of every sample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from zspace.errors import ZspaceError
from zspace.evaluation.metrics.fd import GaussianFit, fd_from_fits, fit_gaussian, sqrt_covariance
from zspace.generate.cycle import cycle_errors
from zspace.neighbours import NeighbourIndex

MAX_REFERENCE = 20_000  # training encodings searched for nearest neighbours (seeded subsample beyond)


@dataclass
class LatentReference:
    """The run's encodings, measured once: the held-out Gaussian and a neighbour index of training encodings."""

    heldout: np.ndarray  # (H, d) held-out encodings
    heldout_fit: GaussianFit
    index: NeighbourIndex  # training encodings (up to MAX_REFERENCE)
    scale: float  # median distance from a held-out encoding to its nearest training encoding

    def nearest_distances(self, z: np.ndarray) -> np.ndarray:
        """(n,) distance from each point to its nearest training encoding."""
        distances, _ = self.index.query(np.asarray(z, dtype=np.float64), 1)
        return distances[:, 0]


def latent_reference(train: np.ndarray, heldout: np.ndarray, seed: int = 0) -> LatentReference:
    """Fit the held-out Gaussian and index the training encodings (subsampled to MAX_REFERENCE with ``seed``)."""
    if len(heldout) < 2 or len(train) < 2:
        raise ZspaceError(f"{len(train)} training and {len(heldout)} held-out encodings; the latent checks need "
                          "at least 2 of each (encode the run, with a validation split in its cache)")
    if len(train) > MAX_REFERENCE:
        train = train[np.sort(np.random.default_rng(seed).choice(len(train), MAX_REFERENCE, replace=False))]
    index = NeighbourIndex(train)
    heldout = np.asarray(heldout, dtype=np.float64)
    reference = LatentReference(heldout, fit_gaussian(heldout), index, 1.0)
    reference.scale = float(np.median(reference.nearest_distances(heldout)))
    return reference


def fd_latent(reference: LatentReference, z: np.ndarray) -> float | None:
    """FD between the points z and the held-out encodings; None when either set has at most d rows."""
    dim = reference.heldout.shape[1]
    if len(z) <= dim or len(reference.heldout) <= dim:
        return None
    fit = reference.heldout_fit
    return fd_from_fits(fit, fit_gaussian(np.asarray(z)), sqrt_covariance(fit.covariance))


def off_manifold(reference: LatentReference, z: np.ndarray) -> tuple[float, np.ndarray]:
    """(median nearest-encoding distance of z / the held-out median, per-point distances (n,))."""
    distances = reference.nearest_distances(z)
    scale = reference.scale if reference.scale > 0 else float("nan")
    return float(np.median(distances) / scale), distances


def cycle_error(model, z: np.ndarray, images: np.ndarray | None = None, limit: int = 2000, batch_size: int = 256,
                device: str = "cpu") -> float:
    """Median relative cycle error ‖encode(decode(z)) − z‖ / ‖z‖ over the first ``limit`` points.

    ``images``: decode(z) when already made (uint8, row-aligned with z), so it is not decoded twice.
    """
    _, errors = cycle_errors(model, z[:limit], None if images is None else images[:limit], batch_size, device)
    return float(np.nanmedian(errors))
