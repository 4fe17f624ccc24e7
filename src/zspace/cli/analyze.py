"""zspace analyze RUN | zspace analyze --latents FILE.npy [--index TABLE.csv] --out DIR"""

from __future__ import annotations

from pathlib import Path

import typer

from zspace.errors import ZspaceError


def parse_pairs(text: str) -> tuple[tuple[int, int], ...]:
    """'1,2;1,18;8,35' -> ((1, 2), (1, 18), (8, 35)); an empty string -> no PCA planes."""
    if not text.strip():
        return ()
    try:
        pairs = tuple(tuple(int(v) for v in part.split(",")) for part in text.split(";"))
    except ValueError:
        pairs = ((),)
    if any(len(p) != 2 or min(p) < 1 for p in pairs):
        raise ZspaceError(f"--pca-planes {text!r}: give 1-based axis pairs like 1,2;1,18;8,35")
    for a, b in pairs:
        if a == b:
            raise ZspaceError(f"--pca-planes {text!r}: the plane ({a}, {b}) needs two different axes")
    return pairs  # type: ignore[return-value]


def parse_scales(text: str) -> tuple[int, ...]:
    """'8,16,32' -> (8, 16, 32); anything else -> a one-line error naming the flag."""
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise ZspaceError(f"--structure-scales {text!r}: give whole numbers of neighbours separated by commas, "
                          "e.g. 8,16,32,64") from None


def parse_zooms(text: str) -> tuple[float | None, ...]:
    """'full,5,2,1,0.5' -> (None, 5.0, 2.0, 1.0, 0.5)."""
    try:
        zooms = tuple(None if part.strip() == "full" else float(part) for part in text.split(","))
    except ValueError:
        zooms = (-1.0,)
    if not zooms or any(z is not None and not z > 0 for z in zooms):
        raise ZspaceError(f"--zooms {text!r}: give window sides > 0 separated by commas, 'full' for the whole range")
    return zooms


def analyze(
    run: Path = typer.Argument(None, help="Run folder with latents.npy (made by 'zspace encode')."),
    latents: Path = typer.Option(None, help="Any N x d .npy array to analyse instead of a run (needs --out)."),
    index: Path = typer.Option(None, help="CSV with a header and one row per vector (colours the t-SNE map)."),
    out: Path = typer.Option(None, "--out", "-o", help="Output folder (default: RUN/analysis)."),
    force: bool = typer.Option(False, "--force", help="Replace an earlier analysis in the output folder, whole."),
    tsne: int = typer.Option(1_000_000, help="Points in the t-SNE map: every vector up to this many (more: a "
                             "uniform subsample); 0 = no map. Fitted on --tsne-fit of them, the rest placed."),
    tsne_fit: int = typer.Option(5000, help="Points t-SNE is fitted on (a uniform subsample of the map's; about 15 s "
                                 "for 5,000 on 2 cores); the others are placed in the fitted map. --tsne-fit equal "
                                 "to --tsne: a map of that subsample only, every point fitted."),
    tsne_perplexity: float = typer.Option(30.0, help="t-SNE perplexity (seed: 10)."),
    tsne_exaggeration: float = typer.Option(12.0, help="t-SNE early exaggeration (seed: 16)."),
    tsne_pca: int = typer.Option(0, help="Run t-SNE after PCA to this many axes (seed: 2, 4, 10); 0 = raw."),
    umap: bool = typer.Option(False, help="Also draw a UMAP map (needs the umap-learn package)."),
    color_by: str = typer.Option(None, help="Index column that colours the maps (default: label, when present)."),
    pca_planes: str = typer.Option("1,2;1,18;8,35", help="1-based PCA axis pairs for the density planes."),
    zooms: str = typer.Option("full,5,2,1,0.5", help="Zoom window sides of the PCA planes ('full' = all)."),
    zoom_units: str = typer.Option("spread", help="Zoom sides in stds of each axis ('spread') or raw ('absolute', "
                                   "the seed)."),
    slice_threshold: float = typer.Option(2.0, help="Slice: the other components all within this of their centre."),
    slice_units: str = typer.Option("spread", help="Slice threshold in stds of each component, centred ('spread'), "
                                    "or raw |z| as the seed ('absolute')."),
    inactive_ratio: float = typer.Option(0.3, help="A width group below this fraction of the widest is inactive."),
    active_threshold: float = typer.Option(0.01, help="Active unit: variance above this (Burda et al. 2016)."),
    chosen_row: int = typer.Option(0, help="Row of the data point marked on the planes."),
    drop_nonfinite: bool = typer.Option(False, help="Leave out rows with NaN/inf instead of stopping."),
    seed: int = typer.Option(0, help="Seed of the subsamples, statistical vectors and t-SNE."),
    structure: bool = typer.Option(False, "--structure", help="Filaments and voids, tested: intrinsic dimension "
                                   "and structure tests against a Gaussian null (docs/structure.md)."),
    structure_draws: int = typer.Option(5, help="Structure: Gaussian null draws (>= 2)."),
    structure_points: int = typer.Option(50_000, help="Structure: rows analysed (a seeded subsample); 0 = all."),
    structure_queries: int = typer.Option(4_000, help="Structure: points whose neighbourhoods are measured."),
    structure_probes: int = typer.Option(500, help="Structure: random probes per probe set (void fractions)."),
    structure_alpha: float = typer.Option(0.01, help="Structure: level of the tests after the correction."),
    structure_correction: str = typer.Option("holm", help="Structure: multiple-testing correction, holm or bh."),
    structure_scales: str = typer.Option("8,16,32,64,128,256,512", help="Structure: neighbourhood sizes k of the "
                                         "scale curves and claims (those above N/8 are skipped)."),
    structure_mixture: int = typer.Option(10, help="Structure: Gaussians of the smooth mixture null shown beside "
                                          "the Gaussian one; 0 = none."),
    link: str = typer.Option(None, "--link", help="Link to generation (needs a run; implies --structure): "
                             "comma-separated sampler specs, e.g. normal,gmm:k=10,uniform:b=1.5, or 'default' "
                             "(the samplers listed in docs/generation.md)."),
    link_samples: int = typer.Option(500, help="Link: points drawn, decoded and re-encoded per sampler."),
    link_judge: str = typer.Option("stored", help="Link: judge of the realism quality: 'stored' (one that "
                                   "'zspace evaluate' stored beside the cache, if any), 'none', or auto, "
                                   "classifier, factors, random (trained and stored when missing)."),
    link_images: int = typer.Option(4000, help="Link: training images (a seeded subsample) that decoded images "
                                    "are compared with, in pixels and by the judge."),
    device: str = typer.Option("cpu", help="Link: torch device of the model, e.g. cpu or cuda:0."),
) -> None:
    """Measure a latent space: components, radius, exact correlation, PCA, planes, t-SNE; metrics.json + figures."""
    # the library loads when the command runs, so zspace --help stays fast
    from zspace.analysis.analyze import analyze as analyze_vectors
    from zspace.analysis.load import check_vectors, load_index_table, load_vectors
    from zspace.analysis.result import AnalysisOptions, AnalysisResult
    from zspace.cli.progress import progress_bar
    from zspace.io import check_output
    from zspace.run import Run

    if (run is None) == (latents is None):
        raise ZspaceError("give either a run folder (zspace analyze RUN) or --latents FILE.npy --out DIR")
    if link is not None:
        # the library loads when the command runs, so zspace --help stays fast
        from zspace.devices import resolve_device

        resolve_device(device)
    if tsne < 0:
        raise ZspaceError(f"--tsne {tsne}: give 0 for no map or a positive number of points")
    structure_options = None
    if structure or link is not None:
        # the library loads when the command runs, so zspace --help stays fast
        from zspace.analysis.structure import StructureOptions

        structure_options = StructureOptions(
            max_points=structure_points or None, query_points=structure_queries, null_draws=structure_draws,
            probes=structure_probes, alpha=structure_alpha, correction=structure_correction, seed=seed,
            scales=parse_scales(structure_scales), mixture_components=structure_mixture)
    options = AnalysisOptions(
        tsne_points=tsne, tsne_fit_points=tsne_fit, tsne_perplexity=tsne_perplexity,
        tsne_early_exaggeration=tsne_exaggeration, tsne_pca_components=tsne_pca, umap=umap, color_by=color_by,
        pca_planes=parse_pairs(pca_planes),
        zooms=parse_zooms(zooms), zoom_units=zoom_units, slice_threshold=slice_threshold, slice_units=slice_units,
        inactive_ratio=inactive_ratio, active_threshold=active_threshold, chosen_row=chosen_row,
        drop_nonfinite=drop_nonfinite, seed=seed, structure=structure_options,
    ).validate()
    if link is not None and run is None:
        raise ZspaceError("--link needs a run folder (the model decodes the samples), not --latents")
    if link is not None:
        # the library loads when the command runs, so zspace --help stays fast
        from zspace.generate.link_quality import JUDGE_CHOICES
        from zspace.samplers import parse_sampler_list

        if link_samples < 3:
            raise ZspaceError(f"--link-samples {link_samples}: the link needs at least 3 points per sampler")
        if link_images < 2:
            raise ZspaceError(f"--link-images {link_images}: the pixel distance needs at least 2 training images")
        if link_judge not in JUDGE_CHOICES:
            raise ZspaceError(f"--link-judge {link_judge!r}: choose one of {', '.join(JUDGE_CHOICES)}")
        link_specs = parse_sampler_list(link)  # every spec checked before any work
    if latents is not None:
        if out is None:
            raise ZspaceError("--latents needs --out DIR, the folder for metrics.json and figures")
        check_output(out, force, AnalysisResult.FILE)
        source = load_vectors(latents, drop_nonfinite)
        table = load_index_table(index, source.vectors.shape[0]) if index is not None else {}
    else:
        folder = Run(run)
        out = out if out is not None else folder.analysis_dir
        check_output(out, force, AnalysisResult.FILE)
        latent_set = folder.latents()
        source = check_vectors(latent_set.vectors, str(folder.latents_file), drop_nonfinite)
        table = load_index_table(index, source.vectors.shape[0]) if index is not None else latent_set.index
    generation = None
    if link is not None:
        # the library loads when the command runs, so zspace --help stays fast
        from zspace.generate.link import generation_link

        generation = generation_link(folder, link_specs, link_samples, seed, progress_bar, device,
                                     judge=link_judge, reference_images=link_images)
    result = analyze_vectors(source, table, options, progress=progress_bar, link=generation)
    from zspace.report.analysis_folder import save_analysis  # matplotlib: only once there is something to draw

    figures = save_analysis(result, out, force, progress=progress_bar)
    for note in result.notes:
        typer.echo(note)
    if source.dropped:
        typer.echo(f"left out {source.dropped} rows with NaN/inf")
    components = result.components
    summary = result.correlation_summary
    typer.echo(f"{out}/{AnalysisResult.FILE}: {result.count} vectors x {result.dim}; "
               f"{len(components.dominant)} dominant, {len(components.inactive)} inactive components, "
               f"{len(components.active_units)} active units; "
               f"radius mean {result.radius.mean:.2f} (N(0, I): {result.radius.chi_mean:.2f}); "
               f"{summary.counts_above['0.3']} pairs with |r| > 0.3; "
               f"{result.pca.components_for(0.9)} PCA axes hold 90% of the variance")
    for plane in result.planes:
        if plane.slice_note:
            typer.echo(f"slice of components ({plane.pair.i}, {plane.pair.j}) {plane.slice_note}")
    if result.structure is not None:
        typer.echo(f"structure: {result.structure.verdict}")
        claims = result.structure.claims
        typer.echo("structure claims: " + "; ".join(
            f"{name.replace('_', ' ')} {c.status}" + (f" (k = {c.scale})" if c.scale is not None else "")
            for name, c in claims.items()))
    if generation is not None:
        typer.echo(f"link: {generation.verdict}")
    for embedding in result.maps:
        counts = embedding.described()
        typer.echo(f"{embedding.name} map: {len(embedding.rows):,} points ({counts['fitted_points']:,} fitted, "
                   f"{counts['placed_points']:,} placed in the fitted map)")
    typer.echo(f"{out}/figures: {len(figures)} figures")
