"""Progress bars for the CLI (the library only calls a progress(n) callback)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

from tqdm import tqdm


@contextlib.contextmanager
def progress_bar(total: int, unit: str, description: str) -> Iterator[Callable[[int], None]]:
    bar = tqdm(total=total, unit=unit, desc=description, file=sys.stderr, dynamic_ncols=True,
               disable=None, unit_scale=True)
    try:
        yield bar.update
    finally:
        bar.close()
