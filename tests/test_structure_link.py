"""Void scores and the link to generation (issue 12); the neighbour search itself: test_neighbours.py."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure
from scipy import stats
from sklearn.neighbors import NearestNeighbors

from zspace.analysis.structure import link, typical_distance, void_scores
from zspace.analysis.structure.link import spearman
from zspace.errors import ZspaceError
from zspace.report.structure_figures import link_figure


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_spearman_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(300)
    y = 0.3 * x + rng.standard_normal(300)
    y[:40] = np.round(y[:40])  # ties
    x[50:80] = 1.0
    expected = stats.spearmanr(x, y)
    rho, p = spearman(x, y)
    assert rho == pytest.approx(expected.statistic, abs=1e-12)
    assert p == pytest.approx(expected.pvalue, rel=1e-9)


def test_link_result():
    rng = np.random.default_rng(4)
    scores = rng.uniform(0.2, 3, 400)
    quality = -scores + 0.3 * rng.standard_normal(400)  # farther from the data: worse
    quality[5] = np.nan
    result = link(scores, quality)
    expected = stats.spearmanr(np.delete(scores, 5), np.delete(quality, 5))
    assert result.rho == pytest.approx(expected.statistic) and result.rho < -0.8
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-6, abs=1e-300)
    assert result.count == 399 and result.dropped == 1
    assert result.void_share == pytest.approx(np.mean(np.delete(scores, 5) > 1))
    assert result.quality_in_voids < result.quality_outside
    assert set(result.to_dict()) >= {"rho", "p_value", "count", "void_share"}
    with pytest.raises(ZspaceError, match="one quality score per void score"):
        link(scores, quality[:10])
    with pytest.raises(ZspaceError, match="at least 3"):
        link([1.0, 2.0], [1.0, 2.0])


def test_void_scores():
    rng = np.random.default_rng(5)
    data = rng.standard_normal((2000, 16))
    typical = typical_distance(data, query_points=500)
    expected = np.median(NearestNeighbors(n_neighbors=1).fit(data).kneighbors()[0][:, 0])
    assert typical == pytest.approx(expected, rel=0.05)
    on_data = void_scores(data[:10], data, reference_distance=typical)
    np.testing.assert_allclose(on_data, 0.0, atol=1e-12)
    far = void_scores(data[:10] + 100.0, data)
    assert np.all(far > 10)
    probes = rng.standard_normal((300, 16))
    scores = void_scores(probes, data, reference_distance=typical)
    direct = NearestNeighbors(n_neighbors=1).fit(data).kneighbors(probes)[0][:, 0] / typical
    np.testing.assert_allclose(scores, direct, rtol=1e-10)
    with pytest.raises(ZspaceError, match="one d"):
        void_scores(probes[:, :3], data)


def test_link_figure_is_a_figure(tmp_path):
    rng = np.random.default_rng(6)
    samples = {name: (rng.uniform(0.3, 4, 200), rng.standard_normal(200)) for name in ("normal", "gmm")}
    figure = link_figure(samples, quality_label="cycle error")
    assert isinstance(figure, Figure)
    figure.savefig(tmp_path / "link.png")
    assert (tmp_path / "link.png").stat().st_size > 1000
    with pytest.raises(ZspaceError, match="at least one"):
        link_figure({})
