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


def estimate(saved: dict, row: dict) -> Estimate:
    """FD of a (model, sampler) with its interval: the t interval over seeds when the evaluation has a group of
    several seeds for it (replicates.py), else the row's bootstrap interval (one training seed)."""
    group = next((g for g in saved.get("groups") or [] if g["sampler"] == row["sampler"] and row["run"] in g["runs"]
                  and g.get("fd_mean") is not None), None)
    return group_estimate(group) if group else row_estimate(row)


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
    ours = (f"AE + N(0,I) FD {ae_normal.words()}"
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
    ours = f"AE + gmm FD {ae_gmm.words()} vs AE + N(0,I) {ae_normal.words()}; VAE + N(0,I) {vae_normal.words()}"
    claims.append(("a fitted GMM turns an AE into a generator (about as good as a VAE)", ours, _bold(verdict)))
    # 3. A fitted density is at least as good as N(0,I) for a VAE: some fitted sampler lower than N(0,I).
    fitted = {s: value for (m, s), value in fd.items() if m == "vae" and s != "normal"}
    found = [compare(value, vae_normal) for value in fitted.values()]
    verdict = AGREES if LOWER in found else DISAGREES if all(f == HIGHER for f in found) else INCONCLUSIVE
    ours = f"VAE + N(0,I) FD {vae_normal.words()}; " + ", ".join(
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


def disagreements(rows: list[dict]) -> list[str]:
    """Where FD and the k-NN metrics rank a run's samplers differently, and how samplers compare with the
    reconstructions (at the reconstructions' n, decided from intervals)."""
    lines = []
    for model in dict.fromkeys(r["model"] for r in rows):
        mine = [r for r in rows if r["model"] == model and r["sampler"] not in REFERENCES]
        by_fd = min(mine, key=lambda r: r["fd"])
        by_precision = max(mine, key=lambda r: r["precision"])
        decoder = _fd(rows, model, RECONSTRUCTIONS)
        if by_fd is not by_precision:
            lines.append(f"{model.upper()}: FD ranks {by_fd['sampler']} first (FD {by_fd['fd']:.3g}, precision "
                         f"{by_fd['precision']:.2f}), precision ranks {by_precision['sampler']} first (FD "
                         f"{by_precision['fd']:.3g}, precision {by_precision['precision']:.2f}) (point estimates): "
                         "FD rewards the spread of the samples as well as their realism, so read both.")
        below = [r["sampler"] for r in mine
                 if (e := equal_n_estimate(r, decoder["n"])) and compare(e, row_estimate(decoder)) == LOWER]
        if below:
            lines.append(f"{model.upper()}: {', '.join(below)} reach a lower FD than the reconstructions of held-out "
                         f"images at their n = {decoder['n']} (intervals disjoint), whose z are the data's own codes: "
                         "FD is not a pure realism score (the reconstructions are realistic but too uniform, recall "
                         f"{decoder['recall']:.2f}).")
        lines.append(f"{model.upper()}: off-manifold distance from {min(r['off_manifold'] for r in mine):.2f} "
                     f"to {max(r['off_manifold'] for r in mine):.2f} (held-out data: 1); cycle error from "
                     f"{min(r['cycle_error'] for r in mine):.3f} to {max(r['cycle_error'] for r in mine):.3f} "
                     f"(held-out: {decoder['cycle_error']:.3f})." if any(r["sampler"] == "normal" for r in mine)
                     else "")
    return [line for line in lines if line]


def _decoder_line(dataset: str, rows: list[dict]) -> str:
    vae, ae = _fd(rows, "vae", RECONSTRUCTIONS), _fd(rows, "ae", RECONSTRUCTIONS)
    best_vae = min((r for r in rows if r["model"] == "vae" and r["sampler"] not in REFERENCES), key=lambda r: r["fd"])
    vae_fds = [r["fd"] for r in rows if r["model"] == "vae" and r["sampler"] not in REFERENCES]
    low, high = min(vae_fds), max(vae_fds)
    best_ae = min((r for r in rows if r["model"] == "ae" and r["sampler"] not in REFERENCES), key=lambda r: r["fd"])
    versus = {LOWER: "below", HIGHER: "above", INCONCLUSIVE: "not separated from"}[
        compare(row_estimate(best_vae), row_estimate(best_ae))]
    decoders = {LOWER: "lower", HIGHER: "higher", INCONCLUSIVE: "not separated from"}[
        compare(row_estimate(vae), row_estimate(ae))]
    return (f"- {dataset}: reconstructions of held-out images score FD {row_estimate(vae).words()} with the VAE, "
            f"{decoders} {'than ' if decoders != 'not separated from' else ''}{row_estimate(ae).words()} with "
            f"the AE (the seed's KL weight 5 blurs the VAE's images); the VAE samplers span FD {low:.3g} to "
            f"{high:.3g}, and the best VAE row ({best_vae['sampler']}, FD {row_estimate(best_vae).words()}) is "
            f"{versus} the best AE row ({best_ae['sampler']}, FD {row_estimate(best_ae).words()}).")


def results_page(evaluations: dict[str, dict], seconds: dict[str, float], n: int, load: tuple) -> str:
    parts = [
        "# Results: which sampler makes an autoencoder a generator?",
        "",
        "Generated by `scripts/results_table.py` (do not edit by hand). Small convolutional AE and VAE "
        "(filters 16-32-64-64), 20 epochs on one thread of 2 shared CPU cores, then `zspace evaluate` of the samplers "
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
    for dataset, saved in evaluations.items():
        rows = saved["rows"]
        judge = saved["judges"][0]
        parts += [f"## {dataset}", "",
                  f"Judge: **{judge['judge']}** ({judge.get('heldout_summary')}; trained on {judge.get('train_rows')} "
                  f"training images in {judge.get('seconds', 0):.0f} s).", "", table(rows), "",
                  "What the numbers say:", "", *(f"- {line}" for line in saved["findings"]),
                  *(f"- {line}" for line in disagreements(rows)), "",
                  "Set beside Ghosh et al. 2020 (\"From variational to deterministic autoencoders\", ICLR 2020, "
                  "table 1 and sec. 4: CelebA FID of VAE/AE/RAE with N(0,I) and ex-post GMM samplers):", "",
                  seeds_line(saved), "",
                  "| Ghosh et al. on CelebA | ours | |", "|---|---|---|",
                  *(f"| {claim} | {ours} | {verdict} |" for claim, ours, verdict in ghosh_claims(saved)), ""]
    parts += ["## Where ours differs, and why it may", "",
              *(_decoder_line(dataset, saved["rows"]) for dataset, saved in evaluations.items()),
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
