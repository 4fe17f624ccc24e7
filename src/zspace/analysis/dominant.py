"""Dominant, typical and inactive components, and the active units (SPEC S7; issues 10 and 11).

The seed lists the "dominant" components: large half-width or large |centre|.
"Large" is judged by groups, not by distance from the median (a robust z-score
fails when the population has two groups, as a VAE with 12 live and 20
collapsed components does):

- widths: the log half-widths of the non-constant components are split into
  well-separated groups (:func:`zspace.analysis.groups.split_groups`; sigma floor
  0.05, i.e. 5% in width, and neighbouring group centres at least
  ``min_width_ratio`` = 1.5x apart). With more than one group, the widest group
  is **dominant** ("wide"), except its members narrower than half the group's
  centre (partly active components on the way to collapse: "typical"), and a
  lower group whose centre is below
  ``inactive_ratio`` (0.3) x the widest group's centre is the collapsed group:
  its members whose std is below ``inactive_ratio`` x the median std of the
  widest group are **inactive** (collapsed: variance under 0.3^2 = 0.09, about a
  tenth, of the live variance). A member with a larger std is "typical": a
  partly active component, a narrow peak at zero for most images with wide
  tails for a few (its half-width is small, its variance is not). A lower group
  closer than that is the bulk ("typical"): an AE whose components are all wide
  and a few much wider has a few dominant and no inactive components.
- centres: |mean| in units of the typical std of the live components is split
  the same way (floor 0.05, groups at least ``min_shift`` = 0.5 std apart); the
  group of the largest |centre| is dominant ("shifted") when there are two or more.
- a constant component (std 0) has half-width 0 and is inactive, never dominant;
  no inactive component is dominant.

**Active units** (Burda, Grosse & Salakhutdinov 2016, "Importance weighted
autoencoders", section 5.2): component k is active when the variance over the
data of the encoder mean, Var_x(E[z_k | x]), is above a threshold (0.01). On
latents.npy (the encoder means) that is the per-component variance; on any
N x d array zspace reports the same count.
"""

from __future__ import annotations

import numpy as np

from zspace.analysis.components import DominantComponent
from zspace.analysis.groups import Grouping, split_groups

WIDTH_SIGMA_FLOOR = 0.05  # log units: a half-width measured to about 5%
CENTRE_SIGMA_FLOOR = 0.05  # in typical stds
PARTLY_ACTIVE_RATIO = 0.5  # a member of the widest group narrower than this x its centre is typical, not dominant


def active_units(std: np.ndarray, threshold: float = 0.01) -> list[int]:
    """Components whose variance exceeds ``threshold`` (Burda et al. 2016)."""
    return [int(i) for i in np.flatnonzero(np.asarray(std, dtype=np.float64) ** 2 > threshold)]


def _describe(grouping: Grouping, scale) -> list[dict]:
    return [{"centre": float(scale(c)), "count": int(np.sum(grouping.labels == g)),
             "separation_from_next": grouping.separation[g] if g < len(grouping.separation) else None}
            for g, c in enumerate(grouping.centres)]


def classify_components(mean: np.ndarray, std: np.ndarray, half_width: np.ndarray, inactive_ratio: float = 0.3,
                        min_width_ratio: float = 1.5, min_shift: float = 0.5) -> dict:
    """Labels, dominant list, inactive list and the groups found, by the rule in the module docstring."""
    dim = len(mean)
    std = np.asarray(std, dtype=np.float64)
    labels = ["typical"] * dim
    constant = (np.asarray(std) <= 0) | (np.asarray(half_width) <= 0)
    live = np.flatnonzero(~constant)
    width_why: dict[int, str] = {}
    width_groups: list[dict] = []
    for i in np.flatnonzero(constant):
        labels[i] = "inactive"
    if len(live):
        widths = split_groups(np.log(half_width[live]), WIDTH_SIGMA_FLOOR, float(np.log(min_width_ratio)))
        width_groups = _describe(widths, np.exp)
        top = widths.count - 1
        top_centre = float(np.exp(widths.centres[top]))
        live_std = float(np.median(std[live[widths.labels == top]]))  # the live components' typical std
        for g in range(widths.count):
            members = live[widths.labels == g]
            centre = float(np.exp(widths.centres[g]))
            if g == top and widths.count > 1:
                below = float(np.exp(widths.centres[top - 1]))
                for i in members[half_width[members] >= PARTLY_ACTIVE_RATIO * centre]:
                    width_why[int(i)] = (f"half-width {half_width[i]:.3g} in the widest of {widths.count} groups "
                                         f"(group centre {centre:.3g}, {centre / below:.2g}x the next group's "
                                         f"{below:.3g}; Ashman D {widths.separation[top - 1]:.1f})")
                    labels[i] = "dominant"
            elif g < top and centre < inactive_ratio * top_centre:
                for i in members[std[members] < inactive_ratio * live_std]:  # a partly active one stays typical
                    labels[i] = "inactive"
    reference = live[[labels[i] != "inactive" for i in live]]
    scale = float(np.median(std[reference])) if len(reference) else 1.0
    centre_why: dict[int, str] = {}
    centre_groups: list[dict] = []
    if len(reference) and scale > 0:
        shifts = np.abs(mean[reference]) / scale
        centres = split_groups(shifts, CENTRE_SIGMA_FLOOR, min_shift)
        centre_groups = _describe(centres, lambda c: c * scale)
        if centres.count > 1:
            below = float(centres.centres[-2] * scale)
            for i in reference[centres.labels == centres.count - 1]:
                centre_why[int(i)] = (f"centre {mean[i]:+.3g} in the group of largest |centre| "
                                      f"({abs(mean[i]) / scale:.1f} typical stds of {scale:.3g} from zero; "
                                      f"the next group's centre is {below:.3g})")
                labels[i] = "dominant"
    dominant = [DominantComponent(i, float(mean[i]), float(half_width[i]),
                                  "; ".join(w for w in (centre_why.get(i), width_why.get(i)) if w),
                                  [name for name, why in (("width", width_why), ("centre", centre_why)) if i in why])
                for i in range(dim) if labels[i] == "dominant"]
    return {"labels": labels, "dominant": dominant, "inactive": [i for i in range(dim) if labels[i] == "inactive"],
            "width_groups": width_groups, "centre_groups": centre_groups}
