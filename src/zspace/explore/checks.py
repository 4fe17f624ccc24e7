"""Checks of a request's parameters: each one a value of the right kind and range, or a 4xx with one line.

Whole numbers are matched as decimal digits only ("1.0", "1e3", "+1", " 1", "-1" are refused before
any conversion), so no parameter reaches a computation as something it was not meant to be.
"""

from __future__ import annotations

import math
import re

from starlette.exceptions import HTTPException

from zspace.explore.data import ExplorerData
from zspace.explore.maps import MapView

DIGITS = re.compile(r"^[0-9]{1,15}$")


def fail(status: int, message: str) -> HTTPException:
    return HTTPException(status_code=status, detail=message)


def whole(name: str, text: str, low: int, high: int) -> int:
    """``text`` as a whole number in low..high, else a 422 naming ``name`` and the range."""
    if not DIGITS.match(text) or not low <= int(text) <= high:
        raise fail(422, f"{name}={text[:20]!r} must be a whole number between {low} and {high}")
    return int(text)


def check_run(runs: list, text: str):
    """The run numbered ``text`` (0-based): 422 when not a whole number, 404 when there is no such run."""
    if not DIGITS.match(text):
        raise fail(422, f"run={text[:20]!r} must be a whole number 0..{len(runs) - 1}")
    if int(text) >= len(runs):
        raise fail(404, f"run {int(text)} not found; runs 0..{len(runs) - 1}")
    return runs[int(text)]


def check_id(kind: str, text: str, count: int) -> int:
    """A row (or tile) number in a path: 422 when not a whole number, 404 when past the last of ``count``."""
    if not DIGITS.match(text):  # strict: "1.0", "1e3", "+1", " 1" are not row numbers
        raise fail(422, f"{kind} {text[:20]!r} must be a whole number 0..{count - 1}")
    number = int(text)
    if not 0 <= number < count:
        raise fail(404, f"{kind} {number} not found; {kind}s are 0..{count - 1}")
    return number


def check_row(data: ExplorerData, text: str) -> int:
    return check_id("row", text, data.count)


def check_map(data: ExplorerData, name: str) -> MapView:
    if name not in data.maps:
        raise fail(404, f"map {name[:40]!r} not found; maps: {', '.join(data.maps)}")
    return data.maps[name]


def check_number(name: str, value: float, limit: float) -> float:
    if not math.isfinite(value) or abs(value) > limit:
        raise fail(422, f"{name}={value!r} must be a finite number within ±{limit:g}")
    return value
