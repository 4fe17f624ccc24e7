"""The link sections of docs/findings.md (void depth against decoded quality), and the small formatters the
other sections share; comparisons of two samplers go through ``zspace.evaluation.verdict.compare`` on
bootstrap intervals of their medians."""

from __future__ import annotations

import math
from collections.abc import Callable

from zspace.evaluation.verdict import HIGHER, INCONCLUSIVE, LOWER, Estimate, compare

QUALITY_WORDS = {"judge_unrealism": "judge unrealism (1 / realism score, k = 3, in the judge's features)",
                 "pixel_distance": "pixel distance to the nearest training image (/ typical)",
                 "data_distance": "data distance (encoder space, circular)",
                 "cycle_error": "cycle error (encoder space, circular)"}
IMAGES = "images/findings"
Interval = Callable[[float | None, int], tuple[float, float] | None]


def number(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-" if value is None else str(value)
    return f"{value:.{digits}f}"


def signed(value: float | None) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{value:+.2f}"


def strength(rho: float | None) -> str:
    size = abs(rho) if rho is not None else 0.0
    return "no" if size < 0.1 else "a weak" if size < 0.3 else "a moderate" if size < 0.5 else "a strong"


def word_deeper(a: Estimate, b: Estimate) -> str:
    return {LOWER: "less deep in voids than", HIGHER: "deeper in voids than",
            INCONCLUSIVE: "as deep in voids (intervals overlap) as"}[compare(a, b)]


def word_better(a: Estimate, b: Estimate) -> str:
    return {LOWER: "better", HIGHER: "worse", INCONCLUSIVE: "no differently (intervals overlap)"}[compare(a, b)]


def vae_against_ae(runs: dict) -> list[tuple[str, str, list[Estimate], list[Estimate]]]:
    """(vae, ae, [void, quality] of the VAE's N(0, I), [void, quality] of the AE's mixture) for each pair of runs on
    the same images with the same judge."""
    pairs = []
    for vae, ae in (("demo_vae", "demo_ae"), ("fm_vae", "fm_ae")):
        if vae not in runs or ae not in runs:
            continue
        quality = runs[ae]["link"]["primary_quality"]
        if runs[vae]["link"]["primary_quality"] != quality or \
                runs[vae]["link_settings"].get("judge") != runs[ae]["link_settings"].get("judge"):
            continue
        v = [estimate(runs[vae]["medians"], "normal", key) for key in ("void", quality)]
        a = [estimate(runs[ae]["medians"], mixture_name(runs[ae]), key) for key in ("void", quality)]
        if None not in v + a:
            pairs.append((vae, ae, v, a))
    return pairs


def normal_against_mixture(f: dict) -> tuple[str, float] | None:
    quality = f["link"]["primary_quality"]
    a, b = estimate(f["medians"], "normal", quality), estimate(f["medians"], mixture_name(f), quality)
    if a is None or b is None:
        return None
    return compare(a, b), abs(a.value - b.value) / max(abs(b.value), 1e-12)


def mixture_name(f: dict) -> str:
    """The fitted mixture's sampler spec in this run (gmm:k=10, or with another EM seed when that one failed)."""
    return next((name for name in f["medians"] if name.split(",")[0] == "gmm:k=10"), "gmm:k=10")


def estimate(medians: dict, sampler: str, quality: str) -> Estimate | None:
    m = medians.get(sampler, {}).get(quality)
    return Estimate(m["median"], m["low"], m["high"], "bootstrap of the median") if m else None


def _versus(a: Estimate, b: Estimate, label: str = "") -> str:
    """``higher than <label> b [low, high]``, with a note when a decided difference is under 5%."""
    found = compare(a, b)
    words = {LOWER: "lower than", HIGHER: "higher than", INCONCLUSIVE: "not separated from"}[found]
    text = f"{words} {label}{b.words()}"
    relative = abs(a.value - b.value) / max(abs(b.value), 1e-12)
    if found == INCONCLUSIVE:
        text += " (intervals overlap)"
    elif relative < 0.05:
        text += f" (a **small** difference: {100 * relative:.1f}%)"
    return text


def sampler_comparisons(runs: dict) -> list[str]:
    """N(0, I) against the fitted mixture within each run, and the VAE's N(0, I) against the AE's mixture on the
    same images (same cache, same judge): void depth, Mahalanobis distance and the primary quality."""
    lines = []
    for run, f in runs.items():
        quality, medians = f["link"]["primary_quality"], f["medians"]
        pair = [estimate(medians, s, key) for s in ("normal", mixture_name(f)) for key in ("void", "mahalanobis",
                                                                                          quality)]
        if None in pair:
            continue
        void_n, maha_n, q_n, void_g, maha_g, q_g = pair
        gmm = f"{mixture_name(f)}'s "
        lines.append(f"- {run} (1 seed, 500 points each, medians with 95% bootstrap intervals): N(0, I) points lie at "
                     f"void score {void_n.words()} ({_versus(void_n, void_g, gmm)}) and "
                     f"Mahalanobis {maha_n.words()} ({mixture_name(f)} {maha_g.words()}); their "
                     f"{quality.replace('_', ' ')} "
                     f"is {q_n.words()}, {_versus(q_n, q_g, gmm)}.")
    for vae, ae, v, a in vae_against_ae(runs):
        quality = runs[ae]["link"]["primary_quality"]
        lines.append(f"- {vae} N(0, I) against {ae} gmm:k=10 (same images, same judge; 1 seed each): void score "
                     f"{v[0].words()}, {_versus(v[0], a[0])}; {quality.replace('_', ' ')} "
                     f"{v[1].words()}, {_versus(v[1], a[1])}. (Each void score is in its own model's latent "
                     "space, in units of its typical neighbour distance; the quality is measured on the same "
                     "kind of images by the same judge.)")
    return lines


def link_table(runs: dict, interval: Interval) -> list[str]:
    lines = ["| run | sampler | n | in voids | void score | Mahalanobis | primary quality (median) | ρ void-quality "
             "[95%] | partial ρ | data distance ρ (encoder, circular) |", "|---|---|---|---|---|---|---|---|---|---|"]
    for run, f in runs.items():
        quality = f["link"]["primary_quality"]
        for r in [*f["link"]["rows"], f["link"]["pooled"]]:
            q = r.get(quality) or {}
            ci = interval(q.get("rho"), q.get("count", 0))
            rho = f"{q['rho']:+.2f} [{ci[0]:+.2f}, {ci[1]:+.2f}]" if ci else "-"
            extra = r.get("data_distance", {}).get("rho")
            lines.append(f"| {run} | {r['sampler']} | {r['count']} | {100 * r['void_share']:.0f}% | "
                         f"{r['void_score_median']:.2f} | {r['mahalanobis_median']:.1f} | {quality.replace('_', ' ')} "
                         f"{number(q.get('median'))} | {rho} | {signed(q.get('partial_rho'))} | {signed(extra)} |")
    return lines


def link_section(runs: dict, interval: Interval) -> list[str]:
    judges = {run: f["link_settings"].get("judge") for run, f in runs.items()}
    lines = ["For 500 points of each sampler: the void score of z (distance to the nearest data latent / the data's "
             "median neighbour distance; > 1 is a void), the Mahalanobis distance of z from the data's Gaussian "
             "(the baseline 'far from the bulk', which a Gaussian has too), and the quality of the decoded image "
             "by scores that do **not** come from the encoder that defines the voids: the judge's unrealism "
             "(1 / realism score of Kynkäänniemi et al. 2019, k = 3; < 1 inside a real image's ball; judge per run: "
             + ", ".join(f"{run} {judge or 'none'}" for run, judge in judges.items())
             + ") and the pixel distance to the nearest of 4,000 training images. The first available is the "
             "primary quality; the encoder-space data distance is shown only as a labelled extra (circular: "
             "encode∘decode ≈ identity makes it track the void score by construction).", "",
             *link_table(runs, interval), "",
             *(f"Note ({run}): {note}." for run, f in runs.items() for note in f.get("link_notes", [])
               if note.startswith("gmm")), "",
             "(ρ: Spearman's rank correlation of void score and primary quality; interval: Fisher's z with "
             "variance 1.06 / (n − 3). Partial ρ: with the Mahalanobis distance held fixed. 1 training seed per "
             "run.)", "", "What the samplers' medians say (compared from intervals, `verdict.compare`):", "",
             *sampler_comparisons(runs), "", "At matched void depth (the samplers compared inside quantile bins of "
             "the pooled void score, Kruskal-Wallis, Bonferroni over the comparable bins):", ""]
    for run, f in runs.items():
        quality = f["link"]["primary_quality"]
        depth = f["link"]["matched_depth"].get(quality, {})
        if not depth:
            continue
        worst = sorted(set(depth.get("worst", [])))
        lines.append(f"- {run}: the samplers' {quality.replace('_', ' ')} differs in {depth['differing']} of "
                     f"{depth['comparable']} comparable bins (p < {depth['level']:.2g} each)"
                     + (f", worst there: {', '.join(worst)}" if worst else "") + ".")
    lines += ["", *(f"![{run}: decoded samples by void score]({IMAGES}/{run}_void_rows.png)" for run in runs
                    if runs[run].get("factors", {}).get("ring_hue") is not None),
              "", "*N(0, I) and gmm:k=10 points nearest to the data (lowest void score) and farthest, decoded.*", "",
              *(f"![{run}: link]({IMAGES}/{run}_structure_link.png)" for run in runs)]
    return lines
