"""zspace demo [--out DIR]"""

from __future__ import annotations

from pathlib import Path

import typer


def _component_line(kind: str, analysis) -> str:
    components = analysis.components
    dominant = [d.index for d in components.dominant]
    inactive = components.inactive
    between = analysis.dim - len(dominant) - len(inactive)
    std = components.std
    listed = ", ".join(f"z{i}" for i in dominant[:12]) + (" ..." if len(dominant) > 12 else "")
    groups = (f"{len(dominant)} dominant (live: {listed}), {len(inactive)} inactive (collapsed), {between} between"
              if dominant else f"no dominant group ({len(inactive)} inactive)")
    return (f"  {kind.upper():4s} {groups}; component std {min(std):.2f} ... {max(std):.2f}; "
            f"active units (variance > {components.active_threshold:g}, Burda et al.): "
            f"{len(components.active_units)} of {analysis.dim}")


def demo(
    out: Path = typer.Option(Path("zspace-demo"), "--out", "-o", help="Folder for data, runs and figures."),
    quick: bool = typer.Option(False, "--quick", help="A tiny version in seconds (a smoke test, not pretty)."),
    force: bool = typer.Option(False, "--force", help="Replace an earlier demo in --out."),
) -> None:
    """The tour: synthetic faces -> VAE and AE -> latents -> faces from N(0,I) (the VAE works, the AE fails)."""
    from zspace.cli.flags import REPORT_COMMANDS
    from zspace.cli.progress import progress_bar
    from zspace.demo import QUICK, DemoSettings, run_demo

    settings = QUICK if quick else DemoSettings()
    result = run_demo(out, settings, force=force, say=typer.echo, progress=progress_bar,
                      report_commands=REPORT_COMMANDS)
    typer.echo("\nWhat the demo made:")
    for name, path in result.figures.items():
        typer.echo(f"  {name:44s} {path}")
    for name, path in result.runs.items():
        typer.echo(f"  {name.upper() + ' run (weights, latents, analysis, samples)':44s} {path}")
    typer.echo("\nWhat the numbers say (all latent vectors, exact; RUN/analysis/metrics.json):")
    for kind, analysis in result.analyses.items():
        typer.echo(_component_line(kind, analysis))
        radius, centres = analysis.radius, analysis.components.mean
        typer.echo(f"       mean |component centre| {sum(abs(c) for c in centres) / len(centres):.2f}; radius "
                   f"{radius.mean:.1f} (N(0,I) in {analysis.dim} dims: about {radius.sqrt_dim:.1f}); "
                   f"{analysis.pca.components_for(0.9)} PCA axes hold 90% of the variance")
    if result.evaluation_rows:
        from zspace.cli.evaluate import print_table

        typer.echo("\nSample quality (RUN/evaluation/evaluation.json; FD in a judge's space, not Inception FID):")
        print_table(result.evaluation_rows)
        for finding in result.evaluation_findings:
            typer.echo(f"  {finding}")
    typer.echo(f"\nThe report of both runs, side by side (open it in a browser): {result.report}")
    typer.echo(f"Explore the VAE's latent map in a browser (hover a face, click the voids): "
               f"zspace explore {result.runs['vae']}")
    typer.echo("Next: zspace prepare / train / encode on your own data (see README.md).")
