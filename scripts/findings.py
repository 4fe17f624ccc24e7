"""Regenerate the numbers and figures of docs/findings.md from the runs of scripts/findings_runs.py.

For each run: ``analyze`` with the structure analysis (5 null draws) and the
link to generation (the default samplers, 500 points each); which known factor
the PCA planes and the local (filament) directions follow; the demo AE's ring
of PCA plane 1-2 against the circular background hue. Writes
ROOT/analyses/<name>/ (a full analysis folder each), ROOT/findings.json and
small PNGs under docs/images/findings/ (unless --no-images).

Usage: python scripts/findings.py --root /work/findings_runs [--only demo_ae,fm_ae] [--link-samples 500]
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

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
from zspace.analysis.structure.generation_link import DEFAULT_SAMPLERS, generation_link
from zspace.report.figures import save_figure
from zspace.run import Run

RUNS = {  # name -> run folder under ROOT
    "demo_vae": "demo/vae", "demo_ae": "demo/ae", "fm_ae": "fm_ae", "fm_vae": "fm_vae", "seed256_ae": "seed256_ae",
}
IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images" / "findings"
FACTOR_SKIP = {"row", "source_id", "split"}


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


def measure(root: Path, name: str, link_samples: int, images: bool) -> dict:
    run = Run(root / RUNS[name])
    latents = run.latents()
    began = time.perf_counter()
    link = generation_link(run, DEFAULT_SAMPLERS, link_samples, seed=0)
    link_seconds = time.perf_counter() - began
    options = AnalysisOptions(tsne_points=0, structure=StructureOptions(null_draws=5))
    began = time.perf_counter()
    result = analyze(latents.vectors, latents.index, root / "analyses" / name, options, force=True, link=link)
    analysis_seconds = time.perf_counter() - began
    factors = factor_table(dict(latents.index))
    found = {"run": str(run.path), "n": result.count, "dim": result.dim,
             "structure": {k: v for k, v in result.metrics["structure"].items() if k != "link"},
             "link": result.metrics["structure"]["link"],
             "seconds": {"link": round(link_seconds, 1), "analysis": round(analysis_seconds, 1)},
             "pca_90": result.pca.components_for(0.9)}
    if factors:
        found["factors"] = describe_factors(np.asarray(latents.vectors), factors, result.pca_planes)
    if images:
        IMAGES.mkdir(parents=True, exist_ok=True)
        folder = root / "analyses" / name / "figures"
        for figure in ("structure.png", "structure_link.png", "pca_plane_1_2.png"):
            if (folder / figure).is_file():
                shutil.copyfile(folder / figure, IMAGES / f"{name}_{figure}")
        if "background_hue" in factors and result.pca_planes:
            save_figure(ring_figure(result.pca_planes[0].points, factors["background_hue"],
                                    f"{name}: PCA plane 1-2 by background hue"),
                        IMAGES / f"{name}_ring_hue.png", dpi=80)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--only", default=",".join(RUNS))
    parser.add_argument("--link-samples", type=int, default=500)
    parser.add_argument("--no-images", action="store_true")
    args = parser.parse_args()
    output = args.root / "findings.json"
    findings = json.loads(output.read_text()) if output.is_file() else {}
    for name in args.only.split(","):
        if not Run(args.root / RUNS[name]).latents_file.is_file():
            print(f"{name}: no latents yet, skipped")
            continue
        findings[name] = measure(args.root, name, args.link_samples, not args.no_images)
        output.write_text(json.dumps(findings, indent=1, default=float))
        print(f"{name}: done ({findings[name]['seconds']})")


if __name__ == "__main__":
    main()
