"""Model weights in safetensors: never pickle, never torch.load.

Reading and writing a module's ``state_dict`` as one safetensors file, and
loading it strictly with a one-line error that names the file. The run folder
layout (which file holds what) belongs to :class:`zspace.run.Run`.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from zspace.errors import ZspaceError
from zspace.io import atomic_path


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


def load_state_into(module: torch.nn.Module, tensors: dict[str, torch.Tensor], origin: str,
                    against: str = "the model in config.json",
                    fix: str = "use the config.json that was saved with these weights",
                    options: tuple[str, ...] = ()) -> None:
    """Load ``tensors`` strictly, turning a mismatch into one line naming the file (``against``: the model
    they were meant for; ``fix``: what to do; ``options``: the parameters that would fix it)."""
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
        raise ZspaceError(f"{origin}: weights do not match {against} ({'; '.join(detail)}); {fix}", options=options)
    module.load_state_dict(tensors, strict=True)
