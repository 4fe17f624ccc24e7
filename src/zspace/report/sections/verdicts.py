"""The two verdicts beyond the seed: sample quality (X4) and structure against a null model (S15, X3)."""

from __future__ import annotations

import json

from zspace.report.sections.base import Column, RunView, Table


def quality_section(view: RunView) -> Column:
    column = Column()
    path = view.run.evaluation_dir / "evaluation.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        column.missing = f"zspace evaluate {view.run.path} --out {view.run.evaluation_dir}"
        return column
    rows = data["rows"] if isinstance(data, dict) else data
    keys = [k for k in ("sampler", "fd", "kid", "precision", "recall", "density", "coverage") if k in rows[0]]
    table = [[_cell(row.get(k)) for k in keys] for row in rows]
    column.tables.append(Table(keys, table, f"From {path.name} (judge: {rows[0].get('judge', 'see docs')})."))
    ranked = sorted((r for r in rows if isinstance(r.get("fd"), int | float)
                     and not str(r.get("sampler", "")).startswith("held-out")),
                    key=lambda r: r["fd"])
    if ranked:
        column.paragraphs.append(f"Best FD: {ranked[0].get('sampler')} ({ranked[0]['fd']:.3g}); worst: "
                                 f"{ranked[-1].get('sampler')} ({ranked[-1]['fd']:.3g}).")
    picture = view.picture(path.parent / "ranking.png", "Samplers ranked by FD.")
    if picture is not None:
        column.pictures.append(picture)
    return column


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return "" if value is None else str(value)


def structure_section(view: RunView) -> Column:
    column = Column()
    structure = view.metric("structure")
    if not isinstance(structure, dict):
        column.missing = f"zspace analyze {view.run.path} --structure --force"
        return column
    if structure.get("verdict"):
        column.paragraphs.append(structure["verdict"])
    ids, null = structure.get("intrinsic_dimension", {}), structure.get("null_intrinsic_dimension", {})
    if ids:
        rows = [[k, _cell(v), _cell(null.get(k))] for k, v in ids.items() if isinstance(v, int | float)]
        column.tables.append(Table(["intrinsic dimension", "data", "null (Gaussian)"], rows))
    tests = structure.get("tests", [])
    if tests:
        rows = [[t["name"], _cell(t.get("data")), f"{_cell(t.get('null_mean'))} ± {_cell(t.get('null_std'))}",
                 _cell(t.get("p_value")), "yes" if t.get("significant") else "no"] for t in tests]
        column.tables.append(Table(["test", "data", "null", "p", "significant"], rows,
                                   "Each statistic of the data beside the same statistic of Gaussian nulls."))
    for name in view.metric("figures", default=[]) or []:
        if name.split("/")[-1].startswith("structure"):
            picture = view.figure(name.split("/", 1)[-1])
            if picture is not None:
                column.pictures.append(picture)
    return column
