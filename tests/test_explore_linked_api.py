"""Several runs in one explorer (issue 22 §1): run=K on every route, /api/runs, linked only on the same images."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

pytest.importorskip("fastapi", reason="the explorer needs fastapi (pip install fastapi uvicorn httpx)")
pytest.importorskip("httpx", reason="FastAPI's test client needs httpx")

import typer  # noqa: E402
from explore_fixtures import TSNE_ROWS, make_explorable_run  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from test_explore_agreement import brute_force  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from zspace.cli.explore import explore  # noqa: E402
from zspace.data.cache import prepare_cache  # noqa: E402
from zspace.data.synthetic_faces import synthetic_faces_source  # noqa: E402
from zspace.encoding import encode  # noqa: E402
from zspace.explore.app import create_app  # noqa: E402
from zspace.explore.data import open_explorer  # noqa: E402
from zspace.explore.runs import RunSet, link_runs  # noqa: E402


def _point_latents_at(run, cache) -> None:
    """Say in latents.json that the run's latents were encoded from ``cache`` (same rows, another folder)."""
    meta = json.loads(run.latents_meta_file.read_text())
    meta["data"] = str(cache)
    run.latents_meta_file.write_text(json.dumps(meta))


@pytest.fixture(scope="module")
def two_runs(vae_run, tmp_path_factory):
    """Run "a" and run "b" on the same cache; b's latents are a's plus noise, so their neighbourhoods differ."""
    a = make_explorable_run(vae_run, tmp_path_factory.mktemp("linked-a"), fitted_every=3)
    b = make_explorable_run(vae_run, tmp_path_factory.mktemp("linked-b"))
    vectors = np.load(a.latents_file)
    noisy = vectors + np.random.default_rng(0).normal(0, vectors.std(), vectors.shape).astype(np.float32)
    np.save(b.latents_file, noisy)
    runs = [open_explorer(a), open_explorer(b, load_model=False)]
    return runs, TestClient(create_app(runs), base_url="http://127.0.0.1", raise_server_exceptions=False)


def test_two_runs_on_one_cache_are_linked_and_row_r_is_the_same_image(two_runs):
    runs, client = two_runs
    answer = client.get("/api/runs").json()
    assert answer["linked"] is True and "same 192 images" in answer["link_note"]
    assert [(r["index"], r["count"], r["dim"]) for r in answer["runs"]] == [(0, 192, 8), (1, 192, 8)]
    parents = [data.run.path.parent.name for data in runs]  # both folders are named "run": told apart by parent
    assert [r["name"] for r in answer["runs"]] == [f"{parents[0]}/run", f"{parents[1]}/run"]
    for row in (0, 77, 191):
        assert client.get(f"/api/thumb/{row}.png?run=0").content == client.get(f"/api/thumb/{row}.png?run=1").content
    assert client.get("/api/thumb/5.png?run=1").content != client.get("/api/thumb/6.png?run=1").content
    assert "agreement" in client.get("/api/info?run=1").json()["colour_options"]


def test_run_k_selects_the_run_on_every_route(two_runs):
    runs, client = two_runs
    assert client.get("/api/info").json()["run"] == client.get("/api/info?run=0").json()["run"] == "run"
    assert client.get("/api/info?run=1").json()["decoder"] is False  # run 1 was opened without its model
    for k, data in enumerate(runs):
        near = client.get(f"/api/neighbours/4?k=3&run={k}").json()["rows"]
        assert near == data.neighbours(4, 3)[0].tolist()
    assert client.get("/api/neighbours/4?k=3&run=0").json() != client.get("/api/neighbours/4?k=3&run=1").json()
    assert client.get("/api/invert?map=pca-1-2&x=0&y=0&run=1").status_code == 409  # no model: nothing decoded
    for bad, status in (("-1", 422), ("abc", 422), ("1.0", 422), ("2", 404), ("99", 404)):
        response = client.get(f"/api/info?run={bad}")
        assert response.status_code == status and "run" in response.json()["error"]
    assert client.get("/api/runs").status_code == 200  # the server lives on


def test_placement_colours_fitted_and_placed_points(two_runs):
    runs, client = two_runs
    info = client.get("/api/info?run=0").json()
    tsne = next(m for m in info["maps"] if m["name"] == "tsne")
    assert (tsne["fitted"], tsne["placed"]) == (50, 100) and "placement" in info["colour_options"]
    values = np.frombuffer(client.get("/api/colour/tsne/placement?run=0").content, "<f4")
    assert np.array_equal(values, (np.arange(TSNE_ROWS) % 3 != 0).astype(np.float32))  # 0 fitted, 1 placed
    legend = client.get("/api/legend/placement?run=0&map=tsne").json()
    assert [(c["name"], c["count"]) for c in legend["categories"]] == [("fitted", 50), ("placed", 100)]
    assert client.get("/api/colour/pca-1-2/placement?run=0").status_code == 422  # a PCA plane places nothing
    assert "placement" not in client.get("/api/info?run=1").json()["colour_options"]  # b's map did not say


def test_the_agreement_colouring_is_the_brute_force_on_the_map_points(two_runs) -> None:
    runs, client = two_runs
    expected = brute_force(np.asarray(runs[0].vectors), np.asarray(runs[1].vectors), 10)
    for k in (0, 1):
        values = np.frombuffer(client.get(f"/api/colour/tsne/agreement?run={k}").content, "<f4")
        rows = runs[k].maps["tsne"].rows
        np.testing.assert_allclose(values, expected[rows], atol=1e-5)
    legend = client.get("/api/legend/agreement?run=0").json()
    assert legend["minimum"] == 0 and legend["maximum"] == 1 and legend["note"] == "all 192 rows"
    assert 0 < legend["mean"] < 1


def test_runs_on_other_images_are_not_linked_and_say_why(vae_run, tmp_path):
    run = make_explorable_run(vae_run, tmp_path / "one")
    data = open_explorer(run, load_model=False)
    other_cache = tmp_path / "faces-100"
    prepare_cache(synthetic_faces_source(count=100, size=32, seed=9), other_cache)
    other = make_explorable_run(vae_run, tmp_path / "two")
    encode(other, data=other_cache, force=True)
    link = link_runs([data, open_explorer(other, "pca", load_model=False)])
    assert not link.linked
    assert f"{data.cache_dir} (192 rows)" in link.note and f"{other_cache} (100 rows)" in link.note
    assert "without linking" in link.note and "\n" not in link.note
    client = TestClient(create_app(RunSet([data, open_explorer(other, "pca", load_model=False)])),
                        base_url="http://127.0.0.1")
    answer = client.get("/api/runs").json()
    assert answer["linked"] is False and answer["link_note"] == link.note
    assert "agreement" not in client.get("/api/info?run=0").json()["colour_options"]
    assert client.get("/api/colour/pca-1-2/agreement?run=0").status_code == 404


def test_a_copy_of_the_cache_links_and_a_changed_copy_does_not(two_runs, vae_run, tmp_path):
    runs, _ = two_runs
    copy = tmp_path / "copy"
    shutil.copytree(runs[0].cache_dir, copy)
    second = make_explorable_run(vae_run, tmp_path / "second")
    _point_latents_at(second, copy)
    assert link_runs([runs[0], open_explorer(second, "pca", load_model=False)]).linked
    images = np.load(copy / "images.npy", mmap_mode="r+")
    images[0] = 255 - images[0]  # row 0 is among the rows the fingerprint reads
    images.flush()
    link = link_runs([runs[0], open_explorer(second, "pca", load_model=False)])
    assert not link.linked and "same row count but other images" in link.note


def test_the_command_refuses_a_run_given_twice_or_too_many_runs(vae_run):
    app = typer.Typer()
    app.command()(explore)
    result = CliRunner().invoke(app, [str(vae_run), str(vae_run / ".." / vae_run.name)])
    assert result.exit_code != 0 and "given twice" in str(result.exception)
    result = CliRunner().invoke(app, [str(vae_run)] * 5)
    assert result.exit_code != 0 and "1 to 4 runs" in str(result.exception)

