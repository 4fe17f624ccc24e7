"""Latent-side ablations of the causal story (issue 21, section 6): where do sampled points sit, measured on
all units and on the active units only?

docs/findings.md says AE prior samples fail because they miss the data's region (a large Mahalanobis
distance), while a VAE's N(0, I) points also sit far away on all units yet decode to faces, because the
far directions are collapsed units the decoder ignores. This module measures that directly:

- active units (Burda, Grosse & Salakhutdinov 2016, section 5.2): components whose variance over the data
  of the encoder mean is above ``threshold`` (0.01), as :func:`zspace.analysis.dominant.active_units`;
- :func:`mahalanobis_to_data`: the Mahalanobis distance of points from the data latents' mean in their
  covariance (pseudo-inverse on its rank; :func:`zspace.generate.link.whitening`, the link's baseline),
  on all components or on a subset (the active units);
- :func:`latent_ablation`: the medians of that distance for the data's own latents (the reference, about
  sqrt(d) for a Gaussian) and for points of each sampler, on all units and on the active units; for a VAE
  also from the aggregate posterior (means plus one draw of the encoder's noise, :func:`posterior_draws`),
  the cloud its decoder was trained on, of which latents.npy (the means) is a squeezed copy.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from zspace.analysis.dominant import active_units
from zspace.errors import ZspaceError
from zspace.generate.link import mahalanobis, whitening
from zspace.samplers import parse_sampler

ACTIVE_THRESHOLD = 0.01  # Burda et al. 2016


def mahalanobis_to_data(points: np.ndarray, data: np.ndarray, units: Sequence[int] | None = None) -> np.ndarray:
    """(n,) sqrt((z - mean)' C^+ (z - mean)) of each point, mean and C of ``data``, on the columns ``units``
    (all when None)."""
    points, data = np.asarray(points, dtype=np.float64), np.asarray(data, dtype=np.float64)
    if points.ndim != 2 or data.ndim != 2 or points.shape[1] != data.shape[1]:
        raise ZspaceError(f"points {points.shape} and data {data.shape} must be 2-D with the same number of "
                          "columns; pass latents of one run")
    if units is not None:
        units = [int(u) for u in units]
        if not units:
            raise ZspaceError("no units to measure on (the run has no active units); measure on all units instead")
        points, data = points[:, units], data[:, units]
    mean, transform = whitening(data)
    return mahalanobis(points, mean, transform)


def posterior_draws(latents: np.ndarray, logvar: np.ndarray, seed: int = 0) -> np.ndarray:
    """One draw of z ~ q(z | x) = N(mean, exp(logvar)) per row: the aggregate posterior, where a VAE's decoder
    was trained (latents.npy holds only the means)."""
    latents, logvar = np.asarray(latents, dtype=np.float64), np.asarray(logvar, dtype=np.float64)
    if latents.shape != logvar.shape:
        raise ZspaceError(f"latents {latents.shape} and logvar {logvar.shape} differ in shape; re-encode the run")
    return latents + np.exp(0.5 * logvar) * np.random.default_rng(seed).standard_normal(latents.shape)


def latent_ablation(latents: np.ndarray, specs: Sequence[str] = ("normal", "fullcov", "fullcov-floor"),
                    count: int = 2000, seed: int = 0, threshold: float = ACTIVE_THRESHOLD,
                    logvar: np.ndarray | None = None) -> dict:
    """Active units and the median Mahalanobis distance, on all units and on the active units, of the data's own
    latents and of ``count`` points of each sampler (fitted on ``latents``, drawn with ``seed``).

    With a VAE's ``logvar``, also ``posterior``: the median distance on all units from the aggregate posterior
    (one draw of q(z | x) per row, :func:`posterior_draws`) instead of the means."""
    data = np.asarray(latents, dtype=np.float64)
    active = active_units(data.std(axis=0), threshold)
    posterior = None if logvar is None else posterior_draws(data, logvar, seed)
    result = {"dim": int(data.shape[1]), "active_units": active, "active_count": len(active),
              "active_threshold": threshold, "count": count, "seed": seed,
              "data": _medians(data, data, active, posterior), "samplers": {}}
    for offset, spec in enumerate(specs):
        sampler = parse_sampler(spec)
        sampler = sampler.fit(data) if sampler.needs_fit else sampler.with_dim(data.shape[1])
        points = sampler.sample(count, np.random.default_rng([seed, offset]))
        result["samplers"][spec] = _medians(points, data, active, posterior)
        if getattr(sampler, "floored_", None) is not None:  # fullcov-floor: principal axes the floor raised
            result["floored_axes"] = int(sampler.floored_)
    return result


def _medians(points: np.ndarray, data: np.ndarray, active: list[int], posterior: np.ndarray | None) -> dict:
    found = {"all": float(np.median(mahalanobis_to_data(points, data)))}
    found["active"] = float(np.median(mahalanobis_to_data(points, data, active))) if active else None
    if posterior is not None:  # the data's own points are then the posterior draws themselves
        probe = posterior if points is data else points
        found["posterior"] = float(np.median(mahalanobis_to_data(probe, posterior)))
    return found
