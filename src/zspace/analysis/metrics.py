"""The content of metrics.json: every number of an analysis (issue 4 fixed its shape; new keys are additions)."""

from __future__ import annotations

from zspace.analysis.result import AnalysisOptions, AnalysisResult

RANKED_ROWS = 30  # rows of each ranked table in metrics.json (all d are in the arrays)


def _ranked(result: AnalysisResult, order: list[int]) -> list[dict]:
    c = result.components
    return [{"index": i, "mean": float(c.mean[i]), "half_width": float(c.half_width[i]), "std": float(c.std[i]),
             "label": c.labels[i]} for i in order[:RANKED_ROWS]]


def components_dict(result: AnalysisResult, options: AnalysisOptions) -> dict:
    c = result.components
    return {
        "mean": c.mean.tolist(),
        "std": c.std.tolist(),
        "half_width": c.half_width.tolist(),
        "half_width_definition": "half width at half maximum of a fine histogram (Gaussian: 1.1774 std); "
                                 "0 for a constant component",
        "minimum": c.minimum.tolist(),
        "maximum": c.maximum.tolist(),
        "dominant": [{"index": d.index, "mean": d.mean, "half_width": d.half_width, "why": d.why}
                     for d in c.dominant],
        "inactive": c.inactive,
        "labels": c.labels,
        "dominant_rule": {"method": "groups of log half-width and of |centre| (1-D Gaussian mixture, BIC, "
                                    "Ashman's D >= 2); see docs/analysis.md",
                          "inactive_ratio": options.inactive_ratio},
        "width_groups": c.width_groups,
        "centre_groups": c.centre_groups,
        "active_units": {"count": len(c.active_units), "components": c.active_units,
                         "threshold": c.active_threshold,
                         "definition": "variance over the data above the threshold (Burda et al. 2016)"},
        "ranked_by_half_width": _ranked(result, c.by_half_width),
        "ranked_by_abs_centre": _ranked(result, c.by_abs_centre),
    }


def metrics_dict(result: AnalysisResult, options: AnalysisOptions) -> dict:
    """metrics.json as a dict; ``figures`` and ``arrays`` are added when they are written."""
    metrics = _base_metrics(result, options)
    if result.structure is not None or result.link is not None:
        structure = result.structure.to_dict() if result.structure is not None else {}
        if result.link is not None:
            structure["link"] = result.link.to_dict()
        metrics["structure"] = structure
    return metrics


def _base_metrics(result: AnalysisResult, options: AnalysisOptions) -> dict:
    summary = result.correlation_summary
    radius = result.radius
    return {
        "n": result.count,
        "dim": result.dim,
        "dropped_nonfinite_rows": result.dropped_rows,
        "components": components_dict(result, options),
        "radius": {"mean": radius.mean, "std": radius.std, "mode": radius.mode, "sqrt_dim": radius.sqrt_dim,
                   "bin_widths": [h.bin_width for h in radius.histograms]},
        "correlation": {
            "n_used": summary.n_used,
            "counts_above": summary.counts_above,
            "top_pairs": [{"i": p.i, "j": p.j, "r": p.r} for p in summary.top_pairs],
            "top_pairs_min_abs_r": options.min_abs_r,
        },
        "pca": {
            "explained_variance_ratio": result.pca.explained_variance_ratio.tolist(),
            "components_for_90pct": result.pca.components_for(0.9),
        },
        "planes": [{"i": p.pair.i, "j": p.pair.j, "reason": p.pair.reason, "slice_count": p.slice_count,
                    "slice_threshold": p.slice_threshold, "slice_units": p.slice_units, "slice_note": p.slice_note,
                    "chosen_row": p.chosen_row, "chosen_point": p.chosen_point.tolist()} for p in result.planes],
        "statistical_bounds": [float(b) for b in options.statistical_bounds],
        "pca_planes": [{"axes": [p.axis_a, p.axis_b], "windows": p.windows} for p in result.pca_planes],
        "notes": result.notes,
        "maps": [{"method": m.method, "points": int(len(m.rows)), "pca_components": m.pca_components,
                  "colour_by": m.colour_by, **m.settings} for m in result.maps],
    }
