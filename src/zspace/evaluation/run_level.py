"""Run-level evaluation (SPEC X4): sample quality of every (run, sampler) pair, and two held-out references.

For each run: fit each sampler on the run's training encodings (Ghosh et al.
2020's ex-post density estimation; cached in RUN/samplers), draw ``num_samples``
z with a seed, decode them, embed the images with the cache's judge and measure
them against the judge features of training images (FD with a bootstrap
interval and FD∞, KID, precision/recall, density/coverage, per-sample realism);
in the latent space, FD to the held-out encodings, the off-manifold distance
and the cycle error (``latent_checks.py``). The "held-out data" row of each run
measures held-out images the same way, and the "held-out reconstructions" row
what the run's decoder makes of their codes: references, compared with the
samplers at equal n (``equal_n.py``, ``run_sentences.py``). For the synthetic
faces, the factor judge also says which factors the samples get wrong
(``factor_gaps.py``). Runs that differ only in their seed are summarised across
seeds (``replicates.py``); with ``judge_robustness`` the ranking is checked under
other judges (``judge_robustness.py``). Every comparison in ``findings`` is
decided from intervals (``verdict.py``).
"""

from __future__ import annotations

import os
import time
import zlib
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from zspace.devices import resolve_device
from zspace.errors import ZspaceError
from zspace.evaluation.data_side import REAL_NAMES, DataSide, measure_data_side
from zspace.evaluation.equal_n import fd_equal_n
from zspace.evaluation.factor_gaps import FactorGaps, factor_gaps, factor_sentence, heldout_sentence
from zspace.evaluation.feature_space_open import open_feature_space
from zspace.evaluation.feature_spaces import check_sample_count, in_run, space_columns
from zspace.evaluation.features import EvaluationOptions, measure_features
from zspace.evaluation.judge_robustness import agreement_sentence, fd_by_judge, main_label, other_judges, rank_agreement
from zspace.evaluation.judges import JudgeSettings, predicted_factors
from zspace.evaluation.judges.network import FEATURE_DIM
from zspace.evaluation.latent_checks import LatentReference, cycle_error, fd_latent, latent_reference, off_manifold
from zspace.evaluation.ranking_figure import HELDOUT, RECONSTRUCTIONS, ranking_figure
from zspace.evaluation.replicates import group_sentences, replicate_groups, run_identity, shared_seed_notes
from zspace.evaluation.run_sentences import ranking_sentence, reference_sentence
from zspace.evaluation.table import write_evaluation
from zspace.generate.from_run import fitted_sampler
from zspace.models.inference import decode
from zspace.models.protocol import check_images_fit, latent_dim, model_kind
from zspace.progress import Progress
from zspace.resources import check_room
from zspace.run import Run
from zspace.samplers.persist import slug
from zspace.samplers.registry import DEFAULT_SAMPLERS, check_sampler_list, parse_sampler


@dataclass(frozen=True)
class RunEvaluationOptions:
    """Everything that moves the numbers of a run-level evaluation; recorded in evaluation.json."""

    samplers: tuple[str, ...] = DEFAULT_SAMPLERS
    num_samples: int = 10_000
    seed: int = 0
    judge: str = "auto"
    features: str | None = None  # a feature space instead of the judge: dinov2:DIR, clip:DIR, FILE.py:function
    k: int = 5  # density/coverage (Naeem et al. 2020)
    precision_recall_k: int = 3  # precision/recall/realism (Kynkäänniemi et al. 2019)
    bootstrap: int = 25  # fewer than the features command's 100: keeps the default samplers x 10,000 to minutes
    confidence: float = 0.95
    kid_subsets: int = 100
    kid_subset_size: int = 1000
    fd_points: int = 15
    real_count: int | None = None  # training images in the real set; None = num_samples
    cycle_samples: int = 2000
    batch_size: int = 256
    device: str = "cpu"
    judge_settings: JudgeSettings = field(default_factory=JudgeSettings)
    judge_robustness: bool = False  # also rank under other judge seeds and the random judge (judge_robustness.py)
    robustness_seeds: tuple[int, ...] = (1,)

    def metrics(self) -> EvaluationOptions:
        return EvaluationOptions(k=self.k, seed=self.seed, bootstrap=self.bootstrap, confidence=self.confidence,
                                 kid_subsets=self.kid_subsets, precision_recall_k=self.precision_recall_k,
                                 kid_subset_size=self.kid_subset_size, fd_points=self.fd_points)


@dataclass
class RunEvaluation:
    rows: list[dict]
    per_sample: dict[str, np.ndarray]  # <run>_<sampler>{,_z,_latent_distance} -> (n,) or (n, d)
    findings: list[str]  # sentences a user can act on
    notes: list[str]
    judges: list[dict]  # the record of each judge used
    seconds: dict[str, float]
    groups: list[dict] = field(default_factory=list)  # replicates.replicate_groups: across training seeds
    judge_robustness: list[dict] = field(default_factory=list)  # judge_robustness.rank_agreement, per cache


def _check(options: RunEvaluationOptions) -> None:
    check_sampler_list(options.samplers)  # every spec checked before any work
    options.metrics()  # EvaluationOptions checks its own values
    resolve_device(options.device)
    if options.num_samples < 2:
        raise ZspaceError(f"num_samples={options.num_samples} is not allowed; it must be an integer >= 2")
    if options.features and options.judge != "auto":
        raise ZspaceError(f"judge {options.judge!r} and feature space {options.features!r}: both name the space "
                          "the metrics are measured in; give one", options=("judge", "features"))
    if not options.features and options.num_samples < FEATURE_DIM + 1:  # FD's covariance in the judge's features
        raise ZspaceError(f"{options.num_samples} samples per sampler: the Fréchet distance in the judge's "
                          f"{FEATURE_DIM} features needs at least d + 1 = {FEATURE_DIM + 1}; draw "
                          f"{FEATURE_DIM + 1} or more", options=("num_samples",))
    if options.cycle_samples < 1:
        raise ZspaceError(f"cycle_samples={options.cycle_samples} is not allowed; it must be an integer >= 1")


def _check_run(run, options: RunEvaluationOptions) -> None:
    """Before any judge work: the run is encoded, the arrays of ``num_samples`` samples fit in memory, and
    its cache has enough held-out images for FD."""
    latents = run.latents()  # one clear error when a run is not encoded
    cache = run.cache()
    image_bytes = int(np.prod(cache.images.shape[1:]))
    n, dim = options.num_samples, latents.dim
    real = min(options.real_count or n, len(cache))
    need = (n * (image_bytes + 8 * dim + 4 * FEATURE_DIM)  # one sampler's z, images and features at a time
            + (len(options.samplers) + 2) * n * (4 * dim + 16)  # kept per row: z, realism, latent distance
            + real * (image_bytes + 4 * FEATURE_DIM))  # the real set's images and features
    check_room(need, f"{n:,} samples per sampler: their latent points, images and judge features",
               "draw fewer samples", options=("num_samples",))
    if "split" in cache.index:
        heldout = int(np.count_nonzero(np.asarray(cache.index["split"]) != "train"))
        if not options.features and heldout < FEATURE_DIM + 1:  # a feature space: checked by its width
            raise ZspaceError(f"{cache.path}: {heldout} held-out images; the floor's Fréchet distance in the "
                              f"judge's {FEATURE_DIM} features needs at least {FEATURE_DIM + 1}: prepare the "
                              "cache with a larger validation share")


def _names(runs: list) -> list[str]:
    """Folder names, made unique with a counter where two runs share one."""
    names: list[str] = []
    for run in runs:
        name = run.name
        while name in names:
            name = f"{run.name}-{len(names)}"
        names.append(name)
    return names


def evaluate_runs(runs: list[str | os.PathLike], options: RunEvaluationOptions | None = None,
                  progress: Progress | None = None) -> RunEvaluation:
    """Rows for every run x sampler and one held-out row per run; judges trained (or reused) per cache."""

    options = options or RunEvaluationOptions()
    _check(options)
    if not runs:
        raise ZspaceError("runs is empty; give at least one run folder")
    opened = [Run(run).require() for run in runs]
    for run in opened:
        _check_run(run, options)
    space = open_feature_space(options.features, options.device) if options.features else None
    check_sample_count(space, options.num_samples)
    result = RunEvaluation([], {}, [], [], [], {})
    sides: dict[Path, DataSide] = {}
    caches: dict[str, Path] = {}
    identities = {name: run_identity(run) for run, name in zip(opened, _names(opened), strict=True)}
    for run, name in zip(opened, _names(opened), strict=True):
        cache_path = caches[name] = run.training_data().resolve()
        if cache_path not in sides:
            cache = run.cache()
            side = measure_data_side(cache, options.judge, options.judge_settings,
                                     options.real_count or options.num_samples, options.num_samples,
                                     options.metrics(), progress, in_run(space, run))
            sides[cache_path] = side
            result.judges.append({"cache": str(cache_path), **side.judge.record, "reused": side.judge.reused})
            result.notes += side.judge.notes
            if side.real_factors is not None and side.heldout_factors is not None:
                result.findings.append(heldout_sentence(f"the held-out images of {cache_path.name}",
                                                        _heldout_gaps(side, options)))
            for key, value in side.seconds.items():
                result.seconds[f"{cache_path.name}: {key}"] = round(value, 2)
            if options.judge_robustness:
                started = time.monotonic()
                side.others = other_judges(side, options.judge_settings, options.robustness_seeds, progress)
                result.seconds[f"{cache_path.name}: other judges"] = round(time.monotonic() - started, 2)
        _evaluate_run(run, name, sides[cache_path], options, result, progress)
    result.groups = replicate_groups(result.rows, identities, options.confidence)
    result.findings += group_sentences(result.groups)
    result.notes += shared_seed_notes(identities)
    for cache_path, side in sides.items():
        if side.others:
            rows = [row for row in result.rows if caches[row["run"]] == cache_path]
            records = rank_agreement(rows, main_label(side.judge, options.judge_settings),
                                     [other.label for other in side.others])
            result.judge_robustness += [{"cache": str(cache_path), **record} for record in records]
            result.findings += [agreement_sentence(record, cache_path.name) for record in records]
    return result


def _base_row(run, name: str, model, side: DataSide, sampler: str) -> dict:
    return {"run": name, "run_path": str(run.path), "model": model_kind(model), "sampler": sampler,
            "judge": side.judge.name, "judge_score": side.judge.record.get("heldout_summary"),
            **space_columns(side.judge)}


def _latent_columns(reference: LatentReference, model, z: np.ndarray, images: np.ndarray | None,
                    options: RunEvaluationOptions) -> tuple[dict, np.ndarray]:
    ratio, distances = off_manifold(reference, z)
    columns = {"fd_latent": fd_latent(reference, z), "off_manifold": ratio,
               "cycle_error": cycle_error(model, z, images, options.cycle_samples, options.batch_size,
                                          options.device)}
    return columns, distances


def _heldout_gaps(side: DataSide, options: RunEvaluationOptions) -> FactorGaps:
    """The held-out images' factor gaps with intervals: computed once per cache, kept on the side."""
    if side.heldout_gaps is None:
        side.heldout_gaps = factor_gaps(side.real_factors, side.heldout_factors, options.bootstrap,
                                        options.confidence, np.random.default_rng([options.seed, 1]))
    return side.heldout_gaps


def _factor_columns(side: DataSide, fake: dict[str, np.ndarray] | None, what: str, findings: list[str],
                    options: RunEvaluationOptions) -> dict:
    if side.real_factors is None or fake is None:
        return {}
    if fake is side.heldout_factors:
        gaps = _heldout_gaps(side, options)  # its sentence: once per cache (heldout_sentence)
    else:
        gaps = factor_gaps(side.real_factors, fake, options.bootstrap, options.confidence,
                           np.random.default_rng([options.seed, 1]))
        findings.append(factor_sentence(what, gaps, _heldout_gaps(side, options)))
    return {"factor_distance": gaps.distance, "factor_distance_relative": gaps.relative,
            "factor_distance_relative_interval": {name: list(pair) for name, pair in gaps.interval.items()},
            "glasses_share": list(gaps.glasses_share) if gaps.glasses_share else None}


def _evaluate_run(run, name: str, side: DataSide, options: RunEvaluationOptions, result: RunEvaluation,
                  progress: Progress | None) -> None:

    started = time.monotonic()
    side = replace(side, judge=in_run(side.judge, run))  # a feature space caches this run's features in it
    model = run.model(options.device)
    cache = side.cache
    check_images_fit(model, cache.images.shape[1:], cache.path)
    latents = run.latents()
    if len(latents.vectors) != len(cache):
        raise ZspaceError(f"{run.latents_file}: {len(latents.vectors)} latents for {len(cache)} images of "
                          f"{cache.path}; re-encode the run, replacing its latents (encode with force)")
    reference = latent_reference(run.fit_vectors("train"), np.asarray(latents.vectors[run.heldout_rows()]),
                                 options.seed)

    # The decoder's reference: reconstructions of the held-out images (their encoder means, decoded). A reference,
    # not a floor: FD rewards spread as well as realism, and a sampler can score below it (run_sentences.py).
    held_z = np.asarray(latents.vectors[side.heldout_rows], dtype=np.float32)
    decoded = _measure_points(run, name, model, side, reference, options, result, RECONSTRUCTIONS, held_z, progress)
    # Held-out images against the training images. Its z are the same held-out codes, so its latent
    # columns are the reconstructions' (no second decode), except FD latent: the real set's codes against held-out.
    columns = {key: decoded[key] for key in ("off_manifold", "cycle_error")}
    columns["fd_latent"] = fd_latent(reference, np.asarray(latents.vectors[side.real_rows]))
    row = {**side.heldout.row, **_base_row(run, name, model, side, HELDOUT), **columns}
    row.update(_factor_columns(side, side.heldout_factors, "", [], options))
    if side.others:
        row["fd_by_judge"] = fd_by_judge(side.others, side.cache.images[side.heldout_rows], progress,
                                         "held-out images")
    run_rows = [row, decoded]
    result.per_sample[f"{name}_{slug(HELDOUT)}"] = side.heldout.per_sample["realism"]
    result.seconds[f"{name}: held-out rows"] = round(time.monotonic() - started, 2)

    for spec in options.samplers:
        started = time.monotonic()
        sampler, _reused, notes = fitted_sampler(run, parse_sampler(spec), latent_dim(model))
        result.notes += [n for n in notes if n not in result.notes]
        rng = np.random.default_rng([options.seed, zlib.crc32(spec.encode())])  # per spec, not per position
        z = sampler.sample(options.num_samples, rng)  # (n, d)
        row = _measure_points(run, name, model, side, reference, options, result, spec, z, progress,
                              compare_at=decoded["n"])
        run_rows.append({**row, "sampler_spec": sampler.spec})
        result.seconds[f"{name}: {spec}"] = round(time.monotonic() - started, 2)
    result.findings += [ranking_sentence(run_rows), reference_sentence(run_rows)]
    result.rows += run_rows


def _who(name: str, model: str) -> str:
    return f"the {model.upper()}" if name.lower() == model else f"{name} ({model.upper()})"


def _measure_points(run, name: str, model, side: DataSide, latent: LatentReference, options: RunEvaluationOptions,
                    result: RunEvaluation, label: str, z: np.ndarray, progress: Progress | None,
                    compare_at: int | None = None) -> dict:
    """Decode z, judge the images against the real set, measure z in the latent space: one row.

    ``compare_at``: the reference rows' n; a row of more samples also gets its FD at that n (``fd_equal_n``).
    """

    images = decode(model, z, options.batch_size, options.device, progress)
    features, outputs = side.judge.embed(images, progress, f"judge features: {name} {label}")
    measured = measure_features(side.reference.features, features, options.metrics(), (REAL_NAMES[0], label),
                                side.reference)
    columns, distances = _latent_columns(latent, model, z, images, options)
    row = {**measured.row, **_base_row(run, name, model, side, label), **columns}
    if compare_at is not None and compare_at < len(features):
        row["fd_equal_n"] = fd_equal_n(side.reference, features, compare_at, options.metrics())
    if side.others:
        row["fd_by_judge"] = fd_by_judge(side.others, images, progress, f"{name} {label}")
    fake_factors = predicted_factors(outputs, side.judge.output_names) if outputs is not None else None
    what = f"the {label} of {_who(name, model_kind(model))}" if label == RECONSTRUCTIONS else \
        f"the {label} samples of {_who(name, model_kind(model))}"
    row.update(_factor_columns(side, fake_factors, what, result.findings, options))
    key = f"{name}_{slug(label)}"
    result.per_sample[key] = measured.per_sample["realism"]
    result.per_sample[f"{key}_z"] = z
    result.per_sample[f"{key}_latent_distance"] = distances
    return row


def write_run_evaluation(out: str | os.PathLike, evaluation: RunEvaluation, options: RunEvaluationOptions,
                         force: bool = False) -> Path:
    """evaluation.json ({"rows", "findings", "notes", "judges", "groups", "judge_robustness", "options",
    "seconds"}), .csv, .md,
    per_sample/*.npy and ranking.png in ``out``."""

    extra = {"findings": evaluation.findings, "notes": evaluation.notes, "judges": evaluation.judges,
             "groups": evaluation.groups, "judge_robustness": evaluation.judge_robustness,
             "options": asdict(options), "seconds": evaluation.seconds}
    return write_evaluation(out, evaluation.rows, evaluation.per_sample, force, extra,
                            {"ranking": ranking_figure(evaluation.rows)})
