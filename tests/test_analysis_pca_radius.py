"""PCA against scikit-learn, radius against the chi distribution (SPEC S8, S12)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate
from sklearn.decomposition import PCA

from zspace.analysis import AnalysisOptions, analyze
from zspace.analysis.moments import streaming_moments
from zspace.analysis.pca import pca_from_covariance
from zspace.analysis.radius import chi_counts, chi_pdf


def test_pca_matches_sklearn_up_to_sign() -> None:
    rng = np.random.default_rng(6)
    data = rng.standard_normal((4_000, 10)) @ np.diag(np.linspace(3, 0.2, 10)) @ np.linalg.qr(
        rng.standard_normal((10, 10)))[0] + 7.0
    moments = streaming_moments(data, chunk_rows=700)
    ours = pca_from_covariance(moments.mean, moments.covariance)
    reference = PCA().fit(data)
    np.testing.assert_allclose(ours.explained_variance, reference.explained_variance_, rtol=1e-9)
    np.testing.assert_allclose(ours.explained_variance_ratio, reference.explained_variance_ratio_, rtol=1e-9)
    signs = np.sign(np.sum(ours.components * reference.components_, axis=1))
    np.testing.assert_allclose(ours.components * signs[:, None], reference.components_, atol=1e-8)
    projected = ours.project(data[:50], [0, 3])
    np.testing.assert_allclose(projected * signs[[0, 3]], reference.transform(data[:50])[:, [0, 3]], atol=1e-8)
    cumulative = np.cumsum(reference.explained_variance_ratio_)
    assert ours.components_for(0.9) == int(np.argmax(cumulative >= 0.9)) + 1


def test_chi_pdf_integrates_to_one_and_counts_add_up() -> None:
    for dim in (2, 16, 256):
        total, _ = integrate.quad(chi_pdf, 0, np.inf, args=(dim,), limit=200)
        assert total == pytest.approx(1.0, abs=1e-6)
    edges = np.arange(0, 30, 0.05)
    assert chi_counts(edges, 256, 1000).sum() == pytest.approx(1000, rel=1e-6)


def test_radius_mode_near_sqrt_dim_for_standard_normal(tmp_path) -> None:
    dim = 64
    latents = np.random.default_rng(7).standard_normal((20_000, dim)).astype(np.float32)
    result = analyze(latents, None, AnalysisOptions(pca_planes=((1, 2),)))
    radius = result.radius
    assert radius.sqrt_dim == 8.0
    assert abs(radius.mode - np.sqrt(dim - 1)) < 0.2  # chi mode is sqrt(d - 1) = 7.94
    norms = np.linalg.norm(latents.astype(np.float64), axis=1)
    assert radius.mean == pytest.approx(norms.mean(), rel=1e-10)
    assert radius.std == pytest.approx(norms.std(ddof=1), rel=1e-8)
    fine = min(radius.histograms, key=lambda h: h.bin_width)
    assert fine.bin_width == 0.05 and fine.counts.sum() == len(latents)
    assert {h.bin_width for h in radius.histograms} == {0.5, 0.05}
    # the PCA plane holds every vector, centred
    plane = result.pca_planes[0]
    assert plane.points.shape == (20_000, 2) and abs(plane.points[:, 0].mean()) < 1e-3
