"""Small CelebA copies in the layouts people really have, made by the tests (178x218 JPEGs)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

ATTRIBUTES = ["5_o_Clock_Shadow", "Arched_Eyebrows", "Smiling", "Eyeglasses"]  # a few of the 40


def celeba_image(i: int) -> Image.Image:
    """Red outside the central 148x148 square, green inside, with a brightness that encodes i."""
    pixels = np.zeros((218, 178, 3), np.uint8)
    pixels[..., 0] = 200
    top, left = (218 - 148) // 2, (178 - 148) // 2
    pixels[top : top + 148, left : left + 148] = (0, 120 + 4 * i, 0)
    return Image.fromarray(pixels)


def attribute_table(n: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.choice([-1, 1], size=(n, len(ATTRIBUTES)))


def name(i: int) -> str:
    return f"{i + 1:06d}.jpg"


def make_official(root: Path, n: int = 24, partitions: bool = True) -> Path:
    images = root / "img_align_celeba"
    images.mkdir(parents=True)
    for i in range(n):
        celeba_image(i).save(images / name(i), quality=95)
    table = attribute_table(n)
    if partitions:
        (root / "list_eval_partition.txt").write_text("".join(f"{name(i)} {i % 3}\n" for i in range(n)))
    lines = [f"{n}", " ".join(ATTRIBUTES)]
    lines += [name(i) + " " + " ".join(f"{v:2d}" for v in table[i]) for i in range(n)]
    (root / "list_attr_celeba.txt").write_text("\n".join(lines) + "\n")
    (root / "identity_CelebA.txt").write_text("".join(f"{name(i)} {100 + i // 2}\n" for i in range(n)))
    return root


def make_kaggle(root: Path, n: int = 24) -> Path:
    images = root / "img_align_celeba" / "img_align_celeba"
    images.mkdir(parents=True)
    for i in range(n):
        celeba_image(i).save(images / name(i), quality=95)
    table = attribute_table(n)
    rows = ["image_id," + ",".join(ATTRIBUTES)] + [name(i) + "," + ",".join(map(str, table[i])) for i in range(n)]
    (root / "list_attr_celeba.csv").write_text("\n".join(rows) + "\n")
    (root / "list_eval_partition.csv").write_text(
        "image_id,partition\n" + "".join(f"{name(i)},{i % 3}\n" for i in range(n)))
    return root


def zip_folder(folder: Path, archive: Path) -> Path:
    with zipfile.ZipFile(archive, "w") as handle:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                handle.write(path, path.relative_to(folder).as_posix())
    return archive
