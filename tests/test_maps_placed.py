"""Full maps (issue 22, section 5): t-SNE fitted on a subsample, every other point placed in the fitted map."""

from __future__ import annotations

import json
import sys
from dataclasses import replace

import numpy as np
import pytest
from scipy.spatial import cKDTree

from zspace.analysis.analyze import analyze
from zspace.analysis.result import AnalysisOptions, load_analysis
from zspace.analysis.tsne import EmbeddingMap, Placement, tsne_map
from zspace.cli.main import main
from zspace.errors import ZspaceError
from zspace.results import save


def clusters(count: int = 600, dim: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three well-separated Gaussian clusters: (count, dim) float64 points and their cluster labels."""
    rng = np.random.default_rng(seed)
    labels = np.arange(count) % 3
    return rng.normal(0, 6, (3, dim))[labels] + rng.normal(0, 1, (count, dim)), labels


def test_placed_points_land_among_their_own_cluster_and_chunks_do_not_matter() -> None:
    points, labels = clusters()
    fit = np.sort(np.random.default_rng(1).choice(len(points), 150, replace=False))
    rest = np.setdiff1d(np.arange(len(points)), fit)
    small = tsne_map(points[fit], fit, perplexity=10, placement=Placement(rest, lambda r: points[r], chunk_rows=100))
    whole = tsne_map(points[fit], fit, perplexity=10, placement=Placement(rest, lambda r: points[r], chunk_rows=10**6))
    assert np.array_equal(small.rows, np.arange(len(points)))  # every point, rows ascending
    assert np.array_equal(np.flatnonzero(small.fitted), fit)  # fitted exactly the subsample
    assert small.described() == {"fitted_points": 150, "placed_points": 450}
    assert small.settings["place_iterations"] == 100 and small.settings["place_perplexity"] == 5
    # a placed point sees only the fitted map, never the other new points: the chunk size changes nothing
    np.testing.assert_allclose(small.coordinates, whole.coordinates, atol=1e-9)
    assert np.isfinite(small.coordinates).all()
    # each placed point's nearest fitted point in the map is of its own cluster
    tree = cKDTree(small.coordinates[small.fitted])
    _, nearest = tree.query(small.coordinates[~small.fitted])
    assert np.mean(labels[fit][nearest] == labels[rest]) > 0.98


def test_analyze_maps_every_row_fitted_on_a_subsample_and_saves_which(tmp_path) -> None:
    points, _ = clusters(500, 6)
    options = AnalysisOptions(tsne_points=10**6, tsne_fit_points=120, tsne_perplexity=10, pca_planes=(),
                              plane_points=50)
    result = analyze(points.astype(np.float32), {"cluster": np.arange(500) % 3}, replace(options, color_by="cluster"))
    (embedding,) = result.maps
    assert np.array_equal(embedding.rows, np.arange(500)) and embedding.fitted.sum() == 120
    assert embedding.colour is not None and len(embedding.colour) == 500
    save(result, tmp_path / "analysis")
    metrics = json.loads((tmp_path / "analysis" / "metrics.json").read_text())
    assert metrics["maps"][0]["fitted_points"] == 120 and metrics["maps"][0]["placed_points"] == 380
    loaded = load_analysis(tmp_path / "analysis").maps[0]
    assert np.array_equal(loaded.fitted, embedding.fitted) and loaded.fitted.dtype == bool
    np.testing.assert_array_equal(loaded.coordinates, embedding.coordinates)


def test_a_map_of_a_subsample_only_is_still_there() -> None:
    """The map before issue 22: tsne_points below the rows and no more than tsne_fit_points, all fitted."""
    points, _ = clusters(400, 6)
    result = analyze(points.astype(np.float32), None, AnalysisOptions(tsne_points=150, tsne_fit_points=150,
                                                                       tsne_perplexity=10, pca_planes=()))
    (embedding,) = result.maps
    assert len(embedding.rows) == 150 and embedding.fitted.all()
    assert "place_iterations" not in embedding.settings
    old = EmbeddingMap("tsne", embedding.rows, embedding.coordinates, 0, {})  # saved before `fitted` existed
    assert old.fitted_mask().all() and old.described() == {"fitted_points": 150, "placed_points": 0}


def test_too_few_fitted_points_are_refused_before_any_work() -> None:
    points, _ = clusters(300, 4)
    with pytest.raises(ZspaceError, match="t-SNE fitted on 20 points with perplexity 10") as caught:
        analyze(points.astype(np.float32), None, AnalysisOptions(tsne_points=300, tsne_fit_points=20,
                                                                  tsne_perplexity=10))
    assert "tsne_fit_points" in caught.value.options
    with pytest.raises(ZspaceError, match="t-SNE fitted points 0"):
        AnalysisOptions(tsne_fit_points=0).validate()


def test_cli_passes_the_map_sizes_and_names_the_flag(tmp_path, capsys, monkeypatch) -> None:
    points, _ = clusters(300, 4)
    np.save(tmp_path / "z.npy", points.astype(np.float32))
    base = ["analyze", "--latents", str(tmp_path / "z.npy"), "--tsne-perplexity", "10", "--pca-planes", ""]
    seen = []

    def stop(source, table, options, **kwargs):
        seen.append(options)
        raise ZspaceError("stopped by the test")

    monkeypatch.setattr(sys.modules["zspace.analysis.analyze"], "analyze", stop)
    assert main([*base, "--out", str(tmp_path / "a"), "--tsne-fit", "100"]) == 2
    assert main([*base, "--out", str(tmp_path / "b")]) == 2
    assert [(o.tsne_points, o.tsne_fit_points) for o in seen] == [(1_000_000, 100), (1_000_000, 5000)]
    monkeypatch.undo()
    capsys.readouterr()
    assert main([*base, "--out", str(tmp_path / "c"), "--tsne-fit", "20"]) == 2  # refused before any work
    assert "(--tsne, --tsne-fit, --tsne-perplexity)" in capsys.readouterr().err
    assert not (tmp_path / "c").exists()
