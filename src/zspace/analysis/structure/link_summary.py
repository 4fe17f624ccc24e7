"""What the run-level link to generation found (:class:`GenerationLink`): per-sampler rows, pooled, in words.

:func:`zspace.generate.link.generation_link` fills it from a trained run; this
module only holds the numbers and says what they mean (the rows, the pooled
row and the verdict written beside them in metrics.json), so it needs no model
and no torch. zspace.results saves and reads it; the report draws its figures.

Every quality score is "higher is worse" (an error or a distance), so a
positive rank correlation with the void score means "the deeper in a void,
the worse the decoded image", the seed's hypothesis.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from zspace.analysis.structure.link import link, spearman
from zspace.results import array_field

QUALITIES = {
    "data_distance": "distance from encode(decode(z)) to the nearest data latent / the data's typical "
                     "nearest-neighbour distance: how unlike every data image the decoded image is",
    "cycle_error": "|encode(decode(z)) - z| / |z|: how far the decoded image's encoding lands from z (also counts "
                   "components the decoder ignores)",
}


def partial_spearman(x: np.ndarray, y: np.ndarray, control: np.ndarray) -> tuple[float, float]:
    """Rank correlation of x and y with ``control`` held fixed (partial correlation of the ranks), two-sided p.

    r_xy.c = (r_xy - r_xc r_yc) / sqrt((1 - r_xc^2)(1 - r_yc^2)), p from Student's t with n - 3 degrees of freedom.
    """
    r_xy, r_xc, r_yc = spearman(x, y)[0], spearman(x, control)[0], spearman(y, control)[0]
    denominator = np.sqrt((1 - r_xc**2) * (1 - r_yc**2))
    if not np.isfinite(denominator) or denominator == 0:
        return float("nan"), float("nan")
    rho = float(np.clip((r_xy - r_xc * r_yc) / denominator, -1.0, 1.0))
    freedom = len(x) - 3
    if abs(rho) == 1.0 or freedom < 1:
        return rho, 0.0 if abs(rho) == 1.0 else float("nan")
    t = rho * np.sqrt(freedom / ((1 - rho) * (1 + rho)))
    return rho, float(2.0 * stats.t.sf(abs(t), freedom))


@dataclass
class SamplerScores:
    """Per-sample numbers of one sampler's points (or of all points pooled)."""

    name: str
    void: np.ndarray = array_field("(n,) void score of z: nearest data latent / typical distance")
    mahalanobis: np.ndarray = array_field("(n,) distance of z from the data's mean in its covariance metric")
    quality: dict[str, np.ndarray] = array_field("(n,) quality score of each decoded point, higher is worse")
    z: np.ndarray | None = array_field("(n, d) float32 the sampled points (decode them again to look)",
                                       default=None)

    def row(self) -> dict[str, object]:
        """This sampler's line of the link block: void share, each quality's rank correlation, the baseline."""
        row: dict[str, object] = {"sampler": self.name, "count": int(len(self.void)),
                                  "void_score_median": float(np.median(self.void)),
                                  "mahalanobis_median": float(np.median(self.mahalanobis))}
        for name, values in self.quality.items():
            result = link(self.void, values).to_dict()
            baseline = link(self.mahalanobis, values)
            partial, partial_p = partial_spearman(self.void, values, self.mahalanobis)
            row[name] = {**result, "median": float(np.median(values)),
                         "mahalanobis_rho": baseline.rho, "mahalanobis_p_value": baseline.p_value,
                         "partial_rho": partial, "partial_p_value": partial_p}
        first = row[next(iter(self.quality))]
        row.update({"rho": first["rho"], "p_value": first["p_value"], "void_share": first["void_share"]})
        return row


@dataclass
class GenerationLink:
    """Void scores and decoded quality of every sampler's points, and what their rank correlations say."""

    samplers: list[SamplerScores]
    typical_distance: float
    data_points: int
    settings: dict[str, object] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def pooled(self) -> SamplerScores:
        return SamplerScores("pooled", np.concatenate([s.void for s in self.samplers]),
                             np.concatenate([s.mahalanobis for s in self.samplers]),
                             {q: np.concatenate([s.quality[q] for s in self.samplers]) for q in self.qualities})

    @property
    def qualities(self) -> list[str]:
        return list(self.samplers[0].quality) if self.samplers else []

    def described(self) -> dict[str, object]:
        """One row per sampler, the pooled row, definitions and the verdict, for a reader of the saved JSON."""
        rows = [s.row() for s in self.samplers]
        pooled = self.pooled().row() if self.samplers else {}
        return {
            "rows": rows, "pooled": pooled, "verdict": link_verdict(rows, pooled),
            "quality_definitions": {q: QUALITIES.get(q, "a per-sample score, higher is worse") for q in self.qualities},
            "primary_quality": self.qualities[0] if self.qualities else None,
            "void_score": "distance from z to the nearest data latent / the data's typical (median) "
                          "nearest-neighbour distance; > 1: in a void",
            "mahalanobis_definition": "sqrt((z - mean)' covariance^+ (z - mean)) of the data latents: the baseline "
                                      "'far from the Gaussian bulk', which a Gaussian null has too",
            "correlation": "Spearman rank correlation, two-sided p from Student's t (as scipy.stats.spearmanr); "
                           "partial_rho: holding the Mahalanobis distance fixed",
        }

    @property
    def verdict(self) -> str:
        return str(self.described()["verdict"])


def _strength(rho: float) -> str:
    size = abs(rho)
    return "no" if size < 0.1 else "a weak" if size < 0.3 else "a moderate" if size < 0.5 else "a strong"


def link_verdict(rows: list[dict], pooled: dict, alpha: float = 0.01) -> str:
    """The link in plain words: pooled and within samplers, against the Mahalanobis baseline."""
    if not rows:
        return "No sampler was measured."
    quality = next(k for k, v in pooled.items() if isinstance(v, dict))
    p = pooled[quality]
    words = quality.replace("_", " ")
    shares = ", ".join(f"{r['sampler']} {100 * r['void_share']:.0f}%" for r in rows)
    text = [f"Share of sampled points in voids: {shares}."]
    if p["rho"] is None:
        return " ".join(text + ["The quality scores do not vary, so no rank correlation can be measured."])
    text.append(f"Pooled over the samplers, the void score and the {words} of the decoded image show "
                f"{_strength(p['rho'])} rank correlation (rho = {p['rho']:+.2f}, p = {p['p_value']:.2g}, "
                f"n = {p['count']}); the distance from the Gaussian bulk (Mahalanobis) gives rho = "
                f"{p['mahalanobis_rho']:+.2f}, and with it held fixed the void score keeps rho = "
                f"{p['partial_rho']:+.2f}.")
    within = [r for r in rows if r[quality]["rho"] is not None]
    significant = [r for r in within if r[quality]["p_value"] < alpha and r[quality]["rho"] > 0]
    text.append(f"Within single samplers, {len(significant)} of {len(within)} show worse images deeper in voids "
                f"at p < {alpha:g}" + (f" ({', '.join(r['sampler'] for r in significant)})." if significant else "."))
    if p["partial_rho"] is not None and p["p_value"] < alpha and p["rho"] > 0:
        if abs(p["partial_rho"]) < 0.1 or p["partial_p_value"] >= alpha:
            text.append("Being far from the data explains bad decodes no better than being far from the bulk of "
                        "a Gaussian with the data's covariance, which has voids of its own: the link does not "
                        "need filaments.")
        else:
            text.append("Beyond the distance from the Gaussian bulk, nearness to the data itself still predicts "
                        "the quality: the data's own shape matters for generation.")
    return " ".join(text)
