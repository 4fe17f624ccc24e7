"""The two verdicts beyond the seed: sample quality (X4) and structure against a null model (S15, X3)."""

from __future__ import annotations

from zspace.evaluation.verdict import ranking_words, row_estimate
from zspace.report.evaluations import evaluation_tables
from zspace.report.sections.base import Column, RunView, Table

QUALITY_KEYS = ("sampler", "n", "fd", "fd_ci", "kid", "precision", "recall", "density", "coverage")


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
        measured = [r for r in table.own if isinstance(r.get("fd"), int | float)
                    and not str(r.get("sampler", "")).startswith("held-out")]
        whose = f"{view.name}'s samplers" + (f" in {where}" if len(tables) > 1 else "")
        if len(measured) > 1:  # "A beats B" only where the FD intervals decide it (evaluation/verdict.py)
            words = ranking_words([(str(r.get("sampler")), row_estimate(r)) for r in measured])
            column.paragraphs.append(f"For {whose}, {words}.")
        elif measured:
            column.paragraphs.append(f"FD of {whose}: {measured[0].get('sampler')} ({measured[0]['fd']:.3g}), the "
                                     "only sampler measured.")
        picture = view.picture(table.path.parent / "ranking.png", f"Samplers ranked by FD ({where}).")
        if picture is not None:
            column.pictures.append(picture)
    return column


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, list | tuple) and len(value) == 2 and all(isinstance(v, int | float) for v in value):
        return f"{value[0]:.3g}\u2060–\u2060{value[1]:.3g}"  # an interval (fd_ci), never broken at its dash
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
    link = view.analysis.link
    if link is not None and link.verdict:  # what the void depth does to decoded samples, beside its figures
        column.paragraphs.append(f"Link to generation: {link.verdict}")
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
        correction = str(structure.settings.get("correction") or "corrected")
        alpha = structure.settings.get("alpha")
        rows = [[t.name, _cell(t.data), f"{_cell(t.null_mean)} ± {_cell(t.null_std)}",
                 _cell(t.p_value), _cell(t.p_adjusted), "yes" if t.significant else "no"] for t in tests]
        level = f" < {alpha:g}" if isinstance(alpha, int | float) else ""
        column.tables.append(Table(["test", "data", "null", "p", f"p ({correction})", "significant"], rows,
                                   "Each statistic of the data beside the same statistic of Gaussian nulls; "
                                   f"significant: p after the {correction} correction{level}."))
    for name in view.figures("structure"):
        picture = view.figure(name)
        if picture is not None:
            column.pictures.append(picture)
    return column
