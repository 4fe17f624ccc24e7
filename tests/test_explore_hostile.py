"""Hostile requests to the explorer: traversal in every encoding, bad numbers, unknown ids, wrong types.

Every one must get a 4xx with a short JSON error (never a file outside the run, never a
traceback), and the server must answer normally afterwards.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

pytest.importorskip("fastapi", reason="the explorer needs fastapi (pip install fastapi uvicorn httpx)")
pytest.importorskip("httpx", reason="FastAPI's test client needs httpx")

import typer  # noqa: E402
from explore_fixtures import make_explorable_run  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from zspace.cli.explore import explore, is_loopback  # noqa: E402
from zspace.explore.app import create_app  # noqa: E402
from zspace.explore.data import open_explorer  # noqa: E402

TRAVERSALS = [
    "../../pyproject.toml", "..%2f..%2fpyproject.toml", "%2e%2e%2f%2e%2e%2fpyproject.toml",
    "%2e%2e/%2e%2e/pyproject.toml", "%252e%252e%252f%252e%252e%252fpyproject.toml", "..%5c..%5cpyproject.toml",
    "%c0%ae%c0%ae%c0%afpyproject.toml", "....//....//pyproject.toml", "%2fetc%2fpasswd", "..%00.png",
    "%2e%2e%2f%2e%2e%2fconfig.json", "..%252fconfig.json", "model.safetensors", "latents.npy",
]
PREFIXES = ["/static/", "/figures/", "/api/thumb/", "/api/map/", "/api/spatial/", "/api/colour/tsne/", "/api/legend/",
            "/api/point/", "/api/neighbours/", "/api/sprites/"]
BAD_QUERIES = [
    "/api/invert?map=pca-1-2&x=nan&y=0", "/api/invert?map=pca-1-2&x=inf&y=0", "/api/invert?map=pca-1-2&x=0&y=-inf",
    "/api/invert?map=pca-1-2&x=1e999&y=0", "/api/invert?map=pca-1-2&x=1e308&y=0", "/api/invert?map=tsne&x=NaN&y=NaN",
    "/api/invert?map=pca-1-2&x=abc&y=0", "/api/invert?map=pca-1-2&x=&y=0", "/api/invert?map=pca-1-2&x=0",
    "/api/invert?map=../../etc&x=0&y=0", "/api/invert?map=nope&x=0&y=0", "/api/invert?x=0&y=0",
    "/api/invert?map=pca-1-2&x=0x10&y=0", "/api/invert?map=pca-1-2&x=1,2&y=0",
    "/api/neighbours/3?k=0", "/api/neighbours/3?k=-1", "/api/neighbours/3?k=100000000000000000000000",
    "/api/neighbours/3?k=1.5", "/api/neighbours/3?k=nan", "/api/neighbours/3?k=192",
    "/api/thumb/-1.png", "/api/thumb/192.png", "/api/thumb/99999999999999999999999999.png", "/api/thumb/1e3.png",
    "/api/thumb/abc.png", "/api/thumb/nan.png", "/api/point/-5", "/api/point/1.0", "/api/point/inf",
    "/api/neighbours/192", "/api/map/nope", "/api/map/tsne_pca999", "/api/spatial/nope", "/api/spatial/TSNE",
    "/api/colour/nope/split",
    "/api/colour/tsne/nope", "/api/colour/tsne/z8", "/api/colour/tsne/z-1", "/api/colour/tsne/z01x",
    "/api/legend/source_id%00", "/figures/metrics.json", "/figures/../metrics.json", "/report/../config.json",
    "/static/index.html", "/static/", "/api/thumb/5",
    # several runs (issue 22): run=K on every route; sprite tiles; the decoded atlas
    "/api/info?run=-1", "/api/info?run=99", "/api/info?run=abc", "/api/info?run=1", "/api/info?run=",
    "/api/info?run=0x0", "/api/map/tsne?run=1", "/api/thumb/5.png?run=%2e%2e", "/api/colour/tsne/split?run=1e0",
    "/api/invert?map=pca-1-2&x=0&y=0&run=99999999999999999999", "/report?run=1", "/figures/radius.png?run=-1",
    "/api/colour/tsne/agreement", "/api/colour/tsne/placement", "/api/legend/agreement",
    "/api/sprites/1.png", "/api/sprites/-1.png", "/api/sprites/0.png?size=7", "/api/sprites/0.png?size=",
    "/api/sprites/0.png?size=-32", "/api/sprites/1e0.png", "/api/sprites/0.png?run=2",
    "/api/atlas?map=tsne&x0=nan&y0=0&x1=1&y1=1", "/api/atlas?map=tsne&x0=1&y0=0&x1=1&y1=1",
    "/api/atlas?map=tsne&x0=0&y0=0&x1=1&y1=1&n=0", "/api/atlas?map=tsne&x0=0&y0=0&x1=1&y1=1&n=25",
    "/api/atlas?map=tsne&x0=0&y0=0&x1=1&y1=1&n=abc", "/api/atlas?map=tsne&x0=-1e308&y0=-1e308&x1=1e308&y1=1e308",
    "/api/atlas?map=../tsne&x0=0&y0=0&x1=1&y1=1", "/api/atlas?map=tsne&x0=0&y0=0&x1=1&y1=1&run=-1",
]


@pytest.fixture(scope="module")
def client(vae_run, tmp_path_factory):
    run = make_explorable_run(vae_run, tmp_path_factory.mktemp("explore-hostile"))
    return TestClient(create_app(open_explorer(run)), base_url="http://127.0.0.1", raise_server_exceptions=False)


def _refused(response, secret: bytes = b"[project]") -> None:
    assert 400 <= response.status_code < 500, (response.request.url, response.status_code, response.text[:200])
    assert secret not in response.content and b"Traceback" not in response.content
    assert b'"latent_dim"' not in response.content  # config.json
    if response.headers.get("content-type", "").startswith("application/json"):
        error = response.json().get("error", "")
        assert error and "\n" not in error and len(error) <= 300


@pytest.mark.parametrize("prefix", PREFIXES)
def test_path_traversal_in_every_encoding_is_refused(client, prefix):
    for attack in TRAVERSALS:
        _refused(client.get(prefix + attack))
    assert client.get("/api/info").status_code == 200


def test_bad_numbers_and_unknown_ids_are_4xx_with_one_line(client):
    for url in BAD_QUERIES:
        _refused(client.get(url))
    assert client.get("/api/invert?map=pca-1-2&x=0.1&y=0.1").status_code == 200  # the server lives on
    assert client.get("/api/atlas?map=tsne&x0=-1&y0=-1&x1=1&y1=1&n=2").status_code == 200
    assert client.get("/api/sprites/0.png?size=16").status_code == 200


def test_bad_selections(client):
    _refused(client.post("/api/select?map=tsne", content=b""))
    _refused(client.post("/api/select?map=tsne", content=b"\x01\x02\x03"))
    _refused(client.post("/api/select?map=tsne", content=np.array([0, 150], "<u4").tobytes()))  # 150 points: 0..149
    _refused(client.post("/api/select?map=tsne", content=np.array([2**32 - 1], "<u4").tobytes()))
    _refused(client.post("/api/select?map=tsne", content=b"\0" * (4 * 151)))  # more ids than points
    _refused(client.post("/api/select?map=nope", content=b"\0\0\0\0"))
    _refused(client.post("/api/select", content=b"\0\0\0\0"))
    _refused(client.post("/api/select?map=tsne", content=b"\0\0\0\0", headers={"content-length": "99999999999"}))
    _refused(client.get("/api/select?map=tsne"))  # wrong method: 405
    _refused(client.delete("/api/info"))
    assert client.post("/api/select?map=tsne", content=b"\0\0\0\0").json()["count"] == 1


def test_foreign_host_header_is_refused(client):
    response = client.get("/api/info", headers={"host": "evil.example"})
    assert response.status_code == 400
    assert client.get("/api/info", headers={"host": "localhost:8765"}).status_code == 200


def test_pages_carry_a_content_security_policy(client):
    page = client.get("/")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert b"http://" not in page.content and b"https://" not in page.content  # nothing from a CDN
    files = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
    assert "/static/app.js" in files
    for name in files:  # every file the page asks for is served; ours load nothing from elsewhere (the CSP
        response = client.get(name)  # blocks it anyway; the vendored bundle names URLs in its strings)
        assert response.status_code == 200, name
        if "regl-scatterplot" not in name:
            assert b"http://" not in response.content and b"https://" not in response.content, name


def test_non_loopback_host_needs_saying_so(vae_run, tmp_path):
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4") and not is_loopback("example.org")
    app = typer.Typer()
    app.command()(explore)
    result = CliRunner().invoke(app, [str(vae_run), "--host", "0.0.0.0"])
    assert result.exit_code != 0 and "--allow-remote" in str(result.exception)
    result = CliRunner().invoke(app, [str(vae_run), "--port", "70000"])
    assert "--port 70000" in str(result.exception)
