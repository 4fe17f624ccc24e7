"""What the run-level link to generation found (:class:`GenerationLink`): per-sampler rows, pooled, in words.

:func:`zspace.analysis.structure.generation_link.generation_link` fills it from
a trained run; this module only holds the numbers, turns them into the
``"link"`` block of metrics.json, the arrays saved beside it and the figures,
and reads them back (:func:`load_link`), so it needs no model and no torch.

Every quality score is "higher is worse" (an error or a distance), so a
positive rank correlation with the void score means "the deeper in a void,
the worse the decoded image", the seed's hypothesis.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from scipy import stats

from zspace.analysis.structure.link import link, link_figure, spearman
from zspace.analysis.structure.result import json_safe
from zspace.errors import ZspaceError

QUALITIES = {
    "data_distance": "distance from encode(decode(z)) to the nearest data latent / the data's typical "
                     "nearest-neighbour distance: how unlike every data image the decoded image is",
    "cycle_error": "|encode(decode(z)) - z| / |z|: how far the decoded image's encoding lands from z (also counts "
                   "components the decoder ignores)",
}
ARRAY_PREFIX = "structure_link_"


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
    void: np.ndarray  # (n,) void score of z: nearest data latent / typical distance
    mahalanobis: np.ndarray  # (n,) distance of z from the data's mean in the data's covariance metric
    quality: dict[str, np.ndarray]  # quality name -> (n,) score, higher is worse
    z: np.ndarray | None = None  # (n, d) float32 the sampled points (decode them again to look)

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

    def to_dict(self) -> dict[str, object]:
        """The ``"link"`` block of metrics.json: one row per sampler, the pooled row, definitions, verdict."""
        rows = [s.row() for s in self.samplers]
        pooled = self.pooled().row()
        return json_safe({
            "samplers": rows, "pooled": pooled, "verdict": link_verdict(rows, pooled),
            "quality": {q: QUALITIES.get(q, "a per-sample score, higher is worse") for q in self.qualities},
            "primary_quality": self.qualities[0] if self.qualities else None,
            "void_score": "distance from z to the nearest data latent / the data's typical (median) "
                          "nearest-neighbour distance; > 1: in a void",
            "mahalanobis": "sqrt((z - mean)' covariance^+ (z - mean)) of the data latents: the baseline "
                           "'far from the Gaussian bulk', which a Gaussian null has too",
            "correlation": "Spearman rank correlation, two-sided p from Student's t (as scipy.stats.spearmanr); "
                           "partial_rho: holding the Mahalanobis distance fixed",
            "typical_distance": self.typical_distance, "data_points": self.data_points,
            "settings": self.settings, "notes": self.notes,
        })

    def arrays(self) -> dict[str, tuple[np.ndarray, str]]:
        """File name -> (array, description): each sampler's per-sample scores, for redrawing the figures."""
        out: dict[str, tuple[np.ndarray, str]] = {}
        for k, s in enumerate(self.samplers):
            stem = f"{ARRAY_PREFIX}{k}"
            out[f"{stem}_void.npy"] = (s.void, f"(n,) void scores of the {s.name} points")
            out[f"{stem}_mahalanobis.npy"] = (s.mahalanobis, f"(n,) Mahalanobis distances of the {s.name} points")
            for name, values in s.quality.items():
                out[f"{stem}_{name}.npy"] = (values, f"(n,) {name} of the {s.name} points")
            if s.z is not None:
                out[f"{stem}_z.npy"] = (np.asarray(s.z, dtype=np.float32), f"(n, d) the {s.name} points")
        return out

    def figures(self) -> dict[str, Figure]:
        """figures/structure_link.png (the primary quality, data distance) and structure_link_<quality>.png."""
        out = {}
        for k, quality in enumerate(self.qualities):
            name = "structure_link.png" if k == 0 else f"structure_link_{quality}.png"
            out[name] = link_figure({s.name: (s.void, s.quality[quality]) for s in self.samplers},
                                    quality_label=f"{quality.replace('_', ' ')} (higher: worse)",
                                    title=f"{quality.replace('_', ' ')} against void score, "
                                          f"{self.data_points} data latents")
        return out


def load_link(folder: str | os.PathLike, block: dict) -> GenerationLink:
    """The link saved by ``analyze`` in ``folder``, from its metrics.json ``"link"`` block and its arrays."""
    from zspace.io import load_npy

    folder = Path(folder)
    samplers = []
    qualities = list(block.get("quality", {}))
    for k, row in enumerate(block["samplers"]):
        stem = folder / f"{ARRAY_PREFIX}{k}"
        if not Path(f"{stem}_void.npy").is_file():
            raise ZspaceError(f"{folder}: the link's arrays are missing ({stem.name}_void.npy); analyse again")
        z = load_npy(f"{stem}_z.npy") if Path(f"{stem}_z.npy").is_file() else None
        samplers.append(SamplerScores(row["sampler"], load_npy(f"{stem}_void.npy"),
                                      load_npy(f"{stem}_mahalanobis.npy"),
                                      {q: load_npy(f"{stem}_{q}.npy") for q in qualities}, z))
    return GenerationLink(samplers, float(block["typical_distance"]), int(block["data_points"]),
                          dict(block.get("settings", {})), list(block.get("notes", [])))


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
