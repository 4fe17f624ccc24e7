"""zspace verify DIR"""

from __future__ import annotations

from pathlib import Path

import typer

from zspace.data.verify import verify_cache
from zspace.errors import ZspaceError


def verify(cache: Path = typer.Argument(..., help="Cache folder made by 'zspace prepare'.")) -> None:
    """Check a cache: image count, shape, index rows, split sizes and checksum."""
    report = verify_cache(cache)
    if not report.ok:
        raise ZspaceError(f"{cache}: " + "; ".join(report.problems))
    typer.echo(f"{cache}: OK, {report.count} images {report.shape[1:]}, checksum matches")
