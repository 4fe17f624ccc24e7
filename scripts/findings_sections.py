"""The sections of docs/findings.md, each written from findings.json (scripts/findings_page.py assembles them).

Claims come from ``structure.claims`` as saved; comparisons of two samplers go through
``zspace.evaluation.verdict.compare`` on bootstrap intervals of their medians.
"""

from __future__ import annotations

from findings_link import (
    IMAGES,
    QUALITY_WORDS,
    Interval,
    normal_against_mixture,
    number,
    signed,
    strength,
    vae_against_ae,
    word_better,
    word_deeper,
)

from zspace.evaluation.verdict import HIGHER

RUNS = ("demo_ae", "demo_vae", "fm_ae", "fm_vae", "seed256_ae")
CLAIMS = {"lower_dimension": "Lower local dimension than the Gaussian null",
          "filaments": "Filaments (neighbourhoods more elongated than their own dimension explains)",
          "voids_beyond_null": "Voids beyond the null's"}
MARGIN_WORDS = {"lower_dimension": "20% below the null's dimension", "filaments": "log 1.5 = 0.41 of excess",
                "voids_beyond_null": "5 points more probes in voids"}


def claim_numbers(name: str, claim: dict) -> str:
    """The evidence of one claim in words: the data at k against the Gaussian null's mean ± sd, the mixture's."""
    e = claim["evidence"]
    if "data" not in e:
        return e.get("reason", "no scale could be measured")
    k, data, null, sd, mix = e.get("k"), e["data"], e["gaussian_null_mean"], e["gaussian_null_std"], \
        e.get("mixture_null_mean")
    if name == "lower_dimension":
        text = (f"dimension {data:.1f} against the Gaussian null's {null:.1f} ± {sd:.1f} at k = {k} "
                f"({100 * e['effect']:.0f}% lower)" + (f", mixture null {mix:.1f}" if mix is not None else ""))
    elif name == "filaments":
        text = (f"excess anisotropy {data:.2f} against the null's {null:.2f} ± {sd:.2f} at k = {k} (median log "
                f"λ1/λ2 {e['anisotropy']:.2f} against {e['gaussian_null_anisotropy']:.2f}, at local dimension "
                f"{e['data_dimension']:.1f})" + (f", mixture null {mix:.2f}" if mix is not None else ""))
    else:
        where = ("the k-th-neighbour radius" if e.get("statistic") == "void_fraction"
                 else "the median neighbour distance")
        mixture = f", mixture null {100 * mix:.1f}%" if mix is not None else ""
        text = (f"{100 * data:.1f}% of the fitted-Gaussian probes beyond {where} at k = {k} against the null's "
                f"{100 * null:.1f}% ± {100 * (sd or 0):.1f}%{mixture}")
    p = e.get("p_adjusted")
    text += f"; Holm-adjusted p = {p:.2g}" if p is not None else ""
    if claim["found"] and e.get("effect") is not None and e["effect"] < 1.5 * e.get("margin", 0):
        text += f" (a **weak** effect: under 1.5 times the margin of {MARGIN_WORDS[name]})"
    if claim["found"] and e.get("scales_found"):
        text += f"; found at k = {', '.join(map(str, e['scales_found']))}"
    if claim["status"] == "not found" and e.get("effect") is not None and e["effect"] >= 0.8 * e.get("margin", 0):
        text += f" (**near the margin**: {100 * e['effect'] / e['margin']:.0f}% of {MARGIN_WORDS[name]})"
    if e.get("mixture_reproduces") and claim["status"] != "not found":
        text += (f"; the {e.get('mixture_components')}-Gaussian mixture fitted to the data shows as much (smooth blobs "
                 "suffice to explain it)")
    elif e.get("mixture_reproduces") is False and claim["status"] != "not found":
        text += f"; the {e.get('mixture_components')}-Gaussian mixture null does not reproduce it"
    return text


def claims_section(runs: dict, interval: Interval) -> list[str]:
    lines = []
    for name, title in CLAIMS.items():
        claims = {run: f["structure"]["claims"][name] for run, f in runs.items()}
        found = [run for run, c in claims.items() if c["found"]]
        open_ = [run for run, c in claims.items() if c["status"] == "inconclusive"]
        lines.append(f"- **{title}**: found in {len(found)} of {len(claims)} runs (1 training seed each)"
                     + (f", inconclusive in {', '.join(open_)}" if open_ else "") + f"; margin {MARGIN_WORDS[name]}.")
        lines += [f"  - {run}: **{c['status']}**: {claim_numbers(name, c)}." for run, c in claims.items()]
    found = {}
    for run, f in runs.items():
        claim, pooled = f["link"]["claim"], f["link"]["pooled"]
        quality = claim.get("quality")
        found[run] = (claim, pooled.get(quality, {}) if quality else {})
    hits = [run for run, (claim, _) in found.items() if claim["found"]]
    lines.append(f"- **Worse decodes deeper in voids** (the link, by a quality independent of the encoder, pooled over "
                 f"the samplers, 1 training seed each): found in {len(hits)} of {len(found)} runs.")
    for run, (claim, pooled) in found.items():
        if claim.get("rho") is None:
            lines.append(f"  - {run}: {claim['evidence']}.")
            continue
        ci = interval(claim["rho"], pooled.get("count", 0))
        partial = pooled.get("partial_rho")
        lines.append(f"  - {run}: {'**found**' if claim['found'] else '**not found**'}: {strength(claim['rho'])} "
                     f"rank correlation of void score and {QUALITY_WORDS.get(claim['quality'], claim['quality'])}, "
                     f"ρ = {claim['rho']:+.2f} [{ci[0]:+.2f}, {ci[1]:+.2f}], n = {pooled.get('count')}, p = "
                     f"{claim['p_value']:.2g}; with the Mahalanobis distance held fixed ρ = {signed(partial)} "
                     f"({strength(partial)} partial correlation).")
    return lines


def summary(runs: dict) -> list[str]:
    """The claims counted over the runs, each with the range of its numbers (1 training seed per run)."""
    total, lines = len(runs), []
    for name, title in CLAIMS.items():
        claims = {run: f["structure"]["claims"][name] for run, f in runs.items()}
        found = [run for run, c in claims.items() if c["found"]]
        mixture = [run for run in found if claims[run]["evidence"].get("mixture_reproduces")]
        text = f"**{title}**: found in {len(found)} of {total} runs"
        if found:
            text += f" ({', '.join(found)})"
        if mixture:
            text += (f"; in {len(mixture)} of them the Gaussian mixture fitted to the data shows as much "
                     f"({', '.join(mixture)})")
        if name == "filaments":
            best = max(claims, key=lambda run: claims[run]["evidence"].get("effect") or -1.0)
            e = claims[best]["evidence"]
            if "data" in e:
                text += (f"; the largest excess anisotropy over an isotropic cloud of the data's own dimension is "
                         f"{e['data']:.2f} ({best}, k = {e['k']}; Gaussian null {e['gaussian_null_mean']:.2f} ± "
                         f"{e['gaussian_null_std']:.2f}), against the 0.41 a filament needs")
        lines.append(f"{len(lines) + 1}. {text} (1 training seed each).")
    links = {run: f["link"] for run, f in runs.items() if f["link"]["claim"].get("rho") is not None}
    if links:
        found = [run for run, link in links.items() if link["claim"]["found"]]
        rhos = [link["claim"]["rho"] for link in links.values()]
        partial = [link["pooled"][link["claim"]["quality"]]["partial_rho"] for link in links.values()]
        partial = [value for value in partial if value is not None]
        lines.append(f"{len(lines) + 1}. **Worse decodes deeper in voids**, by a quality independent of the encoder: "
                     f"found in {len(found)} of {len(links)} runs; pooled ρ from {min(rhos):+.2f} to {max(rhos):+.2f}"
                     + (f", and from {min(partial):+.2f} to {max(partial):+.2f} with the Mahalanobis distance held "
                        f"fixed ({strength(max(partial, key=abs))} partial correlation at most)" if partial else "")
                     + " (intervals and n per run in section 2; 1 training seed each).")
    worse = {run: normal_against_mixture(f) for run, f in runs.items()}
    worse = {run: found for run, found in worse.items() if found is not None}
    if worse:
        higher = [run for run, (found, _) in worse.items() if found == HIGHER]
        small = [run for run, (found, relative) in worse.items() if found == HIGHER and relative < 0.05]
        lines.append(f"{len(lines) + 1}. **N(0, I) against the fitted mixture (gmm:k=10)**: N(0, I)'s decoded images "
                     f"are worse by the primary quality in {len(higher)} of {len(worse)} runs (disjoint 95% intervals "
                     "of the medians)" + (f", by under 5% (**small**) in {', '.join(small)}" if small else "")
                     + "; numbers in section 2 (1 training seed each).")
    pairs = vae_against_ae(runs)
    if pairs:
        lines.append(f"{len(lines) + 1}. **Deeper in a void, yet better?** " + "; ".join(
            f"{vae}'s N(0, I) points lie {word_deeper(v[0], a[0])} {ae}'s mixture points (void score "
            f"{v[0].value:.2f} against {a[0].value:.2f}) and decode {word_better(v[1], a[1])} by the same judge "
            f"({v[1].value:.2f} against {a[1].value:.2f})" for vae, ae, v, a in pairs)
            + " (medians, 95% bootstrap intervals in section 2; 1 training seed each).")
    depth = {run: f["link"]["matched_depth"].get(f["link"]["primary_quality"], {}) for run, f in runs.items()}
    depth = {run: d for run, d in depth.items() if d.get("comparable")}
    if depth:
        lines.append(f"{len(lines) + 1}. **At matched void depth** the samplers' decoded quality still differs in "
                     + ", ".join(f"{d['differing']} of {d['comparable']} bins ({run})" for run, d in depth.items())
                     + " (Kruskal-Wallis, Bonferroni): where it differs, where a point lies beyond its void depth "
                     "matters (1 training seed each).")
    return lines


def _epochs(count: int) -> str:
    return f"{count} epoch" + ("" if count == 1 else "s")


def runs_section(runs: dict, seconds: dict) -> list[str]:
    lines = ["| name | data | model | latent | training done | val loss first → last | train time |",
             "|---|---|---|---|---|---|---|"]
    for run, f in runs.items():
        t = f["training"]
        arch = f"`{t['arch']}` {t['model'].upper()} (filters {','.join(map(str, t['filters']))}; kernels " \
               f"{','.join(map(str, t['kernels']))})"
        kl = f", KL weight {t['kl_weight']:g}" if t["model"] == "vae" else ""
        lines.append(f"| {run} | {t['images']:,} {t['source']}, {t['image_size']} px ({t['train_images']:,} train) | "
                     f"{arch} | {t['latent_dim']} | {_epochs(t['epochs'])}, seed {t['seed']}{kl} | "
                     f"{number(t['val_loss_first'], 1)} → {number(t['val_loss_last'], 1)} | "
                     f"{t['train_seconds'] / 60:.1f} min |")
    if "seed256_ae" in runs:
        t = runs["seed256_ae"]["training"]
        lines += ["", f"**What was cut from the seed's recipe** (96 px CelebA, about 200,000 images, `seed-5x5`, "
                      f"z = 256, 24 epochs): seed256_ae is the same architecture preset and latent size, trained on "
                      f"{t['images']:,} synthetic faces of {t['image_size']} px for {_epochs(t['epochs'])} "
                      f"({t['train_seconds'] / 60:.0f} min of a shared 2-core CPU), one seed. The images (synthetic, "
                      f"not CelebA; {t['images']:,} not ~200,000), the size ({t['image_size']} not 96 px), the epochs "
                      f"({t['epochs']} not 24) and the seeds (1 not 3) were cut to fit the machine."]
    jobs = [f"{job} {v['seconds'] / 60:.1f} min (load {v['load'][0]:.1f})" for job, v in seconds.items()]
    unrecorded = [job for job in ("demo", "fm", "seed256") if job not in seconds]
    lines += ["", "Wall time of each job of `scripts/findings_runs.py` (training and encoding): "
              + ("; ".join(jobs) if jobs else "not recorded")
              + (f" ({', '.join(unrecorded)}: no entry, the job was stopped once its runs were encoded; their "
                 "training time is in the table)" if unrecorded and jobs else "") + ". Analysis time per run: "
              + "; ".join(f"{run} link {f['seconds']['link']:.0f} s + structure {f['seconds']['analysis']:.0f} s"
                          for run, f in runs.items()) + ".", "",
              "Regenerate (the runs took about 40 min of 2 cores shared with other jobs, the analyses 5-10 min each):",
              "", "```", "python scripts/findings_runs.py --root /tmp/findings_runs --budget-minutes 12 "
              f"--faces {runs.get('seed256_ae', {}).get('training', {}).get('images', 6000)} "
              f"--fm-count {runs.get('fm_ae', {}).get('training', {}).get('images', 10000)}",
              "python scripts/findings.py --root /tmp/findings_runs      # analyses, findings.json, figures",
              "python scripts/findings_page.py --root /tmp/findings_runs # this page", "```", "",
              "Each analysis is `analyze(latents, index, AnalysisOptions(structure=StructureOptions(null_draws=5)), "
              "link=generation_link(run, DEFAULT_SAMPLERS, 500, judge=\"auto\"))`, as "
              "`zspace analyze RUN --structure --link default --link-samples 500`; the seeds are fixed."]
    return lines


def _null(value: float, mean: float, sd: float | None, digits: int = 1) -> str:
    return f"{value:.{digits}f} ({mean:.{digits}f} ± {sd or 0:.{digits}f})"


def _cell(claim: dict) -> str:
    e = claim["evidence"]
    if claim["status"] == "not found":
        return "not found"
    return f"{claim['status']} (k = {e.get('k')})"


def structure_table(runs: dict) -> list[str]:
    lines = ["| run | N x d | TwoNN (null ± sd) | MLE (null ± sd) | PCA axes for 90% | lower dimension | "
             "filaments | voids beyond null |", "|---|---|---|---|---|---|---|---|"]
    for run, f in runs.items():
        s = f["structure"]
        i, n, sd, c = s["intrinsic_dimension"], s["null_intrinsic_dimension"], s["null_intrinsic_dimension_std"], \
            s["claims"]
        lines.append(f"| {run} | {f['n']:,} x {f['dim']} | {_null(i['twonn'], n['twonn'], sd.get('twonn'))} | "
                     f"{_null(i['mle'], n['mle'], sd.get('mle'))} | {i['pca_90']} ({n['pca_90']}) | "
                     f"{_cell(c['lower_dimension'])} | {_cell(c['filaments'])} | {_cell(c['voids_beyond_null'])} |")
    lines += ["", "(TwoNN and MLE: intrinsic dimension estimates of the whole cloud; the null's mean ± sd over 5 "
              "draws. The claims' numbers are in the verdict above; the curves behind them are below.)", ""]
    for run in runs:
        lines.append(f"![{run}: statistics against scale]({IMAGES}/{run}_structure_scales.png)")
    lines += ["", "*Each statistic against the neighbourhood size k: the data, the Gaussian null (band: its draws) "
              "and the mixture null. The claims read these curves.*", "",
              "Each single-scale test's z-score against the null: "
              + ", ".join(f"[{run}]({IMAGES}/{run}_structure.png)" for run in runs)
              + "; PCA plane 1-2 of the data and of a null draw, zoomed as the seed did: "
              + ", ".join(f"[{run}]({IMAGES}/{run}_pca_plane_1_2.png)" for run in runs) + "."]
    return lines


def factor_section(runs: dict) -> list[str]:
    lines = ["### What the structure is made of", ""]
    for run, f in runs.items():
        factors = f.get("factors")
        if not factors:
            continue
        first = next(iter(factors["planes"].values()), {})
        top = ", ".join(f"{name} R² {max(v['linear_r2'], v['angle_r2']):.2f}" for name, v in list(first.items())[:3])
        text = f"- {run}: PCA plane 1-2 follows {top} (linear or angle R², 1 seed)"
        if "ring_hue" in factors:
            text += (f"; the angle around plane 1-2 turns with the circular background hue to a mean resultant length "
                     f"of {factors['ring_hue']['turning']:.3f} (1: the angle is the hue, about 0.01: unrelated)")
        local = factors.get("local")
        if local:
            ranked = ", ".join(f"{name} {value:.2f}" for name, value in local["ranked"][:3])
            text += (f"; the leading local direction of {local['k']}-neighbourhoods follows {ranked} (mean |r|, "
                     f"chance {local['chance']:.2f})")
        for key, value in factors.items():
            if key.startswith("neighbours_"):
                text += (f"; {100 * value['same_class_share']:.0f}% of each point's {value['k']} nearest neighbours "
                         f"share its {key[len('neighbours_'):]} (chance {100 * value['chance']:.0f}%)")
        lines.append(text + ".")
    if any(f"{run}_ring_hue" for run in runs):
        rings = [run for run, f in runs.items() if f.get("factors", {}).get("ring_hue")]
        lines += ["", " ".join(f"![{run} ring]({IMAGES}/{run}_ring_hue.png)" for run in rings)]
    return lines


