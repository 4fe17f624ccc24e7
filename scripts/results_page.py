"""docs/results.md from saved run-level evaluations: tables, Ghosh et al. 2020's claims checked, timings."""

from __future__ import annotations

from zspace.evaluation.replicates import group_estimate
from zspace.evaluation.run_sentences import equal_n_estimate
from zspace.evaluation.verdict import (
    AGREES,
    DISAGREES,
    HIGHER,
    INCONCLUSIVE,
    LOWER,
    Estimate,
    compare,
    judge_claim,
    row_estimate,
)

HELDOUT = "held-out data"
RECONSTRUCTIONS = "held-out reconstructions"
REFERENCES = (HELDOUT, RECONSTRUCTIONS)
COLUMNS = [("fd", "FD", 3), ("fd_infinity", "FD∞", 3), ("kid", "KID", 4), ("precision", "precision", 3),
           ("recall", "recall", 3), ("density", "density", 3), ("coverage", "coverage", 3),
           ("fd_latent", "FD latent", 2), ("off_manifold", "off-manifold", 2), ("cycle_error", "cycle error", 3)]


def _number(value: object, digits: int) -> str:
    if value is None:
        return "-"
    value = float(value)
    return f"{value:.{digits}f}" if abs(value) >= 10 ** -digits or value == 0 else f"{value:.1e}"


def table(rows: list[dict]) -> str:
    head = ["model", "sampler", "n", *(title for _, title, _ in COLUMNS[:1]), "FD 95% interval",
            *(title for _, title, _ in COLUMNS[1:])]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for row in rows:
        ci = row.get("fd_ci")
        interval = f"{ci[0]:.3f}–{ci[1]:.3f}" if ci else "-"
        what = f"*{row['sampler']}*" if row["sampler"] in REFERENCES else row["sampler"]
        cells = [row["model"].upper(), what, str(row["n"]), _number(row["fd"], 3), interval,
                 *(_number(row.get(key), digits) for key, _, digits in COLUMNS[1:])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _fd(rows: list[dict], model: str, sampler: str) -> dict:
    return next(r for r in rows if r["model"] == model and r["sampler"] == sampler)


def _group(saved: dict, row: dict, metric: str = "fd") -> dict | None:
    return next((g for g in saved.get("groups") or [] if g["sampler"] == row["sampler"] and row["run"] in g["runs"]
                 and g.get(f"{metric}_mean") is not None), None)


def estimate(saved: dict, row: dict, metric: str = "fd") -> Estimate:
    """A metric of a (model, sampler) with its interval: the t interval over seeds when the evaluation has a group
    of several seeds for it (replicates.py), else (FD only) the row's bootstrap interval (one training seed)."""
    group = _group(saved, row, metric)
    if group:
        return group_estimate(group, metric)
    if metric == "fd":
        return row_estimate(row, "1 seed, bootstrap")
    return Estimate(row[metric], None, None, "1 seed, no interval")


def said(value: Estimate) -> str:
    """``1.87 [1.80, 1.95] (t interval over 3 seeds)``: the number, its interval and what the interval covers."""
    basis = value.basis.replace("t interval over ", "")
    return f"{value.words()} ({basis})" if basis else value.words()


def group_table(saved: dict) -> str:
    """One row per (model, sampler) group: FD's mean and t interval over seeds, each seed's FD, the other
    metrics' means ± across-seed sd."""
    groups = [g for g in saved.get("groups") or [] if g.get("fd_mean") is not None]
    head = ["model", "sampler", "seeds", "FD mean [95% t interval]", "FD sd", "FD per seed", "FD∞", "KID",
            "precision", "recall", "density", "coverage", "off-manifold", "cycle error"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    by_run = {(r["run"], r["sampler"]): r for r in saved["rows"]}
    for g in groups:
        what = f"*{g['sampler']}*" if g["sampler"] in REFERENCES else g["sampler"]
        seeds = ", ".join(f"{by_run[(run, g['sampler'])]['fd']:.2f}" for run in g["runs"])
        cells = [g["model"].upper(), what, str(g["count"]), group_estimate(g).words(), f"{g['fd_sd']:.2f}", seeds]
        for key, digits in (("fd_infinity", 2), ("kid", 4), ("precision", 3), ("recall", 3), ("density", 3),
                            ("coverage", 3), ("off_manifold", 2), ("cycle_error", 3)):
            mean, sd = g.get(f"{key}_mean"), g.get(f"{key}_sd")
            spread = "0" if sd is not None and abs(sd) < 1e-9 else _number(sd, digits)  # identical across seeds
            cells.append("-" if mean is None else f"{_number(mean, digits)} ± {spread}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _bold(verdict: str) -> str:
    return f"**{verdict}**" if verdict.startswith(DISAGREES) else verdict


def ghosh_claims(saved: dict) -> list[tuple[str, str, str]]:
    """(claim, ours, verdict) for Ghosh et al. 2020's three orderings on CelebA, each decided from intervals
    (verdict.py): agrees, disagrees or inconclusive, never from two point estimates."""
    rows = [r for r in saved["rows"] if r["run"] == _first_run(saved["rows"], r["model"])]
    samplers = [r for r in rows if r["sampler"] not in REFERENCES]
    fd = {(r["model"], r["sampler"]): estimate(saved, r) for r in samplers}
    ae_normal, ae_gmm, vae_normal = fd[("ae", "normal")], fd[("ae", "gmm:k=10")], fd[("vae", "normal")]
    claims = []
    # 1. AE + N(0,I) is the worst pair: higher than every other pair.
    others = {key: value for key, value in fd.items() if key != ("ae", "normal")}
    found = [compare(ae_normal, value) for value in others.values()]
    verdict = AGREES if all(f == HIGHER for f in found) else DISAGREES if LOWER in found else INCONCLUSIVE
    named = {f: [f"{m.upper()} + {s}" for (m, s), g in zip(others, found, strict=True) if g == f]
             for f in (LOWER, INCONCLUSIVE)}
    ours = (f"AE + N(0,I) FD {said(ae_normal)}"
            + (f"; below {', '.join(named[LOWER])}" if named[LOWER] else "")
            + (f"; not separated from {', '.join(named[INCONCLUSIVE])}" if named[INCONCLUSIVE] else ""))
    claims.append(("AE + N(0,I) is the worst pair", ours, _bold(verdict)))
    # 2. A fitted GMM turns an AE into a generator, about as good as a VAE with N(0,I).
    better = judge_claim(ae_gmm, ae_normal, LOWER)
    versus_vae = compare(ae_gmm, vae_normal)
    if better == AGREES and versus_vae == HIGHER:
        verdict = "agrees in part: better than AE + N(0,I), worse than VAE + N(0,I)"
    else:
        verdict = better
    ours = f"AE + gmm FD {said(ae_gmm)} vs AE + N(0,I) {said(ae_normal)}; VAE + N(0,I) {said(vae_normal)}"
    claims.append(("a fitted GMM turns an AE into a generator (about as good as a VAE)", ours, _bold(verdict)))
    # 3. A fitted density is at least as good as N(0,I) for a VAE: some fitted sampler lower than N(0,I).
    fitted = {s: value for (m, s), value in fd.items() if m == "vae" and s != "normal"}
    found = [compare(value, vae_normal) for value in fitted.values()]
    verdict = AGREES if LOWER in found else DISAGREES if all(f == HIGHER for f in found) else INCONCLUSIVE
    ours = f"VAE + N(0,I) FD {said(vae_normal)}; " + ", ".join(
        f"{s} {value.words()} ({f if f == INCONCLUSIVE else f + ' than N(0,I)'})"
        for (s, value), f in zip(fitted.items(), found, strict=True))
    claims.append(("VAE + fitted density ≥ VAE + N(0,I)", ours, _bold(verdict)))
    return claims


def _first_run(rows: list[dict], model: str) -> str:
    return next(r["run"] for r in rows if r["model"] == model)


def seeds_line(saved: dict) -> str:
    """What the intervals of the verdicts cover: seeds when there are groups, else the evaluation's sampling."""
    groups = [g for g in saved.get("groups") or [] if g.get("fd_interval")]
    if groups:
        counts = sorted({g["count"] for g in groups})
        return (f"Verdicts use the {round(groups[0]['level'] * 100)}% t interval over "
                f"{'/'.join(map(str, counts))} training seeds (docs/evaluation.md, replicates).")
    return ("One training seed per model: the intervals cover the drawing of samples only, not another training "
            "seed, so a close ranking may flip with one.")


def _runs(rows: list[dict], model: str) -> list[str]:
    return list(dict.fromkeys(r["run"] for r in rows if r["model"] == model))


def _first(saved: dict, model: str) -> list[dict]:
    """The sampler rows of the model's first run (its group's representative)."""
    run = _runs(saved["rows"], model)[0]
    return [r for r in saved["rows"] if r["run"] == run and r["sampler"] not in REFERENCES]


def disagreements(saved: dict) -> list[str]:
    """Where FD and precision rank a model's samplers differently (decided from intervals over seeds), how the
    samplers compare with the reconstructions (per seed, at the reconstructions' n), and the ranges."""
    rows, lines = saved["rows"], []
    for model in dict.fromkeys(r["model"] for r in rows):
        mine = _first(saved, model)
        fd = {r["sampler"]: estimate(saved, r) for r in mine}
        precision = {r["sampler"]: estimate(saved, r, "precision") for r in mine}
        by_fd, by_precision = min(fd, key=lambda s: fd[s].value), max(precision, key=lambda s: precision[s].value)
        if by_fd != by_precision:
            fd_says = compare(fd[by_fd], fd[by_precision])
            precision_says = compare(precision[by_precision], precision[by_fd])
            decided = fd_says == LOWER and precision_says == HIGHER
            lines.append(f"{model.upper()}: FD's best sampler is {by_fd} (FD {said(fd[by_fd])} against "
                         f"{by_precision}'s {said(fd[by_precision])}: {fd_says}), precision's best is {by_precision} "
                         f"(precision {said(precision[by_precision])} against {by_fd}'s {said(precision[by_fd])}: "
                         f"{precision_says}). "
                         + ("Both orderings are decided, in opposite directions: FD rewards the spread of the "
                            "samples as well as their realism, so read both." if decided else
                            "At least one of the two orderings is inconclusive (intervals overlap): no disagreement "
                            "between the metrics is shown."))
        runs = _runs(rows, model)
        best = {run: min((r for r in rows if r["run"] == run and r["sampler"] not in REFERENCES),
                         key=lambda r: r["fd"])["sampler"] for run in runs}
        if len(set(best.values())) > 1:
            lines.append(f"{model.upper()}: the lowest-FD sampler differs between training seeds ("
                         + ", ".join(f"{run}: {sampler}" for run, sampler in best.items())
                         + "): the best sampler by point estimate does not replicate across seeds.")
        below = []
        for sampler in fd:
            found = 0
            for run in runs:
                decoder = next(r for r in rows if r["run"] == run and r["sampler"] == RECONSTRUCTIONS)
                row = next(r for r in rows if r["run"] == run and r["sampler"] == sampler)
                equal = equal_n_estimate(row, decoder["n"])
                found += bool(equal and compare(equal, row_estimate(decoder)) == LOWER)
            if found:
                below.append(f"{sampler} in {found} of {len(runs)} seeds")
        if below:
            decoder = next(r for r in rows if r["run"] == runs[0] and r["sampler"] == RECONSTRUCTIONS)
            lines.append(f"{model.upper()}: FD below that of the reconstructions of held-out images, at their n = "
                         f"{decoder['n']} with disjoint bootstrap intervals: {', '.join(below)}. The reconstructions' "
                         "z are the data's own codes, so FD is not a pure realism score (reconstructions are "
                         f"realistic but too uniform: recall {estimate(saved, decoder, 'recall').words()}).")
        off = {s: estimate(saved, r, "off_manifold").value for s, r in zip(fd, mine, strict=True)}
        cycle = {s: estimate(saved, r, "cycle_error").value for s, r in zip(fd, mine, strict=True)}
        basis = f"means over {len(runs)} seeds" if len(runs) > 1 else "1 seed"
        lines.append(f"{model.upper()}: off-manifold distance ({basis}) from "
                     f"{min(off.values()):.2f} ({min(off, key=off.get)}) to {max(off.values()):.2f} "
                     f"({max(off, key=off.get)}), held-out data 1 by construction; cycle error from "
                     f"{min(cycle.values()):.3f} to {max(cycle.values()):.3f}.")
    return lines


def split_findings(findings: list[str]) -> tuple[list[str], list[str]]:
    """The tool's sentences about several runs (groups across seeds; judge robustness, which has its own list here
    and is left out) and those about one run."""
    across = [line for line in findings if " training seeds (" in line]
    per_run = [line for line in findings if line not in across and not line.startswith("judge robustness")]
    return across, per_run


def robustness_lines(saved: dict) -> list[str]:
    """Kendall's τ of the FD ranking under each other judge against the main judge, with its verdict."""
    lines = []
    for record in saved.get("judge_robustness") or []:
        tau = "undefined" if record.get("tau") is None else f"{record['tau']:.2f}"
        p = "" if record.get("p") is None else f", p = {record['p']:.2g}"
        lines.append(f"The {record['rows']} (run, sampler) pairs ranked by FD under **{record['other']}** against "
                     f"**{record['judge']}**: Kendall τ = {tau}{p}: **{record['verdict']}**"
                     + (" (weak: τ below 0.5)" if record.get("verdict") == "agrees" and record["tau"] < 0.5 else "")
                     + ".")
    return lines


def settings_line(saved: dict) -> str:
    options = saved.get("options") or {}
    if not options:
        return ""
    return (f"Metric settings: precision/recall with k = {options.get('precision_recall_k')} (Kynkäänniemi et al. "
            f"2019 use k = 3), density/coverage with k = {options.get('k')} (Naeem et al. 2020), KID over "
            f"{options.get('kid_subsets')} subsets of {options.get('kid_subset_size')} (smaller than n, so its "
            f"spread means something), FD bootstrap of {options.get('bootstrap')} resamples at "
            f"{round(100 * options.get('confidence', 0.95))}%.")


def _decoder_line(dataset: str, saved: dict) -> str:
    rows = saved["rows"]
    vae, ae = (estimate(saved, _fd(rows, m, RECONSTRUCTIONS)) for m in ("vae", "ae"))
    fd_vae = {r["sampler"]: estimate(saved, r) for r in _first(saved, "vae")}
    fd_ae = {r["sampler"]: estimate(saved, r) for r in _first(saved, "ae")}
    best_vae, best_ae = min(fd_vae, key=lambda s: fd_vae[s].value), min(fd_ae, key=lambda s: fd_ae[s].value)
    versus = {LOWER: "below", HIGHER: "above", INCONCLUSIVE: "not separated from"}[
        compare(fd_vae[best_vae], fd_ae[best_ae])]
    decoders = {LOWER: "lower than", HIGHER: "higher than", INCONCLUSIVE: "not separated from"}[compare(vae, ae)]
    low, high = min(e.value for e in fd_vae.values()), max(e.value for e in fd_vae.values())
    return (f"- {dataset}: reconstructions of held-out images score FD {said(vae)} with the VAE, {decoders} "
            f"{said(ae)} with the AE (the VAE has the seed's KL weight 5; a KL-weight sweep is in "
            f"[ablations.md](ablations.md)); the VAE samplers' FDs (means over seeds where grouped) span {low:.3g} "
            f"to {high:.3g}, and the best "
            f"VAE sampler ({best_vae}, FD {said(fd_vae[best_vae])}) is "
            f"{versus} the best AE sampler ({best_ae}, FD {said(fd_ae[best_ae])}).")


def results_page(evaluations: dict[str, dict], seconds: dict[str, float], n: int, load: tuple,
                 missing: tuple[str, ...] = ()) -> str:
    parts = [
        "# Results: which sampler makes an autoencoder a generator?",
        "",
        "Generated by `scripts/results_table.py` (do not edit by hand). Small convolutional AE and VAE "
        "(filters 16-32-64-64), 20 epochs on one thread of 2 shared CPU cores, with each training seed of the "
        "table, then `zspace evaluate` of the samplers "
        f"normal (N(0,I)), diag, fullcov and gmm:k=10 with n = {n} samples each, against the judge features of "
        "training images. *held-out data* measures held-out images the same way (real images: what a generator "
        "that matched the data would score); *held-out "
        "reconstructions* measures what the run's decoder makes of the held-out images' own codes (a reference "
        "for this decoder, not a floor: FD rewards spread as well as realism, and a sampler can score below it). "
        "Every verdict below is decided from intervals: agrees, disagrees or inconclusive (overlapping). "
        "FD and KID are in the judge's feature space (a zspace-trained network, not Inception): compare rows "
        "within one table only; FD∞ removes FD's bias from the number of samples (the held-out row has fewer). "
        "Definitions: [evaluation.md](evaluation.md).",
        "",
    ]
    if missing:
        parts += [f"**Missing from this page:** {', '.join(missing)}: not trained or evaluated in the compute budget "
                  "of the session that wrote it (run `scripts/results_table.py --datasets` with its name to add it).",
                  ""]
    for dataset, saved in evaluations.items():
        rows = saved["rows"]
        judge = saved["judges"][0]
        grouped = bool([g for g in saved.get("groups") or [] if g.get("fd_mean") is not None])
        counts = sorted({g["count"] for g in saved.get("groups") or []})
        parts += [f"## {dataset}", "",
                  f"Judge: **{judge['judge']}** ({judge.get('heldout_summary')}; trained on {judge.get('train_rows')} "
                  f"training images in {judge.get('seconds', 0):.0f} s).", "", settings_line(saved), ""]
        if grouped:
            parts += [f"Across {'/'.join(map(str, counts))} training seeds (runs that differ only in their seed, "
                      "grouped by `zspace evaluate`): mean, 95% t interval of the mean and sd over seeds; the other "
                      "metrics as mean ± sd over seeds.", "", group_table(saved), "",
                      "<details><summary>Each seed's row (FD with its bootstrap interval over samples)</summary>", "",
                      table(rows), "", "</details>", ""]
        else:
            parts += [table(rows), ""]
        across, per_run = split_findings(saved["findings"])
        parts += ["What the numbers say (sentences written by `zspace evaluate`, then by this page; every "
                  "comparison decided from intervals):", "", *(f"- {line}" for line in across),
                  *(f"- {line}" for line in disagreements(saved)), ""]
        if per_run:
            parts += ["<details><summary>Per run: each seed's ranking (bootstrap intervals over samples) and which "
                      "generating factors its samples get wrong</summary>", "", *(f"- {line}" for line in per_run), "",
                      "</details>", ""]
        robust = robustness_lines(saved)
        if robust:
            parts += ["Does the ranking survive another judge? (FD only, every (run, sampler) pair; "
                      "`judge_robustness.py`)", "", *(f"- {line}" for line in robust), ""]
        parts += ["Set beside Ghosh et al. 2020 (\"From variational to deterministic autoencoders\", ICLR 2020, "
                  "table 1 and sec. 4: CelebA FID of VAE/AE/RAE with N(0,I) and ex-post GMM samplers):", "",
                  seeds_line(saved), "",
                  "| Ghosh et al. on CelebA | ours | |", "|---|---|---|",
                  *(f"| {claim} | {ours} | {verdict} |" for claim, ours, verdict in ghosh_claims(saved)), ""]
    parts += ["## Where ours differs, and why it may", "",
              *(_decoder_line(dataset, saved) for dataset, saved in evaluations.items()),
              "- Our nets are tiny and trained for minutes; Ghosh et al. trained for hours on 64 x 64 CelebA, "
              "with VAEs whose reconstructions were close to the AE's.",
              "- The judge is a small network trained on the dataset itself, not Inception-v3; its features "
              "see what it was trained to predict (the faces' factors, the clothing classes) and may rank "
              "blur differently from Inception.",
              "- Our AE has no regularisation (Ghosh et al.'s RAE adds a decoder-gradient or weight penalty); "
              "their AE row is the unregularised one we compare with.", "",
              "## How long it took", "",
              f"Load average when the page was written: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on "
              "2 shared cores (other engineers' jobs ran at the same time).", "",
              "| step | seconds |", "|---|---|", *(f"| {k} | {v} |" for k, v in seconds.items()), ""]
    return "\n".join(parts)
