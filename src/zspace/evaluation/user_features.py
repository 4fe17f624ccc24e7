"""A user's own feature extractor as a feature space (``FILE.py:function`` or ``package.module:function``).

The contract: ``function()``, called with no arguments, returns a
``torch.nn.Module`` that maps float images (n, C, H, W) in [0, 1] (C and H, W
as in the image cache) to features (n, k). zspace puts it in eval mode, runs it
without gradients on the evaluation's device, and checks every output's shape.

Importing the file runs its code (``zspace.usercode`` says so once). The cache
key (``checksum``) covers the file's bytes and the module's weights and
buffers, not the modules the file imports: delete ``RUN/features`` after
changing those.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import torch

from zspace.data.loader import to_model_input
from zspace.devices import resolve_device
from zspace.errors import ZspaceError
from zspace.evaluation.feature_spaces import FeatureSpace
from zspace.usercode import call_user_function, load_function, parse_code_spec

BATCH_SIZE = 256


def module_checksum(source: bytes, module) -> str:
    """sha256 of the code's bytes and of the module's state (names, shapes, dtypes, bytes, in order)."""
    digest = hashlib.sha256(source)
    for key, tensor in module.state_dict().items():
        array = tensor.detach().cpu().contiguous().numpy()
        digest.update(f"{key}{array.shape}{array.dtype}".encode())
        digest.update(memoryview(np.ascontiguousarray(array)).cast("B"))
    return f"sha256:{digest.hexdigest()}"


def open_user_features(spec_text: str, device: str = "cpu") -> FeatureSpace:
    """The feature space of ``function()`` of ``spec_text`` (file or module): its module on ``device``."""


    spec = parse_code_spec(spec_text, "feature space")
    device = resolve_device(device)
    module = call_user_function(load_function(spec, "for the feature space"), spec)
    if not isinstance(module, torch.nn.Module):
        raise ZspaceError(f"{spec}: {spec.function}() returned a {type(module).__name__}, not a torch.nn.Module "
                          "mapping images (n, C, H, W) in [0, 1] to features (n, k)")
    module = module.eval().to(device)
    source = Path(spec.path).read_bytes() if spec.path else (spec.module or "").encode()

    @torch.no_grad()
    def extract(images: np.ndarray) -> np.ndarray:
        """uint8 (n, H, W, C) -> the module's (n, k) features of the images as floats in [0, 1]."""
        batch = to_model_input(torch.from_numpy(np.array(images))).to(device)
        output = call_user_function(module, spec, batch)
        if not isinstance(output, torch.Tensor) or output.ndim != 2 or len(output) != len(batch):
            shape = tuple(output.shape) if isinstance(output, torch.Tensor) else type(output).__name__
            raise ZspaceError(f"{spec}: the module returned {shape} for {len(batch)} images of shape "
                              f"{tuple(batch.shape)}; a feature extractor returns a tensor (n, k)")
        return output.float().cpu().numpy()

    record = {"feature_space": spec.function, "kind": spec.kind, "code": str(spec), "function": spec.function,
              "checksum": module_checksum(source, module), "module": type(module).__name__,
              "feature_dim": 0}  # known once it has run
    return FeatureSpace(spec.function, extract, record, batch_size=BATCH_SIZE)
