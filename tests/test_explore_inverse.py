"""The explorer's inverse (map point -> latent) and its held-out study, on maps whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial import cKDTree

from zspace.errors import ZspaceError
from zspace.explore.inverse import invert, invert_many
from zspace.explore.inverse_methods import (
    BANDWIDTHS,
    DEFAULT_METHOD,
    METHODS,
    choose_bandwidth,
    idw_weights,
    interpolate,
    local_linear_weights,
    smoother,
)
from zspace.explore.inverse_study import MIN_BIN, RATIO_EDGES, measure_inverse
from zspace.explore.maps import MapView, fit_pca, pca_planes

SIDE = 4  # the toy decoder draws SIDE x SIDE x 1 images


def linear_map(count: int = 2000, dim: int = 6, noise: float = 0.0, seed: int = 0, smooth: bool = False):
    """A t-SNE-like view whose latents are a known function of the map coordinates (plus noise)."""
    rng = np.random.default_rng(seed)
    coordinates = rng.uniform(-3, 3, size=(count, 2))
    if smooth:
        x, y = coordinates.T
        basis = np.stack([np.sin(x), np.cos(y), x * y / 3, np.sin(x + y)], axis=1)
    else:
        basis = coordinates
    latents = basis @ rng.normal(size=(basis.shape[1], dim)) + rng.normal(size=dim)
    latents += noise * rng.normal(size=latents.shape)
    view = MapView("tsne", "t-SNE", "tsne", np.arange(count, dtype=np.int64), coordinates)
    return view, latents.astype(np.float32)


def held_out_error(view: MapView, latents: np.ndarray, method: str, held: np.ndarray) -> float:
    """Root mean squared latent error at ``held`` map points, the method built from the others."""
    points = view.normalised().astype(np.float64)
    rest = np.setdiff1d(np.arange(view.count), held)
    found = interpolate(smoother(method, view.spacing()), cKDTree(points[rest]), points[rest], view.rows[rest],
                        latents, points[held])
    return float(np.sqrt(np.mean((found.latents - latents[held]) ** 2)))


def test_local_linear_recovers_a_linear_map_nearly_exactly_and_beats_idw() -> None:
    view, latents = linear_map(noise=0.0)
    held = np.random.default_rng(1).choice(view.count, 40, replace=False)
    scale = float(np.sqrt(np.mean((latents - latents.mean(0)) ** 2)))
    linear = held_out_error(view, latents, "local_linear", held)
    idw = held_out_error(view, latents, "idw", held)
    assert linear < 0.02 * scale and linear < idw / 1.8  # the ridge leaves a little bias, no more
    points = view.normalised().astype(np.float64)  # without the ridge: the plane itself, to rounding
    rest = np.setdiff1d(np.arange(view.count), held)
    distances, found = cKDTree(points[rest]).query(points[held], k=32)
    weights = local_linear_weights(points[held], points[rest][found], distances, 1.5 * view.spacing(), ridge=0.0)
    unridged = np.einsum("mk,mkd->md", weights, latents[rest][found].astype(np.float64))
    assert np.sqrt(np.mean((unridged - latents[held]) ** 2)) < 1e-5 * scale


def test_local_linear_beats_idw_on_a_smooth_noisy_map() -> None:
    view, latents = linear_map(noise=0.05, smooth=True, seed=3)
    held = np.random.default_rng(2).choice(view.count, 60, replace=False)
    assert held_out_error(view, latents, "local_linear", held) < held_out_error(view, latents, "idw", held)


def test_weights_sum_to_one_and_collinear_neighbours_fall_back_to_idw() -> None:
    rng = np.random.default_rng(0)
    points = rng.uniform(size=(5, 16, 2))
    query = rng.uniform(size=(5, 2))
    distances = np.linalg.norm(points - query[:, None], axis=2)
    order = np.argsort(distances, axis=1)
    points, distances = np.take_along_axis(points, order[..., None], 1), np.take_along_axis(distances, order, 1)
    weights = local_linear_weights(query, points, distances, 0.2)
    assert np.allclose(weights.sum(axis=1), 1.0) and (weights < 0).any()  # a fit, not an average
    line = np.stack([np.linspace(0, 1, 16), np.zeros(16)], axis=1)[None]  # every neighbour on one line
    on_line = np.array([[0.5, 0.3]])
    d = np.linalg.norm(line - on_line[:, None], axis=2)
    order = np.argsort(d, axis=1)
    line, d = line[:, order[0]], d[:, order[0]]
    assert np.allclose(local_linear_weights(on_line, line, d, 0.2), idw_weights(d))


@pytest.mark.parametrize("method", METHODS)
def test_a_click_on_a_point_returns_its_latent(method: str) -> None:
    view, latents = linear_map(count=300, noise=0.3)
    x, y = (float(v) for v in view.tree().data[17])
    found = invert(view, x, y, latents, None, method=method)
    assert found.nearest_row == 17 and found.distance == 0.0 and not found.void
    assert np.array_equal(found.latent, latents[17]) and found.method == method
    assert found.weights[0] == 1.0 and sum(found.weights) == pytest.approx(1.0)


def test_idw_weights_are_shepards() -> None:
    view, latents = linear_map(count=300, noise=0.3)
    found = invert(view, 0.05, 0.02, latents, None, method="idw")
    points = view.tree().data
    d = np.hypot(*(points[found.rows] - [0.05, 0.02]).T)
    w = 1 / d**2
    assert len(found.rows) == 8 and np.allclose(found.weights, w / w.sum())
    assert np.allclose(found.latent, (w / w.sum()) @ latents[found.rows].astype(np.float64), atol=1e-5)


def test_invert_many_gives_invert_point_by_point() -> None:
    view, latents = linear_map(count=500, noise=0.2)
    pca = fit_pca(latents)
    plane = pca_planes(latents, pca)[0]
    xy = np.random.default_rng(0).uniform(-1.2, 1.2, size=(12, 2))
    for chosen, method in ((view, DEFAULT_METHOD), (view, "idw"), (view, "kernel"), (plane, None)):
        many, ratios = invert_many(chosen, xy, latents, pca, method=method)
        assert many.shape == (12, latents.shape[1]) and many.dtype == np.float32
        for (x, y), latent, ratio in zip(xy, many, ratios, strict=True):
            one = invert(chosen, float(x), float(y), latents, pca, method=method)
            assert np.allclose(one.latent, latent, atol=1e-5) and one.ratio == pytest.approx(ratio)
    assert invert(plane, 0.1, 0.2, latents, pca).exact


def decoder(dim: int, seed: int = 5):
    """A toy decoder: latents -> uint8 SIDE x SIDE x 1 images, a fixed linear map squashed into 0..255."""
    mixing = np.random.default_rng(seed).normal(size=(dim, SIDE * SIDE)) / np.sqrt(dim)

    def decode(z: np.ndarray) -> np.ndarray:
        values = 128 + 60 * np.tanh(np.asarray(z, dtype=np.float64) @ mixing)
        return np.clip(np.rint(values), 0, 255).astype(np.uint8).reshape(len(z), SIDE, SIDE, 1)

    return decode


def features(images: np.ndarray) -> np.ndarray:
    return images.reshape(len(images), -1)[:, :5].astype(np.float64) / 10


def rmse(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sqrt(((a.astype(np.float64) / 255 - b / 255) ** 2).reshape(len(a), -1).mean(axis=1))


def test_study_baselines_match_a_direct_computation() -> None:
    view, latents = linear_map(count=1500, noise=0.3, smooth=True)
    decode = decoder(latents.shape[1])
    images = decode(latents)  # the true images: the decoder's own, so the own-latent reference is exact
    study = measure_inverse(view, latents, images, decode, features, seed=4, feature_name="toy")
    assert study.designs["random"]["held_out"] == 30 and study.default == DEFAULT_METHOD  # 2 % of 1500
    held = study.held["random"][0]
    points = view.normalised().astype(np.float64)
    rest = np.setdiff1d(np.arange(view.count), held)
    nearest = rest[np.argmin(np.linalg.norm(points[held][:, None] - points[rest][None], axis=2), axis=1)]
    truth = images[held]
    mean_image = images[rest].astype(np.float64).mean(axis=0)
    overall = study.designs["random"]["overall"]
    assert overall["nearest_image"]["pixels"]["mean"] == pytest.approx(rmse(truth, images[nearest]).mean())
    assert overall["mean_image"]["pixels"]["mean"] == pytest.approx(
        rmse(truth, np.broadcast_to(mean_image, truth.shape)).mean(), rel=1e-5)
    rounded = np.clip(np.rint(mean_image), 0, 255).astype(np.uint8)[None]
    assert overall["mean_image"]["features"]["mean"] == pytest.approx(
        np.linalg.norm(features(truth) - features(rounded), axis=1).mean(), rel=1e-5)
    assert overall["nearest_image"]["features"]["mean"] == pytest.approx(
        np.linalg.norm(features(truth) - features(images[nearest]), axis=1).mean())
    assert overall["own_latent"]["pixels"]["mean"] == 0.0
    for name in (*METHODS, "nearest_image", "mean_image"):
        interval = overall[name]["pixels"]
        assert interval["low"] <= interval["mean"] <= interval["high"] and interval["n"] == 30
    best = overall[DEFAULT_METHOD]["pixels"]["mean"]
    assert best < overall["nearest_image"]["pixels"]["mean"] < overall["mean_image"]["pixels"]["mean"]
    difference = overall[DEFAULT_METHOD]["pixels_minus_nearest_image"]["mean"]
    assert difference == pytest.approx(best - overall["nearest_image"]["pixels"]["mean"])


def test_discs_reach_large_ratios_and_expected_error_follows_the_bins() -> None:
    view, latents = linear_map(count=3000, noise=0.3, smooth=True, seed=6)
    decode = decoder(latents.shape[1])
    study = measure_inverse(view, latents, decode(latents), decode, None, most=300, seed=1, repeats=2)
    assert "discs" in study.designs and study.designs["discs"]["ratio_max"] > 4  # voids, made on purpose
    assert study.features is None and study.notes == ["no judge features: pixel errors only"]
    ratios, pixels, feats = study._pooled[DEFAULT_METHOD]
    assert feats is None and len(ratios) == study.held_out
    at_one = study.expected(1.2)
    inside = (ratios >= 1.0) & (ratios < 2.0)
    assert at_one["bin"] == [1.0, 2.0] and not at_one["extrapolated"] and at_one["features"] is None
    assert at_one["pixels"] == pytest.approx(pixels[inside].mean()) and at_one["in_bin"] == inside.sum()
    far = study.expected(1e6)  # beyond every held-out point: the farthest bin measured, said so
    counts = np.bincount(np.searchsorted(RATIO_EDGES, ratios, side="right") - 1, minlength=len(RATIO_EDGES))
    farthest = int(np.flatnonzero(counts >= MIN_BIN).max())
    assert far["bin"][0] == RATIO_EDGES[farthest] and far["extrapolated"] and far["measured_up_to"] == ratios.max()
    assert study.expected(float("nan"))["extrapolated"]
    assert study.to_dict()["designs"]["discs"]["bins"][0]["n"] >= 1


def test_study_on_a_pca_plane_measures_the_exact_inverse() -> None:
    view, latents = linear_map(count=600, noise=0.3)
    pca = fit_pca(latents)
    plane = pca_planes(latents, pca)[0]
    decode = decoder(latents.shape[1])
    study = measure_inverse(plane, latents, decode(latents), decode, None, pca=pca)
    assert study.default == "exact" and list(study.designs) == ["random"]
    assert set(study.designs["random"]["overall"]) == {"exact", "nearest_image", "mean_image", "own_latent"}
    with pytest.raises(ZspaceError, match="PCA"):
        measure_inverse(plane, latents, decode(latents), decode)
    with pytest.raises(ZspaceError, match="between 0 and 1"):
        measure_inverse(view, latents, decode(latents), decode, holdout=2.0)
    with pytest.raises(ZspaceError, match="inverse methods"):
        measure_inverse(view, latents, decode(latents), decode, methods=("mlp",))


def test_leave_one_out_bandwidth_widens_with_noise() -> None:
    """Latents that are pure noise want the widest kernel (the mean); a noiseless smooth map a narrow one."""
    view, smooth = linear_map(count=1500, noise=0.0, smooth=True)
    rng = np.random.default_rng(0)
    noise = rng.normal(size=smooth.shape).astype(np.float32)
    points = view.normalised().astype(np.float64)
    tree, spacing = cKDTree(points), view.spacing()
    for method in ("kernel", "local_linear"):
        narrow = choose_bandwidth(method, tree, points, view.rows, smooth, spacing)
        wide = choose_bandwidth(method, tree, points, view.rows, noise, spacing)
        assert narrow < wide == pytest.approx(max(BANDWIDTHS) * spacing)
