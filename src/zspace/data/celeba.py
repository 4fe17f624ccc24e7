"""CelebA as a data source, from whatever copy the user has.

Accepted layouts (PATH is the folder or file given to ``zspace prepare celeba``):

- official: ``PATH/img_align_celeba/*.jpg`` with ``list_eval_partition.txt``,
  ``list_attr_celeba.txt``, ``identity_CelebA.txt`` beside the folder;
- Kaggle: ``PATH/img_align_celeba/img_align_celeba/*.jpg`` with the ``.csv`` files;
- the image folder itself (``PATH/*.jpg``), metadata looked for in it and its parent;
- a zip file of any of these, read in place without extracting. A member
  whose name would escape the archive's folder (absolute, or with ``..``) is
  refused: the zip is treated as hostile.

Only the images are required. Partitions (0/1/2 -> train/val/test), the 40
binary attributes (-1/1 -> 0/1; -1 where an image has no row) and identities
go into the index when their files are present. Images are centre-cropped to
``crop`` (default 148, the common practice for 178x218 aligned CelebA,
e.g. Larsen et al. 2016 and most VAE code) and resized with Lanczos.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

import numpy as np

from zspace.data.celeba_files import parse_attributes, parse_identities, parse_partitions
from zspace.data.folder import load_image
from zspace.data.idx_source import check_rows
from zspace.data.resize import check_size
from zspace.data.source import ImageSource
from zspace.errors import ZspaceError

IMAGE_FOLDER = "img_align_celeba"
METADATA = {
    "partition": ("list_eval_partition.txt", "list_eval_partition.csv"),
    "attributes": ("list_attr_celeba.txt", "list_attr_celeba.csv"),
    "identity": ("identity_CelebA.txt",),
}


@dataclass
class CelebaFiles:
    """What was found: image names (sorted), how to open one, and the metadata texts."""

    layout: str
    names: list[str]
    open_image: Callable[[str], Path | BinaryIO]
    texts: dict[str, tuple[str, str]] = field(default_factory=dict)  # file name -> (text, origin)


def find_celeba(path: str | os.PathLike) -> CelebaFiles:
    path = Path(path)
    if not path.exists():
        raise ZspaceError(f"{path}: not found; pass the CelebA folder or its zip file")
    if path.is_file():
        if not zipfile.is_zipfile(path):
            raise ZspaceError(f"{path}: not a zip file nor a folder; pass the CelebA folder or its zip file")
        return _from_zip(path)
    return _from_folder(path)


def _from_folder(root: Path) -> CelebaFiles:
    candidates = [("kaggle", root / IMAGE_FOLDER / IMAGE_FOLDER), ("official", root / IMAGE_FOLDER),
                  ("image folder", root)]
    found = [(layout, folder, _jpgs(folder)) for layout, folder in candidates]
    found = [entry for entry in found if entry[2]]
    if not found:
        raise ZspaceError(f"{root}: no CelebA images found (looked for {IMAGE_FOLDER}/*.jpg, "
                          f"{IMAGE_FOLDER}/{IMAGE_FOLDER}/*.jpg and *.jpg); pass the folder that holds them")
    layout, folder, names = found[0]
    texts: dict[str, tuple[str, str]] = {}
    for place in dict.fromkeys([root, folder, folder.parent, root.parent]):
        for wanted in (n for names_ in METADATA.values() for n in names_):
            file = place / wanted
            if wanted not in texts and file.is_file():
                texts[wanted] = (file.read_text(encoding="utf-8", errors="replace"), str(file))
    return CelebaFiles(layout, names, lambda name: folder / name, texts)


def _jpgs(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(e.name for e in os.scandir(folder) if e.name.lower().endswith(".jpg") and e.is_file())


def _from_zip(archive: Path) -> CelebaFiles:
    with zipfile.ZipFile(archive) as handle:
        members = handle.namelist()
        for member in members:
            parts = PurePosixPath(member.replace("\\", "/")).parts
            if member.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
                raise ZspaceError(f"{archive}: member {member!r} escapes the archive's folder; "
                                  "refusing to read this zip")
        images = {PurePosixPath(m).name: m for m in sorted(members, reverse=True) if m.lower().endswith(".jpg")}
        wanted = {n for names_ in METADATA.values() for n in names_}
        texts = {}
        for member in members:
            name = PurePosixPath(member).name
            if name in wanted and name not in texts:
                texts[name] = (handle.read(member).decode("utf-8", errors="replace"), f"{archive}:{member}")
    if not images:
        raise ZspaceError(f"{archive}: the zip holds no .jpg images; pass the CelebA zip or folder")
    opener = _ZipOpener(archive, images)
    return CelebaFiles("zip", sorted(images), opener, texts)


class _ZipOpener:
    """Opens members of one zip; each process (prepare's workers) opens its own handle."""

    def __init__(self, archive: Path, members: dict[str, str]) -> None:
        self.archive, self.members = archive, members
        self._handle: zipfile.ZipFile | None = None
        self._pid = -1

    def __call__(self, name: str) -> BinaryIO:
        if self._handle is None or self._pid != os.getpid():
            self._handle, self._pid = zipfile.ZipFile(self.archive), os.getpid()
        return io.BytesIO(self._handle.read(self.members[name]))


def _metadata_columns(files: CelebaFiles) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    names, columns, details = files.names, {}, {}
    for file_name in METADATA["partition"]:
        if file_name in files.texts:
            text, origin = files.texts[file_name]
            partitions = parse_partitions(text, origin, is_csv=file_name.endswith(".csv"))
            missing = sum(1 for n in names if n not in partitions)
            # Images with no partition row are training images (recorded, not hidden).
            columns["split"] = np.array([partitions.get(n, "train") for n in names])
            details["partition_file"], details["images_without_partition"] = origin, missing
            break
    for file_name in METADATA["attributes"]:
        if file_name in files.texts:
            text, origin = files.texts[file_name]
            attribute_names, rows = parse_attributes(text, origin, is_csv=file_name.endswith(".csv"))
            unknown = np.full(len(attribute_names), -1, dtype=np.int8)
            table = np.stack([rows.get(n, unknown) for n in names])
            columns.update({a: table[:, i] for i, a in enumerate(attribute_names)})
            details["attributes"], details["attribute_file"] = attribute_names, origin
            details["images_without_attributes"] = sum(1 for n in names if n not in rows)
            break
    if "identity_CelebA.txt" in files.texts:
        text, origin = files.texts["identity_CelebA.txt"]
        identities = parse_identities(text, origin)
        columns["identity"] = np.array([identities.get(n, -1) for n in names], dtype=np.int64)
    return columns, details


def celeba_source(path: str | os.PathLike, size: int = 64, crop: int | None = 148) -> ImageSource:
    """CelebA images found at ``path`` as RGB ``size`` x ``size``, with their metadata in the index."""
    size = check_size(size)
    if crop is not None:
        crop = check_size(crop, "crop")
    files = find_celeba(path)
    columns, details = _metadata_columns(files)
    index = {"source_id": np.array(files.names), **columns}

    def read(start: int, stop: int) -> np.ndarray:
        check_rows(start, stop, len(files.names))
        out = np.empty((stop - start, size, size, 3), dtype=np.uint8)
        for i, name in enumerate(files.names[start:stop]):
            out[i] = load_image(files.open_image(name), size, crop, name=f"{path}:{name}")
        return out

    details.update({"path": str(path), "layout": files.layout, "size": size, "crop": crop})
    return ImageSource("celeba", len(files.names), size, size, 3, index, read, details)
