"""Void scores and the link to generation (issues 12 and 21); the neighbour search itself: test_neighbours.py.

The link against a quality that does not come from the encoder (issue 21) is tested on planted runs: latents
with voids between clusters, training images made from them by a known linear map, and a model (the
LatentModel protocol) whose decoder follows that map, ignores its input, or hides z from the pixels.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from scipy import stats
from sklearn.neighbors import NearestNeighbors
from torch import nn

from zspace.analysis.structure import link, typical_distance, void_scores
from zspace.analysis.structure.link import spearman
from zspace.analysis.structure.link_depth import depth_bins, depth_sentence, depth_summary
from zspace.analysis.structure.link_summary import GenerationLink, SamplerScores
from zspace.config import TrainConfig, save_config
from zspace.data.cache import prepare_cache
from zspace.data.idx_source import array_source
from zspace.errors import ZspaceError
from zspace.generate.link import generation_link
from zspace.generate.link_quality import REALISM_K, image_reference
from zspace.io import save_json
from zspace.models.architectures import model_config
from zspace.models.inference import decode
from zspace.models.protocol import Encoded
from zspace.report.structure_figures import link_figure
from zspace.results import to_json
from zspace.run import Run


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
    assert isinstance(figure, Figure) and len(figure.axes) == 3  # points, matched depth, share in voids
    matched = figure.axes[1]
    assert [line.get_label() for line in matched.get_lines()] == ["normal", "gmm"]
    assert len(matched.get_lines()[0].get_xdata()) == len(depth_bins(samples))
    figure.savefig(tmp_path / "link.png")
    assert (tmp_path / "link.png").stat().st_size > 1000
    with pytest.raises(ZspaceError, match="at least one"):
        link_figure({})


# -- the link against an independent quality (issue 21) -----------------------------------------------------------
SIDE, DIM = 16, 4
SAMPLERS = ["normal", "fullcov", "uniform:b=3"]


class PlantedModel(nn.Module):
    """A LatentModel on planted data: images 0.5 + scale * B z (B: orthonormal columns), encoder B'(x - 0.5) / scale.

    ``mode``: "faithful" (decode = the map the training images were made with: deeper in a void, farther from
    every training image), "constant" (the same image for every z), "noisy" (the same image plus noise that
    does not depend on z), "hidden" (z written at a small scale, plus larger noise orthogonal to B: the encoder
    reads z back exactly, so encode∘decode = identity, while the pixels hardly depend on z).
    """

    latent_shape = (DIM,)
    image_shape = (1, SIDE, SIDE)
    variational = False

    def __init__(self, basis: np.ndarray, mode: str, scale: float = 1.0, seed: int = 0) -> None:
        super().__init__()
        self.basis, self.mode, self.scale = torch.as_tensor(basis, dtype=torch.float32), mode, scale
        self.generator = torch.Generator().manual_seed(seed)

    def encode(self, images: torch.Tensor) -> Encoded:
        return Encoded((images.reshape(len(images), -1) - 0.5) @ self.basis / self.scale, None)

    def decode(self, latents: torch.Tensor) -> torch.Tensor:
        flat = torch.full((len(latents), SIDE * SIDE), 0.5)
        noise = torch.randn(flat.shape, generator=self.generator)
        if self.mode == "faithful":
            flat = flat + self.scale * latents @ self.basis.T
        elif self.mode == "noisy":
            flat = flat + 0.05 * noise
        elif self.mode == "hidden":
            noise = 0.15 * noise
            flat = flat + self.scale * latents @ self.basis.T + noise - (noise @ self.basis) @ self.basis.T
        return flat.clamp(0, 1).reshape(len(latents), *self.image_shape)


def planted_run(folder: Path, scale: float = 1.0, seed: int = 0) -> tuple[Run, np.ndarray]:
    """900 latents in 6 tight clusters of R^4 (voids between them), their images 0.5 + scale * B z in a cache,
    and a run folder that names both (no trained network: the tests pass the model)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0.0, 1.5, (6, DIM))
    z = (centres[rng.integers(0, 6, 900)] + 0.25 * rng.standard_normal((900, DIM))).astype(np.float32)
    basis = np.linalg.qr(rng.standard_normal((SIDE * SIDE, DIM)))[0]  # (P, D)
    images = np.clip(np.round((0.5 + scale * z @ basis.T) * 255), 0, 255).astype(np.uint8)
    source = array_source("planted", images.reshape(900, SIDE, SIDE, 1),
                          {"source_id": np.array([f"planted:{k}" for k in range(900)])})
    prepare_cache(source, folder / "cache")
    run = Run(folder / "run")
    run.path.mkdir(parents=True)
    save_config(run.config_file, model_config("small", model="ae", image_size=SIDE, channels=1, latent_dim=DIM))
    save_config(run.train_config_file, TrainConfig(data=str(folder / "cache")))
    np.save(run.latents_file, z)
    save_json(run.latents_meta_file, {"data": str(folder / "cache")})
    return run, basis


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> tuple[Run, np.ndarray]:
    return planted_run(tmp_path_factory.mktemp("planted"))


def linked(run: Run, model: PlantedModel, judge: str = "none", samplers: list[str] = SAMPLERS, count: int = 150):
    found = generation_link(run, samplers, count=count, seed=0, judge=judge, model=model)
    return found, to_json(found)


def pooled_spearman(found, quality: str):
    return stats.spearmanr(np.concatenate([s.void for s in found.samplers]),
                           np.concatenate([s.quality[quality] for s in found.samplers]))


def test_a_decoder_that_ignores_its_input_links_nothing(planted) -> None:
    run, basis = planted
    found, block = linked(run, PlantedModel(basis, "constant"))
    assert found.qualities[0] == "pixel_distance" == block["primary_quality"]
    assert block["independent_qualities"] == ["pixel_distance"]
    assert block["encoder_space_qualities"] == ["data_distance", "cycle_error"]
    assert block["pooled"]["pixel_distance"]["rho"] is None  # every image the same: no correlation to measure
    assert block["claim"]["found"] is False and block["claim"]["quality"] == "pixel_distance"
    assert "finds nothing" in block["verdict"] and "worse by" not in block["verdict"]
    assert block["settings"]["reference_images"] == len(run.fit_rows("train"))

    noisy, block = linked(run, PlantedModel(basis, "noisy"))  # images vary, but not with z
    expected = pooled_spearman(noisy, "pixel_distance")
    assert block["pooled"]["pixel_distance"]["rho"] == pytest.approx(expected.statistic, abs=1e-12)
    assert block["pooled"]["pixel_distance"]["p_value"] == pytest.approx(expected.pvalue, rel=1e-9)
    assert abs(expected.statistic) < 0.1 and expected.pvalue > 0.05
    assert block["claim"]["found"] is False and "inconclusive" in block["verdict"]
    assert "worse by" not in block["verdict"]


def test_the_encoder_space_score_is_circular_the_pixel_distance_is_not(tmp_path) -> None:
    run, basis = planted_run(tmp_path, scale=0.05)
    found, block = linked(run, PlantedModel(basis, "hidden", scale=0.05))
    circular = pooled_spearman(found, "data_distance")  # encode(decode(z)) = z: the void score again
    assert circular.statistic > 0.99 and circular.pvalue < 1e-100
    assert block["pooled"]["data_distance"]["rho"] == pytest.approx(circular.statistic, abs=1e-12)
    independent = pooled_spearman(found, "pixel_distance")
    assert abs(independent.statistic) < 0.1 and independent.pvalue > 0.05
    assert block["claim"]["found"] is False
    assert "circular by construction" in block["verdict"] and "data distance gives rho = +1.00" in block["verdict"]


def test_the_link_is_found_where_quality_worsens_with_depth(planted) -> None:
    run, basis = planted
    found, block = linked(run, PlantedModel(basis, "faithful"))
    for row, scores in zip(block["rows"], found.samplers, strict=True):
        expected = stats.spearmanr(scores.void, scores.quality["pixel_distance"])
        assert row["pixel_distance"]["rho"] == pytest.approx(expected.statistic, abs=1e-12)
        assert row["pixel_distance"]["p_value"] == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-300)
        assert row["rho"] == row["pixel_distance"]["rho"]  # the row's headline is the primary quality
    pooled = pooled_spearman(found, "pixel_distance")
    assert pooled.statistic > 0.9 and block["claim"]["found"] is True
    assert block["claim"]["rho"] == pytest.approx(pooled.statistic, abs=1e-12)
    assert "worse by the pixel distance" in block["verdict"]
    # the pixel distance itself, brute force: nearest training image / the median nearest-other-image distance
    cache = run.cache()
    train = cache.images[run.fit_rows("train")].reshape(-1, SIDE * SIDE) / 255.0
    typical = np.median(NearestNeighbors(n_neighbors=2).fit(train).kneighbors(train)[0][:, 1])
    decoded = decode(PlantedModel(basis, "faithful"), found.samplers[0].z).reshape(-1, SIDE * SIDE) / 255.0
    nearest = NearestNeighbors(n_neighbors=1).fit(train).kneighbors(decoded)[0][:, 0]
    np.testing.assert_allclose(found.samplers[0].quality["pixel_distance"], nearest / typical, rtol=1e-6)


def realism_by_definition(real: np.ndarray, fake: np.ndarray, k: int = REALISM_K) -> np.ndarray:
    """Kynkäänniemi et al. 2019, eq. 3: max over real balls of at most the median radius of radius / distance."""
    radii = NearestNeighbors(n_neighbors=k + 1).fit(real).kneighbors(real)[0][:, k]
    kept = radii <= np.median(radii)
    distances = np.linalg.norm(fake[:, None, :] - real[None, kept, :], axis=2)
    return (radii[kept][None, :] / distances).max(axis=1)


def test_the_judges_realism_is_the_primary_quality_when_a_judge_is_at_hand(tmp_path) -> None:
    run, basis = planted_run(tmp_path)
    model = PlantedModel(basis, "faithful")
    few = {"samplers": ["normal", "uniform:b=3"], "count": 60}
    plain, _ = linked(run, model, judge="stored", **few)  # no judge stored yet: the pixel distance only
    assert plain.qualities[0] == "pixel_distance" and plain.settings["judge"] is None
    found, block = linked(run, model, judge="random", **few)  # calibrated and stored beside the cache
    assert found.qualities[:2] == ["judge_unrealism", "pixel_distance"] and block["claim"]["quality"] == (
        "judge_unrealism")
    assert "Quality used: the judge unrealism" in block["verdict"]
    again, _ = linked(run, model, judge="stored", **few)  # now found on disk, never trained
    assert again.settings["judge"].startswith("random")
    np.testing.assert_allclose(again.samplers[1].quality["judge_unrealism"], found.samplers[1].quality[
        "judge_unrealism"], rtol=1e-6)
    reference = image_reference(run.cache(), judge="stored")
    fake = reference.judge.embed(decode(model, np.concatenate([s.z for s in found.samplers])))[0]
    expected = 1.0 / realism_by_definition(reference.judge_features.astype(np.float64), fake.astype(np.float64))
    np.testing.assert_allclose(np.concatenate([s.quality["judge_unrealism"] for s in found.samplers]), expected,
                               rtol=1e-5)
    with pytest.raises(ZspaceError, match="'judgement' is not one of stored, none"):
        image_reference(run.cache(), judge="judgement")


def test_samplers_are_compared_at_matched_void_depth() -> None:
    rng = np.random.default_rng(7)
    shallow, deep = rng.uniform(1, 3, 400), rng.uniform(2, 4, 400)
    only_deeper = {"a": (shallow, shallow + 0.3 * rng.standard_normal(400)),
                   "b": (deep, deep + 0.3 * rng.standard_normal(400))}
    bins = depth_bins(only_deeper)
    pooled = np.concatenate([shallow, deep])
    edges = np.quantile(pooled, [0, 0.25, 0.5, 0.75, 1])
    for row, low, high in zip(bins, edges[:-1], edges[1:], strict=True):
        assert (row["void_low"], row["void_high"]) == (pytest.approx(low), pytest.approx(high))
        groups = []
        for name, (void, quality) in only_deeper.items():
            inside = (void >= low) & ((void < high) if high < edges[-1] else (void <= high))
            assert row["counts"][name] == inside.sum()
            if inside.sum() >= 10:
                assert row["median_quality"][name] == pytest.approx(np.median(quality[inside]))
                groups.append(quality[inside])
        assert row["compared"] == len(groups)
        if len(groups) > 1:
            assert row["p_value"] == pytest.approx(stats.kruskal(*groups).pvalue)
    summary = depth_summary(bins)
    assert summary["comparable"] >= 2 and summary["differing"] == 0  # b is worse only because it lies deeper
    worse = {"a": only_deeper["a"], "b": (deep, deep + 0.5 + 0.3 * rng.standard_normal(400))}
    summary = depth_summary(depth_bins(worse))
    assert summary["differing"] >= 1 and set(summary["worst"]) == {"b"}
    assert "worst there: b" in depth_sentence(summary, "quality")
    apart = {"a": (shallow - 5, shallow), "b": (deep + 5, deep)}  # no overlap: nothing to compare
    assert "inconclusive" in depth_sentence(depth_summary(depth_bins(apart)), "quality")


def test_only_encoder_space_qualities_are_inconclusive() -> None:
    rng = np.random.default_rng(8)
    void = rng.uniform(0.5, 3, 200)
    scores = SamplerScores("normal", void, rng.uniform(1, 5, 200), {"data_distance": void + 0.01 * rng.random(200)})
    found = GenerationLink([scores], 1.0, 1000)
    block = to_json(found)
    assert found.primary_quality is None and block["claim"]["found"] is False
    assert "inconclusive" in block["verdict"] and "circular by construction" in block["verdict"]
