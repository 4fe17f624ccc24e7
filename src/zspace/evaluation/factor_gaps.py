"""Which known factors the samples get wrong: per-factor Wasserstein distances, and a sentence.

Only the synthetic faces have known factors, and only the factor judge predicts
them. For each factor, the 1-D Wasserstein distance (``scipy.stats.
wasserstein_distance``, the earth mover's distance between the two empirical
distributions) between the judge's predictions on the samples and on the real
images. Both sides go through the same judge, so its own errors largely cancel.
Distances are also given in units of the data's spread of that prediction, so
factors can be ranked against each other; glasses are also given as the share
of images predicted to wear them.

A gap is never zero, even between two sets of real images, so "wrong" is decided
against the held-out images' own gaps (real images the models never saw: the
noise level at this n), from intervals (``verdict.py``): each relative distance
gets a bootstrap interval (rows of both sets resampled with replacement, one
resample shared by all factors; the resampling's own upward bias, median − value,
removed from the percentiles as for FD, ``metrics/bootstrap.py``), and a factor
is off only where the samples' interval lies wholly above the held-out images'.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from zspace.evaluation.verdict import HIGHER, Estimate, compare

GLASSES = "glasses"


@dataclass(frozen=True)
class FactorGaps:
    distance: dict[str, float]  # factor -> Wasserstein distance (units of the factor)
    relative: dict[str, float]  # factor -> distance / data's standard deviation of the prediction
    glasses_share: tuple[float, float] | None  # (samples, data) share predicted to wear glasses
    interval: dict[str, tuple[float, float]] = field(default_factory=dict)  # factor -> relative distance interval

    def estimate(self, name: str) -> Estimate:
        low, high = self.interval.get(name, (None, None))
        return Estimate(self.relative[name], low, high, "bootstrap")


def factor_gaps(real: dict[str, np.ndarray], fake: dict[str, np.ndarray], resamples: int = 0, level: float = 0.95,
                rng: np.random.Generator | None = None) -> FactorGaps:
    """Per-factor distances between predicted factors of fake and real images (name -> (n,) values), with a
    bootstrap interval of each relative distance from ``resamples`` resamples (none below 2)."""
    # scipy.stats costs ~1 s to import: only when factor gaps are measured
    from scipy.stats import wasserstein_distance

    distance, relative, spreads = {}, {}, {}
    for name, values in real.items():
        distance[name] = float(wasserstein_distance(values, fake[name]))
        spreads[name] = float(np.std(values))
        relative[name] = distance[name] / spreads[name] if spreads[name] > 0 else float("inf")
    share = None
    if GLASSES in real:
        share = (float(np.mean(fake[GLASSES] > 0.5)), float(np.mean(real[GLASSES] > 0.5)))
    interval = {}
    if resamples >= 2 and real:
        rng = rng if rng is not None else np.random.default_rng(0)
        count_real, count_fake = len(next(iter(real.values()))), len(next(iter(fake.values())))
        # One resample of the rows of both sets, shared by all factors, as multiplicities (R, n).
        real_counts = np.stack([np.bincount(rng.integers(0, count_real, count_real), minlength=count_real)
                                for _ in range(resamples)]) / count_real
        fake_counts = np.stack([np.bincount(rng.integers(0, count_fake, count_fake), minlength=count_fake)
                                for _ in range(resamples)]) / count_fake
        for name, values in real.items():
            if not spreads[name] > 0:
                continue
            again = weighted_wasserstein(values, fake[name], real_counts, fake_counts)  # (R,)
            low, high = np.quantile(again, [(1.0 - level) / 2.0, (1.0 + level) / 2.0])
            shift = float(np.median(again)) - distance[name]
            interval[name] = (max(float(low) - shift, 0.0) / spreads[name], (float(high) - shift) / spreads[name])
    return FactorGaps(distance, relative, share, interval)


def weighted_wasserstein(u: np.ndarray, v: np.ndarray, u_weights: np.ndarray, v_weights: np.ndarray) -> np.ndarray:
    """1-D Wasserstein distances between u (n,) and v (m,) under R pairs of weightings (R, n), (R, m), each
    summing to 1: ∫ |F_u − F_v| dx from one sort of u ∪ v, as ``scipy.stats.wasserstein_distance`` computes it
    for one pair of weights (its ``_cdf_distance`` with p = 1)."""
    values = np.concatenate([u, v]).astype(np.float64)  # (n + m,)
    order = np.argsort(values, kind="stable")
    steps = np.diff(values[order])  # (n + m − 1,)
    signed = np.concatenate([u_weights, -v_weights], axis=1)[:, order]  # (R, n + m): F_u − F_v jumps
    return np.abs(np.cumsum(signed, axis=1)[:, :-1]) @ steps


def _words(name: str) -> str:
    return name.replace("_", " ")


def _off(gaps: FactorGaps, name: str, reference: FactorGaps) -> str:
    if name == GLASSES and gaps.glasses_share is not None:
        fake, real = gaps.glasses_share
        if fake < 0.2 * real:
            return f"almost no glasses ({fake:.0%} of samples wear them, {real:.0%} of the data)"
        if fake > min(1.0, 2.0 * real):
            return f"too many glasses ({fake:.0%} of samples, {real:.0%} of the data)"
        return f"glasses on {fake:.0%} of samples against {real:.0%} of the data"
    return (f"the wrong {_words(name)} ({gaps.relative[name]:.2f} σ off; held-out images "
            f"{reference.relative[name]:.2f} σ)")


def _order(gaps: FactorGaps) -> list[str]:
    order = sorted(gaps.relative, key=lambda name: gaps.relative[name])
    if gaps.glasses_share is not None and gaps.glasses_share[1] < 0.01:  # a judge that sees no glasses in the data
        order.remove(GLASSES)
    return order


def heldout_sentence(what: str, gaps: FactorGaps) -> str:
    """The held-out images' own gaps: the noise level every sampler's gaps are set against."""
    widest = _order(gaps)[-1]
    return (f"{what} (real images no model saw) differ from the training images by at most "
            f"{gaps.relative[widest]:.2f} σ ({_words(widest)}): the noise level of the factor gaps at this n, "
            "against which the samples' gaps are judged")


def factor_sentence(what: str, gaps: FactorGaps, reference: FactorGaps, worst: int = 2, best: int = 2) -> str:
    """E.g. "the normal samples of ae are within the held-out images' noise in skin tone and hair color but have
    almost no glasses (...)": off only where the samples' interval lies above the held-out images' (``reference``)."""
    order = _order(gaps)
    off = [name for name in reversed(order) if compare(gaps.estimate(name), reference.estimate(name)) == HIGHER]
    matched = [_words(name) for name in order if name not in off][:best]
    if not gaps.interval or not reference.interval:
        return (f"{what}: largest factor gaps {', '.join(_off(gaps, n, reference) for n in reversed(order[-worst:]))}"
                " (no intervals: nothing decided)")
    if not off:
        return (f"{what} are not shown further from the data than the held-out images in any factor (intervals "
                f"overlap; closest: {' and '.join(matched)})")
    head = (f"{what} are within the held-out images' noise in {' and '.join(matched)} but have " if matched
            else f"{what} have ")
    return head + " and ".join(_off(gaps, name, reference) for name in off[:worst]) + " (intervals disjoint)"
