"""The sentences of one run's evaluation: its samplers ranked, and set against the two reference rows.

Each comparison is decided from intervals (``verdict.py``), and only between
numbers measured at the same n: FD is biased upwards by about a constant / n, so
an FD at n = 2,000 and one at n = 1,559 cannot be ranked (Chong & Forsyth 2020).
The reference rows hold every held-out image (at most n), usually fewer than the
samplers' n; each sampler row therefore also carries ``fd_equal_n``, its FD on a
seeded subset of the reference rows' size with a bootstrap interval
(``equal_n.py``), and the reference sentence uses that.

The reconstructions of held-out images are a reference, not a floor: FD rewards
the spread of the samples as well as their realism, and a sampler can score below
them (reconstructions are realistic but too uniform). The sentence says so
whenever the numbers show it, and never claims a bound the table breaks.
"""

from __future__ import annotations

from zspace.evaluation.ranking_figure import HELDOUT, RECONSTRUCTIONS
from zspace.evaluation.verdict import HIGHER, INCONCLUSIVE, LOWER, Estimate, compare, ranking_words, row_estimate


def who(row: dict) -> str:
    return f"{row['run']} ({row['model'].upper()})"


def _level(rows: list[dict]) -> str:
    level = next((row.get("fd_ci_level") for row in rows if row.get("fd_ci_level")), None)
    return f"{round(level * 100)}% bootstrap intervals" if level else "no intervals (bootstrap off)"


def ranking_sentence(rows: list[dict]) -> str:
    """One run's samplers by FD at their common n, the best set against each other from the intervals."""
    samplers = [row for row in rows if row["sampler"] not in (HELDOUT, RECONSTRUCTIONS)]
    sizes = sorted({row["n"] for row in samplers})
    words = ranking_words([(row["sampler"], row_estimate(row)) for row in samplers])
    return f"{who(rows[0])}, n = {'/'.join(map(str, sizes))}, {_level(samplers)}: {words}"


def equal_n_estimate(row: dict, count: int) -> Estimate | None:
    """The row's FD at ``count`` samples: its own when it has that n, else its ``fd_equal_n`` of that size."""
    if row["n"] == count:
        return row_estimate(row)
    equal = row.get("fd_equal_n")
    if not equal or equal["n"] != count:
        return None
    low, high = equal.get("fd_ci") or (None, None)
    return Estimate(equal["fd"], low, high, "bootstrap")


def _fd_infinity(row: dict) -> str:
    value, intercept = row.get("fd_infinity"), row.get("fd_infinity_intercept")
    if value is None:
        return "-"
    if intercept is not None and intercept < 0:
        return (f"0 (the line through FD at several n meets 1/n = 0 at {intercept:.3g}, below 0: "
                "indistinguishable from 0)")
    return f"{value:.3g}"


def reference_sentence(rows: list[dict]) -> str:
    """The samplers against held-out images and their reconstructions, at the reference rows' n."""
    floor = next(row for row in rows if row["sampler"] == HELDOUT)
    decoder = next(row for row in rows if row["sampler"] == RECONSTRUCTIONS)
    count = decoder["n"]
    floor_fd, decoder_fd = row_estimate(floor), row_estimate(decoder)
    found: dict[str, list[str]] = {LOWER: [], HIGHER: [], INCONCLUSIVE: []}
    beside_floor = []
    for row in rows:
        if row["sampler"] in (HELDOUT, RECONSTRUCTIONS):
            continue
        estimate = equal_n_estimate(row, count)
        if estimate is None:
            found[INCONCLUSIVE].append(f"{row['sampler']} (not measured at n = {count})")
            continue
        found[compare(estimate, decoder_fd)].append(f"{row['sampler']} {estimate.words()}")
        if compare(estimate, floor_fd) != HIGHER:
            beside_floor.append(row["sampler"])
    parts = [f"{who(decoder)}, at the held-out count n = {count} ({_level([decoder])}): held-out images score "
             f"FD {floor_fd.words()}, their reconstructions {decoder_fd.words()}"]
    labels = {LOWER: "lower than the reconstructions", HIGHER: "higher", INCONCLUSIVE: INCONCLUSIVE}
    parts += [f"{labels[key]}: {', '.join(items)}" for key, items in found.items() if items]
    if found[LOWER]:
        parts.append("a sampler can score below the reconstructions because FD rewards the spread of the samples as "
                     "well as their realism: the reconstructions are a reference, not a floor")
    if beside_floor:
        parts.append(f"not above the held-out images: {', '.join(beside_floor)}")
    parts.append(f"FD∞ (free of the bias from n): held-out images {_fd_infinity(floor)}, "
                 f"reconstructions {_fd_infinity(decoder)}")
    return "; ".join(parts)
