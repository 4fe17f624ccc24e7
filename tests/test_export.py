"""zspace export (issue 22, section 6): one Parquet table of a run, read back column by column."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from zspace.analysis.result import AnalysisResult
from zspace.analysis.tsne import EmbeddingMap
from zspace.cli.main import main
from zspace.data.cache import open_cache
from zspace.data.index_table import read_index, write_index
from zspace.encoding import encode
from zspace.errors import ZspaceError
from zspace.export import export_table, thumbnail_png
from zspace.results import write_fields
from zspace.run import Run

pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed; 'make test' installs it with zspace")
pq = pytest.importorskip("pyarrow.parquet")

FITTED = 100  # the t-SNE map of the 192 rows is fitted on 100 and places the other 92


ANALYZED: dict[str, str] = {}  # what 'zspace analyze' printed for the module's run


@pytest.fixture(scope="module")
def analysed_run(vae_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The session's VAE run, encoded and analysed by the CLI with a t-SNE map of every row (fitted on FITTED)."""
    run = Run(tmp_path_factory.mktemp("export") / "run")
    shutil.copytree(vae_run, run.path)
    encode(run, force=True)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(["analyze", str(run.path), "--tsne-fit", str(FITTED), "--tsne-perplexity", "10",
                     "--pca-planes", "", "--zooms", "full"])
    assert code == 0, printed.getvalue()
    ANALYZED["out"] = printed.getvalue()
    return run


def test_analyze_maps_every_row_and_says_how(analysed_run: Run) -> None:
    assert "tsne map: 192 points (100 fitted, 92 placed in the fitted map)" in ANALYZED["out"]
    assert (analysed_run.analysis_dir / "figures" / "tsne.png").stat().st_size > 5_000


def test_every_column_reads_back_in_row_order_with_its_type(analysed_run: Run, tmp_path: Path) -> None:
    run = analysed_run
    summary = export_table(run, tmp_path / "t.parquet", row_group_rows=50)
    vectors = np.asarray(run.latents().vectors)
    cache = open_cache(run.training_data())
    index = cache.index
    count, dim = vectors.shape
    assert summary.rows == count == 192 and summary.row_groups == 4
    assert pq.ParquetFile(tmp_path / "t.parquet").metadata.num_row_groups == 4
    table = pq.read_table(tmp_path / "t.parquet")
    planes = ["pca_1_2", "pca_1_3", "pca_2_3"]  # the explorer's planes that 8 dimensions allow, minus 1-18, 8-35
    expected = ["row", "tsne_x", "tsne_y", "tsne_fitted", *(f"{p}_{a}" for p in planes for a in "xy"), "radius",
                "latent", *index, "image"]
    assert table.column_names == expected == summary.columns
    schema = table.schema
    assert schema.field("row").type == pa.int64() and schema.field("tsne_x").type == pa.float32()
    assert schema.field("tsne_fitted").type == pa.bool_() and schema.field("radius").type == pa.float32()
    assert schema.field("latent").type == pa.list_(pa.float32(), dim)
    assert schema.field("split").type == pa.string()
    assert schema.field("image").type == pa.struct([("bytes", pa.binary()), ("path", pa.string())])
    assert np.array_equal(table["row"].to_numpy(), np.arange(count))
    # the latent vectors exactly, and their norms
    latent = np.asarray(table["latent"].combine_chunks().flatten()).reshape(count, dim)
    np.testing.assert_array_equal(latent, vectors)
    np.testing.assert_allclose(table["radius"].to_numpy(), np.linalg.norm(vectors, axis=1), rtol=1e-6)
    # the saved t-SNE map: every row, the fitted ones marked
    saved = run.analysis().maps[0]
    np.testing.assert_array_equal(table["tsne_x"].to_numpy(), saved.coordinates[:, 0].astype(np.float32))
    np.testing.assert_array_equal(table["tsne_y"].to_numpy(), saved.coordinates[:, 1].astype(np.float32))
    assert np.array_equal(table["tsne_fitted"].to_numpy(), saved.fitted) and saved.fitted.sum() == FITTED
    # a PCA plane: the centred vectors on the analysis' axes 1 and 3
    pca = run.analysis().pca
    plane = (vectors - pca.mean) @ pca.components[[0, 2]].T
    np.testing.assert_allclose(table["pca_1_3_x"].to_numpy(), plane[:, 0], atol=1e-5)
    np.testing.assert_allclose(table["pca_1_3_y"].to_numpy(), plane[:, 1], atol=1e-5)
    # the index columns as the cache has them
    for name, column in index.items():
        assert table[name].to_pylist() == np.asarray(column).tolist(), name
    # the images: PNGs of the cached images, pixel for pixel (32 px is below the 64 px thumbnail)
    for row in (0, 77, count - 1):
        png = table["image"][row].as_py()
        assert png["path"] is None and png["bytes"].startswith(b"\x89PNG")
        assert np.array_equal(np.asarray(Image.open(io.BytesIO(png["bytes"])).convert("RGB")), cache.images[row])
    metadata = json.loads(schema.metadata[b"zspace"])
    assert metadata["rows"] == count and metadata["maps"]["tsne"].endswith(f"({FITTED} fitted, 92 placed)")


def test_a_subsampled_map_is_null_outside_its_rows_and_options_drop_columns(analysed_run: Run,
                                                                           tmp_path: Path) -> None:
    run = Run(tmp_path / "run")
    shutil.copytree(analysed_run.path, run.path)
    rows = np.arange(0, 192, 3)
    old = EmbeddingMap("tsne", rows, np.stack([rows, -rows], axis=1).astype(np.float64), 0, {})  # no `fitted`
    write_fields(AnalysisResult, run.analysis_dir, {"count": 192, "dim": 8, "maps": [old]})
    export_table(run, tmp_path / "t.parquet", thumbnail=16, latent=False)
    table = pq.read_table(tmp_path / "t.parquet")
    assert "latent" not in table.column_names
    x = table["tsne_x"]
    assert x.null_count == 192 - len(rows) and table["tsne_fitted"].null_count == 192 - len(rows)
    assert x.to_pylist()[3] == 3.0 and x.to_pylist()[4] is None and table["tsne_fitted"].to_pylist()[3] is True
    picture = Image.open(io.BytesIO(table["image"][5].as_py()["bytes"]))
    assert picture.size == (16, 16)
    cached = open_cache(run.training_data()).images[5]
    assert np.array_equal(np.asarray(picture.convert("RGB")),
                          np.asarray(Image.fromarray(cached).resize((16, 16), Image.Resampling.BOX)))
    export_table(run, tmp_path / "bare.parquet", thumbnail=0)
    assert "image" not in pq.read_schema(tmp_path / "bare.parquet").names


def test_an_index_column_with_a_taken_name_is_renamed(analysed_run: Run, tmp_path: Path) -> None:
    run = Run(tmp_path / "run")
    shutil.copytree(analysed_run.path, run.path)
    cache = tmp_path / "cache"
    shutil.copytree(analysed_run.training_data(), cache)
    columns = dict(read_index(cache / "index.csv"))
    columns["radius"] = np.arange(192) * 10  # clashes with the latent norm column
    write_index(cache / "index.csv", columns)
    meta = json.loads(run.latents_meta_file.read_text())
    run.latents_meta_file.write_text(json.dumps({**meta, "data": str(cache)}))
    table = pq.read_table(export_table(run, tmp_path / "t.parquet", thumbnail=0).path)
    assert table["index_radius"].to_pylist() == list(range(0, 1920, 10))
    assert table["radius"].type == pa.float32() and table.column_names.count("radius") == 1


def test_thumbnail_of_a_grey_image_keeps_its_shape() -> None:
    grey = np.arange(48 * 24, dtype=np.uint8).reshape(48, 24, 1)
    picture = Image.open(io.BytesIO(thumbnail_png(grey, 12)))
    assert picture.size == (6, 12) and picture.mode == "L"


def test_export_refuses_bad_values_and_an_existing_file(analysed_run: Run, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "t.parquet"
    assert main(["export", str(analysed_run.path), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "192 rows" in printed and f"embedding-atlas {out} --x tsne_x --y tsne_y --image image" in printed
    assert "(100 fitted, 92 placed)" in printed
    before = out.read_bytes()
    assert main(["export", str(analysed_run.path), "--out", str(out)]) == 2
    assert "(--out, --force)" in capsys.readouterr().err and out.read_bytes() == before
    assert main(["export", str(analysed_run.path), "--out", str(out), "--format", "csv"]) == 2
    assert "export format 'csv'" in capsys.readouterr().err
    assert main(["export", str(analysed_run.path), "--out", str(out), "--thumbnail", "-1", "--force"]) == 2
    assert "(--thumbnail)" in capsys.readouterr().err
    with pytest.raises(ZspaceError, match="is a folder"):
        export_table(analysed_run, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.parquet"]  # no temporary file left


def test_embedding_atlas_loads_the_table_as_it_is(analysed_run: Run, tmp_path: Path) -> None:
    """embedding-atlas's own command line, offline: load the file, then export its static viewer with our
    map, vectors and images. Skipped (with the reason) where embedding-atlas is not installed."""
    pytest.importorskip("embedding_atlas", reason="embedding-atlas is not installed here (pip install "
                        "embedding-atlas); its loader was not tried")
    import narwhals as nw
    from click.testing import CliRunner
    from embedding_atlas.cli import load_datasets
    from embedding_atlas.cli import main as atlas_main
    from embedding_atlas.projection import _infer_modality

    path = tmp_path / "t.parquet"
    export_table(analysed_run, path)
    frame = load_datasets([str(path)])
    assert len(frame) == 192 and list(frame["row"]) == list(range(192))
    assert _infer_modality(nw.from_native(frame["image"], series_only=True)) == "image"
    assert _infer_modality(nw.from_native(frame["latent"], series_only=True)) == "vector"
    archive = tmp_path / "atlas.zip"
    done = CliRunner().invoke(atlas_main, [str(path), "--x", "tsne_x", "--y", "tsne_y", "--image", "image",
                                           "--export-application", str(archive)])
    assert done.exit_code == 0, done.output
    with zipfile.ZipFile(archive) as bundle:
        served = pq.read_table(io.BytesIO(bundle.read("data/dataset.parquet")))
    assert served.num_rows == 192
    assert served["tsne_x"].to_pylist() == pq.read_table(path)["tsne_x"].to_pylist()


def test_jupyter_scatter_plots_the_table_as_it_is(analysed_run: Run, tmp_path: Path) -> None:
    """jupyter-scatter's widget on the table read by pandas, coloured by an index column; skipped (with the
    reason) where jupyter-scatter is not installed."""
    jscatter = pytest.importorskip("jscatter", reason="jupyter-scatter is not installed here (pip install "
                                   "jupyter-scatter); its widget was not tried")
    import pandas

    path = tmp_path / "t.parquet"
    export_table(analysed_run, path)
    frame = pandas.read_parquet(path)
    scatter = jscatter.Scatter(data=frame, x="tsne_x", y="tsne_y", color_by="split")
    points = np.asarray(scatter.widget.points)
    assert points.shape[0] == 192 and np.isfinite(points[:, :2]).all()
    assert scatter.color()["by"] == "split"
