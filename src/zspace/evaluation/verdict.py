"""Comparisons decided from intervals, never from point estimates: lower, higher or inconclusive.

Every comparison zspace prints ("A beats B", "agrees with Ghosh et al.") goes
through :func:`compare`: A is lower than B only when A's whole interval lies
below B's, higher only when it lies above, and inconclusive when the intervals
overlap or either is missing. A claim ("A is lower than B") then *agrees* when
the comparison says so, *disagrees* when it says the opposite, and is
*inconclusive* otherwise (:func:`judge_claim`).

Requiring disjoint 95% intervals is conservative: two estimates can differ at
the 5% level while their intervals still touch (Schenker & Gentleman 2001, "On
judging the significance of differences by examining the overlap between
confidence intervals"). An "inconclusive" therefore means "not shown", never
"equal". The interval an :class:`Estimate` carries says what it covers: the FD
bootstrap covers the drawing of samples and real images at one training seed;
the t interval of a replicate group (``replicates.py``) covers training seeds too.
"""

from __future__ import annotations

from dataclasses import dataclass

LOWER, HIGHER, INCONCLUSIVE = "lower", "higher", "inconclusive"
AGREES, DISAGREES = "agrees", "disagrees"


@dataclass(frozen=True)
class Estimate:
    """A number with its interval; ``basis`` says what the interval covers (for the sentences)."""

    value: float
    low: float | None
    high: float | None
    basis: str = ""

    @property
    def has_interval(self) -> bool:
        return self.low is not None and self.high is not None

    def words(self, digits: int = 3) -> str:
        """``1.87 [1.80, 1.95]``, or the bare number without an interval."""
        if not self.has_interval:
            return f"{self.value:.{digits}g}"
        return f"{self.value:.{digits}g} [{self.low:.{digits}g}, {self.high:.{digits}g}]"


def compare(a: Estimate, b: Estimate) -> str:
    """LOWER when a's interval lies wholly below b's, HIGHER when wholly above, else INCONCLUSIVE."""
    if not (a.has_interval and b.has_interval):
        return INCONCLUSIVE
    if a.high < b.low:
        return LOWER
    if a.low > b.high:
        return HIGHER
    return INCONCLUSIVE


def judge_claim(a: Estimate, b: Estimate, expected: str = LOWER) -> str:
    """The claim "a is ``expected`` than b": AGREES, DISAGREES or INCONCLUSIVE."""
    found = compare(a, b)
    if found == INCONCLUSIVE:
        return INCONCLUSIVE
    return AGREES if found == expected else DISAGREES


def row_estimate(row: dict, basis: str = "bootstrap") -> Estimate:
    """FD of an evaluation row with its bootstrap interval (none when the row has no ``fd_ci``)."""
    low, high = row.get("fd_ci") or (None, None)
    return Estimate(row["fd"], low, high, basis)


def ranking_words(items: list[tuple[str, Estimate]], what: str = "FD") -> str:
    """``FD from best to worst: a 1.8 [1.7, 1.9], b ...; a beats c, d; a against b: inconclusive (...)``.

    Lower is better. Only the best is set against the others: each "beats" is a
    disjoint-interval comparison, each tie says the intervals overlap.
    """
    ordered = sorted(items, key=lambda item: item[1].value)
    text = f"{what} from best to worst: " + ", ".join(f"{label} {estimate.words()}" for label, estimate in ordered)
    if len(ordered) < 2:
        return text
    (best, best_estimate), others = ordered[0], ordered[1:]
    beaten = [label for label, estimate in others if compare(best_estimate, estimate) == LOWER]
    open_ = [label for label, estimate in others if compare(best_estimate, estimate) != LOWER]
    parts = [f"{best} beats {', '.join(beaten)}"] if beaten else []
    if open_:
        why = "intervals overlap" if all(e.has_interval for _, e in ordered) else "no interval to decide with"
        parts.append(f"{best} against {', '.join(open_)}: {INCONCLUSIVE} ({why})")
    return f"{text}; " + "; ".join(parts)
