"""The two verdicts beyond the seed: sample quality (X4) and structure against a null model (S15, X3)."""

from __future__ import annotations

from zspace.report.evaluations import evaluation_tables
from zspace.report.sections.base import Column, RunView, Table

QUALITY_KEYS = ("sampler", "n", "fd", "kid", "precision", "recall", "density", "coverage")


def quality_section(view: RunView) -> Column:
    """The evaluation tables of the run (RUN/evaluation/ and those given to the report that name it)."""
    column = Column()
    tables = evaluation_tables(view.run, view.evaluations)
    if not tables:
        column.missing = (f"an evaluation of its samplers into {view.run.evaluation_dir}, or an evaluation "
                          "written elsewhere given to the report")
        column.missing_key = "evaluation"
        return column
    for table in tables:
        rows, several = table.rows, len(table.runs) > 1
        keys = (["run"] if several else []) + [k for k in QUALITY_KEYS if any(k in row for row in rows)]
        judges = ", ".join(dict.fromkeys(str(row.get("judge", "see docs")) for row in rows))
        where = (table.path.relative_to(view.run.path) if table.path.is_relative_to(view.run.path)
                 else table.path)
        column.tables.append(Table(keys, [[_cell(row.get(k)) for k in keys] for row in rows],
                                   f"From {where} (judge: {judges})"
                                   + (f"; rows of {' and '.join(table.runs)}, told apart by the run column."
                                      if several else ".")))
        ranked = sorted((r for r in table.own if isinstance(r.get("fd"), int | float)
                         and not str(r.get("sampler", "")).startswith("held-out")), key=lambda r: r["fd"])
        whose = f"{view.name}'s samplers" + (f" in {where}" if len(tables) > 1 else "")
        if len(ranked) > 1:
            column.paragraphs.append(f"Best FD of {whose}: {ranked[0].get('sampler')} ({ranked[0]['fd']:.3g}); "
                                     f"worst: {ranked[-1].get('sampler')} ({ranked[-1]['fd']:.3g}).")
        elif ranked:
            column.paragraphs.append(f"FD of {whose}: {ranked[0].get('sampler')} ({ranked[0]['fd']:.3g}), the only "
                                     "sampler measured.")
        picture = view.picture(table.path.parent / "ranking.png", f"Samplers ranked by FD ({where}).")
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
    if structure.claims:
        rows = [[name.replace("_", " "), c.status, "" if c.scale is None else str(c.scale),
                 _cell(c.evidence.get("data")), _cell(c.evidence.get("gaussian_null_mean")),
                 _cell(c.evidence.get("mixture_null_mean")), _cell(c.evidence.get("p_adjusted"))]
                for name, c in structure.claims.items()]
        column.tables.append(Table(["claim", "status", "k", "data", "Gaussian null", "mixture null", "p (corrected)"],
                                   rows, "The claims the verdict is written from, each at its scale (k neighbours)"
                                   " or, when not found, where it came closest (docs/structure.md)."))
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
