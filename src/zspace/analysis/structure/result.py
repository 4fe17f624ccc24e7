"""The result of a structure analysis and its JSON form (the ``"structure"`` block of metrics.json, issue 12)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from zspace.analysis.structure.null_tests import StructureTest


def json_safe(value: object) -> object:
    """NaN and inf become None (strict JSON has neither); containers are converted recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return json_safe(value.item())
    return value


@dataclass
class StructureResult:
    """Every structure number of one cloud beside its Gaussian null, and the verdict in words."""

    intrinsic_dimension: dict[str, float]  # twonn, mle, pca_90, pca_95
    null_intrinsic_dimension: dict[str, float]  # same keys, mean over null draws
    null_intrinsic_dimension_std: dict[str, float]
    tests: list[StructureTest]
    verdict: str
    typical_distance: float  # the data's median nearest-neighbour distance (void threshold; for void_scores)
    points: int  # rows analysed (= N of each null draw)
    total_points: int  # rows of the input
    dim: int
    rank: int  # rank of the covariance (dimensions the null spans)
    query_points: int
    settings: dict[str, object]
    backend: str
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage

    def test(self, name: str) -> StructureTest:
        for candidate in self.tests:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    @property
    def significant(self) -> list[StructureTest]:
        return [t for t in self.tests if t.significant]

    @classmethod
    def from_dict(cls, block: dict) -> StructureResult:
        """Read back :meth:`to_dict`'s form (the ``"structure"`` block of metrics.json), e.g. to redraw the figure.

        JSON null (a NaN or inf when written) comes back as NaN.
        """

        def number(value: object) -> float:
            return float("nan") if value is None else float(value)  # type: ignore[arg-type]

        def dimensions(values: dict) -> dict[str, float]:
            return {k: int(v) if k.startswith("pca_") and v is not None else number(v) for k, v in values.items()}

        tests = [StructureTest(t["name"], number(t["data"]), [number(v) for v in t["null_values"]],
                               number(t["resolution"]), t.get("description", ""), dict(t.get("details") or {}),
                               number(t["p_value"]), number(t["p_adjusted"]), bool(t["significant"]))
                 for t in block["tests"]]
        return cls(
            intrinsic_dimension=dimensions(block["intrinsic_dimension"]),
            null_intrinsic_dimension=dimensions(block["null_intrinsic_dimension"]),
            null_intrinsic_dimension_std={k: number(v) for k, v in block["null_intrinsic_dimension_std"].items()},
            tests=tests, verdict=block["verdict"], typical_distance=number(block["typical_distance"]),
            points=int(block["points"]), total_points=int(block["total_points"]), dim=int(block["dim"]),
            rank=int(block["rank"]), query_points=int(block["query_points"]), settings=dict(block["settings"]),
            backend=block["backend"], timings=dict(block.get("timings_s") or {}),
        )

    def to_dict(self) -> dict[str, object]:
        """The issue's shape first (intrinsic_dimension, null_intrinsic_dimension, tests, verdict), then extras."""
        return json_safe({
            "intrinsic_dimension": self.intrinsic_dimension,
            "null_intrinsic_dimension": self.null_intrinsic_dimension,
            "tests": [t.to_dict() for t in self.tests],
            "verdict": self.verdict,
            "null_intrinsic_dimension_std": self.null_intrinsic_dimension_std,
            "typical_distance": self.typical_distance,
            "points": self.points,
            "total_points": self.total_points,
            "dim": self.dim,
            "rank": self.rank,
            "query_points": self.query_points,
            "null_draws": self.settings.get("null_draws"),
            "correction": {"method": self.settings.get("correction"), "alpha": self.settings.get("alpha"),
                           "p_value": "two-sided Student t prediction interval over the null draws",
                           "significant_count": len(self.significant), "test_count": len(self.tests)},
            "settings": self.settings,
            "backend": self.backend,
            "timings_s": self.timings,
        })
