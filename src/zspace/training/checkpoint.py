"""The training checkpoint: one safetensors file, written with one atomic rename.

``checkpoint.safetensors`` holds the weights, the Adam state, the history so far and
where training stands, so a kill between two files can never mix two moments of a run.
It is written at the end of every epoch and every ``checkpoint_every`` optimizer steps
inside an epoch. A mid-epoch checkpoint also holds what an uninterrupted run would still
have in memory: each rank's noise generator and its running sums of the epoch's losses.
Never pickle, never torch.load: tensors in safetensors, the rest as JSON metadata.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors import safe_open
from safetensors.torch import save_file

from zspace.errors import ZspaceError
from zspace.io import atomic_path
from zspace.models.weights import load_state_into, read_safetensors

__all__ = ["Position", "load_checkpoint", "save_checkpoint"]

@dataclass
class Position:
    """Where a run stands: complete epochs, then batches done in the epoch in progress."""

    epochs_done: int = 0
    epoch_batches: int = 0  # 0 at an epoch boundary
    global_step: int = 0  # optimizer steps over the whole run
    seconds: float = 0.0  # training time already spent in the epoch in progress
    world_size: int = 1
    history: list[dict[str, float]] = field(default_factory=list)
    noise: torch.Tensor | None = None  # (world_size, n) uint8: each rank's noise generator state
    sums: torch.Tensor | None = None  # (world_size, terms): each rank's running loss sums

    @property
    def mid_epoch(self) -> bool:
        return self.epoch_batches > 0

    def describe(self) -> str:
        where = f"epoch {self.epochs_done + 1}, batch {self.epoch_batches}" if self.mid_epoch else (
            f"end of epoch {self.epochs_done}")
        return f"{where}, step {self.global_step}"


_RECORD = ("epochs_done", "epoch_batches", "global_step", "seconds", "world_size", "history")


def save_checkpoint(path: str | os.PathLike, model: torch.nn.Module, optimizer: torch.optim.Optimizer,
                    position: Position) -> None:
    """Weights + Adam moments + position (and per-rank state mid-epoch) in one atomically written file."""
    tensors = {f"model.{k}": v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    state = optimizer.state_dict()
    for param_id, param_state in state["state"].items():
        for name, value in param_state.items():
            tensor = value if torch.is_tensor(value) else torch.tensor(value)
            tensors[f"optim.{param_id}.{name}"] = tensor.detach().cpu().contiguous()
    for name in ("noise", "sums"):
        value = getattr(position, name)
        if value is not None:
            tensors[f"rank.{name}"] = value.detach().cpu().contiguous()
    metadata = {
        "progress": json.dumps({name: getattr(position, name) for name in _RECORD}),
        "param_groups": json.dumps(state["param_groups"]),
    }
    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp), metadata=metadata)


def load_checkpoint(path: str | os.PathLike, model: torch.nn.Module,
                    optimizer: torch.optim.Optimizer | None) -> Position:
    """Restore weights (and optimizer state) saved by save_checkpoint; return the position."""
    path = Path(path)
    tensors = read_safetensors(path)
    with safe_open(str(path), framework="pt") as handle:
        metadata = handle.metadata() or {}
    if "progress" not in metadata or "param_groups" not in metadata:
        raise ZspaceError(f"{path}: not a zspace checkpoint (no progress record); start the run afresh")
    weights = {k[len("model."):]: v for k, v in tensors.items() if k.startswith("model.")}
    load_state_into(model, weights, str(path))
    if optimizer is not None:
        per_param: dict[int, dict[str, torch.Tensor]] = {}
        for key, value in tensors.items():
            if key.startswith("optim."):
                _, param_id, name = key.split(".", 2)
                per_param.setdefault(int(param_id), {})[name] = value
        optimizer.load_state_dict({"state": per_param, "param_groups": json.loads(metadata["param_groups"])})
    record: dict[str, Any] = json.loads(metadata["progress"])
    known = {k: record[k] for k in _RECORD if k in record}  # older checkpoints lack the newer keys
    return Position(**known, noise=tensors.get("rank.noise"), sums=tensors.get("rank.sums"))
