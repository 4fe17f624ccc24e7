"""A sampler's FD at the reference rows' n, so that it can be set against them at all.

FD is biased upwards by about a constant / n (Chong & Forsyth 2020), so the
samplers' FD at n and the reference rows' FD at their smaller count (every
held-out image, at most n) cannot be compared directly. Here the sampler's
features are subsampled, without replacement and with a seed, to the reference
count, and measured with the same shifted bootstrap interval as every row
(``metrics/bootstrap.py``) against the same real set. The real side of that
bootstrap is drawn once per real set from its own stream and reused.
"""

from __future__ import annotations

import numpy as np

from zspace.evaluation.features import EvaluationOptions
from zspace.evaluation.metrics.bootstrap import fd_bootstrap
from zspace.evaluation.metrics.fd import fd_from_fits, fit_gaussian
from zspace.evaluation.metrics.threads import single_blas_thread
from zspace.evaluation.reference import RealReference

STREAM = 5  # the real-side bootstrap stream: after the five measure_features spawns


def fd_equal_n(reference: RealReference, features: np.ndarray, count: int, options: EvaluationOptions) -> dict:
    """{"n": count, "fd": FD of ``count`` seeded rows of ``features``, "fd_ci": [low, high] or None}."""
    streams = np.random.SeedSequence(options.seed).spawn(STREAM + 1)
    rng = np.random.default_rng([options.seed, count])
    rows = np.sort(rng.choice(len(features), size=count, replace=False))
    subset = np.asarray(features[rows], dtype=np.float64)  # (count, d)
    fd = fd_from_fits(reference.fit, fit_gaussian(subset), reference.root)
    interval = None
    if options.bootstrap >= 2:
        with single_blas_thread():
            interval = fd_bootstrap(reference.features, subset, options.bootstrap, options.confidence, rng,
                                    estimate=fd, real_resamples=reference.resamples(options.bootstrap,
                                                                                    streams[STREAM]))
    return {"n": int(count), "fd": fd, "fd_ci": [interval.low, interval.high] if interval else None}
