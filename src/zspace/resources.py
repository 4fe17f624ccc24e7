"""Refuse up front work whose arrays cannot fit: in memory, or on the disk that will hold them.

A stage that knows how many bytes its arrays will take (n samples x their size) asks
:func:`check_room` before it allocates or writes anything, so that a mistyped count is one
line naming the GiB needed and the GiB at hand, not minutes of work and then numpy's
``MemoryError`` or a full disk.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from zspace.errors import ZspaceError

MEMINFO = Path("/proc/meminfo")
CGROUP = Path("/sys/fs/cgroup")  # cgroup v2: memory.max and memory.current of this container


def _read_int(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None  # "max" (no limit) -> None


def available_memory() -> int | None:
    """Bytes a process can allocate without swapping (Linux: MemAvailable, within a container's limit);
    elsewhere the physical memory; None when nothing says."""
    available = None
    try:
        for line in MEMINFO.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                available = int(line.split()[1]) * 1024
                break
    except (OSError, ValueError, IndexError):
        pass
    if available is None:
        try:
            available = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (AttributeError, OSError, ValueError):
            return None
    limit, used = _read_int(CGROUP / "memory.max"), _read_int(CGROUP / "memory.current")
    if limit is not None and used is not None:
        available = min(available, max(limit - used, 0))
    return available


def check_room(need_bytes: int, what: str, fix: str, disk: str | os.PathLike | None = None,
               options: tuple[str, ...] = ()) -> None:
    """One ZspaceError when ``need_bytes`` do not fit in memory (``disk`` None) or on the disk of ``disk``.

    ``what`` names the value and what the bytes are for ("1,000,000,000,000 samples per sampler: their
    images and features"); ``fix`` says what to do ("draw fewer samples"); ``options`` name the parameters.
    """
    if disk is None:
        free = available_memory()
        where = "this machine has"
        kind = "of memory"
    else:
        disk = Path(disk)
        parent = next(p for p in (disk, *disk.parents) if p.exists())
        free = shutil.disk_usage(parent).free
        where = f"{parent} has"
        kind = "on disk"
    if free is not None and need_bytes > free:
        raise ZspaceError(f"{what} would need {need_bytes / 2**30:,.1f} GiB {kind} and {where} "
                          f"{free / 2**30:,.1f} GiB free; {fix}", options=options)
