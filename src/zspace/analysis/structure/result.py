"""The result of a structure analysis (issue 12): the "structure" block of metrics.json, saved by zspace.results."""

from __future__ import annotations

from dataclasses import dataclass, field

from zspace.analysis.structure.claims import Claim
from zspace.analysis.structure.null_tests import StructureTest
from zspace.analysis.structure.scale_profile import ScaleProfile


@dataclass
class StructureResult:
    """Every structure number of one cloud beside its Gaussian null, the claims decided from them (issue 21) and
    the verdict in words, written from the claims."""

    intrinsic_dimension: dict[str, float | int]  # twonn, mle (float); pca_90, pca_95 (axes)
    null_intrinsic_dimension: dict[str, float | int]  # same keys, mean over null draws
    tests: list[StructureTest]
    verdict: str
    null_intrinsic_dimension_std: dict[str, float]
    typical_distance: float  # the data's median nearest-neighbour distance (void threshold; for void_scores)
    points: int  # rows analysed (= N of each null draw)
    total_points: int  # rows of the input
    dim: int
    rank: int  # rank of the covariance (dimensions the null spans)
    query_points: int
    settings: dict[str, object]
    backend: str
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    # filaments, lower_dimension, voids_beyond_null: {found, status, scale, evidence} (claims.py)
    claims: dict[str, Claim] = field(default_factory=dict)
    scales: ScaleProfile | None = None  # the curves the claims read: each statistic at each k, data and nulls

    def test(self, name: str) -> StructureTest:
        for candidate in self.tests:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    @property
    def significant(self) -> list[StructureTest]:
        return [t for t in self.tests if t.significant]

    def described(self) -> dict[str, object]:
        """The correction in words and the count of significant tests, for a reader of the saved JSON."""
        return {"null_draws": self.settings.get("null_draws"),
                "correction": {"method": self.settings.get("correction"), "alpha": self.settings.get("alpha"),
                               "p_value": "two-sided Student t prediction interval over the null draws",
                               "significant_count": len(self.significant), "test_count": len(self.tests)}}
