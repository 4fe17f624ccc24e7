"""Slices in units of spread (S11), zooms in units of spread and around the densest cell (S12), loss ticks."""

from __future__ import annotations

import numpy as np
import pytest

from zspace.analysis import AnalysisOptions, analyze, load_analysis
from zspace.analysis.planes import PlanePair, SliceAccumulator
from zspace.analysis.zooms import count_inside, zoom_windows
from zspace.report.analysis_figures import analysis_figures
from zspace.report.plane_figures import component_plane_figure
from zspace.results import save, to_json


def offset_wide_latents(count: int = 4_000, dim: int = 10, seed: int = 0) -> np.ndarray:
    """Like the demo AE: spreads 2-3 and centres off zero, so the seed's |z_k| < 2 slice is empty."""
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((count, dim)) * rng.uniform(2, 3, dim) + rng.uniform(3, 5, dim)).astype(np.float32)


def reference_slice(z: np.ndarray, i: int, j: int, limit: np.ndarray, centre: np.ndarray) -> np.ndarray:
    others = [k for k in range(z.shape[1]) if k not in (i, j)]
    return np.flatnonzero(np.all(np.abs(z[:, others] - centre[others]) < limit[others], axis=1))


@pytest.mark.parametrize("units", ["spread", "absolute"])
def test_slice_matches_numpy(units: str) -> None:
    z = offset_wide_latents().astype(np.float64)
    mean, std = z.mean(axis=0), z.std(axis=0, ddof=1)
    pairs = [PlanePair(0, 1, "test"), PlanePair(2, 7, "test")]
    accumulator = SliceAccumulator(pairs, 2.5 if units == "spread" else 6.0, units, mean, std)
    for start in range(0, len(z), 1_000):
        accumulator.update(z[start:start + 1_000], np.arange(start, min(start + 1_000, len(z))))
    for pair, (count, points, rows) in zip(pairs, accumulator.result(), strict=True):
        if units == "spread":
            expected = reference_slice(z, pair.i, pair.j, 2.5 * std, mean)
        else:
            expected = reference_slice(z, pair.i, pair.j, np.full(z.shape[1], 6.0), np.zeros(z.shape[1]))
        assert count == len(expected) > 0 and np.array_equal(rows, expected)
        assert np.array_equal(points, z[expected][:, [pair.i, pair.j]])


def test_spread_slice_shows_points_where_the_seed_rule_is_empty(tmp_path) -> None:
    z = offset_wide_latents()
    fast = {"pca_planes": (), "plane_pairs": 1, "plane_points": 300}
    spread = analyze(z, None, AnalysisOptions(**fast))
    assert all(p.slice_count > 0 and p.slice_note == "" for p in spread.planes)
    seed_rule = analyze(z, None, AnalysisOptions(**fast, slice_units="absolute"))
    assert all(p.slice_count == 0 for p in seed_rule.planes)
    assert all("slice units 'spread'" in p.slice_note for p in seed_rule.planes)
    assert "slice_note" in to_json(seed_rule)["planes"][0]
    figure = component_plane_figure(seed_rule.planes[0])  # the empty panel says why and what to change
    assert any("slice units 'spread'" in text.get_text() for text in figure.axes[1].texts)


def test_empty_spread_slice_suggests_a_threshold(tmp_path) -> None:
    z = np.random.default_rng(1).standard_normal((3_000, 64)).astype(np.float32)
    z[:, 1] = 0.7 * z[:, 0] + 0.7 * z[:, 1]
    options = AnalysisOptions(pca_planes=(), plane_pairs=1, slice_threshold=1.0)
    plane = analyze(z, None, options).planes[0]
    assert plane.slice_count == 0 and "raise the slice threshold to about" in plane.slice_note
    suggested = float(plane.slice_note.split("to about ")[1].split(" ")[0])
    retry = analyze(z, None, AnalysisOptions(**{**options.__dict__, "slice_threshold": suggested}))
    assert retry.planes[0].slice_count > 50  # the suggestion aims at ~300 of 3,000 (N / 10)


def ring(count: int = 20_000, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, 2 * np.pi, count)
    radius = 30 + rng.standard_normal(count)
    return np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)


def test_zoom_windows_in_spread_units_and_around_the_densest_cell() -> None:
    points = ring()
    spread = points.std(axis=0)
    windows = zoom_windows(points, spread, [None, 1.0, 0.5])
    full, *zooms = windows
    assert full["around"] == "full range" and full["densest_cell_apart_from_centre"]
    centre = [w for w in zooms if w["around"] == "centre"]
    dense = [w for w in zooms if w["around"] == "densest cell"]
    assert [w["side"] for w in centre] == [w["side"] for w in dense] == [1.0, 0.5]
    width = centre[0]["x"][1] - centre[0]["x"][0]
    assert width == pytest.approx(1.0 * spread[0])  # side 1 = one std of the data on that axis
    assert all(count_inside(points, w) == 0 for w in centre)  # the centre of a ring is empty
    assert all(count_inside(points, w) > 100 for w in dense)
    assert abs(np.hypot(*dense[0]["centre"]) - 30) < 3  # the densest cell lies on the ring
    absolute = zoom_windows(points, spread, [5.0], units="absolute")
    assert absolute[0]["x"][1] - absolute[0]["x"][0] == pytest.approx(5.0)


def test_densest_zoom_figure_only_when_apart_from_the_centre(tmp_path) -> None:
    rng = np.random.default_rng(2)
    z = np.concatenate([ring(6_000), rng.standard_normal((6_000, 2))], axis=1).astype(np.float32)
    options = AnalysisOptions(pca_planes=((1, 2), (3, 4)), plane_pairs=0, zooms=(None, 1.0))
    save(analyze(z, None, options), tmp_path / "z")
    names = {name for name, _ in analysis_figures(load_analysis(tmp_path / "z"))}
    assert {"pca_plane_1_2.png", "pca_plane_1_2_densest.png", "pca_plane_3_4.png"} <= names
    assert "pca_plane_3_4_densest.png" not in names  # a Gaussian's densest cell is its centre


def test_loss_figure_has_whole_epoch_ticks() -> None:
    from zspace.report.figures import loss_curves_figure

    history = [{"epoch": e, "train_loss": 10.0 / e, "val_loss": 11.0 / e, "train_kl": 0.5} for e in (1, 2, 3)]
    figure = loss_curves_figure(history)
    for ax in figure.axes:
        ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
        assert ticks and all(float(t).is_integer() for t in ticks)
