"""Rows for the errors table (issue 23): refused up front, in words, with the flag that fixes it.

Devices this machine lacks, counts whose arrays cannot fit, latents that do not fit their cache,
evaluation settings named in words, the report's file checks. Same contract as error_cases.py:
exit 2, one line holding ``fragment``, no traceback, nothing changed. (The explorer's refusals are in
test_cli_refusals.py, where a test that gets as far as serving fails instead of blocking.)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from error_cases import Case, _copy_run, _encoded, _users_file


def _features(tmp: Path, *args: object) -> list[str]:
    rng = np.random.default_rng(0)
    np.save(tmp / "a.npy", rng.standard_normal((40, 4)).astype(np.float32))
    np.save(tmp / "b.npy", rng.standard_normal((40, 4)).astype(np.float32))
    return ["evaluate", "--real", str(tmp / "a.npy"), "--fake", str(tmp / "b.npy"), "--out", str(tmp / "o"),
            *map(str, args)]


def _short_latents(run: Path, tmp: Path) -> Path:
    """An encoded run whose latents lost their second half (an encode cut short, a cache prepared again)."""
    copy = _encoded(run, tmp)
    for name in ("latents.npy", "logvar.npy"):
        rows = np.load(copy / name)
        np.save(copy / name, rows[: len(rows) // 2])
    return copy


CASES: list[Case] = [
    Case("device-unknown", "encode --device banana", lambda t, c, r: ["encode", str(r), "--device", "banana"],
         "device 'banana' is not a device name; use cpu"),
    Case("device-not-here", "generate --device cuda:99 (no such GPU, or no CUDA at all)", lambda t, c, r: [
        "generate", str(r), "--sampler", "normal", "--device", "cuda:99", "--out", str(t / "o")],
         "device 'cuda:99': "),
    Case("evaluate-n-below-feature-dim", "evaluate --n 50 (FD in 128 judge features needs 129 rows)",
         lambda t, c, r: ["evaluate", str(r), "--n", "50", "--out", str(t / "o")], "draw 129 or more (--n)"),
    Case("evaluate-n-beyond-memory", "evaluate --n 10^12", lambda t, c, r: [
        "evaluate", str(_encoded(r, t)), "--n", str(10**12), "--out", str(t / "o")], "GiB of memory"),
    Case("link-samples-beyond-memory", "analyze --link normal --link-samples 10^8", lambda t, c, r: [
        "analyze", str(_encoded(r, t)), "--link", "normal", "--link-samples", str(10**8), "--out", str(t / "o"),
        "--tsne", "0"], "GiB of memory"),
    Case("evaluate-bootstrap-negative", "evaluate --bootstrap -1", lambda t, c, r: _features(t, "--bootstrap", "-1"),
         "-1 bootstrap resamples: an FD interval needs at least 2 (0: no interval) (--bootstrap)"),
    Case("evaluate-confidence-above-1", "evaluate --confidence 1.5", lambda t, c, r: _features(
        t, "--confidence", "1.5"), "confidence level 1.5: give a level strictly between 0 and 1"),
    Case("evaluate-kid-subsets-zero", "evaluate --kid-subsets 0", lambda t, c, r: _features(t, "--kid-subsets", "0"),
         "0 KID subsets: KID needs at least 1 (--kid-subsets)"),
    Case("analyze-structure-queries-zero", "analyze --structure --structure-queries 0", lambda t, c, r: (
        np.save(t / "z.npy", np.random.default_rng(0).standard_normal((60, 4))),
        ["analyze", "--latents", str(t / "z.npy"), "--out", str(t / "o"), "--structure", "--structure-queries",
         "0"])[1], "0 query points: measure at least 10 (--structure-queries)"),
    Case("generate-latents-shorter-than-cache", "generate --sampler gmm:k=3 on latents of half the cache's rows",
         lambda t, c, r: ["generate", str(_short_latents(r, t)), "--sampler", "gmm:k=3", "--out", str(t / "o")],
         "the run's latents do not match its cache: encode the run again"),
    Case("report-a-file", "report given a .npy file instead of a folder", lambda t, c, r: (
        np.save(t / "z.npy", np.zeros((3, 2))), ["report", str(t / "z.npy")])[1], "a file, not a folder"),
    Case("report-compare-itself", "report RUN --compare RUN", lambda t, c, r: [
        "report", str(_copy_run(r, t)), "--compare", str(t / "run"), "--out", str(t / "r.html")],
         "the same folder as the run itself"),
    Case("report-out-not-html", "report --out r4.pdf", lambda t, c, r: [
        "report", str(r), "--out", str(t / "r4.pdf")], "give a path ending in .html"),
    Case("report-force-over-users-file", "report --force --out naming a user's HTML file", lambda t, c, r: [
        "report", str(r), "--force", "--out", str(_users_file(t, "notes.html"))],
         "not a report made by zspace; refusing"),
]
