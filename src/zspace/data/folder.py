"""A data source from a folder of image files (JPEG, PNG, WebP), searched recursively.

Files are listed up front (so the count and index are known) and decoded
only in ``read``. Each is converted to RGB, centre-cropped and resized with
the shared policy of :mod:`zspace.data.resize`. When every image sits in a
first-level subfolder, the subfolder names become class labels.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps

from zspace.data.idx_source import check_rows
from zspace.data.resize import check_size, square_box, to_square
from zspace.data.source import ImageSource
from zspace.errors import ZspaceError

EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")


def folder_source(path: str | os.PathLike, size: int = 64, crop: int | None = None) -> ImageSource:
    """All images below ``path`` as RGB ``size`` x ``size``, sorted by relative path.

    ``crop``: centre-crop to ``crop`` x ``crop`` pixels first when the image
    is at least that large (else the largest centred square).
    """
    root = Path(path)
    size = check_size(size)
    if crop is not None:
        crop = check_size(crop, "crop")
    files = list_images(root)
    index = {"source_id": np.array([f.as_posix() for f in files], dtype=str)}
    index.update(folder_labels(files))

    def read(start: int, stop: int) -> np.ndarray:
        check_rows(start, stop, len(files))
        out = np.empty((stop - start, size, size, 3), dtype=np.uint8)
        for i, relative in enumerate(files[start:stop]):
            out[i] = load_image(root / relative, size, crop)
        return out

    details = {"path": str(root), "size": size, "crop": crop, "extensions": list(EXTENSIONS)}
    return ImageSource("folder", len(files), size, size, 3, index, read, details)


def list_images(root: Path) -> list[PurePosixPath]:
    """Relative paths of the image files below ``root``, sorted.

    Symlinked folders are not entered (os.walk's default), so a link to a
    parent cannot loop. Hidden files and folders (a leading dot) are skipped:
    they hold things like macOS "._photo.jpg" metadata, which are not images.
    """
    if not root.exists():
        raise ZspaceError(f"{root}: folder not found; check the path")
    if not root.is_dir():
        raise ZspaceError(f"{root}: not a folder; pass the folder that holds the images")
    files = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        relative = PurePosixPath(Path(dirpath).relative_to(root).as_posix())
        files += [
            relative / name for name in filenames if name.lower().endswith(EXTENSIONS) and not name.startswith(".")
        ]
    if not files:
        raise ZspaceError(
            f"{root}: no images found (looked for {', '.join(EXTENSIONS)} in any case, "
            "in all subfolders); pass a folder that holds images"
        )
    return sorted(files)


def folder_labels(files: list[PurePosixPath]) -> dict[str, np.ndarray]:
    """``label``/``label_name`` columns when every file is in a first-level subfolder."""
    if any(len(f.parts) != 2 for f in files):
        return {}
    names = np.array([f.parts[0] for f in files], dtype=str)
    _, labels = np.unique(names, return_inverse=True)  # np.unique sorts the names
    return {"label": labels.astype(np.int64), "label_name": names}


def load_image(path: Path | BinaryIO, size: int, crop: int | None, name: str | None = None) -> np.ndarray:
    """Decode one file to an RGB uint8 (size, size, 3) array, or raise ZspaceError naming it.

    ``path`` may be an open binary file (a zip member); ``name`` then names it in errors.
    """
    name = name or str(path)
    try:
        with warnings.catch_warnings():
            # PIL warns (rather than refuses) between 1x and 2x MAX_IMAGE_PIXELS.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                crop = reduce_jpeg(image, size, crop)
                image.load()  # decode now, so truncation surfaces inside this try
                rgb = ImageOps.exif_transpose(image).convert("RGB")
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as err:
        raise ZspaceError(f"{name}: image too large to decode safely ({err})") from None
    except Exception as err:
        # PIL's decoders raise many types for bad bytes (OSError, ValueError,
        # SyntaxError, struct.error, EOFError...); all mean "cannot read this file".
        raise ZspaceError(
            f"{name}: cannot read this image ({type(err).__name__}: {err}); replace or remove the file"
        ) from None
    return np.asarray(to_square(rgb, size, crop))


def reduce_jpeg(image: Image.Image, size: int, crop: int | None) -> int | None:
    """Let libjpeg decode a JPEG at 1/2, 1/4 or 1/8 scale when that still leaves >= size px.

    Decoding at reduced scale (draft mode) is several times faster for photos
    much larger than the target. Returns ``crop`` in the reduced image's pixels.
    """
    if image.format != "JPEG":
        return crop
    width, height = image.size
    left, _, right, _ = square_box(width, height, crop)
    side = right - left
    if side < 2 * size:
        return crop
    # Ask for the whole image at (side/size) times smaller: draft picks the
    # largest scale that keeps both sides >= that, so the square stays >= size.
    image.draft("RGB", (-(-width * size // side), -(-height * size // side)))
    if crop is None or crop > min(width, height):
        return crop
    return max(size, round(crop * image.size[0] / width))
