"""zspace report: one self-contained HTML file; every section present or naming the command that makes it."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from zspace.cli.flags import REPORT_COMMANDS
from zspace.cli.main import main
from zspace.encoding import encode
from zspace.report.build import build_report
from zspace.report.sections import SECTIONS
from zspace.run import Run


class Page(HTMLParser):
    """Collects sections, references and images of the report."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.references: list[str] = []
        self.images: list[str] = []
        self.missing = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "section":
            self.sections.append(values.get("id") or "")
        for key in ("src", "href"):
            if values.get(key):
                self.references.append(values[key])
        if tag == "img":
            self.images.append(values.get("src") or "")
        if values.get("class") == "missing":
            self.missing += 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def assert_self_contained(page: Page) -> None:
    for reference in page.references:
        assert not re.match(r"^(https?:)?//", reference), reference  # nothing from the network
        assert reference.startswith(("#", "data:")), reference  # anchors and embedded data only
    assert all(src.startswith("data:image/png;base64,") for src in page.images)


@pytest.fixture(scope="module")
def analysed_run(vae_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = tmp_path_factory.mktemp("report") / "vae"
    shutil.copytree(vae_run, run)
    encode(run, force=True)
    assert main(["analyze", str(run), "--tsne", "150"]) == 0
    assert main(["generate", str(run), "--sampler", "normal", "--n", "7"]) == 0
    assert main(["generate", str(run), "--sweep", "uniform:b=1,3", "--n", "7"]) == 0
    return run


def test_report_of_an_analysed_run_has_every_section_embedded(analysed_run: Path) -> None:
    result = build_report(analysed_run)
    page = parse(result.path)
    assert page.sections == [spec.anchor for spec in SECTIONS]
    assert_self_contained(page)
    assert len(page.images) >= 10
    text = " ".join(page.text)
    for needed in ("components are active", "mean radius of", "pairs of components", "90 %", "uniform:b=1,3"):
        assert needed in text, needed
    # what this run lacks is named, and only that: in words by the library (no command-line flag) ...
    assert set(result.missing) == {"quality", "structure"}
    assert "an evaluation of its samplers" in text and "with the structure tests" in text
    assert not any("--" in line for lines in result.missing.values() for line in lines)
    assert result.size_bytes < 15 * 2**20


def test_report_side_by_side_and_refusing_to_overwrite(analysed_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "both.html"
    twin = shutil.copytree(analysed_run, tmp_path / "twin")  # a run is not compared with itself
    assert main(["report", str(analysed_run), "--compare", str(twin), "--out", str(out)]) == 0
    page = parse(out)
    assert_self_contained(page)
    text = " ".join(page.text)  # ... and by the command that makes it through the CLI
    assert f"zspace evaluate {analysed_run} --out" in text and f"zspace analyze {analysed_run} --structure" in text
    single = parse(build_report(analysed_run, out=tmp_path / "one.html").path)
    assert len(page.images) == 2 * len(single.images)
    before = out.read_bytes()
    assert main(["report", str(analysed_run), "--out", str(out)]) == 2
    assert out.read_bytes() == before
    assert main(["report", str(analysed_run), "--out", str(out), "--force"]) == 0  # an earlier report: replaced
    assert len(parse(out).images) == len(single.images)


def test_report_of_a_run_without_analysis_says_what_to_run(vae_run: Path, tmp_path: Path) -> None:
    run = tmp_path / "bare"
    shutil.copytree(vae_run, run, ignore=shutil.ignore_patterns("latents*", "logvar*", "analysis", "samples"))
    result = build_report(run, out=tmp_path / "r.html")
    page = parse(result.path)
    assert page.sections == [spec.anchor for spec in SECTIONS]
    assert_self_contained(page)
    text = " ".join(page.text)
    assert f"zspace encode {run}" in text and "generated into RUN/samples/" in text
    mapped = build_report(run, out=tmp_path / "mapped.html", commands=REPORT_COMMANDS)
    assert mapped.missing["samples"] == [REPORT_COMMANDS["samples"].format(run=Run(run))]
    assert f"zspace generate {run} --sampler normal" in mapped.missing["samples"][0]
    assert "data" not in result.missing and "reconstruction" not in result.missing  # the model is there


def test_report_of_latents_analysed_without_a_model(tmp_path: Path) -> None:
    vectors = np.random.default_rng(0).normal(size=(400, 6)).astype(np.float32)
    np.save(tmp_path / "z.npy", vectors)
    assert main(["analyze", "--latents", str(tmp_path / "z.npy"), "--out", str(tmp_path / "a"), "--tsne", "0"]) == 0
    result = build_report(tmp_path / "a", out=tmp_path / "r.html")
    page = parse(result.path)
    assert_self_contained(page)
    assert {"data", "reconstruction", "samples"} <= set(result.missing)
    assert "components" not in result.missing and "400 vectors" in " ".join(page.text)


def test_report_of_a_folder_that_is_neither_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["report", str(tmp_path)]) == 2
    assert "neither a run folder" in capsys.readouterr().err


def test_report_in_real_headless_chromium(analysed_run: Path, tmp_path: Path) -> None:
    """Open the report offline in Debian's chromium, as a reader would: it draws, and it prints to A4 pages."""
    from explore_browser import browser_missing, chromium_path

    missing = browser_missing()
    if missing:
        print(f"test_report_in_real_headless_chromium: skipped, {missing}")
        pytest.skip(missing)
    from PIL import Image
    from playwright.sync_api import sync_playwright

    twin = shutil.copytree(analysed_run, tmp_path / "twin")  # two columns (a run is not compared with itself)
    report = build_report(analysed_run, compare=twin, out=tmp_path / "report.html").path
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        failed: list[str] = []
        page.on("requestfailed", lambda request: failed.append(request.url))
        page.goto(report.as_uri())
        sizes = page.eval_on_selector_all("img", "images => images.map(i => [i.naturalWidth, i.complete])")
        page.screenshot(path=str(tmp_path / "report.png"), full_page=False)
        page.pdf(path=str(tmp_path / "report.pdf"), format="A4")
        browser.close()
    assert failed == [] and sizes and all(width > 0 and done for width, done in sizes)  # every picture decoded
    with Image.open(tmp_path / "report.png") as shot:
        grey = np.asarray(shot.convert("L"))
    assert grey.std() > 10  # text and pictures, not a blank page
    pdf = (tmp_path / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") > 5
