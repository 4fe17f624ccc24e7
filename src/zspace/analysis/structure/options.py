"""Settings of the structure analysis (issue 12), checked once with a one-line error naming the value."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from zspace.analysis.structure.density import SEED_PLANES
from zspace.analysis.structure.null_tests import CORRECTIONS
from zspace.analysis.structure.scales import DEFAULT_SCALES
from zspace.errors import ZspaceError
from zspace.neighbours import BACKENDS


@dataclass(frozen=True)
class StructureOptions:
    """What :func:`structure_analysis` measures and how.

    - ``max_points``: rows analysed (a seeded uniform subsample; None = all). The null has this N.
    - ``query_points``: points whose neighbourhoods are measured (intrinsic dimension, neighbour distances,
      anisotropy), searched among all analysed rows; all rows when it exceeds them.
    - ``null_draws``: Gaussian null clouds (>= 2; the p-values use a t prediction interval, see null_tests).
    - ``alpha``, ``correction``: level and multiple-testing correction ("holm" or "bh"). The default 0.01 with
      Holm keeps the chance of any false "structure" claim per analysis at 1% (24 dependent tests); real
      filaments differ from the null by tens of null standard deviations. More draws give more power.
    - ``probes``: random points per probe set for the void fractions.
    - ``uniform_bounds``: b of the seed's uniform [-b, b]^d probes.
    - ``planes``: PCA planes (1-based axes) for the density contrast; those beyond the rank are skipped.
    - ``zooms``: window sides in units of the plane's first-axis standard deviation; ``cells`` per side.
    - ``backend``: nearest-neighbour search, "auto" (faiss when installed), "faiss" or "numpy".
    - ``scales``: neighbourhood sizes k of the scale curves and claims (issue 21; those above (N - 1) / 8 are
      skipped); ``scale_queries``: points whose k_max neighbours are searched (fewer at large k, see scales).
    - ``mixture_components``: Gaussians of the smooth mixture null (0: none), fitted on ``mixture_points`` rows.
    """

    max_points: int | None = 50_000
    query_points: int = 4_000
    null_draws: int = 5
    seed: int = 0
    alpha: float = 0.01
    correction: str = "holm"
    twonn_discard: float = 0.1
    mle_k: tuple[int, int] = (10, 20)
    anisotropy_k: int = 20
    probes: int = 500
    uniform_bounds: tuple[float, ...] = (4.0, 1.5)
    planes: tuple[tuple[int, int], ...] = SEED_PLANES
    zooms: tuple[float, ...] = (8.0, 2.0, 0.5)
    cells: int = 32
    backend: str = "auto"
    scales: tuple[int, ...] = DEFAULT_SCALES
    scale_queries: int = 500
    mixture_components: int = 10
    mixture_points: int = 4000

    def __post_init__(self) -> None:
        # The values a user sets are named in words with their parameter (the CLI adds its flag); the rest
        # are the library's own knobs, named as in this class.
        worded = [
            (self.max_points is None or self.max_points >= 30,
             f"{self.max_points} rows to analyse: use at least 30, or all rows", "max_points"),
            (self.query_points >= 10, f"{self.query_points} query points: measure at least 10", "query_points"),
            (self.null_draws >= 2, f"{self.null_draws} Gaussian null draws: the tests need at least 2", "null_draws"),
            (0 < self.alpha < 1, f"test level {self.alpha}: give a level between 0 and 1, e.g. 0.01", "alpha"),
            (self.correction in CORRECTIONS,
             f"correction {self.correction!r}: choose one of {', '.join(CORRECTIONS)}", "correction"),
            (self.probes >= 10, f"{self.probes} probes per probe set: use at least 10", "probes"),
            (len(self.scales) > 0 and all(k >= 2 for k in self.scales),
             f"scales {list(self.scales)}: give neighbourhood sizes k of at least 2, e.g. 8, 16, ..., 512", "scales"),
            (self.mixture_components >= 0,
             f"{self.mixture_components} mixture components: give 0 (no mixture null) or more", "mixture_components"),
        ]
        for ok, message, option in worded:
            if not ok:
                raise ZspaceError(f"structure: {message}", options=(option,))
        checks = [
            (0 <= self.twonn_discard < 1, f"twonn_discard = {self.twonn_discard} must be in [0, 1)"),
            (2 <= self.mle_k[0] <= self.mle_k[1], f"mle_k = {self.mle_k} must satisfy 2 <= k1 <= k2"),
            (self.anisotropy_k >= 2, f"anisotropy_k = {self.anisotropy_k} must be >= 2"),
            (all(b > 0 for b in self.uniform_bounds), f"uniform_bounds {self.uniform_bounds} must be positive"),
            (len(self.zooms) > 0 and all(z > 0 for z in self.zooms), f"zooms {self.zooms} must be positive"),
            (self.cells >= 2, f"cells = {self.cells} must be >= 2"),
            (self.backend in BACKENDS, f"backend {self.backend!r} is not one of {', '.join(BACKENDS)}"),
            (self.scale_queries >= 10, f"scale_queries = {self.scale_queries} must be >= 10"),
            (self.mixture_points >= 30, f"mixture_points = {self.mixture_points} must be >= 30"),
        ]
        for ok, message in checks:
            if not ok:
                raise ZspaceError(f"structure option {message}")

    @property
    def neighbours(self) -> int:
        """Neighbours searched per query point: enough for MLE, anisotropy and TwoNN."""
        return max(2, self.mle_k[1], self.anisotropy_k)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)
