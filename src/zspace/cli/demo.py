"""zspace demo [--out DIR] [--full | --quick]"""

from __future__ import annotations

from pathlib import Path

import typer


def _component_line(kind: str, analysis) -> str:
    components = analysis.components
    inactive = components.inactive
    typical = analysis.dim - len(components.dominant) - len(inactive)
    std = components.std

    def listed(indices: list[int]) -> str:
        return ", ".join(f"z{i}" for i in indices[:12]) + (" ..." if len(indices) > 12 else "")

    found = [f"{len(indices)} dominant by {criterion} ({listed(indices)})" for criterion in ("width", "centre")
             if (indices := components.dominant_by(criterion))]
    # Two criteria, each named: inactive is relative (a width group far below the widest, std under
    # inactive_ratio x the live components'); an active unit is absolute (variance above a fixed threshold). A
    # collapsed component can keep a variance above the threshold: the line says how many, so the counts add up.
    ratio = f"{components.inactive_ratio:g}"
    groups = ", ".join(found or ["none dominant"]) + (f", {len(inactive)} inactive (collapsed: std under {ratio} x "
                                                      f"the live components'), {typical} typical")
    active = components.active_units
    collapsed_but_active = len(set(inactive) & set(active))
    also = (f", {collapsed_but_active} of them among the inactive (a small variance, yet above "
            f"{components.active_threshold:g})") if collapsed_but_active else ""
    return (f"  {kind.upper():4s} {groups}; component std {min(std):.2f} ... {max(std):.2f}; "
            f"active units (variance > {components.active_threshold:g}, Burda et al.): "
            f"{len(active)} of {analysis.dim}{also}")


def next_commands(runs: dict[str, Path]) -> list[tuple[str, str]]:
    """The commands the demo suggests at its end, each with one line saying what it does; the linked maps first."""
    return [(f"zspace explore {runs['ae']} {runs['vae']}",
             "opens the AE's and the VAE's latent maps side by side in a browser, linked: the same faces in both "
             "(hover one, see it in the other)"),
            (f"zspace explore {runs['vae']}",
             "the VAE's map alone: hover a face, click the voids to decode the points there"),
            ("zspace prepare / train / encode", "the same on your own data (README.md)")]


def demo(
    out: Path = typer.Option(Path("zspace-demo"), "--out", "-o", help="Folder for data, runs and figures."),
    full: bool = typer.Option(False, "--full", help="The larger tour: 12,000 faces of 64 px (about twice "
                              "as long; each tour says its time when it starts)."),
    quick: bool = typer.Option(False, "--quick", help="A tiny version in about a minute (a smoke test, not pretty)."),
    force: bool = typer.Option(False, "--force", help="Replace an earlier demo in --out."),
) -> None:
    """The tour: synthetic faces -> VAE and AE -> latents -> N(0,I) decoded by each (the VAE draws faces, the AE
    mostly not)."""
    # here, not at the top: the demo pulls in torch, Lightning and matplotlib, and `zspace --help` must stay fast
    from zspace.cli.flags import REPORT_COMMANDS
    from zspace.cli.progress import progress_bar
    from zspace.demo import FULL, QUICK, TOUR, run_demo
    from zspace.demo_clock import clock_text
    from zspace.errors import ZspaceError

    if quick and full:
        raise ZspaceError("give --quick (the smoke test) or --full (the larger tour), not both")
    settings = QUICK if quick else FULL if full else TOUR
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
                   f"{radius.mean:.1f} (N(0,I) in {analysis.dim} dims: {radius.chi_mean:.1f} on average); "
                   f"{analysis.pca.components_for(0.9)} PCA axes hold 90% of the variance")
    if result.evaluation_rows:
        from zspace.cli.evaluate import print_table  # the evaluate command's module, loaded only when needed

        typer.echo("\nSample quality (RUN/evaluation/evaluation.json; FD in a judge's space, not Inception FID):")
        print_table(result.evaluation_rows)
        for finding in result.evaluation_findings:
            typer.echo(f"  {finding}")
    typer.echo(f"\nThe report of both runs, side by side (open it in a browser): {result.report}")
    typer.echo("Next:")
    for command, what in next_commands(result.runs):
        typer.echo(f"  {command}\n      {what}")
    typer.echo(f"The tour took {clock_text(result.timing['seconds'])}"
               + ("; the larger one, with 12,000 faces of 64 px: zspace demo --full." if settings is TOUR else "."))
