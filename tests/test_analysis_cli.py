"""zspace analyze end to end: on an encoded run and on a bare .npy (issue 4, SPEC X5)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import typer
from analysis_planted import PLANTED_PAIRS, planted_latents
from typer.testing import CliRunner

from zspace.cli.analyze import analyze, parse_pairs
from zspace.encoding import encode
from zspace.errors import ZspaceError

METRIC_KEYS = {
    "components": {"mean", "std", "half_width", "dominant"},
    "radius": {"mean", "std", "mode", "sqrt_dim"},
    "correlation_summary": {"n_used", "counts_above", "top_pairs"},
    "pca": {"explained_variance_ratio", "components_for_90pct"},
}


def cli_app() -> typer.Typer:
    # main.py registers the command; here a bare app keeps the test independent of that wiring.
    app = typer.Typer()
    app.callback()(lambda: None)
    app.command()(analyze)
    return app


def check_metrics(folder, count: int, dim: int) -> dict:
    metrics = json.loads((folder / "metrics.json").read_text())
    assert metrics["count"] == count and metrics["dim"] == dim
    for key, inner in METRIC_KEYS.items():
        assert inner <= set(metrics[key]), key
    assert len(metrics["components"]["mean"]) == dim
    assert set(metrics["correlation_summary"]["counts_above"]) == {"0.1", "0.2", "0.3", "0.4", "0.5", "0.6"}
    assert len(metrics["pca"]["explained_variance_ratio"]) == dim
    correlation = np.load(folder / "correlation.npy", allow_pickle=False)
    assert correlation.shape == (dim, dim)
    assert all(p.stat().st_size > 1000 for p in (folder / "figures").iterdir())
    metrics["figures"] = {f"figures/{p.name}" for p in (folder / "figures").iterdir()}
    return metrics


def test_analyze_run(vae_run, tmp_path) -> None:
    # encode into a folder of our own: the session's vae_run is shared with other tests
    latents = encode(vae_run, out=tmp_path)
    result = CliRunner().invoke(cli_app(), ["analyze", str(tmp_path), "--tsne", "150", "--tsne-perplexity", "10"])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "analysis"
    metrics = check_metrics(folder, len(latents.vectors), latents.dim)
    names = set(metrics["figures"])
    assert {"figures/components_overlay.png", "figures/radius.png", "figures/correlation.png",
            "figures/pca_variance.png", "figures/pca_plane_1_2.png", "figures/tsne.png"} <= names
    assert not any("1_18" in n or "8_35" in n for n in names)  # d = 8: those PCA planes do not exist
    assert any("(8, 35) skipped" in note for note in metrics["notes"])
    (tsne,) = metrics["maps"]
    assert tsne["rows"] == {"npy": "maps_0_rows.npy"} and tsne["settings"]["perplexity"] == 10
    assert np.load(folder / "maps_0_rows.npy").shape == (150,)
    assert "components_table.png" in {n.split("/")[-1] for n in names} and "active_unit_count" in metrics["components"]
    again = CliRunner().invoke(cli_app(), ["analyze", str(tmp_path), "--tsne", "0"])
    assert isinstance(again.exception, ZspaceError) and "already exists" in str(again.exception)
    (folder / "stale.png").write_bytes(b"x")
    forced = CliRunner().invoke(cli_app(), ["analyze", str(tmp_path), "--tsne", "0", "--pca-planes", "", "--force"])
    assert forced.exit_code == 0, forced.output
    assert not (folder / "stale.png").exists() and not (folder / "tsne.png").exists()
    assert json.loads((folder / "metrics.json").read_text())["maps"] == []


def test_analyze_npy_with_index(tmp_path) -> None:
    vectors = planted_latents(count=3_000)
    vectors[17, 4] = np.nan
    np.save(tmp_path / "z.npy", vectors)
    labels = np.arange(len(vectors)) % 3
    (tmp_path / "index.csv").write_text("label\n" + "\n".join(map(str, labels)) + "\n")
    out = tmp_path / "out"
    args = ["analyze", "--latents", str(tmp_path / "z.npy"), "--index", str(tmp_path / "index.csv"),
            "--out", str(out), "--tsne", "0", "--pca-planes", "1,2;3,30", "--slice-threshold", "2.5"]
    failed = CliRunner().invoke(cli_app(), args)
    assert isinstance(failed.exception, ZspaceError) and "1 of 3000 rows" in str(failed.exception)
    result = CliRunner().invoke(cli_app(), [*args, "--drop-nonfinite"])
    assert result.exit_code == 0, result.output
    metrics = check_metrics(out, 2_999, 24)
    assert metrics["dropped_rows"] == 1
    assert {(p["i"], p["j"]) for p in metrics["correlation_summary"]["top_pairs"]} == set(PLANTED_PAIRS)
    assert "figures/pca_plane_1_2.png" in metrics["figures"] and not any("3_30" in n for n in metrics["figures"])
    assert all(p["slice_threshold"] == 2.5 for p in metrics["planes"])


def test_cli_argument_errors(tmp_path) -> None:
    runner = CliRunner()
    both_missing = runner.invoke(cli_app(), ["analyze"])
    assert isinstance(both_missing.exception, ZspaceError)
    no_out = runner.invoke(cli_app(), ["analyze", "--latents", str(tmp_path / "z.npy")])
    assert "--out" in str(no_out.exception)
    assert parse_pairs("1,2;8,35") == ((1, 2), (8, 35)) and parse_pairs("") == ()
    with pytest.raises(ZspaceError, match="pca-planes"):
        parse_pairs("1;2")
    with pytest.raises(ZspaceError, match="two different axes"):
        parse_pairs("1,2;3,3")
