"""The demo: the seed's headline experiment on embedded data, end to end on a CPU.

prepare synthetic faces -> train a VAE and an AE -> encode -> analyze each latent
space -> decode points drawn from N(0, I) with each, then from a Gaussian mixture
fitted to the AE's latents, and a uniform-box sweep with the VAE -> one HTML
report with both runs side by side. The seed's finding (posts on AE/VAE with
CelebA): the VAE's decoder turns random normal points into faces, the AE's
mostly does not, because the AE's latent vectors do not fill N(0, I); a sampler
fitted to the AE's latents (Ghosh et al. 2020) makes it a generator after all.

Every step is a library call a user can make on their own data; the demo adds
only the side-by-side pictures. Three sizes: TOUR (the default), FULL (12,000 faces
of 64 px) and QUICK (a smoke test); each says first how long it takes, then each
step with the time elapsed (demo_clock).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from zspace.analysis.analyze import analyze
from zspace.analysis.result import AnalysisOptions, AnalysisResult
from zspace.analysis.structure import StructureOptions
from zspace.config import TrainConfig
from zspace.data.cache import prepare_cache
from zspace.data.synthetic_faces import synthetic_faces_source
from zspace.demo_clock import StepClock
from zspace.encoding import encode
from zspace.evaluation.quick import quick_evaluation
from zspace.generate.from_run import default_out, generate_samples, generate_sweep
from zspace.generate.link import generation_link
from zspace.io import check_output, save_json
from zspace.models.architectures import model_config
from zspace.models.inference import reconstruct
from zspace.progress import Progress
from zspace.report.analysis_folder import FIGURES_FOLDER, save_analysis
from zspace.report.build import build_report
from zspace.report.figures import image_panels_figure, save_figure, write_loss_figure
from zspace.report.grids import image_grid, save_image
from zspace.run import Run
from zspace.training.train import train

MARKER = "demo.json"
MIN_HELDOUT = 300  # held-out images for the sample-quality step: FD needs more rows than the judge has features


@dataclass(frozen=True)
class DemoSettings:
    count: int = 12_000
    size: int = 64
    latent_dim: int = 32
    epochs: int = 6
    batch_size: int = 64
    kl_weight: float = 5.0
    num_samples: int = 28  # the seed's n_to_show
    tsne_points: int = 1_000_000  # the t-SNE map holds every point (up to this many): fitted on tsne_fit_points,
    tsne_fit_points: int = 3000  # the rest placed in the fitted map (issue 22)
    sweep: str = "uniform:b=0.5,1,1.5,2,3,5,8"  # the seed's r_limit values (S17), abridged
    link_samples: int = 300  # decoded points per sampler for the void/quality link (issue 12)
    seed: int = 0
    expected_minutes: float = 4  # after the install, on a quiet 2-core machine (benchmarks/demo_time.py)


QUICK = DemoSettings(count=600, size=32, latent_dim=8, epochs=1, batch_size=32, tsne_points=0,
                     sweep="uniform:b=1,3", link_samples=60, expected_minutes=1)
# The default tour (issue 23): every section of the full one, in under half of its time. 32 px images cost a
# quarter of 64 px ones to train and the small net still draws faces at 32 px; 8,000 faces leave 767 held out
# for the sample-quality table. Training is most of the time; the analysis, link, null draws and judge cost a
# few seconds each at this size, so they keep the full tour's settings.
TOUR = DemoSettings(count=8000, size=32, tsne_fit_points=2000, expected_minutes=2)
FULL = DemoSettings()  # the larger tour: 12,000 faces of 64 px
# Samplers whose points are tested for "in a void, hence a bad image": the AE's mixture is fitted here once and
# reused by step 5; the VAE skips it (a 2-minute fit on 2 cores for a sampler its N(0, I) already matches).
LINK_SAMPLERS = {"vae": ("normal", "fullcov", "uniform:b=1.5"),
                 "ae": ("normal", "fullcov", "gmm:k=10", "uniform:b=1.5")}


@dataclass
class DemoResult:
    out: Path
    figures: dict[str, Path] = field(default_factory=dict)
    runs: dict[str, Path] = field(default_factory=dict)
    analyses: dict[str, AnalysisResult] = field(default_factory=dict)
    evaluation_rows: list[dict] = field(default_factory=list)
    evaluation_findings: list[str] = field(default_factory=list)
    report: Path | None = None
    timing: dict = field(default_factory=dict)  # seconds of the whole tour and of each step (demo_clock)


def run_demo(
    out: str | Path, settings: DemoSettings = TOUR, force: bool = False,
    say: Callable[[str], None] = lambda message: None, progress: Progress | None = None,
    report_commands: Mapping[str, str] | None = None,
) -> DemoResult:
    """Run the tour into ``out`` (a new folder; an earlier demo there is replaced only with ``force``).

    ``say`` hears how long it will take, then one line per step with the time elapsed (demo_clock)."""
    out = Path(out)
    clock = StepClock(say)
    # Built in place, not in a temporary folder: runs record the absolute path of their data.
    check_output(out, force, MARKER)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    save_json(out / MARKER, {"settings": asdict(settings), "complete": False})
    clock.note(f"The tour: {settings.count:,} synthetic faces of {settings.size} px, a VAE and an AE trained "
               f"{_epochs(settings.epochs)} each; {_duration(settings.expected_minutes)} on 2 CPU cores (longer while "
               "other programs run).")
    result = _run(out, settings, clock, progress, report_commands)
    result.timing = clock.finish()
    save_json(out / MARKER, {"settings": asdict(settings), "complete": True, "timing": result.timing})
    return result


def _duration(minutes: float) -> str:
    return "about a minute" if minutes < 1.5 else f"about {minutes:.0f} minutes"


def _epochs(count: int) -> str:
    return f"{count} epoch" + ("" if count == 1 else "s")


def _run(out: Path, settings: DemoSettings, say: StepClock, progress: Progress | None,
         report_commands: Mapping[str, str] | None = None) -> DemoResult:
    result = DemoResult(out)
    say(f"1/7 prepare {settings.count} synthetic faces of {settings.size}px")
    source = synthetic_faces_source(count=settings.count, size=settings.size, seed=settings.seed)
    cache = prepare_cache(source, out / "data", force=True)
    figures = out / "figures"
    save_image(image_grid(cache.images[: settings.num_samples], columns=7, scale=2), figures / "data.png")
    result.figures["training images"] = figures / "data.png"

    runs: dict[str, Run] = {}
    for kind in ("vae", "ae"):
        say(f"2/7 train the {kind.upper()} ({_epochs(settings.epochs)})")
        config = model_config("small", model=kind, image_size=cache.image_size, channels=cache.channels,
                              latent_dim=settings.latent_dim)
        train_config = TrainConfig(data=str(out / "data"), epochs=settings.epochs, batch_size=settings.batch_size,
                                   kl_weight=settings.kl_weight, seed=settings.seed)
        train(config, train_config, out / kind, force=True, progress=progress)
        runs[kind] = run = Run(out / kind)
        write_loss_figure(run)
        result.runs[kind] = run.path
        say(f"3/7 encode {len(cache)} images with the {kind.upper()}")
        latents = encode(run, progress=progress)
        say(f"4/7 analyze the {kind.upper()}'s latent space, its structure against a Gaussian null, and whether "
            "random points that land in voids decode worse")
        options = AnalysisOptions(tsne_points=min(settings.tsne_points, len(latents.vectors)),
                                  tsne_fit_points=settings.tsne_fit_points,
                                  color_by="background_hue", seed=settings.seed,
                                  structure=StructureOptions(null_draws=5, seed=settings.seed))
        link = generation_link(run, LINK_SAMPLERS[kind], count=settings.link_samples, seed=settings.seed,
                               progress=progress)
        analysis = analyze(latents.vectors, latents.index, options, progress, link=link)
        drawn = save_analysis(analysis, run.analysis_dir, progress=progress)
        result.analyses[kind] = analysis
        result.figures[f"{kind.upper()} analysis ({len(drawn)} figures)"] = run.analysis_dir / FIGURES_FOLDER
        result.figures[f"{kind.upper()} reconstructions (top: originals)"] = _reconstructions(run, cache, figures)
        result.figures[f"{kind.upper()} loss curves"] = run.loss_figure_file

    say("5/7 decode: N(0, I) with both, a Gaussian mixture fitted to the AE, a uniform-box sweep with the VAE")
    _generate(runs, settings, result, progress)
    for kind in ("vae", "ae"):
        found = result.analyses[kind].link
        if found is not None and found.samplers:
            say.note(f"6/7 {kind.upper()}: {found.verdict}")
    _evaluate(runs, len(cache.rows("val")), settings, result, say, progress)
    say("7/7 the report of both runs, side by side")
    result.report = build_report(runs["vae"], compare=runs["ae"], out=out / Run.REPORT, commands=report_commands).path
    return result


def _evaluate(runs: dict[str, Run], heldout: int, settings: DemoSettings, result: DemoResult,
              say: Callable[[str], None], progress: Progress | None) -> None:
    """A short sample-quality table of both runs (issue 13), into each RUN/evaluation/."""
    if heldout < MIN_HELDOUT:
        say(f"6/7 sample quality skipped: {heldout} held-out images are too few for FD in the judge's feature "
            f"space (it needs more rows than dimensions; the default tour has enough)")
        return
    say("6/7 sample quality: FD, KID, precision/recall, density/coverage of N(0, I) and a fitted mixture, "
        "in the space of a judge network trained on the faces' known factors")
    for kind in ("vae", "ae"):
        evaluation = quick_evaluation([runs[kind]], out=runs[kind].evaluation_dir, seed=settings.seed,
                                      progress=progress)
        result.evaluation_rows += evaluation.rows
        # a finding about the shared held-out images comes once per run, word for word: say it once
        result.evaluation_findings += [f for f in evaluation.findings if f not in result.evaluation_findings]


def _reconstructions(run: Run, cache, figures: Path) -> Path:
    val_rows = cache.rows("val")[:8]
    originals = np.asarray(cache.images[val_rows])
    path = figures / f"{run.name}_reconstructions.png"
    save_image(image_grid(np.concatenate([originals, reconstruct(run.model(), originals)]), columns=8, scale=2), path)
    return path


def _generate(runs: dict[str, Run], settings: DemoSettings, result: DemoResult, progress: Progress | None) -> None:
    figures = result.out / "figures"
    grids: dict[str, np.ndarray] = {}
    for kind, spec in (("vae", "normal"), ("ae", "normal"), ("ae", "gmm:k=10")):
        done = generate_samples(runs[kind], spec, default_out(runs[kind], "sample", spec), settings.num_samples,
                                settings.seed)
        with Image.open(done.files["grid"]) as picture:
            grids[f"{kind} {spec}"] = np.asarray(picture)
        result.figures[f"{kind.upper()} samples from {spec}"] = done.files["grid"]
    panels = [(f"{k.upper()}: {settings.num_samples} decodes of z ~ N(0, I)", grids[f"{k} normal"])
              for k in ("vae", "ae")]
    save_figure(image_panels_figure(panels, columns=2), figures / "samples_normal.png")
    result.figures["AE vs VAE from N(0,I)"] = figures / "samples_normal.png"
    panels = [("AE: z ~ N(0, I)", grids["ae normal"]),
              ("AE: z ~ Gaussian mixture (k=10) fitted to its latents", grids["ae gmm:k=10"])]
    save_figure(image_panels_figure(panels, columns=2), figures / "ae_normal_vs_gmm.png")
    result.figures["AE from N(0,I) vs from a fitted GMM"] = figures / "ae_normal_vs_gmm.png"
    sweep = generate_sweep(runs["vae"], settings.sweep, default_out(runs["vae"], "sweep", settings.sweep), 7,
                           settings.seed)
    result.figures["VAE uniform-box sweep (S17)"] = sweep.files["sweep"]
