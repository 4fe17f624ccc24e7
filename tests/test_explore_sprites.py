"""Sprite tiles (issue 22 §2): 256 thumbnails per PNG, each the row's image resized, blank past the last row."""

from __future__ import annotations

import io

import numpy as np
import pytest

pytest.importorskip("fastapi", reason="the explorer needs fastapi (pip install fastapi uvicorn httpx)")
pytest.importorskip("httpx", reason="FastAPI's test client needs httpx")

from explore_fixtures import make_explorable_run  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from PIL import Image  # noqa: E402

from zspace.explore.app import create_app  # noqa: E402
from zspace.explore.data import open_explorer  # noqa: E402
from zspace.explore.sprites import SpriteTiles, sprite_tile  # noqa: E402


@pytest.fixture(scope="module")
def explorer(vae_run, tmp_path_factory):
    data = open_explorer(make_explorable_run(vae_run, tmp_path_factory.mktemp("sprites")), load_model=False)
    return data, TestClient(create_app(data), base_url="http://127.0.0.1", raise_server_exceptions=False)


def _thumbnail(client, row: int, size: int) -> np.ndarray:
    """The row's thumbnail as /api/thumb serves it, resized by PIL (bilinear), as RGBA."""
    image = Image.open(io.BytesIO(client.get(f"/api/thumb/{row}.png").content)).convert("RGB")
    if image.size != (size, size):
        image = image.resize((size, size), Image.Resampling.BILINEAR)
    return np.asarray(image.convert("RGBA"))


@pytest.mark.parametrize("size", [16, 32, 64])
def test_tile_pixels_are_the_resized_thumbnails(explorer, size):
    data, client = explorer
    response = client.get(f"/api/sprites/0.png?size={size}")
    assert response.headers["content-type"] == "image/png" and "max-age=3600" in response.headers["cache-control"]
    tile = np.asarray(Image.open(io.BytesIO(response.content)))
    assert tile.shape == (16 * size, 16 * size, 4)
    for row in (0, 1, 15, 16, 100, 191):  # row r at column r % 16, line r // 16
        line, column = divmod(row, 16)
        cell = tile[line * size:(line + 1) * size, column * size:(column + 1) * size]
        np.testing.assert_array_equal(cell, _thumbnail(client, row, size))
    assert tile[12 * size:, :, 3].max() == 0  # rows 192..255 do not exist: transparent
    assert tile[:12 * size, :, 3].min() == 255


def test_default_size_and_the_cache(explorer):
    data, client = explorer
    first = client.get("/api/sprites/0.png")
    assert np.asarray(Image.open(io.BytesIO(first.content))).shape == (512, 512, 4)  # 32 px by default
    assert client.get("/api/sprites/0.png?size=32").content == first.content
    tiles = SpriteTiles(data.images, cache_bytes=1)  # keeps only the last tile made
    one = tiles.png(0, 16)
    assert tiles.png(0, 16) is one and list(tiles._made) == [(None, 0, 16)]
    tiles.png(0, 32)
    assert list(tiles._made) == [(None, 0, 32)]


def test_a_tile_of_grey_images_repeats_the_channel():
    images = np.arange(3 * 4 * 4, dtype=np.uint8).reshape(3, 4, 4, 1)
    tile = sprite_tile(images, np.arange(3), 4)
    np.testing.assert_array_equal(tile[:4, 4:8, :3], np.repeat(images[1], 3, axis=-1))
    assert tile[:4, 12:16, 3].max() == 0


@pytest.mark.parametrize("name", ["tsne", "pca-1-2"])
def test_a_maps_tile_holds_its_points_in_tree_order(explorer, name):
    """With map=M, tile t holds the map's points t*256.. in the order of the k-d tree the page has."""
    data, client = explorer
    view = data.maps[name]
    order = view.tree_order()
    assert sorted(order.tolist()) == list(range(view.count))  # a permutation of the map's points
    tile = np.asarray(Image.open(io.BytesIO(client.get(f"/api/sprites/0.png?size=16&map={name}").content)))
    for slot in (0, 7, 100, min(view.count, 256) - 1):
        line, column = divmod(slot, 16)
        cell = tile[line * 16:(line + 1) * 16, column * 16:(column + 1) * 16]
        np.testing.assert_array_equal(cell, _thumbnail(client, int(view.rows[order[slot]]), 16))
    assert client.get(f"/api/sprites/{-(-view.count // 256)}.png?map={name}").status_code == 404
    assert client.get("/api/sprites/0.png?map=nope").status_code == 404


def test_tree_order_keeps_map_neighbours_in_few_tiles():
    """The point of map-ordered tiles: a small window of a large map needs few tiles (rows would need one each)."""
    from zspace.explore.maps import MapView

    rng = np.random.default_rng(0)
    count = 200_000
    view = MapView("tsne", "t-SNE", "tsne", rng.permutation(count), rng.normal(size=(count, 2)))
    order = view.tree_order()
    position = np.empty(count, dtype=np.int64)
    position[order] = np.arange(count)
    points = view.normalised()
    inside = np.flatnonzero((np.abs(points[:, 0] - 0.1) < 0.03) & (np.abs(points[:, 1]) < 0.03))
    assert 1_000 < len(inside) < 4_000
    by_map = len(np.unique(position[inside] // 256))
    by_row = len(np.unique(view.rows[inside] // 256))
    assert by_map * 256 < 6 * len(inside)  # tiles hold mostly visible points
    assert by_row > 10 * by_map


def test_bad_tiles_and_sizes_are_4xx(explorer):
    _, client = explorer
    for url, status in (("/api/sprites/1.png", 404), ("/api/sprites/-1.png", 422), ("/api/sprites/abc.png", 422),
                        ("/api/sprites/0.png?size=7", 422), ("/api/sprites/0.png?size=32.0", 422),
                        ("/api/sprites/0.png?run=1", 404), ("/api/sprites/99999999999999999999.png", 422)):
        response = client.get(url)
        assert response.status_code == status, url
        assert response.json()["error"] and "\n" not in response.json()["error"]
