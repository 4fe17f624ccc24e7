"""Regenerate the numbers and figures of docs/findings.md from the runs of scripts/findings_runs.py.

For each run: ``analyze`` with the structure analysis (5 Gaussian null draws and
5 draws of a 10-component mixture null; scale curves and machine-readable claims,
issue 21) and the link to generation (the default samplers, 500 points each),
whose primary quality does not come from the encoder: the judge's unrealism
(``--judge auto`` trains the cache's judge when it is missing) and the pixel
distance to the nearest training image; which known factor the PCA planes and
the local directions follow; the ring of PCA plane 1-2 against the circular
background hue. Writes ROOT/analyses/<name>/ (a full analysis folder each),
ROOT/findings.json and small PNGs under docs/images/findings/ (unless
--no-images); scripts/findings_page.py then writes docs/findings.md from
findings.json.

Usage: python scripts/findings.py --root /tmp/findings_runs [--only demo_ae,fm_ae] [--link-samples 500]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from zspace.analysis import AnalysisOptions, analyze
from zspace.analysis.structure import StructureOptions
from zspace.analysis.structure.factors import (
    circular_alignment,
    is_categorical,
    local_factor_alignment,
    neighbour_agreement,
    plane_angle,
    plane_factors,
)
from zspace.generate.link import generation_link
from zspace.io import load_json
from zspace.models.inference import decode
from zspace.report.analysis_folder import save_analysis
from zspace.report.figures import save_figure
from zspace.report.grids import labelled_rows, save_image
from zspace.results import json_value, to_json
from zspace.run import Run
from zspace.samplers import DEFAULT_SAMPLERS

RUNS = {  # name -> run folder under ROOT
    "demo_vae": "demo/vae", "demo_ae": "demo/ae", "fm_ae": "fm_ae", "fm_vae": "fm_vae", "seed256_ae": "seed256_ae",
}
IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images" / "findings"
FACTOR_SKIP = {"row", "source_id", "split"}
MIXTURE, MIXTURE_RETRY = "gmm:k=10", "gmm:k=10,seed=1"


def small_png(source: Path, target: Path, width: int = 900, colours: int = 96) -> None:
    """A copy for the docs: at most ``width`` pixels wide, an adaptive palette (a few tens of kB)."""
    picture = Image.open(source).convert("RGB")
    if picture.width > width:
        picture = picture.resize((width, round(picture.height * width / picture.width)), Image.Resampling.LANCZOS)
    picture.quantize(colours).save(target, optimize=True)


def factor_table(index: dict) -> dict[str, np.ndarray]:
    """The index columns that are known factors (numeric, not bookkeeping)."""
    return {k: np.asarray(v) for k, v in index.items()
            if k not in FACTOR_SKIP and np.issubdtype(np.asarray(v).dtype, np.number)}


def ring_figure(plane: np.ndarray, hue: np.ndarray, title: str) -> Figure:
    """PCA plane 1-2 coloured by the background hue (a cyclic colour map: the hue wraps)."""
    figure = Figure(figsize=(4.2, 3.8))
    axes = figure.subplots()
    shown = np.random.default_rng(0).permutation(len(plane))[:6000]
    points = axes.scatter(plane[shown, 0], plane[shown, 1], c=hue[shown], cmap="hsv", s=3, vmin=0, vmax=1)
    figure.colorbar(points, ax=axes, label="background_hue")
    axes.set(xlabel="PCA axis 1", ylabel="PCA axis 2", title=title)
    axes.set_aspect("equal", adjustable="datalim")
    figure.tight_layout()
    return figure


def void_rows(run: Run, link, name: str, samplers: tuple[str, ...] = (MIXTURE, "normal"), count: int = 7):
    """Decoded points of each sampler: the ``count`` nearest the data (lowest void score), then the farthest."""
    model = run.model("cpu")
    rows = []
    for scores in link.samplers:
        if scores.name.split(",")[0] in samplers and scores.z is not None:  # gmm:k=10 under any EM seed
            order = np.argsort(scores.void)
            for label, chosen in (("nearest", order[:count]), ("farthest", order[-count:])):
                values = ", ".join(f"{v:.1f}" for v in scores.void[chosen][[0, -1]])
                rows.append((f"{scores.name} {label} (void {values})", decode(model, scores.z[chosen])))
    return labelled_rows(rows, scale=1, title=f"{name}: decoded samples by void score")


def sampler_medians(link, draws: int = 1000, level: float = 0.95, seed: int = 0) -> dict[str, dict]:
    """Per sampler: the median of each quality score and of the void score and the Mahalanobis distance, with a
    percentile bootstrap interval of the median (``draws`` resamples of the sampler's points)."""
    rng = np.random.default_rng(seed)
    tails = (100 * (1 - level) / 2, 100 * (1 + level) / 2)
    out: dict[str, dict] = {}
    for scores in link.samplers:
        columns = {"void": scores.void, "mahalanobis": scores.mahalanobis, **scores.quality}
        picks = rng.integers(0, len(scores.void), size=(draws, len(scores.void)))
        out[scores.name] = {}
        for name, values in columns.items():
            values = np.asarray(values, dtype=np.float64)
            medians = np.median(values[picks], axis=1)
            low, high = np.percentile(medians, tails)
            out[scores.name][name] = {"median": float(np.median(values)), "low": float(low), "high": float(high),
                                      "count": int(len(values)), "level": level}
    return out


def describe_factors(latents: np.ndarray, factors: dict[str, np.ndarray], pca_planes: list) -> dict:
    """Which factor each PCA plane and the local filament direction follow."""
    out: dict[str, object] = {"planes": {}}
    for plane in pca_planes:
        table = plane_factors(plane.points, factors)
        ranked = sorted(table.items(), key=lambda kv: -max(kv[1]["linear_r2"], kv[1]["angle_r2"]))
        out["planes"][f"{plane.axis_a}_{plane.axis_b}"] = {name: row for name, row in ranked[:4]}
    if any(not is_categorical(v) for v in factors.values()):
        local = local_factor_alignment(latents, factors, k=20, queries=1500)
        local["ranked"] = sorted(local["alignment"].items(), key=lambda kv: -kv[1])[:5]
        out["local"] = local
    for name, values in factors.items():
        if is_categorical(values):
            out[f"neighbours_{name}"] = neighbour_agreement(latents, values)
    if "background_hue" in factors and pca_planes:
        first = pca_planes[0]
        out["ring_hue"] = circular_alignment(plane_angle(first.points), factors["background_hue"])
    return out


def training(run: Run) -> dict:
    """What the run was trained as and how far: data, architecture, epochs done, last losses, seconds."""
    model, train = load_json(run.config_file), load_json(run.train_config_file)
    data = load_json(run.training_data() / "dataset.json")
    lines = run.history_file.read_text().strip().splitlines() if run.history_file.is_file() else []
    history = [dict(zip(lines[0].split(","), line.split(","), strict=True)) for line in lines[1:]]
    last = history[-1] if history else {}
    return {"model": model["model"], "arch": model["arch"], "latent_dim": model["latent_dim"],
            "filters": model["filters"], "kernels": model["kernels"], "image_size": model["image_size"],
            "source": data["source"], "images": data["count"], "train_images": data["splits"]["train"],
            "epochs": len(history), "kl_weight": train["kl_weight"], "seed": train["seed"],
            "val_loss_first": float(history[0]["val_loss"]) if history else None,
            "val_loss_last": float(last["val_loss"]) if last else None,
            "train_seconds": round(sum(float(h["seconds"]) for h in history), 1)}


def measure(root: Path, name: str, link_samples: int, images: bool, judge: str) -> dict:
    run = Run(root / RUNS[name])
    latents = run.latents()
    began = time.perf_counter()
    samplers, notes = list(DEFAULT_SAMPLERS), []
    try:
        link = generation_link(run, samplers, link_samples, seed=0, judge=judge)
    except ValueError as error:  # scikit-learn's EM: a component collapsed from this k-means++ start
        if "mixture" not in str(error):
            raise
        samplers = [MIXTURE_RETRY if spec == MIXTURE else spec for spec in samplers]
        notes.append(f"{MIXTURE} failed to fit ({str(error).split('.')[0]}); the link uses {MIXTURE_RETRY} "
                     "(the same mixture, another k-means++ start)")
        link = generation_link(run, samplers, link_samples, seed=0, judge=judge)
    link_seconds = time.perf_counter() - began
    options = AnalysisOptions(tsne_points=0, structure=StructureOptions(null_draws=5))
    began = time.perf_counter()
    result = analyze(latents.vectors, latents.index, options, link=link)
    save_analysis(result, root / "analyses" / name, force=True)
    analysis_seconds = time.perf_counter() - began
    factors = factor_table(dict(latents.index))
    found = {"run": str(run.path), "n": result.count, "dim": result.dim, "training": training(run),
             "structure": to_json(result.structure), "link": json_value(result.link.described()),
             "link_settings": json_value(link.settings), "link_notes": [*notes, *link.notes],
             "medians": sampler_medians(link),
             "seconds": {"link": round(link_seconds, 1), "analysis": round(analysis_seconds, 1)},
             "pca_90": result.pca.components_for(0.9)}
    if factors:
        found["factors"] = describe_factors(np.asarray(latents.vectors), factors, result.pca_planes)
    if images:
        IMAGES.mkdir(parents=True, exist_ok=True)
        folder = root / "analyses" / name / "figures"
        for figure in ("structure.png", "structure_scales.png", "structure_link.png", "pca_plane_1_2.png"):
            if (folder / figure).is_file():
                small_png(folder / figure, IMAGES / f"{name}_{figure}")
        if "background_hue" in factors:
            save_image(void_rows(run, link, name), folder / "void_rows.png")
            small_png(folder / "void_rows.png", IMAGES / f"{name}_void_rows.png")
        if "background_hue" in factors and result.pca_planes:
            save_figure(ring_figure(result.pca_planes[0].points, factors["background_hue"],
                                    f"{name}: PCA plane 1-2 by background hue"), folder / "ring_hue.png", dpi=80)
            small_png(folder / "ring_hue.png", IMAGES / f"{name}_ring_hue.png")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--only", default=",".join(RUNS))
    parser.add_argument("--link-samples", type=int, default=500)
    parser.add_argument("--no-images", action="store_true")
    parser.add_argument("--judge", default="auto",
                        help="judge of the link's realism score: auto (trained when missing), stored, none")
    args = parser.parse_args()
    output = args.root / "findings.json"
    findings = json.loads(output.read_text()) if output.is_file() else {}
    for name in args.only.split(","):
        if not Run(args.root / RUNS[name]).latents_file.is_file():
            print(f"{name}: no latents yet, skipped")
            continue
        findings[name] = measure(args.root, name, args.link_samples, not args.no_images, args.judge)
        output.write_text(json.dumps(findings, indent=1, default=float))
        print(f"{name}: done ({findings[name]['seconds']})")


if __name__ == "__main__":
    main()
