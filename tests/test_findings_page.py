"""docs/findings.md and docs/results.md writers (scripts/): words follow the saved claims and intervals."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from findings_page import page, spearman_interval  # noqa: E402  (scripts/ is not a package)


def claim(found: bool, status: str, data: float, null: float, effect: float, margin: float) -> dict:
    evidence = {"statistic": "dimension", "k": 64, "data": data, "gaussian_null_mean": null, "gaussian_null_std": 0.1,
                "mixture_null_mean": None, "effect": effect, "margin": margin, "p_adjusted": 1e-4 if found else 0.5,
                "scales_found": [64] if found else [], "mixture_reproduces": None, "anisotropy": 0.3,
                "gaussian_null_anisotropy": 0.2, "data_dimension": 7.0}
    return {"found": found, "status": status, "scale": 64 if status != "not found" else None, "evidence": evidence}


def medians(void: float, quality: float, half: float) -> dict:
    return {"void": {"median": void, "low": void - half, "high": void + half},
            "mahalanobis": {"median": 5.0, "low": 4.0, "high": 6.0},
            "pixel_distance": {"median": quality, "low": quality - half, "high": quality + half}}


def record() -> dict:
    quality = {"rho": 0.2, "p_value": 1e-5, "count": 1000, "median": 1.3, "partial_rho": 0.05, "void_share": 0.9}
    row = {"sampler": "normal", "count": 500, "void_share": 1.0, "void_score_median": 2.0, "mahalanobis_median": 6.0,
           "pixel_distance": quality}
    return {
        "n": 1000, "dim": 8, "seconds": {"link": 1.0, "analysis": 2.0},
        "training": {"model": "ae", "arch": "small", "latent_dim": 8, "filters": [8], "kernels": [3], "image_size": 32,
                     "source": "synthetic-faces", "images": 1000, "train_images": 900, "epochs": 2, "kl_weight": 5.0,
                     "seed": 0, "val_loss_first": 2.0, "val_loss_last": 1.0, "train_seconds": 60.0},
        "structure": {"intrinsic_dimension": {"twonn": 5.0, "mle": 5.0, "pca_90": 6},
                      "null_intrinsic_dimension": {"twonn": 8.0, "mle": 8.0, "pca_90": 6},
                      "null_intrinsic_dimension_std": {"twonn": 0.1, "mle": 0.1},
                      "claims": {"lower_dimension": claim(True, "found", 6.0, 7.0, 0.22, 0.2),
                                 "filaments": claim(False, "not found", 0.01, 0.0, 0.01, 0.405),
                                 "voids_beyond_null": claim(False, "inconclusive", 0.3, 0.2, 0.1, 0.05)}},
        "link": {"claim": {"found": True, "quality": "pixel_distance", "rho": 0.2, "p_value": 1e-5},
                 "pooled": {**row, "sampler": "pooled", "count": 1000}, "rows": [row],
                 "primary_quality": "pixel_distance", "matched_depth": {}},
        "link_settings": {"judge": None},
        "medians": {"normal": medians(2.0, 1.30, 0.05), "gmm:k=10": medians(1.2, 1.28, 0.05)},
    }


def test_the_page_writes_each_claim_as_saved_and_calls_small_effects_weak() -> None:
    text = page({"demo_ae": record()}, {}, (1.0, 1.0, 1.0))
    assert "found in 1 of 1 runs" in text and "**weak** effect" in text  # 0.22 < 1.5 x the 20% margin
    assert "demo_ae: **not found**: excess anisotropy 0.01" in text
    assert "inconclusive in demo_ae" in text
    assert "a weak rank correlation" in text and "ρ = +0.20 [" in text
    # pixel distances 1.30 and 1.28 with overlapping intervals: no ordering is claimed
    assert "1.3 [1.25, 1.35], not separated from gmm:k=10's 1.28 [1.23, 1.33] (intervals overlap)" in text
    assert "Runs missing from this page:** demo_vae, fm_ae, fm_vae, seed256_ae" in text


def test_the_spearman_interval_covers_the_known_rho_of_a_bivariate_normal() -> None:
    rng = np.random.default_rng(0)
    r, n, runs = 0.6, 400, 300
    truth = 6 / np.pi * np.arcsin(r / 2)  # Spearman's rho of a bivariate normal with correlation r (Pearson 1907)
    covered = 0
    for _ in range(runs):
        x = rng.normal(size=n)
        y = r * x + np.sqrt(1 - r * r) * rng.normal(size=n)
        low, high = spearman_interval(float(stats.spearmanr(x, y).statistic), n)
        covered += low <= truth <= high
    assert 0.92 <= covered / runs <= 0.98
    assert spearman_interval(None, 100) is None and spearman_interval(0.5, 3) is None


def test_results_page_decides_from_the_groups_across_seeds() -> None:
    from results_page import ghosh_claims, results_page

    from zspace.evaluation.replicates import RunIdentity, replicate_groups

    rng = np.random.default_rng(0)
    means = {"ae": {"normal": 16.0, "diag": 10.0, "fullcov": 7.0, "gmm:k=10": 3.0},
             "vae": {"normal": 12.0, "diag": 12.5, "fullcov": 12.3, "gmm:k=10": 11.8}}
    rows = []
    for model, samplers in means.items():
        for seed in range(3):
            run = f"{model}-seed{seed}"
            for sampler, fd in [("held-out data", 0.2), ("held-out reconstructions", 2.0), *samplers.items()]:
                value = fd + rng.normal(scale=0.4)  # the training seed moves every FD
                rows.append({"run": run, "model": model, "sampler": sampler, "n": 2000, "fd": value,
                             "fd_ci": [value - 0.1, value + 0.1], "precision": 0.8, "recall": 0.5,
                             "off_manifold": 1.5, "cycle_error": 0.2})
    groups = replicate_groups(rows, {f"{m}-seed{s}": RunIdentity(m, s) for m in means for s in range(3)})
    saved = {"rows": rows, "findings": [], "judges": [{"judge": "factors"}], "groups": groups}
    claims = {claim: (ours, verdict) for claim, ours, verdict in ghosh_claims(saved)}
    # the VAE samplers lie within 0.7 of each other, under the seeds' spread: no ordering among them is claimed
    assert claims["VAE + fitted density ≥ VAE + N(0,I)"][1] == "inconclusive"
    assert "(3 seeds)" in claims["AE + N(0,I) is the worst pair"][0]
    page_text = results_page({"synthetic faces": saved}, {}, 2000, (1.0, 1.0, 1.0))
    assert "Verdicts use the 95% t interval over 3 training seeds" in page_text
    assert "| AE | normal | 3 |" in page_text  # the group table: one row per (model, sampler)
