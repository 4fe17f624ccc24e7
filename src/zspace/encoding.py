"""``encode()``: the stage that writes a run's latent vectors (seed S6), streaming.

Into the run folder (or ``out``), in the layout of :class:`zspace.run.Run`:

    latents.npy   float32 (N, d): the encoder's mean for each image (an AE's code)
    logvar.npy    float32 (N, d): a VAE's log-variance
    latents.json  which cache, which model, and the split of each row

Row i of latents.npy is row i of the cache (its index.csv), all splits
included. Arrays are filled batch by batch in a memmap, so memory does not grow
with N, and renamed into place when complete: a killed encode leaves the old
latents as they were.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import numpy as np

from zspace.data.cache import INDEX_FILE
from zspace.data.loader import CachedImages, image_loader
from zspace.errors import ZspaceError
from zspace.io import atomic_path, create_npy, load_npy, remove_stale_temps, save_json
from zspace.latents import LatentSet
from zspace.models.inference import encode as encode_batches
from zspace.models.protocol import check_images_fit, latent_dim, model_kind
from zspace.progress import Progress
from zspace.run import Run


def _write_arrays(paths: list[Path], shape: tuple[int, int], fill) -> None:
    """Create float32 memmaps at ``paths`` atomically and let ``fill(*arrays)`` write them."""
    for path in paths:  # temp files of an earlier encode that was killed
        remove_stale_temps(path)
    with contextlib.ExitStack() as stack:
        temps = [stack.enter_context(atomic_path(path)) for path in paths]
        arrays = [create_npy(t, shape, np.float32) for t in temps]
        fill(*arrays)
        for array in arrays:
            array.flush()
        del arrays


def distributed_rank() -> tuple[int, int]:
    """(rank, world size) from torchrun's or SLURM's environment; (0, 1) when not launched so."""
    for rank_key, size_key in (("RANK", "WORLD_SIZE"), ("SLURM_PROCID", "SLURM_NTASKS")):
        if rank_key in os.environ and size_key in os.environ:
            return int(os.environ[rank_key]), int(os.environ[size_key])
    return 0, 1


def encode(
    run: str | os.PathLike | Run, data: str | os.PathLike | None = None, out: str | os.PathLike | None = None,
    batch_size: int = 256, device: str = "cpu", progress: Progress | None = None, rank: int = 0,
    world_size: int = 1, merge_timeout: float = 3600.0, force: bool = False,
) -> LatentSet | None:
    """Encode the cache ``data`` (default: the one the run trained on) with the run's model.

    Existing latents in the output folder are replaced only with ``force``. With
    ``world_size`` > 1 (several processes or GPUs, e.g. under torchrun), each rank encodes
    a contiguous share of the rows into a part file; rank 0 waits for all parts, merges them
    into one latents.npy and returns it; the other ranks return None.
    """
    if not 0 <= rank < world_size:
        raise ZspaceError(f"rank {rank} of world size {world_size}: need 0 <= rank < world size")
    run = run if isinstance(run, Run) else Run(run)
    model = run.require().model(device)
    cache = run.cache(data)
    check_images_fit(model, cache.images.shape[1:], cache.path, options=("data",))
    dim = latent_dim(model)
    target = Run(out) if out is not None else run
    if rank == 0 and target.has_latents() and not force:
        raise ZspaceError(f"{target.latents_file}: latents already exist; pass force to replace them, "
                          "or choose another output folder")
    files = [target.latents_file, target.logvar_file] if model.variational else [target.latents_file]
    rows = np.array_split(np.arange(len(cache)), world_size)[rank]
    paths = [Run.part_file(f, rank, world_size) for f in files] if world_size > 1 else files

    def fill(vectors: np.ndarray, logvar: np.ndarray | None = None) -> None:
        batches = image_loader(CachedImages(cache, rows), batch_size)
        encode_batches(model, batches, vectors, logvar, batch_size, device, progress, total=len(rows))

    _write_arrays(paths, (len(rows), dim), fill)
    if rank != 0:
        return None
    if world_size > 1:
        _merge_parts(files, world_size, (len(cache), dim), merge_timeout)
    if not model.variational:
        target.logvar_file.unlink(missing_ok=True)  # a stale one from an earlier VAE run
    save_json(target.latents_meta_file, {
        "count": len(cache), "dim": dim, "model": model_kind(model), "run": str(run.path.resolve()),
        "data": str(cache.path.resolve()), "data_checksum": cache.meta.get("checksum", ""),
        "rows": f"row i is row i of the cache's {INDEX_FILE}", "world_size": world_size,
    })
    return target.latents()


def _merge_parts(files: list[Path], world_size: int, shape: tuple[int, int], timeout: float) -> None:
    """Rank 0: wait for every rank's part files, concatenate them in rank order, remove them."""
    parts = {f: [Run.part_file(f, r, world_size) for r in range(world_size)] for f in files}
    deadline = time.monotonic() + timeout
    while not all(p.is_file() for group in parts.values() for p in group):
        if time.monotonic() > deadline:
            missing = [p.name for group in parts.values() for p in group if not p.is_file()]
            raise ZspaceError(f"{files[0].parent}: encode parts {missing} did not appear within {timeout:.0f} s; "
                              "did every rank run?")
        time.sleep(0.2)

    def fill(*arrays: np.ndarray) -> None:
        for array, name in zip(arrays, files, strict=True):
            at = 0
            for path in parts[name]:
                block = load_npy(path, mmap=True)
                array[at : at + len(block)] = block
                at += len(block)

    _write_arrays(files, shape, fill)
    for group in parts.values():
        for path in group:
            path.unlink()
