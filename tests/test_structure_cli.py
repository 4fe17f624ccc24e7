"""zspace analyze --structure and --link (issue 12): the metrics.json block, the figures, the saved arrays."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from test_analysis_cli import cli_app
from typer.testing import CliRunner

from zspace.analysis import AnalysisOptions, analyze, load_analysis
from zspace.analysis.structure import StructureOptions, StructureResult
from zspace.analysis.structure.link_summary import partial_spearman
from zspace.encoding import encode
from zspace.errors import ZspaceError
from zspace.generate.link import generation_link
from zspace.results import to_json
from zspace.run import Run

# small settings, and no PCA-plane figures: the analysis figures, not the structure analysis, are the cost
SMALL = ["--structure-draws", "3", "--structure-queries", "200", "--structure-probes", "50", "--pca-planes", ""]
ISSUE_KEYS = {"intrinsic_dimension", "null_intrinsic_dimension", "tests", "verdict"}
TEST_KEYS = {"name", "data", "null_mean", "null_std", "p_value", "significant"}


def test_analyze_structure_writes_the_issue_block(tmp_path) -> None:
    np.save(tmp_path / "z.npy", np.random.default_rng(0).standard_normal((400, 6)).astype(np.float32))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli_app(), ["analyze", "--latents", str(tmp_path / "z.npy"), "--out", str(out),
                                            "--tsne", "0", "--structure", *SMALL])
    assert result.exit_code == 0, result.output
    assert "structure: " in result.output
    metrics = json.loads((out / "metrics.json").read_text())
    block = metrics["structure"]
    assert ISSUE_KEYS <= set(block)
    assert {"twonn", "mle", "pca_90", "pca_95"} <= set(block["intrinsic_dimension"])
    assert set(block["intrinsic_dimension"]) == set(block["null_intrinsic_dimension"])
    assert block["tests"] and all(TEST_KEYS <= set(t) for t in block["tests"])
    assert all(0 <= t["p_value"] <= 1 and isinstance(t["significant"], bool) for t in block["tests"])
    assert block["null_draws"] == 3 and block["points"] == 400 and "link" not in block
    assert isinstance(block["verdict"], str) and len(block["verdict"]) > 40
    assert (out / "figures" / "structure.png").stat().st_size > 5000
    assert (out / "figures" / "structure_scales.png").stat().st_size > 5000
    assert {name: c["status"] for name, c in block["claims"].items()} == dict.fromkeys(
        ["filaments", "lower_dimension", "voids_beyond_null"], "not found")  # a standard normal cloud
    assert block["scales"]["scales"] == [8, 16, 32] and "structure claims: filaments not found;" in result.output
    loaded = load_analysis(out)  # read back: the report redraws the figure from metrics.json alone
    assert isinstance(loaded.structure, StructureResult)
    assert to_json(loaded.structure) == block


def test_structure_off_by_default_and_library_option(tmp_path) -> None:
    vectors = np.random.default_rng(1).standard_normal((300, 5))
    plain = analyze(vectors, None, AnalysisOptions())
    assert to_json(plain)["structure"] is None and plain.structure is None
    options = AnalysisOptions(structure=StructureOptions(null_draws=2, query_points=100, probes=20))
    measured = analyze(vectors, None, options)
    assert measured.structure is not None and to_json(measured)["structure"]["null_draws"] == 2
    with pytest.raises(ZspaceError, match="StructureOptions"):
        AnalysisOptions(structure=5).validate()  # type: ignore[arg-type]


def test_partial_spearman_matches_residual_ranks() -> None:
    rng = np.random.default_rng(2)
    control = rng.standard_normal(300)
    x, y = control + rng.standard_normal(300), control + rng.standard_normal(300)
    rho, p = partial_spearman(x, y, control)
    assert abs(rho) < 0.2 and 0 < p <= 1  # x and y are linked only through the control
    assert stats.spearmanr(x, y)[0] > 0.3


def encoded_copy(run: Path, folder: Path) -> Path:
    """The session's run copied (it is shared with other tests) and encoded."""
    shutil.copytree(run, folder)
    encode(folder, force=True)
    return folder


def test_link_options_are_checked_before_any_work(tmp_path) -> None:
    for options, message in ((["--link-judge", "judgement"], "--link-judge 'judgement': choose one of stored"),
                             (["--link-images", "1"], "--link-images 1: the pixel distance needs at least 2")):
        result = CliRunner().invoke(cli_app(), ["analyze", str(tmp_path / "no-run"), "--link", "normal", *options])
        assert isinstance(result.exception, ZspaceError) and message in str(result.exception), result.output


def test_generation_link_on_a_tiny_run(vae_run, tmp_path) -> None:
    tmp_path = encoded_copy(vae_run, tmp_path / "run")
    samplers = ["normal", "fullcov", "uniform:b=3"]
    found = generation_link(tmp_path, samplers, count=40, seed=1)
    block = to_json(found)
    assert [row["sampler"] for row in block["rows"]] == samplers
    assert block["pooled"]["count"] == 120
    assert found.qualities[0] == block["primary_quality"] in ("judge_unrealism", "pixel_distance")
    assert {"pixel_distance", "data_distance", "cycle_error"} <= set(found.qualities)
    assert block["settings"]["reference_images"] == len(Run(tmp_path).cache().rows("train"))  # all, < 4,000
    for row, scores in zip(block["rows"], found.samplers, strict=True):
        assert -1 <= row["rho"] <= 1 and 0 <= row["p_value"] <= 1 and 0 <= row["void_share"] <= 1
        for quality in found.qualities:
            expected = stats.spearmanr(scores.void, scores.quality[quality])
            assert row[quality]["rho"] == pytest.approx(expected.statistic, abs=1e-12)
            assert row[quality]["p_value"] == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-300)
        assert np.all(scores.void > 0) and np.all(scores.quality["cycle_error"] >= 0)
        assert np.all(scores.quality["pixel_distance"] > 0)
    assert isinstance(block["verdict"], str) and "pooled" in block["verdict"].lower()
    assert f"Quality used: the {block['primary_quality'].replace('_', ' ')}" in block["verdict"]
    assert isinstance(block["claim"]["found"], bool) and block["claim"]["quality"] == block["primary_quality"]
    assert set(block["matched_depth"]) == set(found.qualities)
    again = generation_link(tmp_path, samplers, count=40, seed=1)
    np.testing.assert_array_equal(again.samplers[2].void, found.samplers[2].void)  # seeded


@pytest.mark.slow
def test_analyze_run_with_link(vae_run, tmp_path) -> None:
    tmp_path = encoded_copy(vae_run, tmp_path / "run")
    result = CliRunner().invoke(cli_app(), ["analyze", str(tmp_path), "--tsne", "0",
                                            "--link", "normal,gmm:k=2", "--link-samples", "30", *SMALL])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "analysis"
    metrics = json.loads((folder / "metrics.json").read_text())
    assert ISSUE_KEYS <= set(metrics["structure"])  # --link turns the structure analysis on
    rows = metrics["link"]["rows"]
    assert [r["sampler"] for r in rows] == ["normal", "gmm:k=2"]
    assert metrics["link"]["primary_quality"] in ("judge_unrealism", "pixel_distance")
    assert metrics["link"]["settings"]["reference_images"] > 0 and "claim" in metrics["link"]
    assert {"structure.png", "structure_link.png", "structure_link_data_distance.png"} <= {
        p.name for p in (folder / "figures").iterdir()}
    loaded = load_analysis(folder).link
    assert loaded is not None and to_json(loaded)["rows"] == rows
