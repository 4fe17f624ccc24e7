"""structure_analysis end to end (issue 12): Gaussian clouds of any covariance are never significant, a cloud of
a few thin filaments is; the JSON shape; memmap, subsample, seeding and errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from matplotlib.figure import Figure

from zspace.analysis.structure import StructureOptions, structure_analysis
from zspace.errors import ZspaceError
from zspace.report.structure_figures import structure_figure
from zspace.results import to_json

FAST = dict(query_points=400, probes=200, scale_queries=300)
def gaussian_cloud(kind: str, seed: int, points: int = 1500, dim: int = 48) -> np.ndarray:
    """A Gaussian with a covariance of the given kind: isotropic, decaying spectrum, rank-deficient or elongated."""
    rng = np.random.default_rng(seed)
    white = rng.standard_normal((points, dim))
    rotation, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
    if kind == "isotropic":
        return white
    if kind == "decaying":
        return (white * np.exp(-np.arange(dim) / 10)) @ rotation.T + rng.normal(0, 3, dim)
    if kind == "collapsed":  # a VAE-like latent: a few live components, the rest near-constant
        scales = np.where(np.arange(dim) < 12, rng.uniform(0.5, 3, dim), 1e-3)
        return white * scales + rng.normal(0, 1, dim)
    if kind == "elongated":
        return (white * np.geomspace(30, 0.1, dim)) @ rotation.T
    if kind == "lowrank":  # a Gaussian on a 5-dimensional subspace, exactly
        return (white[:, :5] * [10, 5, 3, 2, 1]) @ rotation[:, :5].T
    raise ValueError(kind)


def filament_cloud(seed: int, points: int = 1500, dim: int = 48, curves: int = 4, noise: float = 0.01) -> np.ndarray:
    """A few smooth random curves (sums of sines with random directions) with thin isotropic noise."""
    rng = np.random.default_rng(seed)
    parts = []
    for _ in range(curves):
        t = rng.uniform(0, 1, points // curves)[:, None]
        directions = rng.standard_normal((5, dim))
        phases = rng.uniform(0, 2 * np.pi, 5)
        curve = sum(np.sin((j + 1) * np.pi * t + phases[j]) * directions[j] / (j + 1) for j in range(5))
        parts.append(curve + rng.standard_normal(dim) * 0.5)
    cloud = np.concatenate(parts)
    return cloud + noise * rng.standard_normal(cloud.shape)


@pytest.mark.parametrize("kind,seed", [("isotropic", 0), ("decaying", 1), ("collapsed", 2), ("elongated", 3),
                                       ("decaying", 4), ("lowrank", 5)])
def test_gaussian_clouds_are_never_significant(kind, seed):
    """No test and no claim (filaments, lower dimension, voids) at any scale, the nulls redrawn with each seed."""
    result = structure_analysis(gaussian_cloud(kind, seed), StructureOptions(seed=seed, **FAST))
    assert result.significant == [], [(t.name, t.data, t.null_mean, t.p_value) for t in result.significant]
    assert "0 of" in result.verdict
    assert {name: c.status for name, c in result.claims.items()} == dict.fromkeys(
        ["filaments", "lower_dimension", "voids_beyond_null"], "not found")
    assert result.scales.scales == [8, 16, 32, 64, 128]  # N = 1500: up to (N - 1) / 8
    adjusted = [p for name in ("excess_anisotropy", "dimension", "void_fraction")
                for p in result.scales.curve(name).p_adjusted]
    assert len(adjusted) == 15 and min(adjusted) > 0.01


@pytest.fixture(scope="module")
def filaments():
    return structure_analysis(filament_cloud(5), StructureOptions(seed=5, **FAST))


def test_filaments_are_significant(filaments):
    significant = {t.name for t in filaments.significant}
    assert {"local_anisotropy", "nn_distance_median", "intrinsic_dimension_mle"} <= significant
    anisotropy = filaments.test("local_anisotropy")
    assert anisotropy.data > anisotropy.null_mean
    assert filaments.intrinsic_dimension["mle"] < 2 < filaments.null_intrinsic_dimension["mle"]
    assert "filaments" in filaments.verdict and "not a Gaussian" in filaments.verdict
    claim = filaments.claims["filaments"]  # thin curves: filaments from the smallest scale on
    assert claim.found and 8 in claim.evidence["scales_found"]
    assert claim.evidence["data"] > 3 and claim.evidence["data_dimension"] < 2
    assert claim.evidence["mixture_reproduces"] is False  # thin curves: finer than any of 10 smooth Gaussians
    assert filaments.claims["lower_dimension"].found and filaments.claims["voids_beyond_null"].found
    assert filaments.verdict.startswith(f"Claims: filaments found (k = {claim.scale});")


def test_result_has_the_issue_shape(filaments):
    shape = to_json(filaments)
    assert list(shape)[:4] == ["intrinsic_dimension", "null_intrinsic_dimension", "tests", "verdict"]
    for key in ("twonn", "mle", "pca_90", "pca_95"):
        assert key in shape["intrinsic_dimension"] and key in shape["null_intrinsic_dimension"]
    for test in shape["tests"]:
        assert {"name", "data", "null_mean", "null_std", "p_value", "significant"} <= set(test)
    names = [t["name"] for t in shape["tests"]]
    assert {"nn_distance_median", "local_anisotropy", "void_fraction_standard_normal",
            "void_fraction_fitted_gaussian", "void_fraction_uniform_b4", "void_fraction_uniform_b1.5",
            "empty_cells_pca1-2_centre_zoom0.5", "empty_cells_pca1-2_densest_zoom0.5"} <= set(names)
    assert len(names) == len(set(names))
    json.dumps(shape, allow_nan=False)  # strict JSON: NaN became null
    assert isinstance(shape["verdict"], str) and len(shape["verdict"]) > 200


def test_structure_figure(filaments, tmp_path):
    figure = structure_figure(filaments)
    assert isinstance(figure, Figure)
    figure.savefig(tmp_path / "structure.png")
    assert (tmp_path / "structure.png").stat().st_size > 1000


def test_keep_mask():
    cloud = gaussian_cloud("isotropic", 1, points=300, dim=8)
    cloud[5] = np.inf
    keep = np.isfinite(cloud).all(axis=1)
    result = structure_analysis(cloud, StructureOptions(null_draws=2, query_points=100, probes=50), keep=keep)
    assert result.points == 299
    with pytest.raises(ZspaceError, match="keep mask"):
        structure_analysis(cloud, StructureOptions(null_draws=2), keep=keep[:10])


def test_memmap_subsample_and_seed(tmp_path):
    cloud = gaussian_cloud("decaying", 9, points=900, dim=16).astype(np.float32)
    path = tmp_path / "latents.npy"
    np.save(path, cloud)
    mapped = np.load(path, mmap_mode="r")
    options = StructureOptions(max_points=600, null_draws=3, query_points=200, probes=100, seed=3, scale_queries=100)
    first = structure_analysis(mapped, options)
    again = structure_analysis(mapped, options)
    assert first.points == 600 and first.total_points == 900 and first.dim == 16
    assert to_json(first)["tests"] == to_json(again)["tests"]
    assert to_json(first)["scales"] == to_json(again)["scales"] and first.verdict == again.verdict
    other = structure_analysis(mapped, StructureOptions(max_points=600, null_draws=3, query_points=200,
                                                        probes=100, seed=4, scale_queries=100))
    assert other.intrinsic_dimension["twonn"] != first.intrinsic_dimension["twonn"]


def test_progress_counts_every_point():
    seen = {}

    def progress(total, unit, description):
        import contextlib

        @contextlib.contextmanager
        def context():
            seen["total"], seen["done"] = total, 0

            def advance(n):
                seen["done"] += n
            yield advance
        return context()

    options = StructureOptions(null_draws=2, query_points=100, probes=50)
    structure_analysis(gaussian_cloud("isotropic", 0, points=300, dim=8), options, progress=progress)
    # 3 clouds x (queries, 4 probe sets, 300 scale queries) + 2 mixture clouds x (fitted probes, scale queries)
    assert seen["total"] == seen["done"] == 3 * (100 + 4 * 50 + 300) + 2 * (50 + 300)


def test_bad_input_raises_one_line():
    cloud = gaussian_cloud("isotropic", 0, points=200, dim=8)
    cloud[17, 3] = np.nan
    with pytest.raises(ZspaceError, match="row 17"):
        structure_analysis(cloud, StructureOptions(**FAST))
    with pytest.raises(ZspaceError, match="at least 30 rows"):
        structure_analysis(np.zeros((10, 4)))
    with pytest.raises(ZspaceError, match="shape"):
        structure_analysis(np.zeros(100))
    with pytest.raises(ZspaceError, match="1 Gaussian null draws"):
        StructureOptions(null_draws=1)
    with pytest.raises(ZspaceError, match="backend 'annoy'"):
        StructureOptions(backend="annoy")


def test_backends_give_the_same_result():
    pytest.importorskip("faiss")
    cloud = gaussian_cloud("decaying", 11, points=600, dim=12)
    results = [structure_analysis(cloud, StructureOptions(null_draws=2, query_points=200, probes=50, backend=b))
               for b in ("numpy", "faiss")]
    first, second = (to_json(r) for r in results)
    assert first["tests"] == second["tests"]
    assert first["intrinsic_dimension"] == second["intrinsic_dimension"]


@pytest.mark.slow
def test_family_wise_error_over_many_gaussian_clouds():
    """Holm at 0.01 over 24 tests and over the 15 scale tests: about 2 analyses in 100 may claim structure in a
    Gaussian; 30 seeds."""
    kinds = ["isotropic", "decaying", "collapsed", "elongated"]
    claims = 0
    for seed in range(30):
        result = structure_analysis(gaussian_cloud(kinds[seed % 4], 100 + seed), StructureOptions(seed=seed, **FAST))
        claims += bool(result.significant) or any(c.found for c in result.claims.values())
    assert claims <= 1
