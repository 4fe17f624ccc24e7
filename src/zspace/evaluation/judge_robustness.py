"""Does the ranking survive another judge? Other judge seeds and the random-encoder judge, with Kendall τ.

FD, KID and precision/recall are measured in one judge network's features, and a
ranking that one network gives may be that network's quirk. With the check on,
every image set of an evaluation (held-out images, reconstructions, each
sampler's decoded samples) is also embedded by

- the same judge kind trained with each other seed (``robustness_seeds``, default
  seed 1: other initial weights and another draw of training images), and
- the random-encoder judge (Naeem et al. 2020, sec. 5: randomly initialised
  embeddings rank generative models sensibly), unless it is the main judge,

and its FD against that judge's features of the same real set goes into the row
(``fd_by_judge``). Per cache, the samplers' FDs under each other judge are set
against the main judge's with Kendall's τ (``scipy.stats.kendalltau``, τ-b):
τ = 1 when both judges order every pair alike, −1 when they reverse every pair.
The verdict: *agrees* when τ > 0 at p < 0.05, *disagrees* when τ < 0 at p < 0.05,
*inconclusive* otherwise (few rows cannot show agreement: 4 rows at τ = 1 give
p = 0.083).

Cost: each other judge is trained once per cache (then stored beside it, under
its seed) and runs once more over every image set; FD only (no bootstrap, KID or
k-NN metrics) against its real features.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from zspace.evaluation.judges import JUDGES, Judge, JudgeSettings, choose_judge, open_judge
from zspace.evaluation.metrics.fd import fd_from_fits, fit_gaussian
from zspace.evaluation.ranking_figure import HELDOUT, RECONSTRUCTIONS
from zspace.evaluation.reference import RealReference, real_reference
from zspace.evaluation.verdict import AGREES, DISAGREES, INCONCLUSIVE
from zspace.progress import Progress

SIGNIFICANCE = 0.05


@dataclass
class OtherJudge:
    label: str  # e.g. "factors seed 1", "random seed 0"
    judge: Judge
    reference: RealReference  # its features of the real set


def judge_label(name: str, seed: int) -> str:
    return f"{name} seed {seed}"


def main_label(judge, settings: JudgeSettings) -> str:
    """The main judge as the records name it: ``factors seed 0``, or a feature space's name (DINOv2)."""
    return judge_label(judge.name, settings.seed) if judge.name in JUDGES else judge.name


def other_judges(side, settings: JudgeSettings, seeds: tuple[int, ...],
                 progress: Progress | None = None) -> list[OtherJudge]:
    """The other judges of a data side (``DataSide``), each with its features of the side's real set.

    In a feature space (DINOv2, ...) instead of a judge, the others are the cache's own judge (``auto``) at
    the default seed and each of ``seeds``, and the random judge.
    """
    if side.judge.name in JUDGES:
        main = side.judge.name
        wanted = [(main, seed) for seed in seeds if seed != settings.seed]
    else:
        main = choose_judge(side.cache, "auto").name
        wanted = [(main, seed) for seed in dict.fromkeys((settings.seed, *seeds))]
    if main != "random":
        wanted.append(("random", settings.seed))
    others = []
    for name, seed in wanted:
        judge = open_judge(side.cache, name, replace(settings, seed=seed), progress)
        label = judge_label(name, seed)
        features, _ = judge.embed(side.cache.images[side.real_rows], progress, f"{label}: training images")
        others.append(OtherJudge(label, judge, real_reference(features)))
    return others


def fd_by_judge(others: list[OtherJudge], images: np.ndarray, progress: Progress | None = None,
                what: str = "images") -> dict[str, float]:
    """{label: FD of ``images`` under that judge against its real features}."""
    out = {}
    for other in others:
        features, _ = other.judge.embed(images, progress, f"{other.label}: {what}")
        out[other.label] = fd_from_fits(other.reference.fit, fit_gaussian(features), other.reference.root)
    return out


def rank_agreement(rows: list[dict], main_label: str, labels: list[str]) -> list[dict]:
    """Kendall τ between the main judge's FDs and each other judge's, over the sampler rows given."""
    # scipy.stats costs ~1 s to import: only when the rankings are compared
    from scipy import stats

    samplers = [row for row in rows if row["sampler"] not in (HELDOUT, RECONSTRUCTIONS)]
    names = [f"{row['run']} / {row['sampler']}" for row in samplers]
    main = np.array([row["fd"] for row in samplers])
    records = []
    for label in labels:
        other = np.array([row["fd_by_judge"][label] for row in samplers])
        if len(samplers) >= 2:
            result = stats.kendalltau(main, other)
            tau, p = float(result.statistic), float(result.pvalue)
        else:
            tau = p = float("nan")
        if np.isfinite(p) and p < SIGNIFICANCE:
            verdict = AGREES if tau > 0 else DISAGREES
        else:
            verdict = INCONCLUSIVE
        records.append({"judge": main_label, "other": label, "rows": len(samplers),
                        "tau": tau if np.isfinite(tau) else None, "p": p if np.isfinite(p) else None,
                        "verdict": verdict,
                        "order": {main_label: [names[i] for i in np.argsort(main, kind="stable")],
                                  label: [names[i] for i in np.argsort(other, kind="stable")]}})
    return records


def agreement_sentence(record: dict, cache: str) -> str:
    tau = "undefined" if record["tau"] is None else f"{record['tau']:.2f}"
    p = "" if record["p"] is None else f", p = {record['p']:.2g}"
    return (f"judge robustness ({cache}): the {record['rows']} (run, sampler) pairs ranked by FD under "
            f"{record['other']} against {record['judge']}: Kendall τ = {tau}{p}: {record['verdict']}")
