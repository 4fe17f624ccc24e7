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


def void_rows(run: Run, link, samplers: tuple[str, ...] = ("gmm:k=10", "normal"), count: int = 7):
    """Decoded points of each sampler: the ``count`` nearest the data (lowest void score), then the farthest."""
    model = run.model("cpu")
    rows = []
    for scores in link.samplers:
        if scores.name in samplers and scores.z is not None:
            order = np.argsort(scores.void)
            for label, chosen in (("nearest", order[:count]), ("farthest", order[-count:])):
                values = ", ".join(f"{v:.1f}" for v in scores.void[chosen][[0, -1]])
                rows.append((f"{scores.name} {label} (void {values})", decode(model, scores.z[chosen])))
    return labelled_rows(rows, scale=1, title=f"{run.name}: decoded samples by void score")


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
    result = analyze(latents.vectors, latents.index, options, link=link)
    save_analysis(result, root / "analyses" / name, force=True)
    analysis_seconds = time.perf_counter() - began
    factors = factor_table(dict(latents.index))
    found = {"run": str(run.path), "n": result.count, "dim": result.dim,
             "structure": to_json(result.structure), "link": json_value(result.link.described()),
             "seconds": {"link": round(link_seconds, 1), "analysis": round(analysis_seconds, 1)},
             "pca_90": result.pca.components_for(0.9)}
    if factors:
        found["factors"] = describe_factors(np.asarray(latents.vectors), factors, result.pca_planes)
    if images:
        IMAGES.mkdir(parents=True, exist_ok=True)
        folder = root / "analyses" / name / "figures"
        for figure in ("structure.png", "structure_link.png", "pca_plane_1_2.png"):
            if (folder / figure).is_file():
                small_png(folder / figure, IMAGES / f"{name}_{figure}")
        if "background_hue" in factors:
            save_image(void_rows(run, link), folder / "void_rows.png")
            small_png(folder / "void_rows.png", IMAGES / f"{name}_void_rows.png")
        if "background_hue" in factors and result.pca_planes:
            save_figure(ring_figure(result.pca_planes[0].points, factors["background_hue"],
                                    f"{name}: PCA plane 1-2 by background hue"), folder / "ring_hue.png", dpi=80)
            small_png(folder / "ring_hue.png", IMAGES / f"{name}_ring_hue.png")
    return found


def tables(findings: dict) -> str:
    """The two summary tables of docs/findings.md (markdown)."""
    lines = ["| run | N x d | TwoNN (null) | MLE (null) | PCA 90% | local anisotropy (null) | fitted-Gaussian "
             "probes in voids (null) | significant tests |", "|---|---|---|---|---|---|---|---|"]
    for name, f in findings.items():
        s, tests = f["structure"], {t["name"]: t for t in f["structure"]["tests"]}
        i, n = s["intrinsic_dimension"], s["null_intrinsic_dimension"]
        a, v = tests["local_anisotropy"], tests["void_fraction_fitted_gaussian"]
        lines.append(f"| {name} | {f['n']:,} x {f['dim']} | {i['twonn']:.1f} ({n['twonn']:.1f}) | {i['mle']:.1f} "
                     f"({n['mle']:.1f}) | {i['pca_90']} | {a['data']:.2f} ({a['null_mean']:.2f}) | "
                     f"{100 * v['data']:.0f}% ({100 * v['null_mean']:.0f}%) | "
                     f"{sum(t['significant'] for t in s['tests'])} of {len(s['tests'])} |")
    lines += ["", "| run | sampler | in voids | median void score | median data distance | rho (p) | "
              "Mahalanobis rho | partial rho (p) | cycle-error rho |", "|---|---|---|---|---|---|---|---|---|"]
    for name, f in findings.items():
        for r in [*f["link"]["rows"], f["link"]["pooled"]]:
            d = r["data_distance"]
            lines.append(f"| {name} | {r['sampler']} | {100 * r['void_share']:.0f}% | {r['void_score_median']:.2f} | "
                         f"{d['median']:.2f} | {d['rho']:+.2f} ({d['p_value']:.1g}) | {d['mahalanobis_rho']:+.2f} | "
                         f"{d['partial_rho']:+.2f} ({d['partial_p_value']:.1g}) | {r['cycle_error']['rho']:+.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--only", default=",".join(RUNS))
    parser.add_argument("--link-samples", type=int, default=500)
    parser.add_argument("--no-images", action="store_true")
    parser.add_argument("--tables", action="store_true", help="only print the summary tables of findings.json")
    args = parser.parse_args()
    output = args.root / "findings.json"
    findings = json.loads(output.read_text()) if output.is_file() else {}
    if args.tables:
        print(tables({k: findings[k] for k in RUNS if k in findings}))
        return
    for name in args.only.split(","):
        if not Run(args.root / RUNS[name]).latents_file.is_file():
            print(f"{name}: no latents yet, skipped")
            continue
        findings[name] = measure(args.root, name, args.link_samples, not args.no_images)
        output.write_text(json.dumps(findings, indent=1, default=float))
        print(f"{name}: done ({findings[name]['seconds']})")


if __name__ == "__main__":
    main()
