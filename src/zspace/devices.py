"""The one check of a device a user names: a torch device (cpu, cuda:0, mps) or a Lightning accelerator.

Every stage that runs a network takes a device string; a name torch does not know, or a
GPU this machine or this PyTorch does not have, is refused here with one line that names
it and says what to do, before any file is read or written (torch would say it with an
AssertionError or a RuntimeError, Lightning with a MisconfigurationException, late).
"""

from __future__ import annotations

import torch

from zspace.errors import ZspaceError

DEVICE_TYPES = ("cpu", "cuda", "mps")  # what zspace's stages run on
ACCELERATORS = ("cpu", "gpu", "cuda", "mps", "auto")  # Lightning's names that train accepts


def _no_cuda() -> str | None:
    """Why CUDA cannot be used here, or None when it can."""
    if torch.cuda.is_available():
        return None
    if torch.version.cuda is None and getattr(torch.version, "hip", None) is None:
        return f"this PyTorch ({torch.__version__}) was built without CUDA: install a CUDA build of PyTorch"
    return "no CUDA GPU is visible (check the driver and CUDA_VISIBLE_DEVICES)"


def _no_mps() -> str | None:
    mps = getattr(torch.backends, "mps", None)
    return None if mps is not None and mps.is_available() else "Apple's Metal (MPS) is not available here"


def resolve_device(text: str | torch.device) -> torch.device:
    """``text`` as a ``torch.device`` this machine has, or one ZspaceError naming it and what to do."""
    if isinstance(text, torch.device):
        device = text
    else:
        try:
            device = torch.device(str(text).strip())
        except (RuntimeError, ValueError):
            raise ZspaceError(f"device {str(text)!r} is not a device name; use cpu, cuda (the first GPU), "
                              "cuda:1 (another GPU) or mps (Apple)", options=("device",)) from None
    if device.type not in DEVICE_TYPES:
        raise ZspaceError(f"device {str(text)!r}: zspace runs on {', '.join(DEVICE_TYPES)}; use cpu",
                          options=("device",))
    if device.type == "cuda":
        reason = _no_cuda()
        if reason is not None:
            raise ZspaceError(f"device {str(text)!r}: {reason}, or use cpu", options=("device",))
        count = torch.cuda.device_count()
        if device.index is not None and device.index >= count:
            raise ZspaceError(f"device {str(text)!r}: this machine has {count} GPU{'s' if count != 1 else ''} "
                              f"(cuda:0 to cuda:{count - 1}); choose one of those", options=("device",))
    if device.type == "mps":
        reason = _no_mps()
        if reason is not None:
            raise ZspaceError(f"device {str(text)!r}: {reason}; use cpu", options=("device",))
    return device


def check_accelerator(accelerator: str, devices: int = 1) -> None:
    """A Lightning accelerator (cpu, gpu, cuda, mps, auto) this machine has, with ``devices`` of it per node."""
    name = str(accelerator)
    if name not in ACCELERATORS:
        raise ZspaceError(f"accelerator {accelerator!r}: choose one of {', '.join(ACCELERATORS)}",
                          options=("accelerator",))
    if name in ("gpu", "cuda"):
        reason = _no_cuda() if name == "cuda" or _no_mps() is not None else None
        if reason is not None:
            raise ZspaceError(f"accelerator {accelerator!r}: {reason}, or train on the cpu",
                              options=("accelerator",))
        count = torch.cuda.device_count() if torch.cuda.is_available() else 1
        if devices > count:
            raise ZspaceError(f"{devices} devices per node: this machine has {count} GPU{'s' if count != 1 else ''}; "
                              f"use {count} or fewer", options=("devices",))
    if name == "mps":
        reason = _no_mps()
        if reason is not None:
            raise ZspaceError(f"accelerator {accelerator!r}: {reason}; train on the cpu", options=("accelerator",))
