"""Fashion-MNIST from its official IDX files: 70,000 28x28 grey images, 10 classes.

Both official splits are used, train (60,000) first, then test (10,000). The
files are looked for under their usual names, gzipped or not; Debian and
Ubuntu install them with ``apt-get install dataset-fashion-mnist`` under
:data:`DEFAULT_PATH`.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from zspace.data.idx import read_idx
from zspace.data.idx_source import array_source, read_labels, row_ids, to_uint8_images
from zspace.data.source import ImageSource
from zspace.errors import ZspaceError

DEFAULT_PATH = Path("/usr/share/datasets/fashion-mnist")

# Label i is CLASS_NAMES[i], as in the Fashion-MNIST README.
CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

# split name in the index -> file name prefix of the official files.
SPLITS = {"train": "train", "test": "t10k"}


def fashion_mnist_source(path: str | os.PathLike | None = None, size: int | None = None) -> ImageSource:
    """Fashion-MNIST from the folder ``path`` (default :data:`DEFAULT_PATH`).

    ``size=None`` keeps 28x28; otherwise images are resized to ``size`` x ``size``.
    """
    folder = Path(path) if path is not None else DEFAULT_PATH
    if not folder.is_dir():
        raise ZspaceError(
            f"{folder}: Fashion-MNIST folder not found; apt-get install dataset-fashion-mnist "
            "or pass the folder holding the IDX files"
        )
    images, labels, splits, ids = [], [], [], []
    for split, prefix in SPLITS.items():
        images_path = find_file(folder, prefix, "images", 3)
        labels_path = find_file(folder, prefix, "labels", 1)
        split_images = to_uint8_images(images_path, read_idx(images_path))
        if split_images.shape[1:] != (28, 28, 1):
            raise ZspaceError(
                f"{images_path}: Fashion-MNIST images are 28x28 grey, not shape "
                f"{split_images.shape[1:]}; pass the folder of the official files"
            )
        split_labels = read_labels(labels_path, len(split_images), images_path)
        if split_labels.min() < 0 or split_labels.max() >= len(CLASS_NAMES):
            raise ZspaceError(f"{labels_path}: labels must be 0..9 for Fashion-MNIST")
        images.append(split_images)
        labels.append(split_labels)
        splits.append(np.full(len(split_images), split))
        ids.append(row_ids(split, len(split_images), width=5))
    label = np.concatenate(labels)
    index = {
        "source_id": np.concatenate(ids),
        "split": np.concatenate(splits),
        "label": label,
        "label_name": np.array(CLASS_NAMES)[label],
    }
    details = {"path": str(folder), "class_names": list(CLASS_NAMES)}
    return array_source("fashion-mnist", np.concatenate(images), index, size, details)


def find_file(folder: Path, prefix: str, kind: str, ndim: int) -> Path:
    """The first of the usual names for one IDX file that exists in ``folder``."""
    names = [
        f"{prefix}-{kind}-idx{ndim}-ubyte",  # official (and Debian) name
        f"{prefix}-{kind}.idx{ndim}-ubyte",  # name used by some mirrors and zip files
    ]
    for name in names:
        for candidate in (folder / name, folder / f"{name}.gz"):
            if candidate.is_file():
                return candidate
    raise ZspaceError(
        f"{folder}: no {names[0]}[.gz] in this folder; pass the folder holding the "
        "Fashion-MNIST IDX files, or apt-get install dataset-fashion-mnist"
    )
