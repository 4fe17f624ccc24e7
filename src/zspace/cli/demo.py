"""zspace demo [--out DIR]"""

from __future__ import annotations

from pathlib import Path

import typer

from zspace.demo import QUICK, DemoSettings, run_demo


def demo(
    out: Path = typer.Option(Path("zspace-demo"), "--out", "-o", help="Folder for data, runs and figures."),
    quick: bool = typer.Option(False, "--quick", help="A tiny version in seconds (a smoke test, not pretty)."),
    force: bool = typer.Option(False, "--force", help="Replace an earlier demo in --out."),
) -> None:
    """The tour: synthetic faces -> VAE and AE -> latents -> faces from N(0,I) (the VAE works, the AE fails)."""
    settings = QUICK if quick else DemoSettings()
    result = run_demo(out, settings, force=force, say=typer.echo)
    typer.echo("\nWhat the demo made:")
    for name, path in result.figures.items():
        typer.echo(f"  {name:44s} {path}")
    for name, path in result.runs.items():
        typer.echo(f"  {name.upper() + ' run (weights, config, history, latents)':44s} {path}")
    typer.echo("\nWhat the numbers say (all latent vectors, exact):")
    for kind, metrics in result.analyses.items():
        radius = metrics["radius"]
        typer.echo(f"  {kind.upper():4s} mean |component centre| {result.summary[f'{kind}_latent_mean_abs']:.2f}, "
                   f"mean component std {result.summary[f'{kind}_latent_std']:.2f}, radius {radius['mean']:.1f} "
                   f"(N(0,I) in {metrics['dim']} dims: about {radius['sqrt_dim']:.1f}), "
                   f"{metrics['pca']['components_for_90pct']} PCA axes hold 90% of the variance")
    typer.echo("\nNext: zspace prepare / train / encode on your own data (see README.md).")
