"""Evaluation rows on disk and on screen: evaluation.json, evaluation.csv, evaluation.md, per_sample/*.npy."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from zspace.io import replace_folder, save_json, save_npy, write_text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

EVALUATION_FILE = "evaluation.json"
PER_SAMPLE_FOLDER = "per_sample"

# (row key, table heading, digits); fd_ci is split into two columns.
COLUMNS: list[tuple[str, str, int]] = [
    ("run", "run", 0), ("model", "model", 0), ("sampler", "sampler", 0), ("judge", "judge", 0),
    ("n_real", "n real", 0), ("n_fake", "n fake", 0), ("dim", "d", 0),
    ("fd", "FD", 4), ("fd_ci_low", "FD low", 4), ("fd_ci_high", "FD high", 4), ("fd_infinity", "FD∞", 4),
    ("kid", "KID", 5), ("kid_std", "KID std", 5),
    ("precision", "precision", 4), ("recall", "recall", 4), ("density", "density", 4), ("coverage", "coverage", 4),
    ("fd_latent", "FD latent", 4), ("off_manifold", "off-manifold", 3), ("cycle_error", "cycle error", 4),
    ("rank_real", "rank real", 0), ("rank_fake", "rank fake", 0),
    ("k_precision_recall", "k precision/recall", 0), ("k", "k density/coverage", 0),
]

NOTE = ("FD and KID are measured in the feature space named under judge; they are not comparable to published "
        "Inception FID/KID, nor across judges. FD grows as n shrinks: compare FDs at equal n, or FD∞ "
        "(Chong & Forsyth 2020); an FD∞ whose fitted line meets 1/n = 0 below 0 is shown as 0 "
        "(fd_infinity_intercept keeps the line's value). Precision, recall and realism use the k of "
        "Kynkäänniemi et al. 2019, density and coverage that of Naeem et al. 2020 (the @k in the headings). "
        "See docs/evaluation.md.")

# group key -> (heading, digits) of the across-seed table
GROUP_COLUMNS = [("fd", "FD", 3), ("kid", "KID", 5), ("precision", "precision", 3), ("recall", "recall", 3),
                 ("coverage", "coverage", 3)]


def flat(row: dict) -> dict:
    """The row with fd_ci split into fd_ci_low / fd_ci_high; nested values dropped."""
    ci = row.get("fd_ci") or [None, None]
    out = {key: value for key, value in row.items() if not isinstance(value, dict | list)}
    out["fd_ci_low"], out["fd_ci_high"] = ci
    return out


def cell(value: object, digits: int) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}" if abs(value) >= 10 ** -digits or value == 0 else f"{value:.2e}"
    return str(value)


# headings of the numbers that depend on the feature space; FD becomes FD_DINOv2 in a named space
SPACE_METRICS = ("FD", "FD CI", "FD low", "FD high", "FD∞", "KID", "KID std")


def space_name(rows: list[dict]) -> str | None:
    """The feature space the rows were measured in (``feature_space``, e.g. DINOv2); None for a judge's."""
    return "+".join(sorted({str(row["feature_space"]) for row in rows if row.get("feature_space")})) or None


def space_note(rows: list[dict]) -> str | None:
    """The sentence that says which space every metric is in, when it is a named feature space."""
    name = space_name(rows)
    return None if name is None else (
        f"Every metric here (FD_{name}, KID_{name}, precision, recall, density, coverage) is measured in {name} "
        f"features: not a zspace judge's, not Inception's, so not comparable to judge FDs or to published FID.")


def in_space(headings: list[str], rows: list[dict]) -> list[str]:
    """FD -> FD_DINOv2, KID std -> KID_DINOv2 std, ... when the rows name a feature space."""
    name = space_name(rows)
    if name is None:
        return headings
    return [h.replace(h.split(" ")[0], f"{h.split(' ')[0]}_{name}", 1) if h in SPACE_METRICS else h
            for h in headings]


def table_cells(rows: list[dict]) -> tuple[list[str], list[list[str]]]:
    """Headings and formatted cells, leaving out columns that are empty in every row."""
    flats = [flat(row) for row in rows]
    used = [(key, head, digits) for key, head, digits in COLUMNS if any(f.get(key) is not None for f in flats)]
    return in_space([head for _, head, _ in used], rows), [[cell(f.get(key), digits) for key, _, digits in used]
                                                           for f in flats]


def console_cells(rows: list[dict]) -> tuple[list[str], list[list[str]]]:
    """A narrow table for the terminal: what is measured, n, and the headline numbers."""
    headings = ["what", "n", "FD", "FD CI", "FD∞", "KID", "KID std", *_knn_headings(rows)]
    latent = [key for key in ("fd_latent", "off_manifold", "cycle_error") if any(r.get(key) is not None for r in rows)]
    headings += [{"fd_latent": "FD latent", "off_manifold": "off-manifold", "cycle_error": "cycle"}[k] for k in latent]
    cells = []
    for row in rows:
        f = flat(row)
        model = row.get("model")
        run = f"{row['run']} ({model.upper()})" if row.get("run") and model and model != row["run"] else row.get("run")
        what = " / ".join(str(part) for part in (run or model, row.get("sampler")) if part) or str(row["judge"])
        ci = f"{cell(f['fd_ci_low'], 3)}–{cell(f['fd_ci_high'], 3)}" if row.get("fd_ci") else "-"
        cells.append([what, str(row["n_fake"]), cell(row["fd"], 4), ci, cell(row.get("fd_infinity"), 4),
                      cell(row["kid"], 5), cell(row["kid_std"], 5)]
                     + [cell(row[key], 3) for key in ("precision", "recall", "density", "coverage")]
                     + [cell(row.get(key), 3) for key in latent])
    return in_space(headings, rows), cells


def _knn_headings(rows: list[dict]) -> list[str]:
    """precision@3, recall@3, density@5, coverage@5: the k of each pair, when all rows share it."""
    names = {"precision": "k_precision_recall", "recall": "k_precision_recall", "density": "k", "coverage": "k"}
    out = []
    for name, key in names.items():
        ks = {row.get(key) for row in rows}
        out.append(f"{name}@{ks.pop()}" if len(ks) == 1 and None not in ks else name)
    return out


def group_cells(groups: list[dict]) -> tuple[list[str], list[list[str]]]:
    """Across training seeds: per (configuration, sampler) the mean, sd and t interval of FD, and means."""
    level = round(groups[0]["level"] * 100) if groups else 95
    headings = ["configuration", "sampler", "seeds", "FD mean", "FD sd", f"FD {level}% t interval",
                *(f"{head} mean" for key, head, _ in GROUP_COLUMNS[1:])]
    cells = []
    for group in groups:
        low, high = group.get("fd_interval") or (None, None)
        interval = f"{cell(low, 3)}–{cell(high, 3)}" if low is not None else "-"
        cells.append([group["configuration"], str(group["sampler"]), ", ".join(map(str, group["seeds"])),
                      cell(group.get("fd_mean"), 3), cell(group.get("fd_sd"), 3), interval,
                      *(cell(group.get(f"{key}_mean"), digits) for key, _, digits in GROUP_COLUMNS[1:])])
    return headings, cells


def to_csv(rows: list[dict]) -> str:
    """Every flat key of every row, full precision (the JSON has the nested parts)."""
    flats = [flat(row) for row in rows]
    keys = [key for key, _, _ in COLUMNS]
    keys += [key for f in flats for key in f if key not in keys]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(dict.fromkeys(keys)), lineterminator="\n")
    writer.writeheader()
    for f in flats:
        writer.writerow({key: "" if value is None else value for key, value in f.items()})
    return buffer.getvalue()


def markdown_table(headings: list[str], cells: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headings) + " |", "|" + "|".join("---" for _ in headings) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(lines)


def to_markdown(rows: list[dict], findings: list[str] | None = None, groups: list[dict] | None = None) -> str:
    """The table, the across-seed groups, what it says in words, FD at each n (the sample-size bias), and what
    the numbers do not mean."""
    parts = ["# Evaluation", "", markdown_table(*table_cells(rows)), "", NOTE, ""]
    parts += [space_note(rows), ""] if space_note(rows) else []
    if groups:
        parts += ["## Across training seeds", "", markdown_table(*group_cells(groups)), "",
                  "Runs that differ only in their seed; the t interval of the mean over seeds covers training "
                  "as well as sampling (docs/evaluation.md).", ""]
    if findings:
        parts += ["## In words", "", *(f"- {line}" for line in findings), ""]
    for index, row in enumerate(rows):
        curve = row.get("fd_by_n")
        if not curve:
            continue
        label = " / ".join(str(row[key]) for key in ("run", "model", "sampler") if row.get(key)) or f"row {index + 1}"
        points = [[str(n), f"{fd:.4f}"] for n, fd in zip(curve["n"], curve["fd"], strict=True)]
        infinity = cell(row.get("fd_infinity"), 4)
        if (row.get("fd_infinity_intercept") or 0) < 0:
            infinity += (f" (the line meets 1/n = 0 at {row['fd_infinity_intercept']:.4f}; FD cannot be negative, so "
                         "this says FD∞ is indistinguishable from 0 at these n)")
        parts += [f"## FD against the number of samples ({label})", "", markdown_table(["n", "FD"], points), "",
                  f"Linear fit of FD against 1/n, extrapolated to 1/n = 0: FD∞ = {infinity}.", ""]
    return "\n".join(parts)


def write_evaluation(
    out: str | os.PathLike, rows: list[dict], per_sample: dict[str, np.ndarray] | None = None, force: bool = False,
    extra: dict | None = None, figures: dict[str, Figure] | None = None,
) -> Path:
    """Write out/evaluation.json ({"rows": rows, **extra}), .csv, .md, per_sample/<name>.npy and
    <name>.png per figure, replacing ``out`` whole. ``extra["findings"]`` (sentences) go into the Markdown."""
    out = Path(out)
    extra = extra or {}
    with replace_folder(out, force, marker=EVALUATION_FILE) as tmp:
        save_json(tmp / EVALUATION_FILE, {"rows": rows, **extra})
        write_text(tmp / "evaluation.csv", to_csv(rows))
        write_text(tmp / "evaluation.md", to_markdown(rows, extra.get("findings"), extra.get("groups")))
        for name, values in (per_sample or {}).items():
            save_npy(tmp / PER_SAMPLE_FOLDER / f"{name}.npy", values)
        if figures:
            # matplotlib (through zspace.report) only when the ranking figure is drawn
            from zspace.report.figures import save_figure

            for name, figure in figures.items():
                save_figure(figure, tmp / f"{name}.png")
    return out
