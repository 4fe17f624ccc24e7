"""What the run-level link to generation found (:class:`GenerationLink`): per-sampler rows, pooled, in words.

:func:`zspace.generate.link.generation_link` fills it from a trained run; this
module only holds the numbers and says what they mean (the rows, the pooled
row and the verdict written beside them in metrics.json), so it needs no model
and no torch. zspace.results saves and reads it; the report draws its figures.

Every quality score is "higher is worse" (an error or a distance), so a
positive rank correlation with the void score means "the deeper in a void,
the worse the decoded image", the seed's hypothesis. The verdict is written
from the primary quality, the first one that does not come from the encoder
that defines the voids (issue 21); the encoder-space scores are reported beside
it as extras, circular by construction when encode∘decode ≈ identity. With no
independent quality the link is called inconclusive.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from zspace.analysis.structure.link import link, spearman
from zspace.analysis.structure.link_depth import BINS, MIN_COUNT, depth_bins, depth_sentence, depth_summary
from zspace.results import array_field

CIRCULAR = "encoder-space, circular by construction when encode∘decode ≈ identity"
QUALITIES = {
    "judge_unrealism": "1 / the realism score (Kynkäänniemi et al. 2019) of the decoded image in the judge's "
                       "features, against training images; < 1 inside a retained real ball. Independent of the "
                       "autoencoder",
    "pixel_distance": "pixel distance from the decoded image to its nearest training image (float images in [0, 1] "
                      "average-pooled to at most 32 px) / the training images' typical nearest-other-image "
                      "distance. Independent of the encoder",
    "data_distance": f"distance from encode(decode(z)) to the nearest data latent / the data's typical "
                     f"nearest-neighbour distance ({CIRCULAR})",
    "cycle_error": f"|encode(decode(z)) - z| / |z|: how far the decoded image's encoding lands from z, also "
                   f"counting components the decoder ignores ({CIRCULAR})",
}
ENCODER_SPACE = ("data_distance", "cycle_error")


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

    @property
    def primary_quality(self) -> str | None:
        """The first quality that does not come from the encoder (None when only encoder-space ones exist)."""
        return next((q for q in self.qualities if q not in ENCODER_SPACE), None)

    def described(self) -> dict[str, object]:
        """One row per sampler, the pooled row, definitions and the verdict, for a reader of the saved JSON."""
        rows = [s.row() for s in self.samplers]
        pooled = self.pooled().row() if self.samplers else {}
        depth = {q: depth_bins({s.name: (s.void, s.quality[q]) for s in self.samplers}) for q in self.qualities}
        primary = self.primary_quality
        return {
            "rows": rows, "pooled": pooled, "verdict": link_verdict(rows, pooled, primary, depth.get(primary)),
            "claim": link_claim(pooled, primary),
            "quality_definitions": {q: QUALITIES.get(q, "a per-sample score, higher is worse") for q in self.qualities},
            "primary_quality": primary,
            "independent_qualities": [q for q in self.qualities if q not in ENCODER_SPACE],
            "encoder_space_qualities": [q for q in self.qualities if q in ENCODER_SPACE],
            "matched_depth": {q: {"bins": bins, **depth_summary(bins)} for q, bins in depth.items()},
            "matched_depth_definition": f"the pooled void scores cut into {BINS} quantile bins; per bin each "
                                        f"sampler's median quality (at least {MIN_COUNT} points) and the "
                                        "Kruskal-Wallis p across samplers (scipy.stats.kruskal)",
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


def _words(quality: str) -> str:
    return quality.replace("_", " ")


def link_claim(pooled: dict, primary: str | None, alpha: float = 0.01) -> dict[str, object]:
    """``{"found", "quality", "rho", "p_value", "evidence"}``: are decoded images worse deeper in voids, by the
    primary (encoder-independent) quality, pooled over the samplers, at ``alpha``? The verdict says the same."""
    if primary is None or primary not in pooled:
        return {"found": False, "quality": None, "rho": None, "p_value": None,
                "evidence": "inconclusive: no quality independent of the encoder was measured"}
    result = pooled[primary]
    if result["rho"] is None:
        return {"found": False, "quality": primary, "rho": None, "p_value": None,
                "evidence": f"the {_words(primary)} does not vary: no link can be measured"}
    found = bool(result["p_value"] < alpha and result["rho"] > 0)
    evidence = (f"rho = {result['rho']:+.2f}, p = {result['p_value']:.2g}, n = {result['count']} pooled"
                + ("" if found else f"; not a positive rank correlation at p < {alpha:g}"))
    return {"found": found, "quality": primary, "rho": result["rho"], "p_value": result["p_value"],
            "evidence": evidence}


def link_verdict(rows: list[dict], pooled: dict, primary: str | None = None, depth: list[dict] | None = None,
                 alpha: float = 0.01) -> str:
    """The link in plain words, from the primary quality: pooled and within samplers, against the Mahalanobis
    baseline, at matched void depth; the encoder-space scores as labelled extras."""
    if not rows:
        return "No sampler was measured."
    shares = ", ".join(f"{r['sampler']} {100 * r['void_share']:.0f}%" for r in rows)
    text = [f"Share of sampled points in voids: {shares}."]
    extras = [q for q in ENCODER_SPACE if isinstance(pooled.get(q), dict) and pooled[q]["rho"] is not None]
    extra = ("For comparison, the encoder-space " + "; ".join(
        f"{_words(q)} gives rho = {pooled[q]['rho']:+.2f} (p = {pooled[q]['p_value']:.2g})" for q in extras)
        + f" ({CIRCULAR}, so it is no evidence either way)." if extras else "")
    if primary is None or primary not in pooled:
        text.append("No quality score independent of the encoder was measured (no image cache, or an analysis "
                    "saved before issue 21), so the link is inconclusive.")
        return " ".join(t for t in [*text, extra] if t)
    p, words = pooled[primary], _words(primary)
    text.append(f"Quality used: the {words} ({QUALITIES.get(primary, 'a per-sample score')}; higher is worse).")
    if p["rho"] is None:
        text.append(f"The {words} does not vary across the decoded images, so no rank correlation can be "
                    "measured: the link finds nothing.")
        return " ".join(t for t in [*text, extra] if t)
    text.append(f"Pooled over the samplers, the void score and the {words} show {_strength(p['rho'])} rank "
                f"correlation (rho = {p['rho']:+.2f}, p = {p['p_value']:.2g}, n = {p['count']}); the distance from "
                f"the Gaussian bulk (Mahalanobis) gives rho = {p['mahalanobis_rho']:+.2f}, and with it held fixed "
                f"the void score keeps rho = {p['partial_rho']:+.2f}.")
    within = [r for r in rows if r[primary]["rho"] is not None]
    significant = [r for r in within if r[primary]["p_value"] < alpha and r[primary]["rho"] > 0]
    text.append(f"Within single samplers, rho > 0 at p < {alpha:g} in {len(significant)} of {len(within)}"
                + (f" ({', '.join(r['sampler'] for r in significant)})." if significant else "."))
    if link_claim(pooled, primary, alpha)["found"]:
        text.append(f"Deeper in voids, the decoded images are worse by the {words}.")
        if p["partial_rho"] is not None and (abs(p["partial_rho"]) < 0.1 or p["partial_p_value"] >= alpha):
            text.append("Being far from the data explains bad decodes no better than being far from the bulk of "
                        "a Gaussian with the data's covariance, which has voids of its own: the link does not "
                        "need filaments.")
        elif p["partial_rho"] is not None:
            text.append("Beyond the distance from the Gaussian bulk, nearness to the data itself still predicts "
                        "the quality: the data's own shape matters for generation.")
    else:
        text.append(f"No positive link between void depth and the {words} at p < {alpha:g}: inconclusive.")
    if depth is not None and len(rows) > 1:
        text.append(depth_sentence(depth_summary(depth, alpha), f"{words}"))
    return " ".join(t for t in [*text, extra] if t)
