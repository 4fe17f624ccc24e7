"""The explorer's API through FastAPI's test client: maps, thumbnails, decode, select, neighbours."""

from __future__ import annotations

import io

import numpy as np
import pytest

pytest.importorskip("fastapi", reason="the explorer needs fastapi (pip install fastapi uvicorn httpx)")
pytest.importorskip("httpx", reason="FastAPI's test client needs httpx")

from explore_fixtures import TSNE_ROWS, make_explorable_run  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from PIL import Image  # noqa: E402

from zspace.errors import ZspaceError  # noqa: E402
from zspace.explore.app import create_app  # noqa: E402
from zspace.explore.data import open_explorer  # noqa: E402
from zspace.explore.inverse import invert  # noqa: E402
from zspace.explore.inverse_methods import DEFAULT_METHOD, NEIGHBOURS  # noqa: E402
from zspace.models.inference import decode  # noqa: E402


@pytest.fixture(scope="module")
def explorer(vae_run, tmp_path_factory):
    run = make_explorable_run(vae_run, tmp_path_factory.mktemp("explore"))
    data = open_explorer(run)
    return data, TestClient(create_app(data), base_url="http://127.0.0.1")


def test_info_lists_maps_colours_and_headline(explorer):
    data, client = explorer
    info = client.get("/api/info").json()
    assert info["count"] == 192 and info["dim"] == 8
    names = [m["name"] for m in info["maps"]]
    assert info["default_map"] == "tsne" and "pca-1-2" in names
    assert {"split", "glasses", "face_width", "radius", "z0", "z7"} <= set(info["colour_options"])
    assert info["default_colour"] == "split"
    assert info["report"] is True and info["figures"] == ["radius.png"]
    assert any(h["name"] == "radius" for h in info["headline"])
    assert client.get("/report").text.startswith("<html>")
    assert client.get("/figures/radius.png").status_code == 200


def test_map_points_are_binary_float32_with_rows(explorer):
    data, client = explorer
    response = client.get("/api/map/tsne")
    assert response.headers["content-type"] == "application/octet-stream"
    m = int(response.headers["x-count"])
    assert m == TSNE_ROWS and len(response.content) == 12 * m
    xy = np.frombuffer(response.content[: 8 * m], "<f4").reshape(2, m)
    rows = np.frombuffer(response.content[8 * m:], "<u4")
    assert np.abs(xy).max() <= 1.0 and np.array_equal(rows, data.maps["tsne"].rows)
    pca = client.get("/api/map/pca-1-2")
    assert int(pca.headers["x-count"]) == 192


def test_spatial_index_holds_the_map_points_the_page_draws(explorer):
    from test_explore_spatial_index import kdbush_range, parse

    data, client = explorer
    points = np.frombuffer(client.get("/api/map/tsne").content[: 8 * TSNE_ROWS], "<f4").reshape(2, TSNE_ROWS)
    response = client.get("/api/spatial/tsne")
    assert response.headers["content-type"] == "application/octet-stream"
    _, ids, coordinates = parse(response.content)
    assert sorted(ids.tolist()) == list(range(TSNE_ROWS))
    np.testing.assert_array_equal(coordinates.reshape(-1, 2), points.T[ids])  # the same float32 the page draws
    inside = np.flatnonzero((points[0] >= -0.2) & (points[0] <= 0.5) & (points[1] >= -1) & (points[1] <= 0.1))
    assert sorted(kdbush_range(response.content, -0.2, -1, 0.5, 0.1)) == inside.tolist()
    assert client.get("/api/spatial/nope").status_code == 404


def test_thumbnail_is_the_cache_image(explorer):
    data, client = explorer
    response = client.get("/api/thumb/5.png")
    assert response.headers["content-type"] == "image/png"
    image = np.asarray(Image.open(io.BytesIO(response.content)))
    assert np.array_equal(image, np.asarray(data.images[5]))
    attributes = client.get("/api/point/5").json()["attributes"]
    assert attributes["split"] in ("train", "val") and attributes["source_id"] == "face-000005"


def test_colours_and_legends(explorer):
    data, client = explorer
    for by in ("split", "glasses", "face_width", "radius", "z3"):
        values = np.frombuffer(client.get(f"/api/colour/tsne/{by}").content, "<f4")
        legend = client.get(f"/api/legend/{by}").json()
        assert len(values) == TSNE_ROWS
        if legend["kind"] == "categorical":
            assert np.array_equal(values, np.round(values)) and values.max() < len(legend["categories"])
        else:
            assert 0 < values.min() and values.max() < 1 and legend["minimum"] < legend["maximum"]


def test_click_on_pca_plane_decodes_the_exact_inverse(explorer):
    data, client = explorer
    view = data.maps["pca-1-2"]
    x, y = 0.3, -0.2
    answer = client.get(f"/api/invert?map=pca-1-2&x={x}&y={y}").json()
    assert answer["exact"] is True
    u, v = view.to_map(x, y)
    z = data.pca.mean + u * data.pca.components[0] + v * data.pca.components[1]
    assert np.allclose(data.pca.project(z[None], [0, 1])[0], [u, v], atol=1e-6)  # it maps back onto the click
    image = np.asarray(Image.open(io.BytesIO(_png(answer["image"]))))
    assert np.array_equal(image, decode(data.model, z[None].astype(np.float32))[0])


def test_click_on_a_point_of_the_tsne_map_gives_its_latent(explorer):
    data, client = explorer
    view = data.maps["tsne"]
    x, y = (float(v) for v in view.normalised()[10])
    answer = client.get(f"/api/invert?map=tsne&x={x!r}&y={y!r}").json()
    assert answer["nearest_row"] == int(view.rows[10]) and answer["distance"] < 1e-6 and not answer["void"]
    far = client.get("/api/invert?map=tsne&x=5&y=5").json()
    assert far["void"] and far["ratio"] > 3 and len(far["rows"]) == NEIGHBOURS[DEFAULT_METHOD]
    assert abs(sum(far["weights"]) - 1) < 1e-9


def test_inverse_distance_weights(explorer):
    data, _ = explorer
    view = data.maps["tsne"]
    found = invert(view, 0.05, 0.02, data.vectors, data.pca, method="idw")
    points = view.normalised()
    d = np.hypot(*(points[np.searchsorted(view.rows, found.rows)] - [0.05, 0.02]).T)
    w = 1 / d**2
    assert np.allclose(found.weights, w / w.sum(), rtol=1e-5)
    expected = (w / w.sum()) @ np.asarray(data.vectors[found.rows], dtype=np.float64)
    assert np.allclose(found.latent, expected, atol=1e-5)


def test_neighbours_are_the_exact_nearest_in_latent_space(explorer):
    data, client = explorer
    answer = client.get("/api/neighbours/7?k=5").json()
    vectors = np.asarray(data.vectors, dtype=np.float64)
    distances = np.linalg.norm(vectors - vectors[7], axis=1)
    distances[7] = np.inf
    assert answer["rows"] == np.argsort(distances, kind="stable")[:5].tolist()
    assert np.allclose(answer["distances"], np.sort(distances)[:5], atol=1e-4)


def test_select_decodes_the_mean_of_the_selection(explorer, monkeypatch):
    import zspace.explore.app

    monkeypatch.setattr(zspace.explore.app, "SELECTION_CHUNK", 2)  # the mean gathered over several chunks
    data, client = explorer
    points = np.array([100, 3, 9, 40, 9, 41, 3], dtype="<u4")  # repeated ids count once
    answer = client.post("/api/select?map=tsne", content=points.tobytes()).json()
    rows = np.unique(data.maps["tsne"].rows[points])
    assert answer["count"] == 5 and sorted(answer["sample"]) == sorted(rows.tolist())
    mean = np.asarray(data.vectors[np.sort(rows)], dtype=np.float64).mean(0)
    image = np.asarray(Image.open(io.BytesIO(_png(answer["mean_image"]))))
    assert np.array_equal(image, decode(data.model, mean[None].astype(np.float32))[0])


def test_pca_map_and_missing_saved_map(explorer, tmp_path):
    data, _ = explorer
    assert open_explorer(data.run, "pca", load_model=False).default_map == "pca-1-2"
    with pytest.raises(ZspaceError, match="no saved umap map"):
        open_explorer(data.run, "umap", load_model=False)
    with pytest.raises(ZspaceError, match="choose one of"):
        open_explorer(data.run, "isomap", load_model=False)


def _png(data_url: str) -> bytes:
    import base64

    assert data_url.startswith("data:image/png;base64,")
    return base64.b64decode(data_url.split(",", 1)[1])
