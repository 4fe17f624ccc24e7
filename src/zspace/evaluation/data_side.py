"""The data side of a run-level evaluation, measured once per image cache.

Every run trained on one cache is judged against the same things: the cache's
judge network, the judge features of a seeded set of training images (the real
set; their Gaussian fit, Σ^½ and k-NN radii in a :class:`RealReference`), and
the held-out images (every row outside the train split) measured against that
real set — the reference row of real images the models never saw.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from zspace.data.cache import ImageCache
from zspace.errors import ZspaceError
from zspace.evaluation.feature_spaces import FeatureSpace
from zspace.evaluation.features import EvaluationOptions, FeatureEvaluation, measure_features
from zspace.evaluation.judges import Judge, JudgeSettings, open_judge, predicted_factors
from zspace.evaluation.judges.training import split_rows
from zspace.evaluation.reference import RealReference, real_reference
from zspace.progress import Progress

REAL_NAMES = ("training images", "held-out images")


@dataclass
class DataSide:
    cache: ImageCache
    judge: Judge | FeatureSpace  # what embeds the images: the cache's judge, or a feature space in its place
    real_rows: np.ndarray  # cache rows of the real set (train split)
    reference: RealReference
    real_factors: dict[str, np.ndarray] | None  # the factor judge's predictions on the real set
    heldout_rows: np.ndarray  # cache rows outside the train split
    heldout: FeatureEvaluation  # held-out images against the real set
    heldout_factors: dict[str, np.ndarray] | None
    seconds: dict[str, float] = field(default_factory=dict)
    others: list = field(default_factory=list)  # judge_robustness.OtherJudge: the other judges, when checked
    heldout_gaps: object = None  # factor_gaps.FactorGaps of the held-out images, made on first use (run_level)


def heldout_image_rows(cache: ImageCache, limit: int, seed: int) -> np.ndarray:
    """Up to ``limit`` rows outside the train split (val and test), drawn with ``seed``, sorted."""
    if "split" not in cache.index:
        raise ZspaceError(f"{cache.path}: the index has no split column, so no held-out images to measure the "
                          "floor with; prepare the cache again")
    rows = np.flatnonzero(np.asarray(cache.index["split"]) != "train")
    if len(rows) > limit:
        rows = np.sort(np.random.default_rng(seed).choice(rows, size=limit, replace=False))
    return rows


def measure_data_side(
    cache: ImageCache, judge_name: str, judge_settings: JudgeSettings, real_count: int, heldout_count: int,
    options: EvaluationOptions, progress: Progress | None = None, space: FeatureSpace | None = None,
) -> DataSide:
    """Open (or train) the judge, or take the feature ``space`` in its place, embed the real and held-out
    images, measure held-out against real."""
    seconds: dict[str, float] = {}
    started = time.monotonic()
    judge = space if space is not None else open_judge(cache, judge_name, judge_settings, progress)
    seconds["judge"] = time.monotonic() - started
    started = time.monotonic()
    real_rows = split_rows(cache, "train", real_count, options.seed)
    heldout_rows = heldout_image_rows(cache, heldout_count, options.seed)
    real_features, real_outputs = judge.embed(cache.images[real_rows], progress, "judge features: training images")
    held_features, held_outputs = judge.embed(cache.images[heldout_rows], progress,
                                              "judge features: held-out images")
    seconds["data features"] = time.monotonic() - started
    started = time.monotonic()
    reference = real_reference(real_features)
    heldout = measure_features(real_features, held_features, options, REAL_NAMES, reference)
    seconds["held-out metrics"] = time.monotonic() - started
    factors = judge.name == "factors"
    return DataSide(
        cache, judge, real_rows, reference,
        predicted_factors(real_outputs, judge.output_names) if factors and real_outputs is not None else None,
        heldout_rows, heldout,
        predicted_factors(held_outputs, judge.output_names) if factors and held_outputs is not None else None,
        seconds,
    )
