"""One progress convention for every long step of the library.

A library function that takes long accepts ``progress: Progress | None``. It
calls ``progress(total, unit, description)`` once per step, which returns a
context manager yielding ``advance(n)``; the function calls ``advance`` as the
work goes. The CLI passes a tqdm-backed factory (``zspace.cli.progress``); the
library's default, :func:`no_progress`, shows nothing. A web server or a
notebook can pass its own.

    with (progress or no_progress)(len(z), "img", "decode") as advance:
        for batch in ...:
            ...
            advance(len(batch))
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Protocol

Advance = Callable[[int], None]


class Progress(Protocol):
    def __call__(self, total: int, unit: str, description: str) -> contextlib.AbstractContextManager[Advance]: ...


@contextlib.contextmanager
def no_progress(total: int, unit: str, description: str) -> Iterator[Advance]:
    """The default: a step that reports nothing."""
    yield lambda n: None


def step(progress: Progress | None, total: int, unit: str,
         description: str) -> contextlib.AbstractContextManager[Advance]:
    """``progress(total, unit, description)``, or a silent step when ``progress`` is None."""
    return (progress or no_progress)(total, unit, description)
