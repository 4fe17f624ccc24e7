"""The explorer's web app (FastAPI): a page, its vendored scripts, and a small JSON/binary API.

Routes (every parameter is validated; a bad one is a 4xx with ``{"error": "one line"}``). Several runs may be
served together (``zspace explore RUN_A RUN_B``): every ``/api`` route takes ``run=K`` (0-based, default 0).

    GET  /                          the page;  GET /static/<name> its files (a fixed list)
    GET  /api/runs                  the runs served, and whether they are linked (same images; see runs.py)
    GET  /api/info                  run, maps, colour options, headline numbers, figures, notes
    GET  /api/map/<map>             float32 x[m], y[m] (normalised to [-1, 1]), uint32 row[m]: binary, not JSON
    GET  /api/spatial/<map>         the map's k-d tree in regl-scatterplot's format (KDBush, see spatial_index.py)
    GET  /api/colour/<map>/<by>     float32 value per map point;  GET /api/legend/<by>?map=  its legend
    GET  /api/point/<row>           a row's index attributes;  GET /api/thumb/<row>.png  its image
    GET  /api/neighbours/<row>?k=   nearest rows in latent space (exact L2)
    GET  /api/invert?map=&x=&y=     the latent point under a map click, decoded (see inverse.py)
    POST /api/select?map=           body: uint32 map-point ids; size, a sample, decode of the mean
    GET  /api/sprites/<tile>.png    256 thumbnails in one image (sprites.py);  GET /api/atlas  a decoded grid
    GET  /report                    RUN/report.html when it exists;  GET /figures/<name>  a listed figure

Files are reached by id only (row numbers, map and figure names from lists made at start); no
part of a request becomes a path. Host headers are checked against the names the server was
started for (DNS rebinding), and pages carry a Content-Security-Policy that allows only this
origin (plus ``unsafe-eval``: regl compiles its shaders' JavaScript with ``new Function``).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from importlib import resources

import numpy as np
from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from zspace.errors import ZspaceError
from zspace.explore import colours
from zspace.explore.checks import DIGITS, check_map, check_number, check_row, check_run, fail
from zspace.explore.data import ExplorerData, png_bytes
from zspace.explore.image_routes import add_image_routes
from zspace.explore.inverse import invert
from zspace.explore.runs import RunSet
from zspace.explore.summary import headline

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
STATIC = {  # name in the URL -> (file in the package's static folder, media type)
    "app.js": ("app.js", "text/javascript"),
    "common.js": ("common.js", "text/javascript"),
    "panel.js": ("panel.js", "text/javascript"),
    "overlay.js": ("overlay.js", "text/javascript"),
    "side.js": ("side.js", "text/javascript"),
    "style.css": ("style.css", "text/css"),
    "regl-scatterplot.min.js": ("vendor/regl-scatterplot.min.js", "text/javascript"),
    "LICENSES.txt": ("vendor/LICENSES.txt", "text/plain"),
}
CSP = ("default-src 'self'; script-src 'self' 'unsafe-eval'; worker-src 'none'; img-src 'self' data: blob:; "
       "style-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
MAX_COORDINATE = 1e3  # normalised map units: the data lie within [-1, 1]
MAX_NEIGHBOURS = 100
SAMPLE_IMAGES = 24
SELECTION_CHUNK = 8_192  # rows gathered at a time for a selection's mean (8 MB at d = 256)
BINARY = "application/octet-stream"


def _static_file(name: str) -> bytes:
    return resources.files("zspace.explore").joinpath("static", name).read_bytes()


def _data_url(image: np.ndarray) -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes(image)).decode("ascii")


def decoder(data: ExplorerData):
    """``decode(latents (m, d)) -> uint8 images (m, H, W, C)`` with ``data``'s model, one decode at a time."""

    def decode(latents: np.ndarray) -> np.ndarray:
        if data.model is None:
            raise fail(409, "no model loaded, so nothing can be decoded")
        return data.decode(latents)

    return decode


def create_app(served: ExplorerData | Sequence[ExplorerData] | RunSet,
               allowed_hosts: tuple[str, ...] | None = LOOPBACK_HOSTS) -> FastAPI:
    """The app serving one run or several (see runs.py); ``allowed_hosts`` None accepts any Host header."""
    runs = served if isinstance(served, RunSet) else RunSet([served] if isinstance(served, ExplorerData)
                                                           else list(served))
    app = FastAPI(title="zspace explorer", docs_url=None, redoc_url=None, openapi_url=None)
    if allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    page = _static_file("index.html")
    static = {name: (_static_file(path), media) for name, (path, media) in STATIC.items()}
    _install_handlers(app)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    def chosen(run: str = Query("0")) -> ExplorerData:
        return check_run(runs.runs, run)

    add_image_routes(app, chosen, decoder)

    @app.get("/", include_in_schema=False)
    def index_page() -> Response:
        return Response(page, media_type="text/html; charset=utf-8")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/static/{name}", include_in_schema=False)
    def static_file(name: str) -> Response:
        if name not in static:
            raise fail(404, "no such file")
        body, media = static[name]
        return Response(body, media_type=media, headers={"Cache-Control": "no-cache"})

    @app.get("/api/runs")
    def runs_served() -> dict:
        link = runs.link
        return {"runs": [{"index": k, "name": name, "count": d.count, "dim": d.dim}
                         for k, (name, d) in enumerate(zip(runs.names(), runs.runs, strict=True))],
                "linked": link.linked, "link_note": link.note}

    @app.get("/api/info")
    def info(data: ExplorerData = Depends(chosen)) -> dict:
        return {
            "run": data.run.name, "count": data.count, "dim": data.dim, "default_map": data.default_map,
            "maps": [_map_info(data, v) for v in data.maps.values()],
            "colour_options": _colour_options(runs, data), "default_colour": data.default_colour(),
            "headline": headline(data.analysis, data.count, data.dim), "pca_source": data.pca_source,
            "report": data.report_file is not None, "figures": list(data.figures),
            "thumbnails": data.images is not None, "decoder": data.model is not None, "notes": list(data.notes),
        }

    @app.get("/api/map/{name}")
    def map_points(name: str, data: ExplorerData = Depends(chosen)) -> Response:
        view = check_map(data, name)
        points = view.normalised()
        body = (np.concatenate([points[:, 0], points[:, 1]]).astype("<f4").tobytes()
                + view.rows.astype("<u4").tobytes())
        return Response(body, media_type=BINARY, headers={"X-Count": str(view.count)})

    @app.get("/api/spatial/{name}")
    def spatial_index(name: str, data: ExplorerData = Depends(chosen)) -> Response:
        view = check_map(data, name)
        return Response(view.spatial_index(), media_type=BINARY, headers={"X-Count": str(view.count)})

    @app.get("/api/colour/{name}/{by}")
    def colour(name: str, by: str, data: ExplorerData = Depends(chosen)) -> Response:
        view = check_map(data, name)
        values = _colouring(runs, data, by, view).values
        values = values if by == "placement" else values[view.rows]  # placement is per map point already
        return Response(values.astype("<f4").tobytes(), media_type=BINARY, headers={"X-Count": str(view.count)})

    @app.get("/api/legend/{by}")
    def legend(by: str, map: str | None = Query(None), data: ExplorerData = Depends(chosen)) -> dict:  # noqa: A002
        return _colouring(runs, data, by, check_map(data, map) if map is not None else None).legend

    @app.get("/api/point/{row}")
    def point(row: str, data: ExplorerData = Depends(chosen)) -> dict:
        row = check_row(data, row)
        return {"row": row, "attributes": data.attributes(row)}

    @app.get("/api/thumb/{row}.png")
    def thumbnail(row: str, data: ExplorerData = Depends(chosen)) -> Response:
        row = check_row(data, row)
        if data.images is None:
            raise fail(404, "no thumbnails: the run's image cache is not available")
        return Response(data.thumbnail_png(row), media_type="image/png", headers={"Cache-Control": "max-age=3600"})

    @app.get("/api/neighbours/{row}")
    def neighbours(row: str, k: str = Query("12"), data: ExplorerData = Depends(chosen)) -> dict:
        row = check_row(data, row)
        most = min(MAX_NEIGHBOURS, data.count - 1)
        if not DIGITS.match(k) or not 1 <= int(k) <= most:
            raise fail(422, f"k={k[:20]!r} must be a whole number between 1 and {most}")
        k = int(k)
        rows, distances = data.neighbours(row, k)
        return {"row": row, "rows": rows.tolist(), "distances": distances.tolist()}

    @app.get("/api/invert")
    def invert_point(map: str = Query(...), x: float = Query(...), y: float = Query(...),  # noqa: A002
                     data: ExplorerData = Depends(chosen)) -> dict:
        view = check_map(data, map)
        check_number("x", x, MAX_COORDINATE)
        check_number("y", y, MAX_COORDINATE)
        found = invert(view, x, y, data.vectors, data.pca)
        image = decoder(data)(found.latent)[0]
        return {"map": view.name, "x": x, "y": y, "exact": found.exact, "method": found.method,
                "nearest_row": found.nearest_row,
                "distance": found.distance, "ratio": found.ratio, "void": found.void, "rows": found.rows,
                "weights": found.weights, "radius": float(np.linalg.norm(found.latent)), "image": _data_url(image),
                "expected_error": None if found.exact else data.expected_error(view, found.ratio)}

    @app.post("/api/select")
    async def select(request: Request, map: str = Query(...), data: ExplorerData = Depends(chosen)) -> dict:  # noqa: A002
        view = check_map(data, map)
        limit = 4 * view.count
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            raise fail(413, f"selection larger than the {view.count} points of the map")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise fail(413, f"selection larger than the {view.count} points of the map")
        if not body or len(body) % 4:
            raise fail(422, "body must be uint32 map-point ids (4 bytes each), at least one")
        points = np.frombuffer(bytes(body), dtype="<u4")
        if int(points.max()) >= view.count:
            raise fail(422, f"point id {int(points.max())} not on the map; ids are 0..{view.count - 1}")
        return await run_in_threadpool(_selection, data, view, points, decoder(data))

    @app.get("/report", include_in_schema=False)
    def report(data: ExplorerData = Depends(chosen)) -> FileResponse:
        if data.report_file is None:
            raise fail(404, "this run has no report.html; make one with zspace report")
        return FileResponse(data.report_file, media_type="text/html")

    @app.get("/figures/{name}", include_in_schema=False)
    def figure(name: str, data: ExplorerData = Depends(chosen)) -> FileResponse:
        if name not in data.figures:
            raise fail(404, "no such figure")
        return FileResponse(data.figures[name], media_type="image/png")

    return app


def _map_info(data: ExplorerData, view) -> dict:
    fitted = data.fitted(view)
    return {"name": view.name, "title": view.title, "method": view.method, "count": view.count, "exact": view.exact,
            "fitted": None if fitted is None else int(fitted.sum()),
            "placed": None if fitted is None else int(len(fitted) - fitted.sum())}


def _colour_options(runs: RunSet, data: ExplorerData) -> list[str]:
    options = data.colour_options()
    if runs.link.linked:
        options.insert(options.index("radius") + 1, "agreement")
    return options


def _fitted(data: ExplorerData, view) -> np.ndarray:
    """(m,) bool fitted mask of ``view``; without a view (a legend), of the first map that has one."""
    for candidate in [view] if view is not None else data.maps.values():
        fitted = data.fitted(candidate)
        if fitted is not None:
            return fitted
    raise fail(422, f"colour by placement: map {view.name!r} was not fitted on a subsample (only t-SNE/UMAP maps "
                    "that placed points are); choose such a map")


def _colouring(runs: RunSet, data: ExplorerData, by: str, view) -> colours.Colouring:
    if by not in _colour_options(runs, data):
        raise fail(404, f"colour by {by[:40]!r} unknown; use an index column, radius or z0..z{data.dim - 1}")
    if by == "agreement":
        index = next(k for k, d in enumerate(runs.runs) if d is data)
        return colours.unit_interval(by, runs.agreement(index))
    if by == "placement":
        return colours.categorical(by, (~_fitted(data, view)).astype(np.int64), ["fitted", "placed"])
    try:
        return data.colouring(by)
    except ZspaceError as err:
        raise fail(422, str(err)) from None


def _selection(data: ExplorerData, view, points: np.ndarray, decode) -> dict:
    chosen = np.zeros(data.count, dtype=bool)  # distinct rows in order (a bitmap: 6x faster than np.unique)
    chosen[view.rows[points]] = True
    rows = np.flatnonzero(chosen)
    mean = np.zeros(data.dim, dtype=np.float64)
    for start in range(0, len(rows), SELECTION_CHUNK):  # chunks that stay in cache: gather, then add
        mean += np.asarray(data.vectors[rows[start:start + SELECTION_CHUNK]]).sum(axis=0, dtype=np.float64)
    mean /= len(rows)
    rng = np.random.default_rng(len(rows))
    sample = np.sort(rng.choice(rows, size=min(SAMPLE_IMAGES, len(rows)), replace=False))
    return {"count": int(len(rows)), "sample": sample.tolist(), "mean_radius": float(np.linalg.norm(mean)),
            "mean_image": _data_url(decode(mean)[0])}


def _install_handlers(app: FastAPI) -> None:
    """Every error answers ``{"error": "one line"}``; no traceback ever reaches the client."""

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, err: HTTPException) -> JSONResponse:
        return JSONResponse({"error": str(err.detail)[:300]}, status_code=err.status_code, headers=err.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, err: RequestValidationError) -> JSONResponse:
        first = err.errors()[0] if err.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ())[1:]) or "request"
        return JSONResponse({"error": f"{where}: {first.get('msg', 'invalid')}"[:300]}, status_code=422)

    @app.exception_handler(ZspaceError)
    async def user_error(request: Request, err: ZspaceError) -> JSONResponse:
        return JSONResponse({"error": str(err)[:300]}, status_code=422)

    @app.exception_handler(Exception)
    async def server_error(request: Request, err: Exception) -> JSONResponse:
        return JSONResponse({"error": f"internal error ({type(err).__name__})"}, status_code=500)
