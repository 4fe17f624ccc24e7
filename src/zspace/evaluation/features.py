"""Bring your own features (SPEC X4, X5): every metric between two N x d arrays, as one row.

Any two arrays of feature vectors work: a judge network's features, CLIP or
Inception embeddings computed elsewhere, or latents. The row is plain JSON
(numbers, lists, None), the same shape as the rows of a run-level evaluation;
``run``, ``model`` and ``sampler`` are None and ``judge`` says the features were given.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from zspace.arrays import check_matrix, nonfinite_rows
from zspace.errors import ZspaceError
from zspace.evaluation.metrics.bootstrap import fd_bootstrap
from zspace.evaluation.metrics.fd import fd_from_fits, fit_gaussian, psd_eigenvalues, rank_of
from zspace.evaluation.metrics.kid import kernel_inception_distance, subset_size_for
from zspace.evaluation.metrics.prdc import precision_recall_density_coverage
from zspace.evaluation.metrics.sample_size import fd_sample_size_bias
from zspace.evaluation.metrics.threads import single_blas_thread
from zspace.evaluation.reference import RealReference, real_reference

GIVEN_FEATURES = "given features"
CHUNK_ROWS = 8192


@dataclass(frozen=True)
class EvaluationOptions:
    """What moves the numbers; all of it is recorded in the row."""

    k: int = 5  # neighbourhood size of density/coverage (Naeem et al. 2020: 5)
    precision_recall_k: int = 3  # of precision/recall and the realism score (Kynkäänniemi et al. 2019: 3)
    seed: int = 0
    bootstrap: int = 100  # FD bootstrap resamples; 0 = no interval
    confidence: float = 0.95
    kid_subsets: int = 100  # torch-fidelity's defaults
    kid_subset_size: int = 1000
    fd_points: int = 15  # sizes for FD∞ (Chong & Forsyth 2020); 0 = no curve
    realism_percentile: float = 50.0  # real balls kept for the realism score (Kynkäänniemi et al. 2019)

    def __post_init__(self) -> None:  # every value checked before any work, named in words
        checks = [
            (self.bootstrap == 0 or self.bootstrap >= 2,
             f"{self.bootstrap} bootstrap resamples: an FD interval needs at least 2 (0: no interval)", "bootstrap"),
            (0.0 < self.confidence < 1.0,
             f"confidence level {self.confidence}: give a level strictly between 0 and 1, e.g. 0.95", "confidence"),
            (self.kid_subsets >= 1, f"{self.kid_subsets} KID subsets: KID needs at least 1", "kid_subsets"),
            (self.kid_subset_size >= 2,
             f"KID subset size {self.kid_subset_size}: KID needs at least 2 rows per subset", "kid_subset_size"),
            (self.fd_points >= 0, f"{self.fd_points} sample sizes for FD∞: give 0 (no FD∞) or more", "fd_points"),
        ]
        for ok, message, option in checks:
            if not ok:
                raise ZspaceError(message, options=(option,))


@dataclass
class FeatureEvaluation:
    row: dict  # JSON-ready
    per_sample: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (M,) array, one value per fake row


def check_features(features: np.ndarray, name: str) -> np.ndarray:
    """Refuse anything but a finite, real-valued N x d array with N >= 2; one line naming ``name``."""
    if not isinstance(features, np.ndarray):
        features = np.asarray(features)
    check_matrix(features, name, "features")
    bad = nonfinite_rows(features, CHUNK_ROWS)
    if len(bad):
        raise ZspaceError(f"{name}: {len(bad)} of {len(features)} rows hold NaN or inf (first: row {bad[0]}); "
                          "remove or fix them")
    return features


def check_pair(real: np.ndarray, fake: np.ndarray, names: tuple[str, str], k: int) -> None:
    """Same width, more than d rows each (FD's covariance), more than k rows each (k-NN balls)."""
    if real.shape[1] != fake.shape[1]:
        raise ZspaceError(f"{names[0]} has {real.shape[1]} columns but {names[1]} has {fake.shape[1]}; "
                          "both must be features of the same space")
    dim = real.shape[1]
    for features, name in zip((real, fake), names, strict=True):
        if len(features) < dim + 1:
            raise ZspaceError(f"{name}: {len(features)} rows of dimension {dim}; the Fréchet distance needs at "
                              f"least d + 1 = {dim + 1} rows (is the array transposed?)")
        if len(features) <= k:
            raise ZspaceError(f"{name}: {len(features)} rows; k={k} nearest neighbours need more than k rows")


def measure_features(
    real: np.ndarray, fake: np.ndarray, options: EvaluationOptions | None = None,
    names: tuple[str, str] = ("real", "fake"), reference: RealReference | None = None,
) -> FeatureEvaluation:
    """All metrics between ``real`` (N, d) and ``fake`` (M, d), the row and the per-sample realism.

    ``reference``: the real set's fit, Σ^½ and k-NN radii when measured before (``real_reference(real)``,
    checked once); many fake sets against one real set then pay for them once.
    """
    options = options or EvaluationOptions()
    if reference is None:
        real = check_features(real, names[0])
        reference = real_reference(real)
    fake = check_features(fake, names[1])
    check_pair(real, fake, names, max(options.k, options.precision_recall_k))
    # One seed, independent streams per metric: changing the bootstrap count leaves KID unchanged. The real
    # side of the bootstrap and of KID has its own streams, so a reference reuses it across fake sets.
    streams = np.random.SeedSequence(options.seed).spawn(5)
    bootstrap_rng, kid_rng, size_rng = (np.random.default_rng(s) for s in streams[:3])
    real_bootstrap_seed, real_kid_seed = streams[3:]

    real_fit, real_root, fake_fit = reference.fit, reference.root, fit_gaussian(fake)
    fd = fd_from_fits(real_fit, fake_fit, real_root)
    with single_blas_thread():
        interval = (fd_bootstrap(real, fake, options.bootstrap, options.confidence, bootstrap_rng, estimate=fd,
                                 real_resamples=reference.resamples(options.bootstrap, real_bootstrap_seed))
                    if options.bootstrap else None)
        bias = fd_sample_size_bias(real_fit, fake, options.fd_points, size_rng) if options.fd_points else None
        kid_size = subset_size_for(options.kid_subset_size, len(real), len(fake))
        kid = kernel_inception_distance(
            real, fake, options.kid_subsets, options.kid_subset_size, kid_rng,
            reference.kernel_subsets(options.kid_subsets, kid_size, real_kid_seed)
            if options.kid_subsets >= 1 and kid_size >= 2 else None)
    manifold = precision_recall_density_coverage(
        real, fake, options.k, options.realism_percentile, precision_recall_k=options.precision_recall_k,
        real_radii=reference.radii(options.k, options.precision_recall_k))

    dim = real.shape[1]
    row = {
        "run": None, "model": None, "sampler": None, "judge": GIVEN_FEATURES,
        "n": len(fake), "n_real": len(real), "n_fake": len(fake), "dim": dim, "k": options.k,
        "k_precision_recall": options.precision_recall_k, "seed": options.seed,
        "fd": fd,
        "fd_ci": [interval.low, interval.high] if interval else None,
        "fd_ci_level": options.confidence if interval else None,
        "fd_bootstrap": options.bootstrap,
        "fd_infinity": bias.infinity if bias else None,  # clipped at 0; the line's own intercept below
        "fd_infinity_intercept": bias.intercept if bias else None,
        "fd_by_n": {"n": bias.sizes, "fd": bias.values} if bias else None,
        "rank_real": real_root.rank,
        "rank_fake": rank_of(psd_eigenvalues(fake_fit.covariance)[0]),
        "kid": kid.mean, "kid_std": kid.std, "kid_subsets": kid.subsets, "kid_subset_size": kid.subset_size,
        "precision": manifold.precision, "recall": manifold.recall,
        "density": manifold.density, "coverage": manifold.coverage,
        # inf when most samples coincide with real vectors; JSON has no inf, so None then.
        "realism_median": _finite_or_none(float(np.median(manifold.realism))),
    }
    return FeatureEvaluation(row, {"realism": manifold.realism})


def _finite_or_none(value: float) -> float | None:
    return value if np.isfinite(value) else None


def evaluate_features(
    real: np.ndarray, fake: np.ndarray, k: int = 5, seed: int = 0, bootstrap: int = 100,
    confidence: float = 0.95, kid_subsets: int = 100, kid_subset_size: int = 1000, fd_points: int = 15,
    precision_recall_k: int = 3,
) -> dict:
    """FD (with CI, FD∞, covariance ranks), KID, precision/recall/density/coverage between two N x d arrays.

    Returns one JSON-ready row; ``measure_features`` also returns the per-sample realism scores.
    """
    options = EvaluationOptions(k=k, seed=seed, bootstrap=bootstrap, confidence=confidence,
                                kid_subsets=kid_subsets, kid_subset_size=kid_subset_size, fd_points=fd_points,
                                precision_recall_k=precision_recall_k)
    return measure_features(real, fake, options).row
