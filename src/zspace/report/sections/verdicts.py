"""The two verdicts beyond the seed: sample quality (X4) and structure against a null model (S15, X3)."""

from __future__ import annotations

import json

from zspace.report.sections.base import Column, RunView, Table


def quality_section(view: RunView) -> Column:
    column = Column()
    path = view.run.evaluation_file
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        column.missing = f"an evaluation of its samplers into {view.run.evaluation_dir}"
        column.missing_key = "evaluation"
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
    structure = view.analysis.structure if view.analysis is not None else None
    if structure is None:
        column.missing = "the analysis again with the structure tests, replacing the earlier one"
        column.missing_key = "structure"
        return column
    if structure.verdict:
        column.paragraphs.append(structure.verdict)
    ids, null = structure.intrinsic_dimension, structure.null_intrinsic_dimension
    if ids:
        rows = [[k, _cell(v), _cell(null.get(k))] for k, v in ids.items() if isinstance(v, int | float)]
        column.tables.append(Table(["intrinsic dimension", "data", "null (Gaussian)"], rows))
    tests = structure.tests
    if tests:
        rows = [[t.name, _cell(t.data), f"{_cell(t.null_mean)} ± {_cell(t.null_std)}",
                 _cell(t.p_value), "yes" if t.significant else "no"] for t in tests]
        column.tables.append(Table(["test", "data", "null", "p", "significant"], rows,
                                   "Each statistic of the data beside the same statistic of Gaussian nulls."))
    for name in view.figures("structure"):
        picture = view.figure(name)
        if picture is not None:
            column.pictures.append(picture)
    return column
