"""Training a judge on its own cache: a few epochs of Adam on a seeded subset of the train split.

Deterministic for a seed on one machine: the subset, the initial weights and
each epoch's batch order come from ``settings.seed``. The held-out score is
measured on the cache's validation split (or test split), never on images the
judge was trained on.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from zspace.data.cache import ImageCache
from zspace.data.loader import to_model_input
from zspace.errors import ZspaceError
from zspace.evaluation.judges.base import JudgeKind, JudgeSettings
from zspace.evaluation.judges.network import JudgeNetwork, run_network
from zspace.progress import Progress, step

MIN_TRAIN = 20


def split_rows(cache: ImageCache, split: str, limit: int, seed: int) -> np.ndarray:
    """Up to ``limit`` row numbers of ``split`` drawn with ``seed``, sorted (memmap reads in order)."""
    rows = cache.rows(split) if "split" in cache.index else np.arange(len(cache))
    if len(rows) > limit:
        rows = np.sort(np.random.default_rng(seed).choice(rows, size=limit, replace=False))
    return rows


def heldout_split(cache: ImageCache) -> str | None:
    """The split the judge is scored on: "val", else "test", else None."""
    if "split" not in cache.index:
        return None
    splits = set(np.asarray(cache.index["split"]).tolist())
    return next((s for s in ("val", "test") if s in splits), None)


def fit_judge(
    kind: JudgeKind, network: JudgeNetwork, cache: ImageCache, settings: JudgeSettings,
    progress: Progress | None = None,
) -> dict:
    """Train ``network`` on the cache's train split, score it on the held-out split; return the record."""
    started = time.monotonic()
    rows = split_rows(cache, "train", settings.max_train, settings.seed)
    if len(rows) < MIN_TRAIN:
        raise ZspaceError(f"{cache.path}: {len(rows)} training images; the {kind.name} judge needs at least "
                          f"{MIN_TRAIN}; use judge 'random' for a tiny cache")
    targets, names = kind.targets(cache, rows), kind.output_names(cache)
    images = np.asarray(cache.images[rows])  # (n, H, W, C) uint8 in memory: every epoch reads it
    generator = torch.Generator().manual_seed(settings.seed)
    optimiser = torch.optim.Adam(network.parameters(), lr=settings.learning_rate)
    target_tensor = torch.from_numpy(np.ascontiguousarray(targets, dtype=np.float32))
    batches = -(-len(rows) // settings.batch_size)
    network.train()
    with step(progress, settings.epochs * batches, "batch", f"train {kind.name} judge") as advance:
        for _epoch in range(settings.epochs):
            order = torch.randperm(len(rows), generator=generator).numpy()
            for start in range(0, len(rows), settings.batch_size):
                chosen = order[start:start + settings.batch_size]
                if len(chosen) < 2:  # batch norm needs two images
                    continue
                _, outputs = network(to_model_input(torch.from_numpy(images[chosen])))
                loss = kind.loss(outputs, target_tensor[chosen])
                optimiser.zero_grad(set_to_none=True)
                loss.backward()
                optimiser.step()
                advance(1)
    network.eval()
    train_seconds = time.monotonic() - started
    record: dict = {"train_rows": int(len(rows)), "train_seconds": round(train_seconds, 2), "outputs": names}
    split = heldout_split(cache)
    if split is None:
        record.update(heldout=None, heldout_summary="no held-out split to score on")
        return record
    held = split_rows(cache, split, settings.max_heldout, settings.seed)
    held_targets = kind.targets(cache, held)
    _, outputs = run_network(network, cache.images[held])
    score = kind.score(outputs, held_targets, names)
    record.update(heldout={"split": split, "rows": int(len(held)), **score},
                  heldout_summary=score.get("summary"))
    return record
