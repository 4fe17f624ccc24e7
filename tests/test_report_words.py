"""Every word and number of the report right (issue 23 section 2, items 1-4 and 7-10).

Each test builds a case whose answer is known (a latent set, a history, evaluation rows, sample folders) and
reads what the report, the CLI summary or the explorer's side panel says about it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy import stats

from zspace.analysis import AnalysisOptions, analyze
from zspace.analysis.radius import chi_mean
from zspace.cli.main import main
from zspace.errors import ZspaceError
from zspace.explore.summary import VERDICT_CHARACTERS, headline
from zspace.report.build import aligned_rows, build_report, open_view
from zspace.report.sections.analysis import component_section, radius_section
from zspace.report.sections.generation import sample_section
from zspace.report.sections.overview import data_section
from zspace.report.sections.verdicts import quality_section
from zspace.results import save

FAST = AnalysisOptions(pca_planes=(), plane_pairs=0)
DOCS = Path(__file__).resolve().parents[1] / "docs"


def analysis_folder(z: np.ndarray, folder: Path) -> Path:
    """A bare analysis folder (metrics.json + arrays, no figures): what the report reads."""
    save(analyze(z.astype(np.float32), None, FAST), folder)
    return folder


def partly_active_latents(count: int = 8_000, seed: int = 0) -> np.ndarray:
    """12 live components (std 1), 17 collapsed (std 0.1), and 3 partly active ones (z29-z31): a narrow spike at
    zero for 85 % of the rows and std 1.6 for the rest, so std about 0.63 but a half-width like a collapsed one."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((count, 32)) * np.r_[np.full(12, 1.0), np.full(20, 0.1)]
    for j in (29, 30, 31):
        wide = rng.random(count) < 0.15
        z[wide, j] = rng.standard_normal(int(wide.sum())) * 1.6
    return z


# -- item 1: "inactive" is what the docs say: under a tenth of the live variance -------------------------------
def test_partly_active_components_are_not_called_collapsed(tmp_path: Path) -> None:
    z = partly_active_latents()
    components = analyze(z.astype(np.float32), None, FAST).components
    std = z.std(axis=0, ddof=1)
    assert np.all((std[29:] > 0.5) & (std[29:] < 0.8))  # the VAE: std 0.50-0.81 called inactive
    assert components.half_width[29:].max() < 0.3 * np.median(components.half_width[:12])  # narrow at the peak
    assert components.inactive == list(range(12, 29))
    assert components.labels[29:] == ["typical"] * 3
    live_variance = np.median(std[:12] ** 2)
    assert all(std[i] ** 2 < 0.1 * live_variance for i in components.inactive)  # docs/analysis.md's definition
    # the figures' "live components first" puts them before the collapsed ones (drawn grey)
    assert set(components.live_first[-17:]) == set(range(12, 29))
    column = component_section(open_view(analysis_folder(z, tmp_path / "a")))
    text = " ".join(column.paragraphs)
    assert "Inactive (collapsed): 17 components" in text and "3 of them (z29, z30, z31)" in text
    assert "partly active" in text


# -- item 2: which criterion makes a component dominant -------------------------------------------------------
def test_groups_sentence_says_width_or_centre(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    stds = rng.uniform(1.8, 2.6, 16)
    stds[7] = 2.9  # the widest, still inside the one width group
    shifts = rng.uniform(-0.3, 0.3, 16)
    shifts[[3, 6, 11, 14]] = [2.6, -2.4, 2.5, -2.7]  # four far from zero: dominant by their centres
    z = rng.standard_normal((6_000, 16)) * stds + shifts
    folder = analysis_folder(z, tmp_path / "ae")
    view = open_view(folder)
    components = view.analysis.components  # read back from metrics.json: the criteria are saved
    assert len(components.width_groups) == 1
    assert [(d.index, d.criteria) for d in components.dominant] == [(i, ["centre"]) for i in (3, 6, 11, 14)]
    widest = components.by_half_width[0]
    assert widest not in (3, 6, 11, 14) and components.labels[widest] == "typical"
    text = " ".join(component_section(view).paragraphs)
    assert "no component is dominant by its width" in text and f"the widest, z{widest}" in text
    assert "Dominant by centre: 4 components (z3, z6, z11, z14)" in text
    assert "dominant (live) group" not in text
    rows = {row[0]: row[-1] for row in component_section(view).tables[0].rows}
    assert rows[f"z{widest}"] == "typical"
    assert all(rows.get(f"z{i}", "dominant (by centre)") == "dominant (by centre)" for i in (3, 6, 11, 14))


def test_criteria_of_an_analysis_saved_before_they_existed_come_from_why() -> None:
    from zspace.analysis.components import ComponentStatistics, DominantComponent

    zero = np.zeros(3)
    components = ComponentStatistics(zero, zero, zero, zero, zero, np.zeros(2), np.zeros((3, 1)), dominant=[
        DominantComponent(0, 0.0, 1.0, "half-width 1 in the widest of 2 groups (group centre 1)"),
        DominantComponent(1, 2.0, 1.0, "centre +2 in the group of largest |centre| (2 typical stds)"),
        DominantComponent(2, 2.0, 1.0, "centre +2 in the group of largest |centre|; half-width 1 in the widest")])
    assert components.dominant_by("width") == [0, 2] and components.dominant_by("centre") == [1, 2]


# -- item 3: the KL share of a loss that holds kl_weight x KL ---------------------------------------------------
def test_kl_share_counts_the_kl_weight(tmp_path: Path) -> None:
    run = tmp_path / "vae"
    run.mkdir()
    (run / "history.csv").write_text("epoch,train_loss,train_reconstruction,train_kl\n"
                                     "1,400.0,370.0,6.0\n2,307.02,283.78,4.65\n", encoding="utf-8")
    (run / "train_config.json").write_text(json.dumps({"kl_weight": 5.0}), encoding="utf-8")
    from zspace.report.sections.base import RunView
    from zspace.run import Run

    text = " ".join(data_section(RunView(Run(run))).paragraphs)
    share = 100 * 5 * 4.65 / 307.02  # 7.6 %, the numbers
    assert f"({share:.1f} %)" in text and "weighted by 5" in text
    (run / "train_config.json").unlink()  # no config: the weight is read off the loss (loss - reconstruction)
    assert f"({share:.1f} %)" in " ".join(data_section(RunView(Run(run))).paragraphs)


# -- item 4: the radius of N(0, I) is the chi mean, not sqrt(d) -------------------------------------------------
@pytest.mark.parametrize("dim", [1, 2, 3, 32, 256])
def test_chi_mean_matches_scipy(dim: int) -> None:
    assert chi_mean(dim) == pytest.approx(stats.chi.mean(dim), rel=1e-12)


def test_radius_of_standard_normal_data_is_close_to_the_chi_mean_at_d_2(tmp_path: Path) -> None:
    z = np.random.default_rng(0).standard_normal((20_000, 2))
    view = open_view(analysis_folder(z, tmp_path / "d2"))
    text = radius_section(view).paragraphs[0]
    expected = stats.chi.mean(2)  # 1.25; sqrt(2) = 1.41 would put N(0, I) data "inside" its own shell
    assert f"mean radius of {expected:.2f}" in text and "sits close to that shell" in text
    assert view.analysis.radius.chi_mean == pytest.approx(expected)
    lines = {line["name"]: line["value"] for line in headline({"radius": view.analysis.radius}, 20_000, 2)}
    assert lines["radius"].endswith(f"(N(0, I): mean {expected:.2f})")


# -- item 7: evaluations written elsewhere, several runs' rows ---------------------------------------------------
def evaluation(folder: Path, rows: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "evaluation.json").write_text(json.dumps({"rows": rows}), encoding="utf-8")
    return folder


def rows_of(run: Path, name: str, fds: dict[str, float]) -> list[dict]:
    return [{"run": name, "run_path": str(run), "sampler": s, "judge": "factors", "n": 1000, "fd": fd}
            for s, fd in fds.items()]


@pytest.fixture(scope="module")
def two_analyses(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("runs")
    rng = np.random.default_rng(5)
    return (analysis_folder(rng.standard_normal((600, 4)), root / "vae"),
            analysis_folder(2 * rng.standard_normal((600, 4)), root / "ae"))


def test_report_reads_an_evaluation_written_elsewhere(two_analyses, tmp_path: Path) -> None:
    vae, ae = two_analyses
    elsewhere = evaluation(tmp_path / "eval", rows_of(vae, "vae", {"held-out data": 0.04, "normal": 0.36,
                                                                   "gmm:k=10": 0.25})
                           + rows_of(ae, "ae", {"held-out data": 0.03, "normal": 0.10, "gmm:k=10": 0.2}))
    column = quality_section(open_view(vae))
    assert column.missing_key == "evaluation"  # only RUN/evaluation/ would have been read
    out = tmp_path / "r.html"
    assert main(["report", str(vae), "--compare", str(ae), "--out", str(out), "--evaluation", str(elsewhere)]) == 0
    html = out.read_text(encoding="utf-8")
    quality = html[html.index('<section id="quality">'):html.index('<section id="structure">')]
    undecided = "inconclusive (no interval to decide with)"  # these rows carry no fd_ci
    assert f"For vae&#39;s samplers, FD from best to worst: gmm:k=10 0.25, normal 0.36; gmm:k=10 against normal: " \
           f"{undecided}." in quality
    assert f"For ae&#39;s samplers, FD from best to worst: normal 0.1, gmm:k=10 0.2; normal against gmm:k=10: " \
           f"{undecided}." in quality
    assert quality.count("<th>run</th>") == 2 and "Not in this run yet" not in quality


def test_several_runs_rows_get_a_run_column_and_the_best_of_this_run(two_analyses, tmp_path: Path) -> None:
    vae, ae = two_analyses
    own = evaluation(vae / "evaluation", rows_of(vae, "vae", {"normal": 0.36, "gmm:k=10": 0.25})
                     + rows_of(ae, "ae", {"normal": 0.10, "gmm:k=10": 0.2}))
    try:
        column = quality_section(open_view(vae))
    finally:
        (own / "evaluation.json").unlink()
        own.rmdir()
    table = column.tables[0]
    assert table.header[0] == "run" and [row[0] for row in table.rows] == ["vae", "vae", "ae", "ae"]
    assert column.paragraphs == ["For vae's samplers, FD from best to worst: gmm:k=10 0.25, normal 0.36; gmm:k=10 "
                                 "against normal: inconclusive (no interval to decide with)."]


def test_samplers_are_ranked_by_their_intervals_not_their_point_estimates(two_analyses, tmp_path: Path) -> None:
    """The demo's rows (2026-12-02): the VAE's normal and mixture overlap, the AE's mixture beats its normal."""
    vae, ae = two_analyses
    rows = [{**row, "fd_ci": ci} for row, ci in zip(
        rows_of(vae, "vae", {"normal": 3.5444, "gmm:k=10": 3.5939}) + rows_of(ae, "ae", {"normal": 3.1334,
                                                                                       "gmm:k=10": 0.6318}),
        [[3.105, 3.918], [3.354, 3.948], [2.844, 3.487], [0.455, 0.780]], strict=True)]
    given = evaluation(tmp_path / "eval", rows) / "evaluation.json"

    def column(folder: Path):
        view = open_view(folder)
        view.evaluations = [given]  # as build_report sets it from --evaluation
        return quality_section(view)

    vae_words, ae_words = (" ".join(column(folder).paragraphs) for folder in (vae, ae))
    assert "beats" not in vae_words and "normal against gmm:k=10: inconclusive (intervals overlap)" in vae_words
    assert "Best FD" not in vae_words  # the old sentence ranked 3.54 above 3.59 as if decided
    assert "gmm:k=10 beats normal" in ae_words and "inconclusive" not in ae_words
    table = column(ae).tables[0]
    assert table.header[table.header.index("fd") + 1] == "fd_ci" and ["ae", "gmm:k=10", "1000", "0.632",
                                                                      "0.455\u2060–\u20600.78"] == table.rows[3][:5]


def test_an_evaluation_of_other_runs_is_refused(two_analyses, tmp_path: Path) -> None:
    vae, _ = two_analyses
    other = evaluation(tmp_path / "other", [{"run": "celeba", "run_path": str(tmp_path / "celeba"),
                                              "sampler": "normal", "fd": 1.0}])
    with pytest.raises(ZspaceError, match="rows are of celeba, not of vae") as caught:
        build_report(vae, out=tmp_path / "r.html", evaluations=[other])
    assert caught.value.options == ("evaluations",)
    assert not (tmp_path / "r.html").exists()
    with pytest.raises(ZspaceError, match="no evaluation.json there"):
        build_report(vae, out=tmp_path / "r.html", evaluations=[tmp_path])


# -- item 8: decoded samples lined up by sampler ----------------------------------------------------------------
def sample_folders(run: Path, outputs: dict[str, dict]) -> None:
    for name, info in outputs.items():
        folder = run / "samples" / name
        folder.mkdir(parents=True)
        (folder / "generate.json").write_text(json.dumps(info), encoding="utf-8")
        Image.new("L", (8, 8), 128).save(folder / "grid.png")


def test_decoded_samples_of_two_runs_line_up_by_sampler(tmp_path: Path) -> None:
    vae, ae = tmp_path / "vae", tmp_path / "ae"
    for folder in (vae, ae):
        analysis_folder(np.random.default_rng(1).standard_normal((300, 3)), folder)
    sample_folders(vae, {"attribute": {"mode": "attribute", "attribute": "glasses"},
                         "normal": {"mode": "sample", "sampler": "normal", "num_samples": 7, "seed": 0},
                         "sweep": {"mode": "sweep", "sweep": "uniform:b=1,3"}})
    sample_folders(ae, {"fullcov": {"mode": "sample", "sampler": "fullcov", "num_samples": 7, "seed": 0},
                        "normal": {"mode": "sample", "sampler": "normal", "num_samples": 7, "seed": 0}})
    columns = [sample_section(open_view(vae)), sample_section(open_view(ae))]
    rows = aligned_rows(columns)
    keys = [[cell.key if cell else None for cell in row["cells"]] for row in rows]
    assert keys == [["sample normal", "sample normal"], [None, "sample fullcov"], ["sweep uniform:b=1,3", None],
                    ["attribute glasses", None]]
    assert rows[0]["title"].startswith("N(0, I)")
    out = build_report(vae, compare=ae, out=tmp_path / "r.html").path
    html = out.read_text(encoding="utf-8")
    samples = html[html.index('<section id="samples">'):html.index('<section id="reconstruction">')]
    titles = re.findall(r'<h3 class="aligned">([^<]*)</h3>', samples)
    assert titles[0].startswith("N(0, I)") and len(titles) == 4
    first = samples.split('<h3 class="aligned">')[1]  # the N(0, I) row: both runs' normal grids, side by side
    assert first.count("<figure>") == 2 and first.count("<figcaption>normal: 7 points from the normal sampler") == 2


# -- item 9: the docs name the link figures the code writes -----------------------------------------------------
def test_docs_name_the_link_figures_by_the_rule_the_code_follows() -> None:
    from zspace.report.structure_figures import link_figure_name

    assert link_figure_name(0, "data_distance") == "structure_link.png"
    assert link_figure_name(1, "cycle_error") == "structure_link_cycle_error.png"
    for name in ("analysis.md", "structure.md"):
        text = (DOCS / name).read_text(encoding="utf-8")
        assert "structure_link_data_distance.png" not in text, name  # the first quality's figure has no suffix
        assert "structure_link_<quality>.png" in text, name
        assert "`cycle_error` (primary quality)" not in text, name


# -- item 10: the explorer's side panel ends a long verdict at a word -------------------------------------------
def test_sidebar_keeps_a_verdict_whole_or_ends_it_at_a_word() -> None:
    from types import SimpleNamespace

    def shown(verdict: str) -> str:  # the side panel reads only the saved StructureResult's verdict
        lines = headline({"structure": SimpleNamespace(verdict=verdict)}, 10, 2)
        return {line["name"]: line["value"] for line in lines}["structure"]

    medium = "Share of sampled points in voids: normal 100%, fullcov 99%. " * 6  # 366 characters: whole
    assert shown(medium) == medium
    long = "Pooled over the samplers, the void score and the data distance show a weak correlation. " * 12
    value = shown(long)
    assert value.endswith(" …") and len(value) <= VERDICT_CHARACTERS + 2
    kept = value[:-2]
    assert long.startswith(kept) and long[len(kept)] in " ,;:."  # cut between words, never inside one
