"""Fitted sampler state on disk, so that a second ``zspace generate`` does not refit.

``RUN/samplers/<slug>.json`` holds the hyperparameters, the scalar fitted
attributes and a fingerprint of the latents the sampler was fitted on;
``<slug>.npz`` holds the fitted arrays (np.savez, read back with
allow_pickle=False). A changed latents.npy changes the fingerprint, and the
sampler is refitted.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import numpy as np

from zspace.errors import ZspaceError
from zspace.io import atomic_path, load_json, save_json
from zspace.samplers.base import Sampler
from zspace.samplers.registry import SAMPLERS

STATE_VERSION = 1


def fingerprint(latents: np.ndarray) -> str:
    """blake2b of the array's shape, dtype and bytes: equal latents, equal fingerprint."""
    array = np.ascontiguousarray(latents)
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{array.shape}{array.dtype.str}".encode())
    step = 1 << 16  # rows per update: bounded memory for a memmap
    for start in range(0, len(array), step):
        digest.update(np.ascontiguousarray(array[start : start + step]).tobytes())
    return digest.hexdigest()


def slug(spec: str) -> str:
    """'gmm:k=10,cov=full' -> 'gmm_k-10_cov-full' (a file name)."""
    text = spec.replace(":", "_").replace(",", "_").replace("=", "-")
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text)


def save_sampler(sampler: Sampler, stem: str | os.PathLike, latents_fingerprint: str = "") -> None:
    """Write ``stem.json`` (meta) and ``stem.npz`` (arrays); the .npz first, so a .json always has its arrays."""
    meta, arrays = sampler.state()
    meta = {"version": STATE_VERSION, "fingerprint": latents_fingerprint, **meta}
    stem = Path(stem)
    with atomic_path(stem.with_suffix(".npz")) as tmp:
        with open(tmp, "wb") as handle:
            np.savez(handle, **arrays)
    save_json(stem.with_suffix(".json"), meta)


def load_sampler(stem: str | os.PathLike) -> tuple[Sampler, str]:
    """Read a sampler written by :func:`save_sampler`; returns (sampler, the fingerprint it was fitted on)."""
    stem = Path(stem)
    meta = load_json(stem.with_suffix(".json"))
    name = meta.get("sampler")
    if name not in SAMPLERS or meta.get("version") != STATE_VERSION:
        raise ZspaceError(f"{stem.with_suffix('.json')}: not a zspace sampler state; delete it to refit")
    npz = stem.with_suffix(".npz")
    if not npz.is_file():
        raise ZspaceError(f"{npz}: file not found; delete {stem.with_suffix('.json')} to refit")
    try:
        with np.load(npz, allow_pickle=False) as handle:
            arrays = {key: handle[key] for key in handle.files}
    except (ValueError, OSError) as err:
        raise ZspaceError(f"{npz}: not a readable sampler state ({err}); delete it to refit") from None
    return SAMPLERS[name].from_state(meta, arrays), str(meta.get("fingerprint", ""))


def fit_cached(sampler: Sampler, latents: np.ndarray, folder: str | os.PathLike) -> tuple[Sampler, bool]:
    """Fitted ``sampler`` from ``folder`` if it was fitted on these latents, else fit and save it.

    Returns (fitted sampler, True when it came from the cache).
    """
    stem = Path(folder) / slug(sampler.spec)
    key = fingerprint(latents)
    if stem.with_suffix(".json").is_file():
        try:
            cached, cached_key = load_sampler(stem)
        except ZspaceError:
            cached, cached_key = None, ""  # damaged: refit and overwrite
        if cached is not None and cached_key == key and cached.spec == sampler.spec:
            return cached, True
    sampler.fit(latents)
    save_sampler(sampler, stem, key)
    return sampler, False
