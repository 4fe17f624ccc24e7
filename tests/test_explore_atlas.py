"""The decoded atlas (issue 22 §3): n x n decodes over a window, exact on PCA planes, 4xx on bad windows."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest

pytest.importorskip("fastapi", reason="the explorer needs fastapi (pip install fastapi uvicorn httpx)")
pytest.importorskip("httpx", reason="FastAPI's test client needs httpx")

from explore_fixtures import make_explorable_run  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from PIL import Image  # noqa: E402

from zspace.explore.app import create_app  # noqa: E402
from zspace.explore.atlas import window_grid  # noqa: E402
from zspace.explore.data import open_explorer  # noqa: E402
from zspace.explore.expected import ExpectedErrors  # noqa: E402
from zspace.explore.inverse import invert  # noqa: E402
from zspace.explore.inverse_methods import DEFAULT_METHOD  # noqa: E402
from zspace.models.inference import decode  # noqa: E402
from zspace.report.grids import image_grid  # noqa: E402


@pytest.fixture(scope="module")
def explorer(vae_run, tmp_path_factory):
    data = open_explorer(make_explorable_run(vae_run, tmp_path_factory.mktemp("atlas")))
    return data, TestClient(create_app(data), base_url="http://127.0.0.1", raise_server_exceptions=False)


def _image(answer: dict) -> np.ndarray:
    assert answer["image"].startswith("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(answer["image"].split(",", 1)[1]))))


def test_cells_run_row_major_from_the_top_left():
    grid = window_grid(-1.0, 0.0, 1.0, 4.0, 2)
    np.testing.assert_allclose(grid, [[-0.5, 3.0], [0.5, 3.0], [-0.5, 1.0], [0.5, 1.0]])
    images = np.arange(4)[:, None, None, None] * np.ones((4, 2, 3, 1), dtype=np.uint8)
    picture = np.asarray(image_grid(images, columns=2, padding=0))  # how the atlas route lays its cells
    assert picture.shape == (4, 6) and picture[0, 3] == 1 and picture[2, 0] == 2 and picture[3, 5] == 3


def test_pca_atlas_decodes_the_exact_plane_inverse(explorer):
    data, client = explorer
    n, window = 5, (-0.6, -0.4, 0.5, 0.7)
    answer = client.get("/api/atlas?map=pca-1-2&x0={}&y0={}&x1={}&y1={}&n=5".format(*window)).json()
    assert answer["n"] == n and answer["exact"] is True and answer["cell"] == 32 and len(answer["cells"]) == n * n
    assert 0 <= answer["seconds"] < 30
    view, pca = data.maps["pca-1-2"], data.pca
    latents = []
    for cell, (x, y) in zip(answer["cells"], window_grid(*window, n), strict=True):
        assert (cell["x"], cell["y"]) == pytest.approx((x, y)) and cell["expected_error"] is None
        u, v = view.to_map(x, y)
        latents.append(pca.mean + u * pca.components[0] + v * pca.components[1])
    expected = decode(data.model, np.array(latents, dtype=np.float32))  # the plane inverse, decoded in one batch
    picture = _image(answer)
    assert picture.shape == (n * 32, n * 32, 3)
    for k in range(n * n):
        line, column = divmod(k, n)
        np.testing.assert_array_equal(picture[line * 32:(line + 1) * 32, column * 32:(column + 1) * 32], expected[k])


def test_tsne_atlas_goes_through_the_inverse_and_flags_voids(explorer):
    data, client = explorer
    answer = client.get("/api/atlas?map=tsne&x0=-1&y0=-3&x1=3&y1=1").json()  # default n = 12; most of it empty
    assert answer["n"] == 12 and answer["exact"] is False and len(answer["cells"]) == 144
    assert _image(answer).shape == (12 * 32, 12 * 32, 3)
    view = data.maps["tsne"]
    for cell in answer["cells"][::13]:
        found = invert(view, cell["x"], cell["y"], data.vectors, data.pca)
        assert cell["ratio"] == pytest.approx(found.ratio, rel=1e-6) and cell["void"] == found.void
    outside = [cell["void"] for cell in answer["cells"] if cell["x"] > 1.3 or cell["y"] < -1.3]  # beyond [-1, 1]
    inside = [cell["void"] for cell in answer["cells"] if abs(cell["x"]) < 0.5 and abs(cell["y"]) < 0.5]
    assert all(outside) and len(outside) > 80 and inside.count(False) >= 3


@pytest.mark.parametrize("query", [
    "map=pca-1-2&x0=nan&y0=0&x1=1&y1=1", "map=pca-1-2&x0=0&y0=0&x1=inf&y1=1", "map=pca-1-2&x0=1&y0=0&x1=1&y1=1",
    "map=pca-1-2&x0=1&y0=0&x1=0&y1=1", "map=pca-1-2&x0=0&y0=1&x1=1&y1=1", "map=pca-1-2&x0=0&y0=0&x1=1&y1=1&n=0",
    "map=pca-1-2&x0=0&y0=0&x1=1&y1=1&n=1", "map=pca-1-2&x0=0&y0=0&x1=1&y1=1&n=25",
    "map=pca-1-2&x0=0&y0=0&x1=1&y1=1&n=abc", "map=pca-1-2&x0=0&y0=0&x1=1&y1=1&n=12.0",
    "map=pca-1-2&x0=-1e300&y0=0&x1=1e300&y1=1", "map=pca-1-2&x0=-2000&y0=-1&x1=1&y1=1",
    "map=nope&x0=0&y0=0&x1=1&y1=1", "x0=0&y0=0&x1=1&y1=1", "map=pca-1-2&x0=0&y0=0&x1=1",
    "map=pca-1-2&x0=0&y0=0&x1=1&y1=1&run=1", "map=pca-1-2&x0=0&y0=0&x1=1&y1=1&run=-1"])
def test_bad_windows_are_4xx_with_one_line(explorer, query):
    _, client = explorer
    response = client.get("/api/atlas?" + query)
    assert 400 <= response.status_code < 500 and b"Traceback" not in response.content
    error = response.json()["error"]
    assert error and "\n" not in error and len(error) <= 300


def test_a_huge_valid_window_still_answers(explorer):
    _, client = explorer
    answer = client.get("/api/atlas?map=tsne&x0=-1000&y0=-1000&x1=1000&y1=1000&n=2").json()
    assert len(answer["cells"]) == 4 and all(cell["void"] for cell in answer["cells"])


def test_decodes_carry_the_inverse_expected_error_once_measured(explorer):
    data, client = explorer
    view = data.maps["tsne"]
    study = data.inverse_errors().study(view, wait=True)  # what the first decode started in the background
    assert study is not None and study.default == DEFAULT_METHOD
    click = client.get("/api/invert?map=tsne&x=0.01&y=0.02").json()
    expected = study.expected(click["ratio"])
    assert click["expected_error"] == expected and expected["method"] == DEFAULT_METHOD
    assert expected["pixels"] > 0 and expected["held_out"] == study.held_out > 0
    cells = client.get("/api/atlas?map=tsne&x0=-0.5&y0=-0.5&x1=0.5&y1=0.5&n=3").json()["cells"]
    assert [c["expected_error"] for c in cells] == [study.expected(c["ratio"]) for c in cells]
    exact = client.get("/api/invert?map=pca-1-2&x=0&y=0").json()
    assert exact["exact"] is True and exact["expected_error"] is None


def test_a_study_that_fails_leaves_a_note_and_no_expected_error(explorer):
    data, _ = explorer
    notes: list[str] = []

    def broken(view):
        raise RuntimeError("out of memory")

    errors = ExpectedErrors(broken, notes)
    view = data.maps["tsne"]
    assert errors.study(view, wait=True) is None and errors.expected(view, 1.0) is None
    assert len(notes) == 1 and "RuntimeError: out of memory" in notes[0] and "tsne" in notes[0]


def test_warm_up_measures_the_studies_so_the_first_decode_carries_its_error(vae_run, tmp_path):
    """The server's warm-up ends with each t-SNE/UMAP map's inverse study: the first click already has it,
    and says which inverse made the latent."""
    data = open_explorer(make_explorable_run(vae_run, tmp_path))
    data.warm_up()
    client = TestClient(create_app(data), base_url="http://127.0.0.1", raise_server_exceptions=False)
    click = client.get("/api/invert?map=tsne&x=0.3&y=-0.2").json()
    assert click["method"] == DEFAULT_METHOD
    assert click["expected_error"] is not None and click["expected_error"]["pixels"] > 0
    assert client.get("/api/invert?map=pca-1-2&x=0&y=0").json()["method"] == "exact"


def test_warm_up_without_a_model_measures_nothing(vae_run, tmp_path):
    data = open_explorer(make_explorable_run(vae_run, tmp_path), load_model=False)
    data.warm_up()
    assert data._errors is None
