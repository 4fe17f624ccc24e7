"""DINOv2 and CLIP feature spaces from a local Hugging Face folder (``dinov2:DIR``, ``clip:DIR``).

The folder is what ``save_pretrained`` writes: config.json, model.safetensors,
and the image processor saved beside it (preprocessor_config.json). Nothing is
downloaded: ``transformers`` loads with ``local_files_only``, safetensors only
(no pickle). Images are preprocessed exactly as the folder's processor says
(its PIL path: resize, centre crop, rescale, normalise), and the feature is the
pooled output (``pooler_output``): for ``Dinov2Model`` the CLS token after the
final layer norm (Oquab et al. 2023; Stein et al. 2023 compute FD_DINOv2 in it),
for ``CLIPVisionModel`` the CLS token after the post layer norm (Radford et al.
2021), before CLIP's projection to the joint image-text space.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch

from zspace.devices import resolve_device
from zspace.errors import ZspaceError
from zspace.evaluation.feature_spaces import FeatureSpace
from zspace.usercode import require_extra

# kind -> (the space's name, the transformers class, the model types its config.json may name)
KINDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "dinov2": ("DINOv2", "Dinov2Model", ("dinov2",)),
    "clip": ("CLIP", "CLIPVisionModel", ("clip_vision_model", "clip")),  # a vision tower or a whole CLIP
}
CONFIG = "config.json"
PROCESSOR = "preprocessor_config.json"
WEIGHTS = ("model.safetensors", "model.safetensors.index.json")  # one file, or shards with their index
BATCH_SIZE = 64
EXTRA = "models"  # zspace's optional extra that installs transformers


def _fail(folder: Path, kind: str, what: str) -> ZspaceError:
    return ZspaceError(f"{kind}:{folder}: {what}", options=("features",))


def check_folder(kind: str, folder: Path) -> str:
    """The model type of ``folder`` when it holds a ``kind`` model in safetensors and its image processor."""
    name, cls, types = KINDS[kind]
    save = f"{cls}.from_pretrained(NAME).save_pretrained(DIR) and AutoImageProcessor.from_pretrained(NAME)" \
           ".save_pretrained(DIR) on a machine with the network, then copy DIR here"
    if not folder.is_dir():
        raise _fail(folder, kind, f"no such folder; give a local folder in Hugging Face's format: {save}")
    if not (folder / CONFIG).is_file():
        raise _fail(folder, kind, f"no {CONFIG}, so not a Hugging Face model folder; {save}")
    try:
        model_type = json.loads((folder / CONFIG).read_text(encoding="utf-8")).get("model_type")
    except (UnicodeDecodeError, json.JSONDecodeError, AttributeError) as err:
        raise _fail(folder, kind, f"{CONFIG} is not a JSON object ({err}); save the folder again") from None
    if model_type not in types:
        raise _fail(folder, kind, f"{CONFIG} names model type {model_type!r}, not a {name} model "
                                  f"({' or '.join(map(repr, types))}); give a {cls} folder")
    if not any((folder / weights).is_file() for weights in WEIGHTS):
        raise _fail(folder, kind, f"no {WEIGHTS[0]}; zspace loads safetensors only (never pickled "
                                  "pytorch_model.bin): save it again with save_pretrained, which writes safetensors")
    if not (folder / PROCESSOR).is_file():
        raise _fail(folder, kind, f"no {PROCESSOR}, so the model's preprocessing is unknown; save the image "
                                  "processor into the folder: AutoImageProcessor.from_pretrained(NAME)"
                                  ".save_pretrained(DIR)")
    return model_type


def folder_checksum(folder: Path) -> str:
    """sha256 of the config, the processor and the weights (names and bytes, in name order)."""
    digest = hashlib.sha256()
    files = sorted(p for p in folder.iterdir() if p.is_file() and (p.suffix == ".safetensors" or p.name in
                                                                    (CONFIG, PROCESSOR, WEIGHTS[1])))
    for path in files:
        digest.update(path.name.encode() + b"\0")
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 22):
                digest.update(chunk)
    return f"sha256:{digest.hexdigest()}"


@contextlib.contextmanager
def quiet_transformers() -> Iterator[None]:
    """transformers' warnings and loading bars off while zspace loads a folder (its messages are zspace's)."""
    # transformers is an optional extra: imported when a Hugging Face space is opened
    from transformers.utils import logging

    verbosity, bars = logging.get_verbosity(), logging.is_progress_bar_enabled()
    logging.set_verbosity_error()
    logging.disable_progress_bar()
    try:
        yield
    finally:
        logging.set_verbosity(verbosity)
        if bars:
            logging.enable_progress_bar()


def load_hugging_face(kind: str, folder: Path):
    """(model in eval mode, image processor) of a checked folder; one line naming what does not fit."""
    transformers = require_extra("transformers", EXTRA, f"{kind}:{folder} ({KINDS[kind][0]} features)")
    model_class = getattr(transformers, KINDS[kind][1])
    with quiet_transformers():
        try:
            model, info = model_class.from_pretrained(folder, local_files_only=True, use_safetensors=True,
                                                      output_loading_info=True)
            processor = transformers.AutoImageProcessor.from_pretrained(folder, local_files_only=True, backend="pil")
        except (OSError, ValueError, KeyError, TypeError, RuntimeError) as err:
            raise _fail(folder, kind, f"transformers cannot load it ({type(err).__name__}: "
                                      f"{' '.join(str(err).split())[:300]})") from None
    missing = sorted(info.get("missing_keys") or [])
    mismatched = [str(item[0]) if isinstance(item, tuple) else str(item) for item in info.get("mismatched_keys") or []]
    if missing or mismatched:
        names = ", ".join((missing + mismatched)[:3])
        raise _fail(folder, kind, f"the weights do not fit the config: {len(missing)} missing and "
                                  f"{len(mismatched)} mismatched tensors ({names}, ...); save the folder again")
    return model.eval(), processor


def processor_record(processor) -> dict:
    """The processor's settings as saved (JSON-ready), the preprocessing the features depend on."""
    return {key: value for key, value in processor.to_dict().items() if not key.startswith("_")}


def open_hugging_face(kind: str, folder: Path, device: str = "cpu") -> FeatureSpace:
    """The ``kind`` (dinov2 or clip) feature space of a local folder, loaded onto ``device``."""


    folder = Path(folder)
    device = resolve_device(device)
    model_type = check_folder(kind, folder)
    model, processor = load_hugging_face(kind, folder)
    model = model.to(device)

    @torch.no_grad()
    def extract(images: np.ndarray) -> np.ndarray:
        """uint8 (n, H, W, C) -> the pooled output (n, hidden_size), preprocessed by the folder's processor."""
        if images.shape[-1] == 1:  # grey: the model sees RGB with three equal channels
            images = np.repeat(images, 3, axis=-1)
        pixels = processor(images=list(images), return_tensors="pt", input_data_format="channels_last")
        output = model(pixel_values=pixels["pixel_values"].to(device))
        return output.pooler_output.float().cpu().numpy()

    name, cls, _ = KINDS[kind]
    record = {"feature_space": name, "kind": kind, "folder": str(folder.resolve()), "model_class": cls,
              "model_type": model_type, "checksum": folder_checksum(folder),
              "feature_dim": int(model.config.hidden_size), "feature": "pooler_output (CLS token after layer norm)",
              "preprocessing": processor_record(processor),
              "transformers": require_extra("transformers").__version__}
    return FeatureSpace(name, extract, record, batch_size=BATCH_SIZE)
