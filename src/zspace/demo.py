"""The demo: the seed's headline experiment on embedded data, end to end on a CPU.

prepare synthetic faces -> train a VAE and an AE -> encode -> analyze each latent
space -> decode 28 points drawn from N(0, I) with each, then from a Gaussian
mixture fitted to the AE's latents, and a uniform-box sweep with the VAE. The
seed's finding (posts on AE/VAE with CelebA): the VAE's decoder turns random
normal points into faces, the AE's mostly does not, because the AE's latent
vectors do not fill N(0, I); a sampler fitted to the AE's latents (Ghosh et al.
2020) makes it a generator after all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from zspace.analysis.analyze import AnalysisOptions, analyze
from zspace.config import TrainConfig
from zspace.data.cache import prepare_cache
from zspace.data.synthetic_faces import synthetic_faces_source
from zspace.errors import ZspaceError
from zspace.generate.from_run import generate_samples, generate_sweep
from zspace.generation import decode, image_grid, save_image
from zspace.latents import LatentSet, encode
from zspace.models.architectures import model_config
from zspace.report.figures import component_histograms_figure, image_panels_figure, save_figure
from zspace.training.train import train


@dataclass(frozen=True)
class DemoSettings:
    count: int = 12_000
    size: int = 64
    latent_dim: int = 32
    epochs: int = 6
    batch_size: int = 64
    kl_weight: float = 5.0
    num_samples: int = 28  # the seed's n_to_show
    tsne_points: int = 3000
    sweep: str = "uniform:b=0.5,1,1.5,2,3,5,8"  # the seed's r_limit values (S17), abridged
    seed: int = 0


QUICK = DemoSettings(count=600, size=32, latent_dim=8, epochs=1, batch_size=32, tsne_points=0,
                     sweep="uniform:b=1,3")


@dataclass
class DemoResult:
    out: Path
    figures: dict[str, Path] = field(default_factory=dict)
    runs: dict[str, Path] = field(default_factory=dict)
    summary: dict[str, float] = field(default_factory=dict)
    analyses: dict[str, dict] = field(default_factory=dict)


def run_demo(
    out: str | Path, settings: DemoSettings = DemoSettings(), force: bool = False,
    say: Callable[[str], None] = lambda message: None, progress_bar: bool = True,
) -> DemoResult:
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not force:
        raise ZspaceError(f"{out}: already exists; pass --force to replace the demo there, or choose another --out")
    result = DemoResult(out)
    say(f"1/6 prepare {settings.count} synthetic faces of {settings.size}px -> {out / 'data'}")
    source = synthetic_faces_source(count=settings.count, size=settings.size, seed=settings.seed)
    cache = prepare_cache(source, out / "data", force=True)
    figures = out / "figures"
    save_image(image_grid(cache.images[: settings.num_samples], columns=7, scale=2), figures / "data.png")
    result.figures["training images"] = figures / "data.png"

    latents: dict[str, LatentSet] = {}
    sample_grids: dict[str, Image.Image] = {}
    for kind in ("vae", "ae"):
        say(f"2/6 train the {kind.upper()} ({settings.epochs} epochs) -> {out / kind}")
        config = model_config("small", model=kind, image_size=cache.image_size, channels=cache.channels,
                              latent_dim=settings.latent_dim)
        train_config = TrainConfig(data=str(out / "data"), epochs=settings.epochs, batch_size=settings.batch_size,
                                   kl_weight=settings.kl_weight, seed=settings.seed)
        trained = train(config, train_config, out / kind, force=True, progress_bar=progress_bar)
        result.runs[kind] = out / kind
        result.summary[f"{kind}_val_loss"] = trained.history[-1].get("val_loss", float("nan"))
        say(f"3/6 encode {len(cache)} images with the {kind.upper()}")
        latents[kind] = encode(out / kind)
        sample_grids[kind] = _write_model_figures(kind, trained.model, latents[kind], cache, settings, result)
        say(f"4/6 analyze the {kind.upper()}'s latent space -> {out / kind / 'analysis'}")
        _analyze(kind, latents[kind], settings, result)

    say("5/6 samplers: a Gaussian mixture fitted to the AE's latents; a uniform-box sweep with the VAE")
    _generate(settings, result, sample_grids)
    say("6/6 figures")
    panels = [(f"{k.upper()}: 28 decodes of z ~ N(0, I)", np.asarray(sample_grids[k])) for k in ("vae", "ae")]
    save_figure(image_panels_figure(panels, columns=2), figures / "samples_normal.png")
    result.figures["AE vs VAE from N(0,I)"] = figures / "samples_normal.png"
    for kind, latent_set in latents.items():
        vectors = np.asarray(latent_set.vectors)
        result.summary[f"{kind}_latent_mean_abs"] = float(np.abs(vectors.mean(0)).mean())
        result.summary[f"{kind}_latent_std"] = float(vectors.std(0).mean())
    return result


def _analyze(kind: str, latent_set: LatentSet, settings: DemoSettings, result: DemoResult) -> None:
    options = AnalysisOptions(tsne_points=min(settings.tsne_points, len(latent_set.vectors)),
                              color_by="background_hue", seed=settings.seed)
    analysis = analyze(np.asarray(latent_set.vectors), latent_set.index, result.out / kind / "analysis", options)
    result.analyses[kind] = analysis.metrics
    result.figures[f"{kind.upper()} analysis (metrics.json + {len(analysis.figures)} figures)"] = (
        result.out / kind / "analysis")


def _generate(settings: DemoSettings, result: DemoResult, sample_grids: dict[str, Image.Image]) -> None:
    figures = result.out / "figures"
    gmm = generate_samples(result.out / "ae", "gmm:k=10", result.out / "ae" / "generate-gmm",
                           settings.num_samples, settings.seed)
    panels = [("AE: z ~ N(0, I)", np.asarray(sample_grids["ae"])),
              ("AE: z ~ Gaussian mixture (k=10) fitted to its latents", np.asarray(Image.open(gmm.files["grid"])))]
    save_figure(image_panels_figure(panels, columns=2), figures / "ae_normal_vs_gmm.png")
    result.figures["AE from N(0,I) vs from a fitted GMM"] = figures / "ae_normal_vs_gmm.png"
    sweep = generate_sweep(result.out / "vae", settings.sweep, result.out / "vae" / "generate-sweep", 7,
                           settings.seed)
    result.figures["VAE uniform-box sweep (S17)"] = sweep.files["sweep"]


def _write_model_figures(
    kind: str, model, latent_set: LatentSet, cache, settings: DemoSettings, result: DemoResult
) -> Image.Image:
    """Samples from N(0, I), reconstructions and component histograms of one model; returns the samples grid."""
    figures = result.out / "figures"
    generator = torch.Generator().manual_seed(settings.seed)
    z = torch.randn(settings.num_samples, settings.latent_dim, generator=generator)  # the seed's np.random.normal
    path = figures / f"{kind}_samples_normal.png"
    samples = image_grid(decode(model, z), columns=7, scale=2)
    save_image(samples, path)
    result.figures[f"{kind.upper()} samples"] = path

    val_rows = cache.rows("val")[:8]
    originals = np.asarray(cache.images[val_rows])
    rebuilt = decode(model, np.asarray(latent_set.vectors[val_rows]))
    path = figures / f"{kind}_reconstructions.png"
    save_image(image_grid(np.concatenate([originals, rebuilt]), columns=8, scale=2), path)
    result.figures[f"{kind.upper()} reconstructions (top: originals)"] = path

    path = figures / f"{kind}_components.png"
    title = f"{kind.upper()}: {settings.latent_dim} latent components of {len(cache)} faces"
    save_figure(component_histograms_figure(np.asarray(latent_set.vectors), title=title), path)
    result.figures[f"{kind.upper()} component histograms"] = path
    result.figures[f"{kind.upper()} loss curves"] = result.out / kind / "figures" / "loss.png"
    return samples
