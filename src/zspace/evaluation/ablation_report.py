"""The four ablations of issue 21 section 6 as claims decided from intervals, and docs/ablations.md from them.

:func:`build_ablations` turns each configuration's evaluation rows and latent checks into numbers across seeds
(:mod:`ablation_summary`) and the claims that test docs/findings.md's causal story:

1. the prior moved to the data's region: ``fullcov`` (N(mu, Sigma) fitted to the training latents) against
   ``normal`` (N(0, I)) for the AE, and for the demo's VAE as a control;
2. unit variance added where the data has none: ``fullcov-floor`` against ``fullcov``, for every model;
3. where the VAE's N(0, I) points sit: their Mahalanobis distance on all units and on the active units only,
   as a ratio to the data's own, against the AE's N(0, I) points (which fail) and ``fullcov``'s (in the data);
4. the KL-weight sweep: N(0, I) quality, active units and that ratio per weight, each weight against the
   demo's (5).

:func:`ablation_markdown` writes the page from the result alone (the page never computes a number).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from zspace.evaluation.ablation_summary import (
    LEVEL,
    claim,
    claim_words,
    latent_summary,
    paired,
    sampler_summaries,
    words,
)
from zspace.evaluation.ranking_figure import HELDOUT, RECONSTRUCTIONS
from zspace.evaluation.verdict import HIGHER, LOWER

DEMO_WEIGHT = 5.0


def build_ablations(configurations: Mapping[str, Mapping], rows: Mapping[str, Sequence[Mapping]],
                    latents: Mapping[str, Sequence[Mapping]], setup: Mapping) -> dict:
    """``configurations``: name -> {"model", "kl_weight"}; ``rows``: name -> evaluation rows of its seeds;
    ``latents``: name -> latent_ablation per seed. Configurations without rows are listed as missing."""
    found = {"setup": dict(setup), "level": LEVEL, "configurations": {}, "missing": [], "ablations": {}}
    for name, spec in configurations.items():
        if not rows.get(name) or not latents.get(name):
            found["missing"].append(name)
            continue
        found["configurations"][name] = {**spec, "samplers": sampler_summaries(rows[name]),
                                         "latent": latent_summary(latents[name]), "rows": list(rows[name])}
    present = found["configurations"]
    vaes = sorted((n for n, c in present.items() if c["model"] == "vae"), key=lambda n: present[n]["kl_weight"])
    demo_vae = next((n for n in vaes if present[n]["kl_weight"] == DEMO_WEIGHT), None)
    found["ablations"]["prior_moved"] = [_prior_moved(name, present[name]) for name in ("ae", demo_vae)
                                         if name in present]
    found["ablations"]["floor"] = [_floor(name, present[name]) for name in ("ae", *vaes) if name in present]
    found["ablations"]["active_units"] = [_active(name, present[name], present.get("ae")) for name in vaes]
    found["ablations"]["kl_sweep"] = _sweep(present, vaes, demo_vae)
    for item in found["configurations"].values():
        del item["rows"]
    return found


def _pair(config: Mapping, a: str, b: str, metric: str) -> dict:
    return paired(config["rows"], a, b, metric)


def _sampler(config: Mapping, sampler: str, metric: str) -> dict:
    return config["samplers"].get(sampler, {}).get(metric) or {"mean": None, "n": 0}


def _prior_moved(name: str, config: Mapping) -> dict:
    label = name.upper() if name == "ae" else f"VAE (KL weight {config['kl_weight']:g})"
    claims = [
        claim(f"{label}: FD of N(mu, Sigma) (fullcov) lower than FD of N(0, I)", _sampler(config, "fullcov", "fd"),
              _sampler(config, "normal", "fd"), LOWER, _pair(config, "fullcov", "normal", "fd")),
        claim(f"{label}: precision of fullcov higher than of N(0, I)", _sampler(config, "fullcov", "precision"),
              _sampler(config, "normal", "precision"), HIGHER, _pair(config, "fullcov", "normal", "precision")),
        claim(f"{label}: recall of fullcov higher than of N(0, I)", _sampler(config, "fullcov", "recall"),
              _sampler(config, "normal", "recall"), HIGHER, _pair(config, "fullcov", "normal", "recall")),
        claim(f"{label}: FD of fullcov at the held-out count above the held-out reconstructions' (the decoder's "
              "own reference)", _sampler(config, "fullcov", "fd_equal_n"),
              _sampler(config, RECONSTRUCTIONS, "fd_equal_n"), HIGHER,
              _pair(config, "fullcov", RECONSTRUCTIONS, "fd_equal_n")),
    ]
    return {"configuration": name, "label": label, "claims": claims,
            "mahalanobis_ratio": {spec: config["latent"]["ratio"][spec]["all"] for spec in ("normal", "fullcov")}}


def _floor(name: str, config: Mapping) -> dict:
    label = name.upper() if name == "ae" else f"VAE (KL weight {config['kl_weight']:g})"
    claims = [
        claim(f"{label}: FD of fullcov-floor higher than of fullcov (the floor breaks the samples)",
              _sampler(config, "fullcov-floor", "fd"), _sampler(config, "fullcov", "fd"), HIGHER,
              _pair(config, "fullcov-floor", "fullcov", "fd")),
        claim(f"{label}: precision of fullcov-floor lower than of fullcov",
              _sampler(config, "fullcov-floor", "precision"), _sampler(config, "fullcov", "precision"), LOWER,
              _pair(config, "fullcov-floor", "fullcov", "precision")),
        claim(f"{label}: recall of fullcov-floor lower than of fullcov",
              _sampler(config, "fullcov-floor", "recall"), _sampler(config, "fullcov", "recall"), LOWER,
              _pair(config, "fullcov-floor", "fullcov", "recall")),
        # is distance from the data's Gaussian bulk what fails? the floor's points can be as far as N(0, I)'s
        claim(f"{label}: FD of fullcov-floor lower than of N(0, I)", _sampler(config, "fullcov-floor", "fd"),
              _sampler(config, "normal", "fd"), LOWER, _pair(config, "fullcov-floor", "normal", "fd")),
        claim(f"{label}: fullcov-floor's points nearer the data than N(0, I)'s (Mahalanobis ratio, all units)",
              config["latent"]["ratio"]["fullcov-floor"]["all"], config["latent"]["ratio"]["normal"]["all"], LOWER),
    ]
    return {"configuration": name, "label": label, "claims": claims,
            "floored_axes": config["latent"].get("floored_axes"),
            "ratio_floor": config["latent"]["ratio"]["fullcov-floor"]["all"],
            "ratio_normal": config["latent"]["ratio"]["normal"]["all"],
            "active_count": config["latent"]["active_count"], "dim": config["latent"]["dim"]}


def _active(name: str, config: Mapping, ae: Mapping | None) -> dict:
    ratio = config["latent"]["ratio"]
    label = f"VAE (KL weight {config['kl_weight']:g})"
    claims = []
    if ae is not None:
        claims.append(claim(f"{label}: N(0, I) on the active units closer to the data (Mahalanobis ratio) than the "
                            "AE's N(0, I) on all units", ratio["normal"]["active"],
                            ae["latent"]["ratio"]["normal"]["all"], LOWER))
    claims.append(claim(f"{label}: N(0, I) on all units farther from the data than on the active units only",
                        ratio["normal"]["all"], ratio["normal"]["active"], HIGHER))
    claims.append(claim(f"{label}: N(0, I) on the active units farther from the data than fullcov's points",
                        ratio["normal"]["active"], ratio["fullcov"]["active"], HIGHER))
    posterior = ratio["normal"].get("posterior")
    if posterior is not None:
        claims.append(claim(f"{label}: N(0, I) nearer the aggregate posterior (means + encoder noise) than the means "
                            "(Mahalanobis ratio, all units)", posterior, ratio["normal"]["all"], LOWER))
        if ae is not None:
            claims.append(claim(f"{label}: N(0, I) nearer the aggregate posterior than the AE's N(0, I) is to the "
                                "AE's latents", posterior, ae["latent"]["ratio"]["normal"]["all"], LOWER))
    return {"configuration": name, "label": label, "claims": claims, "ratio_all": ratio["normal"]["all"],
            "ratio_active": ratio["normal"]["active"], "ratio_posterior": posterior,
            "active_count": config["latent"]["active_count"], "dim": config["latent"]["dim"]}


def _sweep(present: Mapping[str, Mapping], vaes: list[str], demo_vae: str | None) -> dict:
    table = []
    for name in vaes:
        config = present[name]
        table.append({"configuration": name, "kl_weight": config["kl_weight"],
                      **{metric: _sampler(config, "normal", metric) for metric in ("fd", "precision", "recall")},
                      "active_count": config["latent"]["active_count"],
                      "ratio_active": config["latent"]["ratio"]["normal"]["active"],
                      "ratio_all": config["latent"]["ratio"]["normal"]["all"],
                      "ratio_posterior": config["latent"]["ratio"]["normal"].get("posterior")})
    claims = []
    if demo_vae is not None:
        demo = present[demo_vae]
        for name in vaes:
            if name == demo_vae:
                continue
            weight = present[name]["kl_weight"]
            claims.append(claim(f"N(0, I) FD at KL weight {weight:g} lower than at {DEMO_WEIGHT:g}",
                                _sampler(present[name], "normal", "fd"), _sampler(demo, "normal", "fd"), LOWER))
            claims.append(claim(f"active units at KL weight {weight:g} more than at {DEMO_WEIGHT:g}",
                                present[name]["latent"]["active_count"], demo["latent"]["active_count"], HIGHER))
    return {"table": table, "claims": claims}


def ablation_markdown(result: Mapping) -> str:
    """docs/ablations.md: the setup, one section per ablation with its table and claims, written from
    ``result`` (:func:`build_ablations`) alone."""
    setup = result["setup"]
    lines = ["# Ablations: testing the causal story (issue 21, section 6)", "",
             "Generated by `scripts/ablations.py` from `ROOT/ablations.json`; do not edit by hand.", "",
             f"Setup: {setup.get('description', '')}", "",
             f"Every number is a mean over training seeds with its {round(result['level'] * 100)}% t interval "
             "over those seeds (the `groups` of `zspace evaluate RUN1 RUN2 RUN3`) and the number of seeds. A claim "
             "**agrees** when the two intervals are disjoint in its direction, **disagrees** when disjoint the "
             "other way, **inconclusive** when they overlap (not shown, never \"equal\"). The paired interval is "
             "the per-seed difference of two samplers decoded by the same networks; it removes the spread "
             "between networks and is given beside, labelled.", ""]
    lines += _in_short(result)
    lines += ["![Decoded samples per configuration and sampler (one seed)](images/ablations/samples.png)", ""]
    if result["missing"]:
        lines += [f"Not measured (runs missing when the page was written): {', '.join(result['missing'])}.", ""]
    lines += _samplers_table(result)
    sections = (("1. The prior moved to the data's region: N(mu, Sigma) against N(0, I)", "prior_moved"),
                ("2. Unit variance added where the data has none: fullcov-floor against fullcov", "floor"),
                ("3. Where the VAE's N(0, I) points sit: all units, the active units, the aggregate posterior",
                 "active_units"))
    for title, key in sections:
        lines += [f"## {title}", ""]
        for item in result["ablations"][key]:
            lines += [f"- {claim_words(c)}" for c in item["claims"]] + _context(key, item)
        lines += [""]
    lines += ["## 4. KL-weight sweep of the VAE: N(0, I) samples", "",
              "Mahalanobis ratio of the N(0, I) points: on the means' active units, on all units of the means, "
              "and from the aggregate posterior (means + one draw of the encoder's noise).", "",
              "| KL weight | FD | precision | recall | active units | ratio, active units | ratio, all units | "
              "ratio, aggregate posterior |", "|---|---|---|---|---|---|---|---|"]
    for row in result["ablations"]["kl_sweep"]["table"]:
        lines.append(f"| {row['kl_weight']:g} | {words(row['fd'])} | {words(row['precision'])} | "
                     f"{words(row['recall'])} | {words(row['active_count'])} | {words(row['ratio_active'])} | "
                     f"{words(row['ratio_all'])} | {words(row.get('ratio_posterior'))} |")
    lines += [""] + [f"- {claim_words(c)}" for c in result["ablations"]["kl_sweep"]["claims"]] + [""]
    lines += ["![The KL-weight sweep: N(0, I)'s FD, recall, active units and Mahalanobis ratios, with t intervals "
              "over seeds (grey: each seed)](images/ablations/kl_sweep.png)", ""]
    lines += _caveats(result)
    return "\n".join(lines) + "\n"


def _in_short(result: Mapping) -> list[str]:
    """The claims that answer each question, first: the AE's and the demo VAE's, and the sweep's ends."""
    ablations = result["ablations"]
    picked = [c for item in ablations["prior_moved"] for c in item["claims"][:1]]
    picked += [c for item in ablations["floor"] if item["configuration"] in ("ae", "vae-kl5")
               for c in (item["claims"][0], item["claims"][3])]
    picked += [c for item in ablations["active_units"] for c in item["claims"] if "aggregate posterior (" in c["claim"]]
    picked += ablations["kl_sweep"]["claims"][:2]
    if not picked:
        return []
    return ["## In short", ""] + [f"- {claim_words(c)}" for c in picked] + [""]


def _caveats(result: Mapping) -> list[str]:
    """What limits the page, with the numbers that say so."""
    lines = ["## Limits", "",
             "- Small networks trained for few epochs on 2 shared CPU cores; another scale can change any of "
             "this. With 3 seeds the 95% t quantile is 4.3, so only large effects are decided.",
             "- The floor is absolute (variance 1, the prior's), not relative to the data: it raises every principal "
             "axis whose variance is under 1, collapsed or not."]
    for item in result["ablations"]["floor"]:
        lines[-1] += f" {item['label']}: {words(item.get('floored_axes'))} of {item['dim']} axes."
    reconstructions = [(name, config["samplers"].get(RECONSTRUCTIONS, {}).get("recall"))
                       for name, config in result["configurations"].items()]
    lines.append("- Recall of the held-out reconstructions (the decoder's own images, k = 3): "
                 + "; ".join(f"{name} {words(value)}" for name, value in reconstructions if value) +
                 ". Where it is near 0 the decoder's images are too uniform (blur) for any sampler to reach recall, "
                 "and a VAE's N(0, I) success is precision only.")
    lines.append("- Mahalanobis distances are medians over 2,000 points of each sampler, against every row of "
                 "latents.npy (the encoder means); the aggregate posterior is one draw of q(z | x) per row "
                 "(logvar.npy). Active units: variance of the means above 0.01 (Burda et al. 2016).")
    return lines + [""]


def _context(key: str, item: Mapping) -> list[str]:
    """The numbers behind a section's claims that are not claims themselves."""
    if key == "prior_moved":
        ratio = item["mahalanobis_ratio"]
        return [f"- {item['label']}: Mahalanobis ratio (all units) of N(0, I) {words(ratio['normal'])}, of fullcov "
                f"{words(ratio['fullcov'])}"]
    if key == "floor":
        return [f"- {item['label']}: the floor raised {words(item.get('floored_axes'))} of {item['dim']} principal "
                f"axes (variance under 1); active units {words(item['active_count'])}; Mahalanobis ratio (all units) "
                f"of fullcov-floor {words(item['ratio_floor'])} against N(0, I) {words(item['ratio_normal'])}"]
    return [f"- {item['label']}: Mahalanobis ratio of N(0, I) on all units {words(item['ratio_all'])}, on the "
            f"{words(item['active_count'])} active units of {item['dim']} {words(item['ratio_active'])}, from the "
            f"aggregate posterior {words(item.get('ratio_posterior'))}"]


def _samplers_table(result: Mapping) -> list[str]:
    lines = ["## Every configuration and sampler", "",
             "FD in the factor judge's features at n samples (FD at the held-out count beside it, the only FD "
             "comparable with the held-out rows), precision and recall (k = 3), off-manifold distance; "
             "Mahalanobis ratio: the median Mahalanobis distance of the sampler's points from the data latents' "
             "mean, over the data's own median (1 = as far as the data), on all units / on the active units / from "
             "the aggregate posterior (VAE: the means plus one draw of the encoder's noise; a dash for the AE).", "",
             "The held-out data row is the same images for every seed (no spread); the reconstructions row is "
             "each seed's network decoding them.", "",
             "| configuration | sampler | FD | FD at held-out n | precision | recall | off-manifold | "
             "Mahalanobis ratio, all / active / aggregate posterior |", "|---|---|---|---|---|---|---|---|"]
    for name, config in result["configurations"].items():
        for sampler, metrics in config["samplers"].items():
            ratio = config["latent"]["ratio"].get(sampler)
            ratios = " / ".join(words(ratio.get(units)) for units in ("all", "active", "posterior")) if ratio else "-"
            fd = "-" if sampler in (HELDOUT, RECONSTRUCTIONS) else words(metrics["fd"])
            lines.append(f"| {name} | {sampler} | {fd} | {words(metrics['fd_equal_n'])} | "
                         f"{words(metrics['precision'])} | {words(metrics['recall'])} | "
                         f"{words(metrics['off_manifold'])} | {ratios} |")
        latent = config["latent"]
        lines.append(f"| {name} | (latents) | active units {words(latent['active_count'])} of {latent['dim']}; "
                     f"data's own Mahalanobis median {words(latent['data']['all'])} all / "
                     f"{words(latent['data']['active'])} active | | | | | |")
    return lines + [""]
