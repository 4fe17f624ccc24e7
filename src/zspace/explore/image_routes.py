"""The explorer's image routes beyond one thumbnail: sprite tiles (images in place of dots) and the decoded atlas.

    GET /api/sprites/<tile>.png?run=K&size=S[&map=M]  256 points (the map's, in its k-d tree order; else rows
                                               tile*256 ..), 16 x 16 thumbnails of S px (sprites.py)
    GET /api/atlas?run=K&map=&x0=&y0=&x1=&y1=&n=12
                                               an n x n grid of decodes over the window (atlas.py), as JSON with
                                               one PNG of the n x n images and the cells' ratios, voids and
                                               expected errors

Every parameter is checked as the other routes' are (checks.py): a bad one is a 4xx with one line.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable

import numpy as np
from fastapi import Depends, FastAPI, Query
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from zspace.explore.atlas import DEFAULT_CELLS, MAX_CELLS, MIN_CELLS, decoded_atlas
from zspace.explore.checks import check_id, check_map, check_number, fail, whole
from zspace.explore.data import ExplorerData, png_bytes
from zspace.explore.sprites import DEFAULT_SIZE, SIZES, SpriteTiles
from zspace.report.grids import image_grid

MAX_COORDINATE = 1e3  # normalised map units, as /api/invert: the data lie within [-1, 1]
MIN_WIDTH = 1e-9  # a narrower window has cells closer than float32 map coordinates can tell apart


def add_image_routes(app: FastAPI, chosen: Callable, decoder: Callable) -> None:
    """Add the sprite and atlas routes; ``chosen`` is the run dependency (run=K), ``decoder(data)`` its decode."""
    tiles: dict[int, SpriteTiles] = {}  # id(ExplorerData) -> its tiles, made on first request

    @app.get("/api/sprites/{tile}.png")
    def sprites(tile: str, size: str = Query(str(DEFAULT_SIZE)), map_name: str | None = Query(None, alias="map"),
                data: ExplorerData = Depends(chosen)) -> Response:
        if data.images is None:
            raise fail(404, "no thumbnails: the run's image cache is not available")
        if size not in {str(s) for s in SIZES}:
            raise fail(422, f"size={size[:20]!r} must be one of {', '.join(map(str, SIZES))}")
        view = None if map_name is None else check_map(data, map_name)
        made = tiles.setdefault(id(data), SpriteTiles(data.images))
        number = check_id("tile", tile, made.count(view))
        return Response(made.png(number, int(size), view), media_type="image/png",
                        headers={"Cache-Control": "max-age=3600"})

    @app.get("/api/atlas")
    async def atlas(map: str = Query(...), x0: float = Query(...), y0: float = Query(...),  # noqa: A002
                    x1: float = Query(...), y1: float = Query(...), n: str = Query(str(DEFAULT_CELLS)),
                    data: ExplorerData = Depends(chosen)) -> dict:
        view = check_map(data, map)
        for name, value in (("x0", x0), ("y0", y0), ("x1", x1), ("y1", y1)):
            check_number(name, value, MAX_COORDINATE)
        if not (x1 - x0 > MIN_WIDTH and y1 - y0 > MIN_WIDTH):
            raise fail(422, f"window ({x0:g}, {y0:g})-({x1:g}, {y1:g}) is empty: x0 < x1 and y0 < y1 are needed")
        cells = whole("n", n, MIN_CELLS, MAX_CELLS)
        return await run_in_threadpool(_atlas, data, view, (x0, y0, x1, y1), cells, decoder(data))


def _atlas(data: ExplorerData, view, window: tuple[float, float, float, float], n: int, decode: Callable) -> dict:
    started = time.perf_counter()
    made = decoded_atlas(view, window, n, data.vectors, data.pca, decode)
    picture = np.asarray(image_grid(made.images, columns=n, padding=0))  # n x n, edge to edge
    image = base64.b64encode(png_bytes(picture)).decode("ascii")
    cells = made.cells(lambda ratio: data.expected_error(view, ratio))
    return {"n": n, "exact": made.exact, "cell": int(made.images.shape[1]), "map": view.name, "cells": cells,
            "image": "data:image/png;base64," + image, "seconds": time.perf_counter() - started}
