"""Weights and training state in safetensors: never pickle, never torch.load.

``model.safetensors`` holds the weights alone; ``config.json`` beside it holds
the ModelConfig needed to rebuild the network. ``checkpoint.safetensors`` holds
weights, Adam state and progress in one file, so one atomic rename commits a
consistent training state (a kill between two files cannot mix epochs).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file

from zspace.config import ModelConfig, load_config
from zspace.errors import ZspaceError
from zspace.io import atomic_path
from zspace.models.autoencoder import Autoencoder, build_model

MODEL_FILE = "model.safetensors"
CONFIG_FILE = "config.json"
CHECKPOINT_FILE = "checkpoint.safetensors"
TRAIN_CONFIG_FILE = "train_config.json"


def save_weights(path: str | os.PathLike, module: torch.nn.Module, metadata: dict[str, str] | None = None) -> None:
    tensors = {k: v.detach().cpu().contiguous() for k, v in module.state_dict().items()}
    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp), metadata=metadata or {"format": "pt"})


def read_safetensors(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    path = Path(path)
    if not path.is_file():
        raise ZspaceError(f"{path}: file not found; train a model first or check the run folder")
    try:
        return load_file(str(path))
    except (SafetensorError, OSError, ValueError, RuntimeError) as err:
        raise ZspaceError(
            f"{path}: not a readable safetensors file ({str(err).splitlines()[0]}); "
            "zspace only loads safetensors weights it wrote"
        ) from None


def load_state_into(module: torch.nn.Module, tensors: dict[str, torch.Tensor], origin: str) -> None:
    """Load ``tensors`` strictly, turning a mismatch into one line naming the file."""
    expected = module.state_dict()
    missing = sorted(set(expected) - set(tensors))
    unexpected = sorted(set(tensors) - set(expected))
    wrong = sorted(k for k in set(expected) & set(tensors) if expected[k].shape != tensors[k].shape)
    if missing or unexpected or wrong:
        detail = []
        if missing:
            detail.append(f"{len(missing)} missing (e.g. {missing[0]})")
        if unexpected:
            detail.append(f"{len(unexpected)} unexpected (e.g. {unexpected[0]})")
        if wrong:
            k = wrong[0]
            detail.append(f"{len(wrong)} of another shape (e.g. {k}: {tuple(tensors[k].shape)} "
                          f"vs {tuple(expected[k].shape)})")
        raise ZspaceError(
            f"{origin}: weights do not match the model in config.json ({'; '.join(detail)}); "
            "use the config.json that was saved with these weights"
        )
    module.load_state_dict(tensors, strict=True)


def load_model(run_dir: str | os.PathLike, device: str | torch.device = "cpu") -> Autoencoder:
    """Rebuild the model from ``run_dir/config.json`` and load ``model.safetensors``, in eval mode."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise ZspaceError(f"{run_dir}: run folder not found; train one with 'zspace train'")
    config = load_config(ModelConfig, run_dir / CONFIG_FILE)
    model = build_model(config)
    weights = run_dir / MODEL_FILE
    load_state_into(model, read_safetensors(weights), str(weights))
    return model.to(device).eval()


def save_checkpoint(
    path: str | os.PathLike, model: torch.nn.Module, optimizer: torch.optim.Optimizer, progress: dict[str, Any]
) -> None:
    """Weights + Adam moments + progress (epoch, step) in one atomically written file."""
    tensors = {f"model.{k}": v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    state = optimizer.state_dict()
    for param_id, param_state in state["state"].items():
        for name, value in param_state.items():
            tensor = value if torch.is_tensor(value) else torch.tensor(value)
            tensors[f"optim.{param_id}.{name}"] = tensor.detach().cpu().contiguous()
    metadata = {
        "progress": json.dumps(progress),
        "param_groups": json.dumps(state["param_groups"]),
    }
    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp), metadata=metadata)


def load_checkpoint(
    path: str | os.PathLike, model: torch.nn.Module, optimizer: torch.optim.Optimizer | None
) -> dict[str, Any]:
    """Restore weights (and optimizer state) saved by save_checkpoint; return the progress."""
    path = Path(path)
    tensors = read_safetensors(path)
    with safe_open(str(path), framework="pt") as handle:
        metadata = handle.metadata() or {}
    if "progress" not in metadata or "param_groups" not in metadata:
        raise ZspaceError(f"{path}: not a zspace checkpoint (no progress record); start without --resume")
    weights = {k[len("model."):]: v for k, v in tensors.items() if k.startswith("model.")}
    load_state_into(model, weights, str(path))
    if optimizer is not None:
        per_param: dict[int, dict[str, torch.Tensor]] = {}
        for key, value in tensors.items():
            if key.startswith("optim."):
                _, param_id, name = key.split(".", 2)
                per_param.setdefault(int(param_id), {})[name] = value
        optimizer.load_state_dict({"state": per_param, "param_groups": json.loads(metadata["param_groups"])})
    return json.loads(metadata["progress"])
