"""Which known factors the samples get wrong: per-factor Wasserstein distances, and a sentence.

Only the synthetic faces have known factors, and only the factor judge predicts
them. For each factor, the 1-D Wasserstein distance (``scipy.stats.
wasserstein_distance``, the earth mover's distance between the two empirical
distributions) between the judge's predictions on the samples and on the real
images. Both sides go through the same judge, so its own errors largely cancel.
Distances are also given in units of the data's spread of that prediction, so
factors can be ranked against each other; glasses are also given as the share
of images predicted to wear them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GLASSES = "glasses"


@dataclass(frozen=True)
class FactorGaps:
    distance: dict[str, float]  # factor -> Wasserstein distance (units of the factor)
    relative: dict[str, float]  # factor -> distance / data's standard deviation of the prediction
    glasses_share: tuple[float, float] | None  # (samples, data) share predicted to wear glasses


def factor_gaps(real: dict[str, np.ndarray], fake: dict[str, np.ndarray]) -> FactorGaps:
    """Per-factor distances between predicted factors of fake and real images (name -> (n,) values)."""
    from scipy.stats import wasserstein_distance

    distance, relative = {}, {}
    for name, values in real.items():
        distance[name] = float(wasserstein_distance(values, fake[name]))
        spread = float(np.std(values))
        relative[name] = distance[name] / spread if spread > 0 else float("inf")
    share = None
    if GLASSES in real:
        share = (float(np.mean(fake[GLASSES] > 0.5)), float(np.mean(real[GLASSES] > 0.5)))
    return FactorGaps(distance, relative, share)


def _words(name: str) -> str:
    return name.replace("_", " ")


def _off(gaps: FactorGaps, name: str) -> str:
    if name == GLASSES and gaps.glasses_share is not None:
        fake, real = gaps.glasses_share
        if fake < 0.2 * real:
            return f"almost no glasses ({fake:.0%} of samples wear them, {real:.0%} of the data)"
        if fake > min(1.0, 2.0 * real):
            return f"too many glasses ({fake:.0%} of samples, {real:.0%} of the data)"
        return f"glasses on {fake:.0%} of samples against {real:.0%} of the data"
    return f"the wrong {_words(name)} ({gaps.relative[name]:.2f} σ off)"


def factor_sentence(what: str, gaps: FactorGaps, worst: int = 2, best: int = 2) -> str:
    """E.g. "the normal samples of ae have the right skin tone and hair color but almost no glasses (...)"."""
    order = sorted(gaps.relative, key=lambda name: gaps.relative[name])
    if gaps.glasses_share is not None and gaps.glasses_share[1] < 0.01:  # a judge that sees no glasses in the data
        order.remove(GLASSES)
    right = [_words(name) for name in order[:best]]
    wrong = [_off(gaps, name) for name in reversed(order[-worst:])]
    return f"{what} have the right {' and '.join(right)} but {' and '.join(wrong)}"
