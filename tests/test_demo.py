"""The demo: the quick form writes every figure it names and says each step with its elapsed time; --full and
the default pick their settings (checked without running them); the step clock."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from zspace import demo_clock
from zspace.cli.main import main
from zspace.demo import FULL, QUICK, TOUR, DemoSettings
from zspace.demo_clock import StepClock, clock_text
from zspace.errors import ZspaceError

STEP_LINE = re.compile(r"^([1-7])/7 .* \((\d+):(\d\d) elapsed\)$")


def test_quick_demo_writes_what_it_names(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--quick", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    named = [Path(line.split()[-1]) for line in printed.splitlines() if line.strip().endswith(".png")]
    assert len(named) >= 9
    for path in named:
        with Image.open(path) as picture:
            assert picture.format == "PNG" and picture.width > 50
    assert (out / "vae" / "latents.npy").is_file() and (out / "ae" / "latents.npy").is_file()
    assert (out / "vae" / "analysis" / "metrics.json").is_file() and (out / "ae" / "samples" / "gmm_k-10").is_dir()
    assert f"report of both runs, side by side (open it in a browser): {out / 'report.html'}" in printed
    assert "active units (variance > " in printed and f"zspace explore {out / 'vae'}" in printed
    after = printed.split("\nNext:\n")[1].splitlines()  # the linked maps of both runs, first of the next commands
    assert after[0] == f"  zspace explore {out / 'ae'} {out / 'vae'}" and "side by side" in after[1]
    assert "linked" in after[1]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count('<div class="column">') >= 2 * 11 and "http" not in html.split("<body>")[1]
    structure = html[html.index('<section id="structure">'):]
    assert structure.count("Link to generation: Share of sampled points in voids") == 2  # the verdict, per run
    assert structure.count("<th>p (holm)</th>") == 2  # the corrected p beside the raw one that "significant" uses
    says_its_time_first_and_each_step_with_its_elapsed_time(printed.splitlines(), out)
    assert main(["demo", "--quick", "--out", str(out)]) == 2  # refuses to overwrite without --force


def says_its_time_first_and_each_step_with_its_elapsed_time(lines: list[str], out: Path) -> None:
    assert lines[0].startswith("The tour: 600 synthetic faces of 32 px") and "about a minute on 2 CPU cores" in lines[0]
    steps = [match for line in lines if (match := STEP_LINE.match(line))]
    # prepare; train, encode, analyze for each run; decode; sample quality; report
    assert [int(m.group(1)) for m in steps] == [1, 2, 3, 4, 2, 3, 4, 5, 6, 7]
    elapsed = [int(m.group(2)) * 60 + int(m.group(3)) for m in steps]
    assert elapsed == sorted(elapsed) and elapsed[0] == 0 and elapsed[-1] > 0
    assert any(line.startswith("The tour took ") for line in lines)
    record = json.loads((out / "demo.json").read_text(encoding="utf-8"))
    assert record["complete"] and len(record["timing"]["steps"]) == len(steps)
    timed = record["timing"]["steps"]
    assert all(step["seconds"] >= 0 and step["cpu_seconds"] >= 0 for step in timed)
    assert sum(step["seconds"] for step in timed) <= record["timing"]["seconds"] + 0.1
    assert timed[1]["step"].startswith("2/7 train the VAE") and timed[1]["cpu_seconds"] > 0


@pytest.mark.parametrize(("flags", "expected"), [([], TOUR), (["--full"], FULL), (["--quick"], QUICK)])
def test_each_form_of_the_demo_runs_its_settings(flags: list[str], expected: DemoSettings, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Without running a tour: run_demo is replaced by one that records what it was given and stops."""
    given: list[DemoSettings] = []

    def record(out, settings, **options):
        given.append(settings)
        raise ZspaceError("stopped by the test")

    monkeypatch.setattr("zspace.demo.run_demo", record)
    assert main(["demo", *flags, "--out", str(tmp_path / "demo")]) == 2
    assert given == [expected]


def test_the_full_tour_is_the_larger_one_and_the_default_is_smaller() -> None:
    assert FULL == DemoSettings() and (FULL.count, FULL.size, FULL.epochs) == (12_000, 64, 6)
    assert TOUR.size < FULL.size and TOUR.count < FULL.count and TOUR.expected_minutes < FULL.expected_minutes
    assert TOUR.count // 10 >= 300  # enough held-out images (a tenth) for the sample-quality table


def test_quick_and_full_together_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["demo", "--quick", "--full", "--out", str(tmp_path / "demo")]) == 2
    assert "--quick" in capsys.readouterr().err and not (tmp_path / "demo").exists()


def test_the_step_clock_says_elapsed_time_and_keeps_each_step(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr(demo_clock.time, "monotonic", lambda: now[0])
    said: list[str] = []
    clock = StepClock(said.append)
    clock.note("before the steps")
    clock("1/2 first")
    now[0] += 72.4
    clock("2/2 second")
    now[0] += 3600 + 5
    timing = clock.finish()
    assert said == ["before the steps", "1/2 first (0:00 elapsed)", "2/2 second (1:12 elapsed)"]
    assert [step["seconds"] for step in timing["steps"]] == [72.4, 3605.0] and timing["seconds"] == 3677.4
    assert clock_text(3677.4) == "1:01:17" and clock_text(59.9) == "0:59"


def test_the_component_line_names_both_criteria_and_the_counts_add_up() -> None:
    """12 live components (std 1) and 20 collapsed to std 0.2: inactive by the width rule (under 0.3 x the live
    std), yet each with a variance of 0.04, above the active-unit threshold 0.01 (the issue's "26 inactive ...
    active units 13 of 32")."""
    from zspace.analysis import AnalysisOptions, analyze
    from zspace.cli.demo import _component_line

    z = np.random.default_rng(0).standard_normal((4000, 32)) * np.r_[np.ones(12), np.full(20, 0.2)]
    analysis = analyze(z.astype(np.float32), None, AnalysisOptions(pca_planes=(), plane_pairs=0))
    assert len(analysis.components.inactive) == 20 and len(analysis.components.active_units) == 32
    line = _component_line("vae", analysis)
    assert "20 inactive (collapsed: std under 0.3 x the live components')" in line
    assert line.endswith("active units (variance > 0.01, Burda et al.): 32 of 32, 20 of them among the inactive "
                         "(a small variance, yet above 0.01)")


def test_a_finding_both_runs_share_is_said_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from zspace.demo import DemoResult, _evaluate

    def evaluation(runs, out, seed, progress):
        return SimpleNamespace(rows=[{"run": runs[0].name}], findings=["the held-out images differ by 0.08",
                                                                       f"{runs[0].name} differs"])

    monkeypatch.setattr("zspace.demo.quick_evaluation", evaluation)
    runs = {kind: SimpleNamespace(name=kind, evaluation_dir=tmp_path / kind) for kind in ("vae", "ae")}
    result = DemoResult(tmp_path)
    _evaluate(runs, 767, TOUR, result, lambda line: None, None)
    assert result.evaluation_findings == ["the held-out images differ by 0.08", "vae differs", "ae differs"]
    assert len(result.evaluation_rows) == 2
