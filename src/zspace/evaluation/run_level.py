"""Run-level evaluation (SPEC X4): sample quality of every (run, sampler) pair, and the held-out floor.

For each run: fit each sampler on the run's training encodings (Ghosh et al.
2020's ex-post density estimation; cached in RUN/samplers), draw ``num_samples``
z with a seed, decode them, embed the images with the cache's judge and measure
them against the judge features of training images (FD with a bootstrap
interval and FD∞, KID, precision/recall, density/coverage, per-sample realism);
in the latent space, FD to the held-out encodings, the off-manifold distance
and the cycle error (``latent_checks.py``). The "held-out data" row of each run
measures held-out images the same way: no sampler can be expected to beat it.
For the synthetic faces, the factor judge also says which factors the samples
get wrong (``factor_gaps.py``).
"""

from __future__ import annotations

import os
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from zspace.errors import ZspaceError
from zspace.evaluation.data_side import REAL_NAMES, DataSide, measure_data_side
from zspace.evaluation.factor_gaps import factor_gaps, factor_sentence
from zspace.evaluation.features import EvaluationOptions, measure_features
from zspace.evaluation.judges import JudgeSettings, predicted_factors
from zspace.evaluation.latent_checks import LatentReference, cycle_error, fd_latent, latent_reference, off_manifold
from zspace.evaluation.ranking_figure import HELDOUT, RECONSTRUCTIONS, ranking_figure
from zspace.evaluation.table import write_evaluation
from zspace.progress import Progress
from zspace.samplers.registry import DEFAULT_SAMPLERS, check_sampler_list, parse_sampler


@dataclass(frozen=True)
class RunEvaluationOptions:
    """Everything that moves the numbers of a run-level evaluation; recorded in evaluation.json."""

    samplers: tuple[str, ...] = DEFAULT_SAMPLERS
    num_samples: int = 10_000
    seed: int = 0
    judge: str = "auto"
    k: int = 5
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

    def metrics(self) -> EvaluationOptions:
        return EvaluationOptions(k=self.k, seed=self.seed, bootstrap=self.bootstrap, confidence=self.confidence,
                                 kid_subsets=self.kid_subsets,
                                 kid_subset_size=self.kid_subset_size, fd_points=self.fd_points)


@dataclass
class RunEvaluation:
    rows: list[dict]
    per_sample: dict[str, np.ndarray]  # <run>_<sampler>{,_z,_latent_distance} -> (n,) or (n, d)
    findings: list[str]  # sentences a user can act on
    notes: list[str]
    judges: list[dict]  # the record of each judge used
    seconds: dict[str, float]


def _check(options: RunEvaluationOptions) -> None:
    check_sampler_list(options.samplers)  # every spec checked before any work
    if options.num_samples < 2:
        raise ZspaceError(f"num_samples={options.num_samples} is not allowed; it must be an integer >= 2")
    if options.cycle_samples < 1:
        raise ZspaceError(f"cycle_samples={options.cycle_samples} is not allowed; it must be an integer >= 1")


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
    from zspace.run import Run

    options = options or RunEvaluationOptions()
    _check(options)
    if not runs:
        raise ZspaceError("runs is empty; give at least one run folder")
    opened = [Run(run).require() for run in runs]
    for run in opened:
        run.latents()  # one clear error before any work when a run is not encoded
    result = RunEvaluation([], {}, [], [], [], {})
    sides: dict[Path, DataSide] = {}
    for run, name in zip(opened, _names(opened), strict=True):
        cache_path = run.training_data().resolve()
        if cache_path not in sides:
            cache = run.cache()
            side = measure_data_side(cache, options.judge, options.judge_settings,
                                     options.real_count or options.num_samples, options.num_samples,
                                     options.metrics(), progress)
            sides[cache_path] = side
            result.judges.append({"cache": str(cache_path), **side.judge.record, "reused": side.judge.reused})
            result.notes += side.judge.notes
            _factor_columns(side, side.heldout_factors, f"the held-out images of {cache_path.name}", result.findings)
            for key, value in side.seconds.items():
                result.seconds[f"{cache_path.name}: {key}"] = round(value, 2)
        _evaluate_run(run, name, sides[cache_path], options, result, progress)
    return result


def _base_row(run, name: str, model, side: DataSide, sampler: str) -> dict:
    return {"run": name, "run_path": str(run.path), "model": model.config.model, "sampler": sampler,
            "judge": side.judge.name, "judge_score": side.judge.record.get("heldout_summary")}


def _latent_columns(reference: LatentReference, model, z: np.ndarray, images: np.ndarray | None,
                    options: RunEvaluationOptions) -> tuple[dict, np.ndarray]:
    ratio, distances = off_manifold(reference, z)
    columns = {"fd_latent": fd_latent(reference, z), "off_manifold": ratio,
               "cycle_error": cycle_error(model, z, images, options.cycle_samples, options.batch_size,
                                          options.device)}
    return columns, distances


def _factor_columns(side: DataSide, fake: dict[str, np.ndarray] | None, what: str,
                    findings: list[str]) -> dict:
    if side.real_factors is None or fake is None:
        return {}
    gaps = factor_gaps(side.real_factors, fake)
    findings.append(factor_sentence(what, gaps))
    return {"factor_distance": gaps.distance, "factor_distance_relative": gaps.relative,
            "glasses_share": list(gaps.glasses_share) if gaps.glasses_share else None}


def _evaluate_run(run, name: str, side: DataSide, options: RunEvaluationOptions, result: RunEvaluation,
                  progress: Progress | None) -> None:
    from zspace.generate.from_run import fitted_sampler
    from zspace.samplers.persist import slug

    started = time.monotonic()
    model = run.model(options.device)
    config, cache = model.config, side.cache
    if (config.image_size, config.image_size, config.channels) != tuple(cache.images.shape[1:]):
        raise ZspaceError(f"{run.path}: the model makes {config.image_size}x{config.image_size}x{config.channels} "
                          f"images but its cache {cache.path} holds {cache.images.shape[1:]}")
    latents = run.latents()
    if len(latents.vectors) != len(cache):
        raise ZspaceError(f"{run.latents_file}: {len(latents.vectors)} latents for {len(cache)} images of "
                          f"{cache.path}; re-encode the run, replacing its latents (encode with force)")
    reference = latent_reference(run.fit_vectors("train"), np.asarray(latents.vectors[run.heldout_rows()]),
                                 options.seed)

    # The decoder's floor: reconstructions of the held-out images (their encoder means, decoded). No
    # sampler of z can beat what this decoder makes of the data's own codes.
    held_z = np.asarray(latents.vectors[side.heldout_rows], dtype=np.float32)
    decoded = _measure_points(run, name, model, side, reference, options, result, RECONSTRUCTIONS, held_z, progress)
    # The floor: held-out images against the training images. Its z are the same held-out codes, so its latent
    # columns are the reconstructions' (no second decode), except FD latent: the real set's codes against held-out.
    columns = {key: decoded[key] for key in ("off_manifold", "cycle_error")}
    columns["fd_latent"] = fd_latent(reference, np.asarray(latents.vectors[side.real_rows]))
    row = {**side.heldout.row, **_base_row(run, name, model, side, HELDOUT), **columns}
    row.update(_factor_columns(side, side.heldout_factors, "", []))  # its sentence: once per cache
    run_rows = [row, decoded]
    result.per_sample[f"{name}_{slug(HELDOUT)}"] = side.heldout.per_sample["realism"]
    result.seconds[f"{name}: held-out rows"] = round(time.monotonic() - started, 2)

    for spec in options.samplers:
        started = time.monotonic()
        sampler, _reused, notes = fitted_sampler(run, parse_sampler(spec), config.latent_dim)
        result.notes += [n for n in notes if n not in result.notes]
        rng = np.random.default_rng([options.seed, zlib.crc32(spec.encode())])  # per spec, not per position
        z = sampler.sample(options.num_samples, rng)  # (n, d)
        row = _measure_points(run, name, model, side, reference, options, result, spec, z, progress)
        run_rows.append({**row, "sampler_spec": sampler.spec})
        result.seconds[f"{name}: {spec}"] = round(time.monotonic() - started, 2)
    result.findings.append(_ranking_sentence(name, run_rows))
    result.rows += run_rows


def _who(name: str, model: str) -> str:
    return f"the {model.upper()}" if name.lower() == model else f"{name} ({model.upper()})"


def _measure_points(run, name: str, model, side: DataSide, latent: LatentReference, options: RunEvaluationOptions,
                    result: RunEvaluation, label: str, z: np.ndarray, progress: Progress | None) -> dict:
    """Decode z, judge the images against the real set, measure z in the latent space: one row."""
    from zspace.models.inference import decode
    from zspace.samplers.persist import slug

    images = decode(model, z, options.batch_size, options.device, progress)
    features, outputs = side.judge.embed(images, progress, f"judge features: {name} {label}")
    measured = measure_features(side.reference.features, features, options.metrics(), (REAL_NAMES[0], label),
                                side.reference)
    columns, distances = _latent_columns(latent, model, z, images, options)
    row = {**measured.row, **_base_row(run, name, model, side, label), **columns}
    fake_factors = predicted_factors(outputs, side.judge.output_names) if outputs is not None else None
    what = f"the {label} of {_who(name, model.config.model)}" if label == RECONSTRUCTIONS else \
        f"the {label} samples of {_who(name, model.config.model)}"
    row.update(_factor_columns(side, fake_factors, what, result.findings))
    key = f"{name}_{slug(label)}"
    result.per_sample[key] = measured.per_sample["realism"]
    result.per_sample[f"{key}_z"] = z
    result.per_sample[f"{key}_latent_distance"] = distances
    return row


def _ranking_sentence(name: str, rows: list[dict]) -> str:
    floor = next(r for r in rows if r["sampler"] == HELDOUT)
    decoder = next(r for r in rows if r["sampler"] == RECONSTRUCTIONS)
    samplers = sorted((r for r in rows if r["sampler"] not in (HELDOUT, RECONSTRUCTIONS)), key=lambda r: r["fd"])
    order = ", ".join(f"{r['sampler']} {r['fd']:.3g}" for r in samplers)
    return (f"{name} ({floor['model'].upper()}): FD from best to worst: {order}; the floor is {floor['fd']:.3g} "
            f"for held-out images and {decoder['fd']:.3g} for their reconstructions (n = {floor['n']}), "
            "the best any sampler can do with this decoder")


def write_run_evaluation(out: str | os.PathLike, evaluation: RunEvaluation, options: RunEvaluationOptions,
                         force: bool = False) -> Path:
    """evaluation.json ({"rows", "findings", "notes", "judges", "options", "seconds"}), .csv, .md,
    per_sample/*.npy and ranking.png in ``out``."""
    from dataclasses import asdict

    extra = {"findings": evaluation.findings, "notes": evaluation.notes, "judges": evaluation.judges,
             "options": asdict(options), "seconds": evaluation.seconds}
    return write_evaluation(out, evaluation.rows, evaluation.per_sample, force, extra,
                            {"ranking": ranking_figure(evaluation.rows)})
