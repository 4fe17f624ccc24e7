"""Planted latents: every planted pair and component is found, none is invented (issue 4 acceptance)."""

from __future__ import annotations

import numpy as np
import pytest
from analysis_planted import NARROWED, PLANTED_PAIRS, SHIFTED, WIDENED, planted_latents

from zspace.analysis import AnalysisOptions, analyze
from zspace.analysis.components import GAUSSIAN_HWHM, half_width_at_half_maximum


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    latents = planted_latents()
    options = AnalysisOptions(chunk_rows=3_000)
    result = analyze(latents, None, options)
    return latents, result


def test_planted_pairs_found_exact_and_none_invented(planted) -> None:
    latents, result = planted
    found = {(p.i, p.j): p.r for p in result.correlation_summary.top_pairs}
    assert set(found) == set(PLANTED_PAIRS)
    reference = np.corrcoef(latents.astype(np.float64), rowvar=False)
    for (i, j), r in found.items():
        assert abs(r - reference[i, j]) < 1e-10
        assert abs(r - PLANTED_PAIRS[(i, j)]) < 0.03  # sampling error of r at N = 20,000 is ~0.007
    assert np.max(np.abs(result.correlation - reference)) < 1e-10


def test_planted_components_found_and_none_invented(planted) -> None:
    _, result = planted
    dominant = {c.index: c for c in result.components.dominant}
    assert set(dominant) == set(SHIFTED) | set(WIDENED)
    assert "centre" in dominant[3].why and "half-width" in dominant[9].why
    assert result.components.inactive == list(NARROWED)


def test_half_width_of_gaussians(planted) -> None:
    _, result = planted
    std = result.components.std
    ratio = result.components.half_width / std
    # HWHM of a Gaussian is 1.1774 std; the fine histogram at N = 20,000 gets within a few percent.
    assert np.all(np.abs(ratio - GAUSSIAN_HWHM) < 0.08), ratio
    assert result.components.half_width[9] == pytest.approx(3 * GAUSSIAN_HWHM, rel=0.08)


def test_half_width_of_a_flat_top_histogram() -> None:
    # bins 0..9: a plateau of 4 at 3..6, halves at 2 and 7 -> HWHM = 2.5 bins after smoothing
    counts = np.array([0, 0, 2, 4, 4, 4, 4, 2, 0, 0])
    assert half_width_at_half_maximum(counts) == pytest.approx(2.5, abs=0.3)
    assert half_width_at_half_maximum(np.zeros(5)) == 0.0


def test_histograms_count_every_value(planted) -> None:
    latents, result = planted
    histograms = result.components.histograms
    assert np.all(histograms.sum(axis=1) == len(latents))
    assert np.allclose(np.diff(result.components.histogram_edges), 0.25)
    i = 3
    expected, _ = np.histogram(latents[:, i].astype(np.float64), bins=result.components.histogram_edges)
    assert np.abs(histograms[i] - expected).sum() <= 2  # only float edge ties may differ


def test_standard_normal_has_no_dominant_component(tmp_path) -> None:
    latents = np.random.default_rng(5).standard_normal((20_000, 32)).astype(np.float32)
    result = analyze(latents, None, AnalysisOptions())
    assert result.components.dominant == [] and result.components.inactive == []
    assert result.correlation_summary.top_pairs == []


def test_plane_pairs_correlated_first_then_elongated_live_ones() -> None:
    from zspace.analysis.correlation import correlation_summary
    from zspace.analysis.planes import choose_pairs

    # components 0-2 live (std 1, 1, 2), 3-9 collapsed (std 0.05): most are collapsed, as in a VAE
    std = np.array([1.0, 1.0, 2.0] + [0.05] * 7)
    r = np.eye(10)
    r[0, 1] = r[1, 0] = 0.5
    covariance = r * np.outer(std, std)
    pairs = choose_pairs(correlation_summary(r, 100), covariance, count=2)
    assert (pairs[0].i, pairs[0].j) == (0, 1) and pairs[0].reason.startswith("correlated")
    elongated = [(p.i, p.j) for p in pairs[1:]]
    assert elongated and all(i < 3 and j < 3 for i, j in elongated)  # never a live x collapsed plane
    assert (0, 1) not in elongated
