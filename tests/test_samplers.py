"""Samplers: covariances reproduced, seeded determinism, state round trips, parser errors."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import multivariate_normal

from zspace.errors import ZspaceError
from zspace.samplers import SAMPLERS, parse_sampler, parse_sweep
from zspace.samplers.persist import fit_cached, load_sampler, save_sampler

DIM = 6


def correlated(rows: int, seed: int = 0) -> np.ndarray:
    """Planted correlations: components 0 and 1 with r = 0.8, others mixed, non-zero mean."""
    rng = np.random.default_rng(seed)
    cov = np.eye(DIM)
    cov[0, 1] = cov[1, 0] = 0.8
    cov[2, 3] = cov[3, 2] = -0.5
    scales = np.array([1.0, 2.0, 0.5, 1.5, 1.0, 3.0])
    cov = cov * np.outer(scales, scales)
    return rng.multivariate_normal(np.arange(DIM, dtype=float), cov, size=rows).astype(np.float32)


@pytest.fixture(scope="module")
def data() -> np.ndarray:
    return correlated(4000)


def spec_for(name: str) -> str:
    return {"pca": "pca:k=3", "gmm": "gmm:k=3", "knn-mix": "knn-mix:k=4"}.get(name, name)


def fitted(name: str, data: np.ndarray):
    sampler = parse_sampler(spec_for(name))
    return sampler.fit(data) if sampler.needs_fit else sampler.with_dim(data.shape[1])


def test_fullcov_reproduces_the_data_covariance(data):
    target = np.cov(data, rowvar=False, bias=True)
    z = fitted("fullcov", data).sample(100_000, np.random.default_rng(1))
    error = np.linalg.norm(np.cov(z, rowvar=False) - target) / np.linalg.norm(target)
    assert error < 0.05
    np.testing.assert_allclose(z.mean(0), data.mean(0), atol=0.05)


def test_diag_does_not_carry_correlations(data):
    z = fitted("diag", data).sample(100_000, np.random.default_rng(1))
    r = np.corrcoef(z, rowvar=False)
    assert abs(np.corrcoef(data, rowvar=False)[0, 1]) > 0.75  # the data has it
    assert abs(r[0, 1]) < 0.02 and abs(r[2, 3]) < 0.02  # the sampler does not
    np.testing.assert_allclose(z.std(0), data.std(0), rtol=0.02)


@pytest.mark.parametrize("name", list(SAMPLERS))
def test_every_sampler_is_seeded_float32_of_the_right_shape(name, data):
    sampler = fitted(name, data)
    first = sampler.sample(50, np.random.default_rng(7))
    assert first.shape == (50, DIM) and first.dtype == np.float32
    np.testing.assert_array_equal(first, sampler.sample(50, np.random.default_rng(7)))
    assert not np.array_equal(first, sampler.sample(50, np.random.default_rng(8)))
    assert np.all(np.isfinite(first))


@pytest.mark.parametrize("name", list(SAMPLERS))
def test_saved_state_gives_identical_samples(name, data, tmp_path):
    sampler = fitted(name, data)
    save_sampler(sampler, tmp_path / "state", "abc")
    loaded, key = load_sampler(tmp_path / "state")
    assert key == "abc" and type(loaded) is type(sampler) and loaded.spec == sampler.spec
    np.testing.assert_array_equal(loaded.sample(40, np.random.default_rng(3)),
                                  sampler.sample(40, np.random.default_rng(3)))
    with np.load(tmp_path / "state.npz", allow_pickle=False) as arrays:  # no pickle in the file
        assert all(arrays[k].dtype != object for k in arrays.files)


def test_fit_cache_reuses_then_refits_when_latents_change(data, tmp_path):
    first, reused = fit_cached(parse_sampler("gmm:k=2"), data, tmp_path)
    assert reused is False and (tmp_path / "gmm_k-2_cov-full_seed-0_max_iter-100.npz").is_file()
    second, reused = fit_cached(parse_sampler("gmm:k=2"), data, tmp_path)
    assert reused is True
    np.testing.assert_array_equal(first.means_, second.means_)
    _third, reused = fit_cached(parse_sampler("gmm:k=2"), data[:-1], tmp_path)
    assert reused is False


@pytest.mark.parametrize("cov", ["full", "diag"])
def test_gmm_log_prob_matches_sklearn(cov, data):
    from sklearn.mixture import GaussianMixture

    ours = parse_sampler(f"gmm:k=3,cov={cov},seed=4").fit(data)
    reference = GaussianMixture(3, covariance_type=cov, random_state=4, init_params="k-means++",
                                reg_covar=1e-6, tol=1e-3).fit(data)
    probe = correlated(200, seed=9)
    np.testing.assert_allclose(ours.log_prob(probe), reference.score_samples(probe), rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(np.sort(ours.weights_), np.sort(reference.weights_), atol=1e-5)


def test_gaussian_log_probs_match_scipy(data):
    probe = correlated(100, seed=5)
    full = fitted("fullcov", data)
    np.testing.assert_allclose(full.log_prob(probe),
                               multivariate_normal(full.mean_, full.covariance_).logpdf(probe), rtol=1e-8)
    diag = fitted("diag", data)
    np.testing.assert_allclose(diag.log_prob(probe),
                               multivariate_normal(diag.mean_, np.diag(diag.std_**2)).logpdf(probe), rtol=1e-8)
    np.testing.assert_allclose(fitted("normal", data).log_prob(probe),
                               multivariate_normal(np.zeros(DIM), np.eye(DIM)).logpdf(probe), rtol=1e-8)


def test_uniform_stays_in_its_box():
    z = parse_sampler("uniform:b=2.5").with_dim(4).sample(10_000, np.random.default_rng(0))
    assert np.abs(z).max() <= 2.5 and np.abs(z).max() > 2.4


def test_knn_mix_samples_lie_among_their_neighbours(data):
    small = data[:300]
    sampler = parse_sampler("knn-mix:k=4").fit(small)
    assert sampler.neighbors_.shape == (300, 5)
    np.testing.assert_array_equal(sampler.neighbors_[:, 0], np.arange(300))
    z = sampler.sample(60, np.random.default_rng(2))
    groups = small[sampler.neighbors_]  # (N, k+1, d): every point's neighbourhood
    low, high = groups.min(1), groups.max(1)  # (N, d) bounding boxes
    inside = np.all((z[:, None, :] >= low[None] - 1e-5) & (z[:, None, :] <= high[None] + 1e-5), axis=2)
    assert inside.any(axis=1).all()  # each sample within the box of some neighbourhood
    assert not np.isin(z.view([("", z.dtype)] * DIM), small.view([("", small.dtype)] * DIM)).any()  # no copies


def test_pca_samples_lie_in_the_top_k_subspace(data):
    sampler = fitted("pca", data)
    z = sampler.sample(500, np.random.default_rng(0)).astype(np.float64)
    assert np.linalg.matrix_rank(z - sampler.mean_, tol=1e-3) == 3
    with pytest.raises(ZspaceError, match="pca:k=9 exceeds the latent dim 6"):
        parse_sampler("pca:k=9").fit(data)


def test_data_sampler_draws_stored_rows(data):
    z = fitted("data", data).sample(30, np.random.default_rng(0))
    assert len(np.unique(z, axis=0)) == 30
    assert all(np.any(np.all(data == row, axis=1)) for row in z)


@pytest.mark.parametrize(("spec", "words"), [
    ("gmm:k=0", ["gmm:k=0", "integer >= 1"]),
    ("uniform:b=-1", ["uniform:b=-1", "number > 0"]),
    ("gauss", ["unknown sampler 'gauss'", "normal, uniform, diag, fullcov, pca, gmm, knn-mix, data"]),
    ("gmm:depth=3", ["no parameter 'depth'", "k (", "cov ("]),
    ("gmm:cov=tri", ["one of: full, diag"]),
    ("gmm:k=ten", ["gmm:k=ten", "integer"]),
    ("gmm:k", ["malformed", "key=value"]),
    ("gmm:", ["no parameters"]),
    ("GMM k=1", ["malformed", "knn-mix"]),
    ("uniform:b=1,2", ["a sweep"]),
])
def test_bad_specs_say_what_is_allowed(spec, words):
    with pytest.raises(ZspaceError) as caught:
        parse_sampler(spec)
    message = str(caught.value)
    assert "\n" not in message
    for word in words:
        assert word in message


def test_parse_sweep_gives_one_sampler_per_value():
    key, samplers = parse_sweep("gmm:k=2,3,5,cov=diag")
    assert key == "k" and [v for v, _s in samplers] == [2, 3, 5]
    assert [s.spec for _v, s in samplers][0] == "gmm:k=2,cov=diag,seed=0,max_iter=100"
    with pytest.raises(ZspaceError, match="exactly one parameter"):
        parse_sweep("uniform:b=1")


def test_gmm_fits_again_in_float64_when_float32_em_breaks(data, monkeypatch):
    """sklearn's float32 EM can lose a component's definiteness ("ill-defined empirical covariance", seen on
    6,000 x 256 AE latents); the sampler then fits in float64 instead of failing."""
    from sklearn.mixture import GaussianMixture

    real_fit = GaussianMixture.fit
    dtypes = []

    def fit(self, x, y=None):
        dtypes.append(np.asarray(x).dtype)
        if np.asarray(x).dtype == np.float32:
            raise ValueError("Fitting the mixture model failed because some components have ill-defined "
                             "empirical covariance (for instance caused by singleton or collapsed samples).")
        return real_fit(self, x, y)

    monkeypatch.setattr(GaussianMixture, "fit", fit)
    sampler = parse_sampler("gmm:k=3").fit(data)
    assert dtypes == [np.float32, np.float64]
    assert sampler.sample(10, np.random.default_rng(0)).shape == (10, data.shape[1])
