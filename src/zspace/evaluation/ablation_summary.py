"""The ablations of issue 21 section 6, summarised across training seeds and decided from intervals.

Input: the rows of ``zspace evaluate RUN1 RUN2 RUN3`` per configuration (one row per run and sampler, plus
the held-out rows) and :func:`zspace.evaluation.ablation_latents.latent_ablation` per run. Every number is
a mean over the r seeds with its t interval (:func:`zspace.evaluation.replicates.t_interval`, the interval of
the evaluation's ``groups``); every claim is decided by :func:`zspace.evaluation.verdict.judge_claim` from
two such intervals (agrees / disagrees / inconclusive; inconclusive means "not shown", never "equal"). A
paired interval (the per-seed difference of two samplers of the same networks) is given beside each
comparison of two samplers: it removes the spread between networks, so it can decide where the unpaired
intervals overlap, and is labelled as such.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from zspace.evaluation.ranking_figure import HELDOUT, RECONSTRUCTIONS
from zspace.evaluation.replicates import t_interval
from zspace.evaluation.verdict import HIGHER, LOWER, Estimate, compare, judge_claim

LEVEL = 0.95
ROW_METRICS = ("fd", "fd_equal_n", "precision", "recall", "density", "coverage", "off_manifold", "fd_latent")
ZERO = Estimate(0.0, 0.0, 0.0, "zero")


def across_seeds(values: Sequence[float], level: float = LEVEL) -> dict:
    """{"mean", "sd", "interval", "n", "values"}: the t interval of the mean over seeds (none below 2 values)."""
    values = [float(v) for v in values if v is not None]
    found = {"mean": float(np.mean(values)) if values else None, "sd": None, "interval": None, "n": len(values),
             "values": values}
    if len(values) >= 2:
        mean, sd, low, high = t_interval(np.array(values), level)
        found.update({"mean": mean, "sd": sd, "interval": [low, high]})
    return found


def as_estimate(summary: Mapping) -> Estimate:
    low, high = summary.get("interval") or (None, None)
    return Estimate(summary["mean"], low, high, f"t interval over {summary['n']} seeds")


def _row_value(row: Mapping, metric: str) -> float | None:
    if metric == "fd_equal_n":  # samplers carry FD at the held-out count; held-out rows are at that n already
        return (row.get("fd_equal_n") or {}).get("fd", row["fd"] if row["sampler"] in (HELDOUT, RECONSTRUCTIONS)
                                                  else None)
    return row.get(metric)


def sampler_summaries(rows: Sequence[Mapping], level: float = LEVEL) -> dict:
    """{sampler: {metric: across_seeds}} over the runs of one configuration (the held-out rows included)."""
    found: dict[str, dict] = {}
    for sampler in dict.fromkeys(row["sampler"] for row in rows):
        mine = sorted((row for row in rows if row["sampler"] == sampler), key=lambda row: row["run"])
        found[sampler] = {metric: across_seeds([_row_value(row, metric) for row in mine], level)
                          for metric in ROW_METRICS}
        found[sampler]["runs"] = [row["run"] for row in mine]
    return found


def paired(rows: Sequence[Mapping], a: str, b: str, metric: str = "fd", level: float = LEVEL) -> dict:
    """The per-seed difference metric(a) - metric(b) over runs that have both, with its t interval."""
    by_run: dict[str, dict[str, float]] = {}
    for row in rows:
        by_run.setdefault(row["run"], {})[row["sampler"]] = _row_value(row, metric)
    differences = [values[a] - values[b] for _run, values in sorted(by_run.items())
                   if values.get(a) is not None and values.get(b) is not None]
    return across_seeds(differences, level)


def latent_summary(latents: Sequence[Mapping], level: float = LEVEL) -> dict:
    """Active units, Mahalanobis medians and their ratio to the data's own median, across seeds.

    ``ratio`` = median Mahalanobis distance of a sampler's points / that of the data's own latents, on the same
    units: 1 means the points sit as far from the data's mean as the data does; the AE's failing N(0, I)
    points of docs/findings.md had 24 / 5.7, about 4, on all units."""
    found = {"active_count": across_seeds([item["active_count"] for item in latents], level),
             "dim": latents[0]["dim"], "data": {}, "samplers": {}, "ratio": {}}
    views = [units for units in ("all", "active", "posterior") if all(units in item["data"] for item in latents)]
    for units in views:
        found["data"][units] = across_seeds([item["data"][units] for item in latents], level)
    for spec in latents[0]["samplers"]:
        found["samplers"][spec] = {}
        found["ratio"][spec] = {}
        for units in views:
            found["samplers"][spec][units] = across_seeds([item["samplers"][spec][units] for item in latents], level)
            found["ratio"][spec][units] = across_seeds([
                item["samplers"][spec][units] / item["data"][units] for item in latents
                if item["samplers"][spec][units] is not None and item["data"][units]], level)
    floored = [item.get("floored_axes") for item in latents if item.get("floored_axes") is not None]
    if floored:
        found["floored_axes"] = across_seeds(floored, level)
    return found


def claim(text: str, a: Mapping, b: Mapping, expected: str, pair: Mapping | None = None) -> dict:
    """The claim "a is ``expected`` (lower/higher) than b" decided from the two across-seed intervals, with the
    paired interval's verdict beside it when given."""
    measured = a.get("mean") is not None and b.get("mean") is not None
    found = {"claim": text, "a": dict(a), "b": dict(b), "expected": expected,
             "verdict": judge_claim(as_estimate(a), as_estimate(b), expected) if measured else "inconclusive"}
    if pair is not None and pair.get("n"):
        direction = compare(as_estimate(pair), ZERO)
        paired_verdict = "inconclusive" if direction not in (LOWER, HIGHER) else (
            "agrees" if direction == expected else "disagrees")
        found["paired"] = {**dict(pair), "verdict": paired_verdict}
    return found


def words(summary: Mapping | None, digits: int = 3) -> str:
    """``2.61 [2.2, 3.26] (3 seeds)``; a dash where nothing was measured."""
    if not summary or summary.get("mean") is None:
        return "-"
    return f"{as_estimate(summary).words(digits)} ({summary['n']} seed{'' if summary['n'] == 1 else 's'})"


def claim_words(found: Mapping) -> str:
    """One sentence: the claim, both numbers with intervals, the verdict, and the paired verdict."""
    if found["verdict"] != "inconclusive":
        why = "t intervals over seeds disjoint"
    elif found["a"].get("interval") and found["b"].get("interval"):
        why = "t intervals over seeds overlap"
    else:
        why = "no interval: fewer than 2 seeds"
    text = f"{found['claim']}: {words(found['a'])} against {words(found['b'])}: **{found['verdict']}** ({why})"
    pair = found.get("paired")
    if pair:
        text += (f"; paired per seed, difference {as_estimate(pair).words()}: {pair['verdict']}")
    return text
