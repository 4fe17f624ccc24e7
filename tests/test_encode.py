"""Encode: one row per cache image, the mean for a VAE, deterministic, streamed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from zspace.data.cache import open_cache
from zspace.data.loader import to_model_input
from zspace.encoding import encode
from zspace.errors import ZspaceError
from zspace.run import Run


def test_encode_shape_values_and_determinism(vae_run: Path, faces_cache: Path, tmp_path: Path) -> None:
    latents = encode(vae_run, batch_size=50, force=True)  # 192 images: batches of 50 leave a remainder
    cache = open_cache(faces_cache)
    assert latents.vectors.shape == (len(cache), 8) and latents.vectors.dtype == np.float32
    assert latents.logvar is not None and latents.logvar.shape == (len(cache), 8)
    model = Run(vae_run).model()
    with torch.no_grad():
        direct = model.encode(to_model_input(torch.from_numpy(np.array(cache.images[:7]))))
    np.testing.assert_allclose(latents.vectors[:7], direct.mean.numpy(), rtol=1e-5, atol=1e-5)
    again = encode(vae_run, out=tmp_path, batch_size=64)
    np.testing.assert_array_equal(np.asarray(again.vectors), np.asarray(latents.vectors))
    assert np.array_equal(Run(vae_run).latents().index["split"], cache.index["split"])


def test_sharded_encode_merges_to_the_same_array(vae_run: Path, tmp_path: Path) -> None:
    whole = encode(vae_run, out=tmp_path / "whole")
    shards = tmp_path / "shards"
    shards.mkdir()
    assert encode(vae_run, out=shards, rank=2, world_size=3) is None  # ranks may finish in any order
    assert encode(vae_run, out=shards, rank=1, world_size=3) is None
    merged = encode(vae_run, out=shards, rank=0, world_size=3)
    np.testing.assert_array_equal(np.asarray(merged.vectors), np.asarray(whole.vectors))
    np.testing.assert_array_equal(np.asarray(merged.logvar), np.asarray(whole.logvar))
    assert sorted(p.name for p in shards.iterdir()) == ["latents.json", "latents.npy", "logvar.npy"]


def test_merge_times_out_naming_the_missing_part(vae_run: Path, tmp_path: Path) -> None:
    with pytest.raises(ZspaceError, match=r"latents.part1of2.npy.*did every rank run"):
        encode(vae_run, out=tmp_path, rank=0, world_size=2, merge_timeout=0.5)


def test_existing_latents_are_replaced_only_with_force(vae_run: Path, tmp_path: Path) -> None:
    first = encode(vae_run, out=tmp_path)
    before = (tmp_path / "latents.npy").read_bytes()
    with pytest.raises(ZspaceError, match="latents already exist; pass force"):
        encode(vae_run, out=tmp_path)
    assert (tmp_path / "latents.npy").read_bytes() == before
    again = encode(vae_run, out=tmp_path, force=True)
    np.testing.assert_array_equal(np.asarray(again.vectors), np.asarray(first.vectors))
