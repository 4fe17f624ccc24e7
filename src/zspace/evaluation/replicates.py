"""Replicates: runs that differ only in their training seed, and each metric's spread across them.

An evaluation's bootstrap interval covers the drawing of samples at one trained
network; another training seed gives another network and can reorder close
samplers. ``zspace evaluate RUN1 RUN2 RUN3`` therefore recognises runs whose
config.json and train_config.json agree in everything but the seed (and the
bookkeeping fields in :data:`NOT_CONFIGURATION`, which do not change what is
trained) and summarises each (configuration, sampler) across them: for every
metric in :data:`METRICS` the mean, the sample standard deviation (ddof 1) and
the t interval of the mean over seeds,

    mean ± t₍₁₊ₗ₎/₂,ᵣ₋₁ · sd / √r        (r runs; Student 1908; scipy.stats.t)

which treats the r seeds as independent draws of the training outcome. With
r = 2 the t quantile is 12.7 (95%): two seeds decide almost nothing, as they should.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from zspace.config import config_to_dict
from zspace.evaluation.ranking_figure import HELDOUT, RECONSTRUCTIONS
from zspace.evaluation.verdict import Estimate, ranking_words

# train_config.json fields that say how a run was executed or logged, not what was trained.
NOT_CONFIGURATION = frozenset({"seed", "num_workers", "log_every_n_steps", "checkpoint_every"})
METRICS = ("fd", "fd_infinity", "kid", "precision", "recall", "density", "coverage", "fd_latent", "off_manifold",
           "cycle_error")


@dataclass(frozen=True)
class RunIdentity:
    """What a run was trained as: its configuration without the seed, and the seed."""

    configuration: str  # canonical JSON of config.json + train_config.json minus NOT_CONFIGURATION
    seed: int


def run_identity(run) -> RunIdentity:
    """The identity of a ``Run``; the training data counts as its resolved folder."""
    if run.imported() is not None:  # an imported model has no training seed: it is a replicate of nothing
        return RunIdentity(json.dumps({"imported": str(run.path.resolve())}), 0)
    train = config_to_dict(run.train_config())
    train["data"] = str(run.training_data().resolve())
    kept = {key: value for key, value in train.items() if key not in NOT_CONFIGURATION}
    configuration = {"model": config_to_dict(run.model_config()), "train": kept}
    return RunIdentity(json.dumps(configuration, sort_keys=True), int(train["seed"]))


def t_interval(values: np.ndarray, level: float) -> tuple[float, float, float, float]:
    """(mean, sd, low, high) of the t interval of the mean; sd with ddof 1, r ≥ 2 values."""
    # scipy.stats costs ~1 s to import: only when replicates are grouped
    from scipy import stats

    values = np.asarray(values, dtype=np.float64)
    mean, sd = float(values.mean()), float(values.std(ddof=1))
    half = float(stats.t.ppf((1.0 + level) / 2.0, len(values) - 1)) * sd / np.sqrt(len(values))
    return mean, sd, mean - half, mean + half


def replicate_groups(rows: list[dict], identities: dict[str, RunIdentity], level: float = 0.95) -> list[dict]:
    """One group per (configuration, sampler) with 2 or more runs, in the order the rows came.

    ``identities`` maps each row's ``run`` name to its :class:`RunIdentity`. Each group:
    ``configuration`` (its runs' names joined), ``model``, ``sampler``, ``runs``, ``seeds``, ``count``,
    ``level``, and per metric ``<metric>_mean``, ``<metric>_sd``, ``<metric>_interval`` [low, high].
    """
    runs_of: dict[str, list[str]] = {}
    for row in rows:
        runs = runs_of.setdefault(identities[row["run"]].configuration, [])
        if row["run"] not in runs:
            runs.append(row["run"])
    groups = []
    for runs in runs_of.values():
        if len(runs) < 2:
            continue
        mine = [row for row in rows if row["run"] in runs]
        for sampler in dict.fromkeys(row["sampler"] for row in mine):
            members = [row for row in mine if row["sampler"] == sampler]
            group = {"configuration": ", ".join(runs), "model": members[0]["model"], "sampler": sampler,
                     "runs": [row["run"] for row in members],
                     "seeds": [identities[row["run"]].seed for row in members], "count": len(members),
                     "level": level}
            for metric in METRICS:
                values = [row.get(metric) for row in members]
                if len(values) < 2 or any(value is None for value in values):
                    continue
                mean, sd, low, high = t_interval(np.array(values), level)
                group.update({f"{metric}_mean": mean, f"{metric}_sd": sd, f"{metric}_interval": [low, high]})
            groups.append(group)
    return groups


def shared_seed_notes(identities: dict[str, RunIdentity]) -> list[str]:
    """A note for each configuration whose runs repeat a seed: those are copies, not replicates."""
    notes = []
    by_configuration: dict[str, dict[int, list[str]]] = {}
    for name, identity in identities.items():
        by_configuration.setdefault(identity.configuration, {}).setdefault(identity.seed, []).append(name)
    for seeds in by_configuration.values():
        notes += [f"runs {', '.join(names)} have the same configuration and seed {seed}: they count as separate "
                  "replicates, but a seeded run repeated gives the same network, so the spread across seeds is "
                  "understated" for seed, names in seeds.items() if len(names) > 1]
    return notes


def group_estimate(group: dict, metric: str = "fd") -> Estimate:
    low, high = group.get(f"{metric}_interval") or (None, None)
    return Estimate(group[f"{metric}_mean"], low, high, f"t interval over {group['count']} seeds")


def group_sentences(groups: list[dict]) -> list[str]:
    """Per configuration: the samplers ranked by mean FD over seeds, decided from the t intervals."""
    sentences = []
    for configuration in dict.fromkeys(group["configuration"] for group in groups):
        mine = [g for g in groups if g["configuration"] == configuration and g.get("fd_mean") is not None]
        samplers = [g for g in mine if g["sampler"] not in (HELDOUT, RECONSTRUCTIONS)]
        if not samplers:
            continue
        spread = ", ".join(f"{g['sampler']} {g['fd_sd']:.2g}" for g in samplers)
        words = ranking_words([(g["sampler"], group_estimate(g)) for g in samplers], "mean FD")
        sentences.append(f"{samplers[0]['model'].upper()} over {samplers[0]['count']} training seeds "
                         f"({configuration}; {round(samplers[0]['level'] * 100)}% t intervals over seeds): {words}. "
                         f"Across-seed sd of FD: {spread}")
    return sentences

