"""Filaments and voids, tested (SPEC S15, X3; issue 12): every structure statistic of the data beside a null.

``structure_analysis(vectors)`` measures one cloud of N x d vectors (a memmap
works; a seeded subsample of ``max_points`` rows is analysed) and the same
statistics on ``null_draws`` Gaussian clouds with exactly its mean, covariance
and N (:mod:`null_model`). Each cloud goes through the same procedure:

1. one exact k-nearest-neighbour search for ``query_points`` of its points
   among all its points -> intrinsic dimension (TwoNN, MLE), nearest-neighbour
   distances (median, spread), local anisotropy (:mod:`neighbourhood`);
2. the nearest point of each shared random probe -> void fractions (:mod:`voids`);
3. projections on the data's PCA planes -> empty-cell shares at each zoom (:mod:`density`);
4. one search of the k_max nearest neighbours of ``scale_queries`` points -> dimension, local shape and
   voids at each scale k (:mod:`scales`), also on ``null_draws`` clouds of a Gaussian mixture fitted to the
   data (:mod:`mixture_null`), the smooth non-Gaussian null shown beside.

Then a p-value per statistic from its null distribution, a multiple-testing
correction (:mod:`null_tests`), the scale curves (:mod:`scale_profile`), the
claims decided from them (:mod:`claims`) and a verdict in words written from
the claims (:mod:`verdict`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from zspace.analysis.pca import PCAResult, pca_from_covariance
from zspace.analysis.structure.claims import decide_claims
from zspace.analysis.structure.density import empty_cell_shares, usable_planes
from zspace.analysis.structure.intrinsic_dimension import pca_dimensions
from zspace.analysis.structure.mixture_null import MixtureNull
from zspace.analysis.structure.neighbourhood import Neighbourhoods, neighbourhoods
from zspace.analysis.structure.null_model import GaussianNull
from zspace.analysis.structure.null_tests import StructureTest, evaluate_tests
from zspace.analysis.structure.options import StructureOptions
from zspace.analysis.structure.result import StructureResult
from zspace.analysis.structure.scale_profile import scale_profile
from zspace.analysis.structure.scales import ScaleMeasures, measure_scales, queries_at, usable_scales
from zspace.analysis.structure.verdict import verdict
from zspace.analysis.structure.voids import probe_distances, probe_sets, void_fractions
from zspace.errors import ZspaceError
from zspace.neighbours import NeighbourIndex, resolve_backend
from zspace.progress import Progress, step

# Spread floor of a continuous statistic, relative to its null mean (see null_tests: a constant statistic).
RELATIVE_RESOLUTION = 1e-9


@dataclass
class CloudMeasures:
    """Everything measured on one cloud (the data or one null draw)."""

    neighbourhoods: Neighbourhoods
    void_fractions: dict[str, float]
    probe_median_ratio: dict[str, float]  # median probe distance / typical distance, per probe set
    empty_cells: dict[str, float]
    scales: ScaleMeasures | None = None

    def statistics(self) -> dict[str, float]:
        """The tested statistics by name."""
        n = self.neighbourhoods
        values = {
            "nn_distance_median": n.nn_median, "nn_distance_spread": n.nn_spread,
            "local_anisotropy": n.anisotropy,
            "intrinsic_dimension_twonn": n.twonn, "intrinsic_dimension_mle": n.mle,
        }
        values.update({f"void_fraction_{name}": share for name, share in self.void_fractions.items()})
        values.update(self.empty_cells)
        return values


def load_rows(vectors: np.ndarray, max_points: int | None, rng: np.random.Generator,
              keep: np.ndarray | None = None) -> np.ndarray:
    """float64 copy of the kept rows, or of a sorted seeded subsample of ``max_points`` of them; checked finite."""
    if vectors.ndim != 2:
        raise ZspaceError(f"structure analysis needs an (N, d) array, got shape {vectors.shape}")
    total, dim = vectors.shape
    if dim < 2 or total < 30:
        raise ZspaceError(f"structure analysis needs at least 30 rows and 2 columns, got shape {vectors.shape}")
    if keep is not None and np.shape(keep) != (total,):
        raise ZspaceError(f"keep mask has shape {np.shape(keep)}, expected ({total},)")
    candidates = np.arange(total) if keep is None else np.flatnonzero(keep)
    if len(candidates) < 30:
        raise ZspaceError(f"structure analysis needs at least 30 rows, got {len(candidates)} kept")
    if max_points is None or max_points >= len(candidates):
        rows = candidates
    else:
        rows = np.sort(rng.choice(candidates, size=max_points, replace=False))
    out = np.empty((len(rows), dim))
    for start in range(0, len(rows), 8192):  # chunked: a memmap is read a slice at a time
        out[start:start + 8192] = vectors[rows[start:start + 8192]]
    bad = ~np.isfinite(out).all(axis=1)
    if bad.any():
        raise ZspaceError(f"vectors have {int(bad.sum())} rows with NaN or inf (first: row {int(rows[bad][0])});"
                          " drop them first")
    return out


def describe(name: str, options: StructureOptions) -> str:
    """One line on what a test measures."""
    if name.startswith("void_fraction_"):
        return f"share of {options.probes} {name[14:]} probes farther from the cloud than its median neighbour distance"
    if name.startswith("empty_cells_"):
        return f"share of empty cells of a {options.cells}x{options.cells} grid in a zoomed PCA plane"
    return {
        "nn_distance_median": "median nearest-neighbour distance",
        "nn_distance_spread": "log(q90 / q10) of the nearest-neighbour distance",
        "local_anisotropy": f"median log(lambda1 / lambda2) of local PCA in {options.anisotropy_k}-neighbourhoods",
        "intrinsic_dimension_twonn": "TwoNN intrinsic dimension (Facco et al. 2017)",
        "intrinsic_dimension_mle": f"MLE intrinsic dimension, k = {options.mle_k[0]}..{options.mle_k[1]}"
                                   " (Levina-Bickel, MacKay-Ghahramani)",
    }[name]


def resolution(name: str, null_values: list[float], options: StructureOptions) -> float:
    """Smallest difference a statistic can show: one probe or one cell of a share, else a relative epsilon."""
    if name.startswith("void_fraction_"):
        return 1.0 / options.probes
    if name.startswith("empty_cells_"):
        return 1.0 / options.cells**2
    return RELATIVE_RESOLUTION * max(abs(float(np.mean(null_values))), 1e-300)


class CloudMeter:
    """The fixed parts of the procedure (query rows, probes, PCA planes), applied alike to every cloud."""

    def __init__(self, pca: PCAResult, rank: int, count: int, dim: int, probes: dict[str, np.ndarray],
                 query_rows: np.ndarray, options: StructureOptions, backend: str, scale_rows: np.ndarray) -> None:
        self.pca = pca
        self.scales = usable_scales(options.scales, count)
        self.scale_rows = scale_rows  # random order: the first queries_at(k) of them are used at scale k
        self.sigmas = np.sqrt(pca.explained_variance)
        self.planes = usable_planes(options.planes, dim, rank)
        self.probes = probes
        self.query_rows = query_rows
        self.options = options
        self.backend = backend
        self.timings: dict[str, float] = {"neighbours": 0.0, "probes": 0.0, "planes": 0.0, "scales": 0.0}

    def measure_scales(self, index: NeighbourIndex, fitted_probes: np.ndarray, advance) -> ScaleMeasures | None:
        """The scale curves of one cloud (None when it is too small for any scale)."""
        if not self.scales:
            return None
        start = time.perf_counter()
        measured = measure_scales(index, self.scale_rows, self.scales, fitted_probes, advance=advance)
        self.timings["scales"] += time.perf_counter() - start
        return measured

    def measure_smooth(self, cloud: np.ndarray, advance) -> ScaleMeasures | None:
        """Only the scale curves (a mixture null draw): its fitted-Gaussian probes and k_max neighbours."""
        index = NeighbourIndex(cloud, self.backend)
        start = time.perf_counter()
        fitted = probe_distances(index, {"fitted_gaussian": self.probes["fitted_gaussian"]}, advance=advance)
        self.timings["probes"] += time.perf_counter() - start
        return self.measure_scales(index, fitted["fitted_gaussian"], advance)

    def measure(self, cloud: np.ndarray, advance) -> CloudMeasures:
        o = self.options
        start = time.perf_counter()
        index = NeighbourIndex(cloud, self.backend)
        local = neighbourhoods(index, self.query_rows, o.neighbours, o.anisotropy_k, o.twonn_discard, o.mle_k,
                               advance=advance)
        middle = time.perf_counter()
        distances = probe_distances(index, self.probes, advance=advance)
        typical = local.nn_median
        ratios = {name: float(np.median(d) / typical) if typical > 0 else float("inf")
                  for name, d in distances.items()}
        after_probes = time.perf_counter()
        self.timings["neighbours"] += middle - start
        self.timings["probes"] += after_probes - middle
        scales = self.measure_scales(index, distances["fitted_gaussian"], advance)
        del index
        after_scales = time.perf_counter()
        cells = empty_cell_shares(cloud, self.pca.mean, self.pca.components, self.sigmas, self.planes, o.zooms,
                                  o.cells)
        self.timings["planes"] += time.perf_counter() - after_scales
        return CloudMeasures(local, void_fractions(distances, typical), ratios, cells, scales)


def structure_tests(measured: CloudMeasures, null_measures: list[CloudMeasures],
                    options: StructureOptions) -> list[StructureTest]:
    """Every single-scale statistic of the data against the Gaussian draws, p-values corrected together."""
    null_stats = [m.statistics() for m in null_measures]
    tests = []
    for name, value in measured.statistics().items():
        values = [float(s[name]) for s in null_stats]
        details: dict[str, object] = {}
        if name.startswith("void_fraction_"):
            probe = name[len("void_fraction_"):]
            details = {"median_distance_ratio": measured.probe_median_ratio[probe],
                       "null_median_distance_ratio": float(np.mean([m.probe_median_ratio[probe]
                                                                    for m in null_measures]))}
        elif name == "local_anisotropy":
            details = {"top_share": measured.neighbourhoods.top_share,
                       "null_top_share": float(np.mean([m.neighbourhoods.top_share for m in null_measures]))}
        tests.append(StructureTest(name, float(value), values, resolution(name, values, options),
                                   describe(name, options), details))
    return evaluate_tests(tests, options.alpha, options.correction)


def structure_analysis(vectors: np.ndarray, options: StructureOptions | None = None,
                       progress: Progress | None = None, keep: np.ndarray | None = None) -> StructureResult:
    """Structure statistics of ``vectors`` (N, d) against a Gaussian null of its mean, covariance and N.

    ``keep``: an optional boolean mask (N,) of the rows to use (e.g. analyze's rows without NaN/inf).
    """
    options = options or StructureOptions()
    began = time.perf_counter()
    backend = resolve_backend(options.backend)
    rng = np.random.default_rng(options.seed)
    vectors = vectors if hasattr(vectors, "shape") else np.asarray(vectors)
    data = load_rows(vectors, options.max_points, rng, keep)
    count, dim = data.shape
    if count <= options.neighbours + 1:
        raise ZspaceError(f"structure analysis needs more than {options.neighbours + 1} rows, got {count}")
    null = GaussianNull().fit(data)
    pca = pca_from_covariance(null.mean_, null.covariance_)
    queries = min(options.query_points, count)
    query_rows = np.arange(count) if queries == count else np.sort(rng.choice(count, size=queries, replace=False))
    probes = probe_sets(dim, options.probes, null.colouring_, null.mean_, rng, options.uniform_bounds)
    draw_seeds = np.random.SeedSequence(options.seed).spawn(options.null_draws)
    # the scale curves' own streams (the rows above and the Gaussian draws stay those of earlier versions)
    scale_seeds = np.random.SeedSequence([options.seed, 21]).spawn(2 + options.null_draws)
    scale_rows = np.random.default_rng(scale_seeds[0]).permutation(count)[:min(options.scale_queries, count)]
    meter = CloudMeter(pca, null.rank_, count, dim, probes, query_rows, options, backend, scale_rows)
    timings = {"load_and_fit": time.perf_counter() - began, "null_draws": 0.0}
    mixture = None
    if options.mixture_components and meter.scales:
        start = time.perf_counter()
        mixture = MixtureNull(options.mixture_components, options.mixture_points).fit(
            data, np.random.default_rng(scale_seeds[1]))
        timings["mixture_fit"] = round(time.perf_counter() - start, 3)

    clouds = 1 + options.null_draws
    scale_points = queries_at(meter.scales[0], len(scale_rows)) if meter.scales else 0  # each searched once
    total = clouds * (queries + sum(len(p) for p in probes.values()) + scale_points)
    if mixture is not None:
        total += options.null_draws * (options.probes + scale_points)
    with step(progress, total, "pt", "structure") as advance:
        measured = meter.measure(data, advance)
        null_measures, mixture_measures = [], []
        for seed in draw_seeds:
            start = time.perf_counter()
            cloud = null.draw(np.random.default_rng(seed))
            timings["null_draws"] += time.perf_counter() - start
            null_measures.append(meter.measure(cloud, advance))
            del cloud
        for seed in scale_seeds[2:] if mixture is not None else []:
            start = time.perf_counter()
            cloud = mixture.draw(np.random.default_rng(seed))
            timings["null_draws"] += time.perf_counter() - start
            mixture_measures.append(meter.measure_smooth(cloud, advance))
            del cloud

    tests = structure_tests(measured, null_measures, options)
    profile = None
    if meter.scales:
        profile = scale_profile(meter.scales, [queries_at(k, len(scale_rows)) for k in meter.scales],
                                measured.scales, [m.scales for m in null_measures], mixture_measures,
                                options.probes, mixture.components_ if mixture is not None else 0,
                                options.alpha, options.correction)
    claims = decide_claims(profile, tests, options.alpha, measured.neighbourhoods.nn_median)

    pca_dims = pca_dimensions(null.mean_, null.covariance_)
    intrinsic = {"twonn": measured.neighbourhoods.twonn, "mle": measured.neighbourhoods.mle, **pca_dims}
    null_ids = {"twonn": [m.neighbourhoods.twonn for m in null_measures],
                "mle": [m.neighbourhoods.mle for m in null_measures],
                # the null has the data's covariance exactly, so its PCA dimensions are the data's
                **{key: [value] * options.null_draws for key, value in pca_dims.items()}}
    null_intrinsic = {key: float(np.mean(v)) for key, v in null_ids.items()}
    null_intrinsic.update(pca_dims)  # integers, as the data's
    null_std = {key: float(np.std(v, ddof=1)) for key, v in null_ids.items()}
    timings.update({key: round(value, 3) for key, value in meter.timings.items()})
    timings["null_draws"] = round(timings["null_draws"], 3)
    timings["load_and_fit"] = round(timings["load_and_fit"], 3)
    timings["total"] = round(time.perf_counter() - began, 3)
    text = verdict(intrinsic, null_intrinsic, null_std, tests, options, measured.neighbourhoods.nn_median, claims)
    return StructureResult(
        intrinsic_dimension=intrinsic, null_intrinsic_dimension=null_intrinsic,
        null_intrinsic_dimension_std=null_std, tests=tests, verdict=text,
        typical_distance=measured.neighbourhoods.nn_median, points=count, total_points=int(vectors.shape[0]),
        dim=dim, rank=null.rank_, query_points=queries, settings=options.to_dict(), backend=backend,
        timings=timings, claims=claims, scales=profile,
    )
