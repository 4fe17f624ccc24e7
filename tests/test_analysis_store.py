"""A saved analysis: arrays beside metrics.json, read back by load_analysis, replaced whole (issues 10, 11, 19)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from zspace.analysis import AnalysisOptions, analyze, load_analysis
from zspace.analysis.colours import MAX_CATEGORIES, map_colours
from zspace.errors import ZspaceError
from zspace.report.analysis_figures import write_analysis_figures
from zspace.report.analysis_folder import save_analysis
from zspace.results import save


def planted_latents(count: int, dim: int) -> np.ndarray:
    """Standard-normal float32 vectors with one correlated pair (1, 2) and one shifted component (3)."""
    z = np.random.default_rng(0).standard_normal((count, dim))
    z[:, 2] = 0.6 * z[:, 1] + 0.8 * z[:, 2]
    z[:, 3] += 3.0
    return z.astype(np.float32)


SMALL = AnalysisOptions(pca_planes=((1, 2), (2, 5)), plane_points=500, tsne_points=150,
                        tsne_perplexity=10, chunk_rows=700)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    latents = planted_latents(count=2_000, dim=8)
    latents[5, 1] = np.nan
    folder = tmp_path_factory.mktemp("saved") / "analysis"
    index = {"label": np.arange(len(latents)) % 3, "label_name": np.array(["a", "b", "c"])[np.arange(len(latents)) % 3]}
    options = AnalysisOptions(**{**SMALL.__dict__, "drop_nonfinite": True})
    result = analyze(latents, index, options)
    save(result, folder)
    return latents, folder, result


def test_arrays_match_numpy_references(saved) -> None:
    latents, folder, _ = saved
    loaded = load_analysis(folder)
    keep = np.isfinite(latents).all(axis=1)
    data = latents[keep].astype(np.float64)
    assert np.max(np.abs(loaded.correlation - np.corrcoef(data, rowvar=False))) < 1e-10
    rows = np.flatnonzero(keep)
    projection = (latents[rows].astype(np.float64) - loaded.pca.mean) @ loaded.pca.components[[0, 1, 4]].T
    assert [(p.axis_a, p.axis_b) for p in loaded.pca_planes] == [(1, 2), (2, 5)]
    assert np.allclose(loaded.pca_planes[0].points, projection[:, [0, 1]], atol=1e-4)
    assert np.allclose(loaded.pca_planes[1].points, projection[:, [1, 2]], atol=1e-4)
    expected, _ = np.histogram(data[:, 3], bins=loaded.components.histogram_edges)
    assert np.abs(loaded.components.histograms[3] - expected).sum() <= 2
    assert loaded.radius.histograms[0].counts.sum() == keep.sum()
    assert np.allclose(loaded.pca.explained_variance, np.linalg.eigvalsh(np.cov(data, rowvar=False))[::-1])


def test_loaded_result_equals_the_computed_one(saved) -> None:
    _, folder, result = saved
    loaded = load_analysis(folder)
    assert loaded.count == result.count == 1_999 and loaded.dropped_rows == 1
    assert loaded.components.labels == result.components.labels
    assert [d.index for d in loaded.components.dominant] == [d.index for d in result.components.dominant]
    assert [(p.pair.i, p.pair.j, p.slice_count) for p in loaded.planes] == [
        (p.pair.i, p.pair.j, p.slice_count) for p in result.planes]
    for ours, theirs in zip(loaded.planes, result.planes, strict=True):
        assert np.allclose(ours.points, theirs.points) and np.array_equal(ours.slice_rows, theirs.slice_rows)
        assert set(theirs.statistical) == set(ours.statistical) == {4.0, 1.5}
    (embedding,) = loaded.maps
    assert np.array_equal(embedding.rows, result.maps[0].rows) and embedding.coordinates.shape == (150, 2)
    assert set(embedding.colour) == {"a", "b", "c"} and embedding.colour_by == "label"
    metrics = json.loads((folder / "metrics.json").read_text())
    assert all((folder / name).is_file() for name in metrics["arrays"])
    assert metrics["components"]["active_unit_count"] == len(result.components.active_units)


def test_slice_rows_hold_the_slice(saved) -> None:
    latents, folder, result = saved
    for plane in result.planes:
        slab = latents[plane.slice_rows].astype(np.float64)
        assert np.allclose(slab[:, [plane.pair.i, plane.pair.j]], plane.slice_points)


def test_figures_are_drawn_from_a_loaded_analysis(saved, tmp_path) -> None:
    _, folder, _ = saved
    loaded = load_analysis(folder)
    loaded.planes, loaded.pca_planes = loaded.planes[:1], loaded.pca_planes[:1]  # fewer figures, a faster test
    paths = write_analysis_figures(loaded, tmp_path / "figures")
    names = {p.name for p in paths}
    assert {"components_table.png", "components_overlay.png", "tsne.png", "pca_plane_1_2.png"} <= names
    assert all(p.stat().st_size > 1000 for p in paths)


def test_report_modules_hold_no_pyplot_state() -> None:
    report = Path(__file__).parents[1] / "src" / "zspace" / "report"
    for name in ("figures.py", "analysis_figures.py", "plane_figures.py", "component_figures.py"):
        text = (report / name).read_text()
        assert "import pyplot" not in text and "matplotlib.pyplot" not in text and "matplotlib.use(" not in text, name


def test_existing_folder_refused_then_replaced_whole_with_force(tmp_path) -> None:
    latents = planted_latents(count=500, dim=6)
    folder = tmp_path / "analysis"
    result = analyze(latents, None, AnalysisOptions(pca_planes=()))
    save(result, folder)
    (folder / "stale.png").write_bytes(b"old")
    with pytest.raises(ZspaceError, match="already exists"):
        save(result, folder)
    assert (folder / "stale.png").exists()
    save(result, folder, force=True)
    assert not (folder / "stale.png").exists() and (folder / "metrics.json").is_file()
    (tmp_path / "thesis").mkdir()
    (tmp_path / "thesis" / "ch1.tex").write_text("work")
    with pytest.raises(ZspaceError, match="not an output folder"):
        save(result, tmp_path / "thesis", force=True)
    assert (tmp_path / "thesis" / "ch1.tex").read_text() == "work"


def test_one_dimensional_vectors_skip_the_map_with_a_note(tmp_path) -> None:
    latents = np.random.default_rng(0).standard_normal((300, 1)).astype(np.float32)
    result = analyze(latents, None, AnalysisOptions(tsne_points=200, tsne_perplexity=10))
    save_analysis(result, tmp_path / "a")
    assert result.maps == []
    assert any("t-SNE skipped" in note and "1 dimension" in note for note in result.notes)
    assert any("(1, 2) skipped" in note for note in result.notes)
    assert (tmp_path / "a" / "figures" / "components_table.png").is_file()


def test_colour_categories_top_k_and_names() -> None:
    rows = np.arange(1_000)
    text = np.array([f"id{k % 40:02d}" if k % 2 else "common" for k in rows])
    colours = map_colours({"who": text}, "who", rows)
    assert len(np.unique(colours)) == MAX_CATEGORIES and "other" in colours and "common" in colours
    counts = {value: int(np.sum(text == value)) for value in np.unique(text)}
    kept = set(np.unique(colours)) - {"other"}
    assert min(counts[v] for v in kept) >= max(counts[v] for v in counts if v not in kept)
    labels = {"label": rows % 3, "label_name": np.array(["shirt", "bag", "boot"])[rows % 3]}
    assert set(map_colours(labels, "label", rows[:10])) == {"shirt", "bag", "boot"}
    assert map_colours({"size": rows * 0.5}, "size", rows[:4]).dtype == np.float64


def test_options_checked_before_any_work(tmp_path) -> None:
    latents = planted_latents(count=300, dim=4)
    for options, message in [(AnalysisOptions(tsne_points=-5), "t-SNE points -5"),
                             (AnalysisOptions(pca_planes=((2, 2),)), "two different axes"),
                             (AnalysisOptions(slice_units="raw"), "slice units 'raw'"),
                             (AnalysisOptions(color_by="hue"), "colour column 'hue'"),
                             (AnalysisOptions(tsne_pca_components=9, tsne_points=100), "only 4 dimensions")]:
        with pytest.raises(ZspaceError, match=message) as raised:
            analyze(latents, {"label": np.zeros(300)}, options)
        assert "--" not in str(raised.value)  # the library names values, not CLI flags
        assert not (tmp_path / "out").exists()
