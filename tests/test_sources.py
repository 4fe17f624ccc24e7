"""Data sources: image folders, IDX files, Fashion-MNIST, scikit-learn digits."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sklearn.datasets import load_digits

from zspace.data.digits import digits_source
from zspace.data.fashion_mnist import CLASS_NAMES, DEFAULT_PATH, fashion_mnist_source
from zspace.data.folder import folder_source, reduce_jpeg
from zspace.data.idx import read_idx, write_idx
from zspace.data.idx_source import idx_source
from zspace.data.resize import resize_batch, to_square
from zspace.errors import ZspaceError

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


def bands(width: int, height: int, centre: int, outer=RED, inner=GREEN) -> Image.Image:
    """``outer`` colour with a centred ``centre``-pixel band (across the long side) of ``inner``."""
    pixels = np.zeros((height, width, 3), dtype=np.uint8)
    pixels[:] = outer
    if width >= height:
        left = (width - centre) // 2
        pixels[:, left : left + centre] = inner
    else:
        top = (height - centre) // 2
        pixels[top : top + centre] = inner
    return Image.fromarray(pixels)


def assert_all_colour(pixels: np.ndarray, colour: tuple[int, int, int], tol: int = 0) -> None:
    diff = np.abs(pixels.astype(int) - np.array(colour)).max()
    assert diff <= tol, f"pixels differ from {colour} by up to {diff}"


def save_jpeg(image: Image.Image, path: Path) -> None:
    # 4:4:4 chroma, high quality: colour edges stay where they are drawn.
    image.save(path, "JPEG", quality=95, subsampling=0)


@pytest.fixture
def image_tree(tmp_path: Path) -> Path:
    """cats/: wide PNG, tall JPEG; dogs/: square WebP, large JPEG; plus files to be ignored."""
    root = tmp_path / "images"
    (root / "cats").mkdir(parents=True)
    (root / "dogs").mkdir()
    bands(90, 30, 30).save(root / "cats" / "a.png")  # red | green | red
    save_jpeg(bands(40, 100, 40, outer=BLUE), root / "cats" / "b.JPG")  # blue / green / blue
    Image.new("RGB", (50, 50), BLUE).save(root / "dogs" / "c.webp", lossless=True)
    save_jpeg(bands(800, 600, 600), root / "dogs" / "d.jpeg")
    (root / "dogs" / "notes.txt").write_text("not an image")
    (root / "cats" / "._a.jpg").write_bytes(b"macOS metadata, not an image")
    return root


def test_folder_shape_ids_and_labels(image_tree: Path) -> None:
    source = folder_source(image_tree, size=16)
    assert source.name == "folder"
    assert source.shape == (4, 16, 16, 3)
    ids = ["cats/a.png", "cats/b.JPG", "dogs/c.webp", "dogs/d.jpeg"]
    assert source.index["source_id"].tolist() == ids
    assert source.index["label"].tolist() == [0, 0, 1, 1]
    assert source.index["label_name"].tolist() == ["cats", "cats", "dogs", "dogs"]
    images = source.read(0, 4)
    assert images.shape == (4, 16, 16, 3) and images.dtype == np.uint8


def test_folder_centre_crops_every_aspect_ratio(image_tree: Path) -> None:
    images = folder_source(image_tree, size=16).read(0, 4)
    assert_all_colour(images[0], GREEN)  # wide PNG: red left/right thirds cropped away
    assert_all_colour(images[1], GREEN, tol=12)  # tall JPEG: blue top/bottom cropped away
    assert_all_colour(images[2], BLUE)  # lossless WebP
    assert_all_colour(images[3], GREEN, tol=40)  # large JPEG, decoded in draft mode


def test_folder_reads_any_row_range(image_tree: Path) -> None:
    source = folder_source(image_tree, size=8)
    np.testing.assert_array_equal(source.read(1, 3), source.read(0, 4)[1:3])
    assert source.read(2, 2).shape == (0, 8, 8, 3)
    with pytest.raises(ValueError):
        source.read(3, 5)


def test_folder_crop(tmp_path: Path) -> None:
    bands(120, 120, 40).save(tmp_path / "x.png")  # only the centre 40 columns are green
    cropped = folder_source(tmp_path, size=8, crop=40).read(0, 1)[0]
    assert_all_colour(cropped, GREEN)
    whole = folder_source(tmp_path, size=8).read(0, 1)[0]
    assert whole[:, 0, 0].min() > 200  # red left edge kept without crop
    too_big = folder_source(tmp_path, size=8, crop=500).read(0, 1)[0]
    np.testing.assert_array_equal(too_big, whole)  # falls back to the largest square


def test_large_jpeg_is_decoded_reduced_and_still_cropped(tmp_path: Path) -> None:
    image = Image.new("RGB", (1600, 1200), RED)
    image.paste(GREEN, (600, 400, 1000, 800))  # centre 400x400 green
    save_jpeg(image, tmp_path / "big.jpg")
    with Image.open(tmp_path / "big.jpg") as opened:
        crop = reduce_jpeg(opened, 16, 400)
        assert opened.size == (200, 150)  # decoded at 1/8 scale
        assert crop == 50
    assert_all_colour(folder_source(tmp_path, size=16, crop=400).read(0, 1)[0], GREEN, tol=40)


def test_folder_without_subfolders_has_no_labels(tmp_path: Path) -> None:
    Image.new("RGB", (10, 10)).save(tmp_path / "top.png")
    (tmp_path / "sub").mkdir()
    Image.new("RGB", (10, 10)).save(tmp_path / "sub" / "inner.png")
    source = folder_source(tmp_path, size=4)
    assert source.index["source_id"].tolist() == ["sub/inner.png", "top.png"]
    assert "label" not in source.index and "label_name" not in source.index


def test_folder_does_not_follow_symlinked_folders(image_tree: Path) -> None:
    os.symlink(image_tree, image_tree / "cats" / "loop", target_is_directory=True)
    assert folder_source(image_tree, size=4).count == 4


@pytest.mark.parametrize(
    "content",
    [b"this is not a PNG", None],  # None: a real JPEG cut in half
)
def test_folder_unreadable_file_names_it(image_tree: Path, content: bytes | None) -> None:
    bad = image_tree / "dogs" / "e-broken.jpg"
    if content is None:
        save_jpeg(bands(200, 200, 50), bad)
        content = bad.read_bytes()[: bad.stat().st_size // 2]
    bad.write_bytes(content)
    source = folder_source(image_tree, size=8)
    source.read(0, 2)  # the good ones still read
    with pytest.raises(ZspaceError, match="e-broken.jpg: cannot read this image"):
        source.read(0, source.count)


@pytest.mark.parametrize("pixels", [1500, 2500])  # warning zone (1x-2x the limit), and past it
def test_decompression_bomb_is_a_zspace_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pixels: int) -> None:
    Image.new("RGB", (pixels // 10, 10)).save(tmp_path / "bomb.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(ZspaceError, match="bomb.png: image too large"):
        folder_source(tmp_path, size=4).read(0, 1)


def test_folder_errors_name_the_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.txt").write_text("x")
    with pytest.raises(ZspaceError, match=r"empty: no images found \(looked for .jpg, .jpeg"):
        folder_source(tmp_path / "empty")
    with pytest.raises(ZspaceError, match="missing: folder not found"):
        folder_source(tmp_path / "missing")
    with pytest.raises(ZspaceError, match="readme.txt: not a folder"):
        folder_source(tmp_path / "empty" / "readme.txt")
    with pytest.raises(ZspaceError, match="size must be a positive"):
        folder_source(tmp_path / "empty", size=0)


def test_to_square_and_resize_batch() -> None:
    wide = bands(90, 30, 30)
    assert to_square(wide, 30).size == (30, 30)
    assert_all_colour(np.asarray(to_square(wide, 30)), GREEN)  # no resize: exact crop
    batch = np.zeros((2, 5, 9), dtype=np.uint8)
    batch[:, :, 2:7] = 200
    out = resize_batch(batch, 3)
    assert out.shape == (2, 3, 3, 1) and out.dtype == np.uint8
    assert (out == 200).all()
    with pytest.raises(ZspaceError, match=r"shape \(1, 4, 4, 2\)"):
        resize_batch(np.zeros((1, 4, 4, 2), dtype=np.uint8), 2)


def test_digits() -> None:
    source = digits_source()
    reference = load_digits()
    assert source.name == "digits"
    assert source.shape == (1797, 32, 32, 1)
    assert source.index["source_id"][0] == "digits:0000"
    assert source.index["source_id"][-1] == "digits:1796"
    np.testing.assert_array_equal(source.index["label"], reference.target)
    images = source.read(0, 10)
    assert images.shape == (10, 32, 32, 1) and images.dtype == np.uint8
    native = digits_source(size=8).read(0, 1)[0, :, :, 0]
    np.testing.assert_array_equal(native, np.rint(reference.images[0] * 255 / 16))
    assert digits_source(size=8).read(0, 1797).max() == 255


def test_idx_source(tmp_path: Path) -> None:
    images = np.arange(5 * 6 * 7, dtype=np.uint8).reshape(5, 6, 7)
    write_idx(tmp_path / "imgs.idx", images)
    write_idx(tmp_path / "labels.idx.gz", np.array([3, 1, 4, 1, 5], dtype=np.uint8))
    source = idx_source(tmp_path / "imgs.idx", tmp_path / "labels.idx.gz")
    assert source.name == "idx"
    assert source.shape == (5, 6, 7, 1)
    assert source.index["source_id"].tolist() == [f"imgs.idx:{i}" for i in range(5)]
    assert source.index["label"].tolist() == [3, 1, 4, 1, 5]
    np.testing.assert_array_equal(source.read(1, 3)[..., 0], images[1:3])
    resized = idx_source(tmp_path / "imgs.idx", size=4)
    assert resized.shape == (5, 4, 4, 1) and "label" not in resized.index
    assert resized.read(0, 5).shape == (5, 4, 4, 1)


def test_idx_source_rgb_and_float(tmp_path: Path) -> None:
    rgb = np.random.default_rng(0).integers(0, 256, (3, 4, 4, 3), dtype=np.uint8)
    write_idx(tmp_path / "rgb.idx", rgb)
    np.testing.assert_array_equal(idx_source(tmp_path / "rgb.idx").read(0, 3), rgb)
    write_idx(tmp_path / "float.idx", np.array([[[0.0, 0.5, 1.0]]], dtype=np.float32))
    assert idx_source(tmp_path / "float.idx").read(0, 1).ravel().tolist() == [0, 128, 255]


@pytest.mark.parametrize(
    ("array", "message"),
    [
        (np.full((2, 3, 3), 1.5, dtype=np.float32), r"float with every value in \[0, 1\]"),
        (np.zeros((2, 3, 3), dtype=np.int16), "must be uint8"),
        (np.zeros((2, 3), dtype=np.uint8), r"must be \(N,H,W\)"),
        (np.zeros((2, 3, 3, 2), dtype=np.uint8), "1, 3 or 4 channels"),
    ],
)
def test_idx_source_refuses_bad_images(tmp_path: Path, array: np.ndarray, message: str) -> None:
    write_idx(tmp_path / "bad.idx", array)
    with pytest.raises(ZspaceError, match=f"bad.idx: .*{message}"):
        idx_source(tmp_path / "bad.idx")


def test_idx_source_refuses_mismatched_labels(tmp_path: Path) -> None:
    write_idx(tmp_path / "imgs.idx", np.zeros((4, 2, 2), dtype=np.uint8))
    write_idx(tmp_path / "labels.idx", np.zeros(3, dtype=np.uint8))
    with pytest.raises(ZspaceError, match="labels.idx: has 3 labels but imgs.idx has 4"):
        idx_source(tmp_path / "imgs.idx", tmp_path / "labels.idx")
    write_idx(tmp_path / "labels.idx", np.zeros(4, dtype=np.float32))
    with pytest.raises(ZspaceError, match="labels.idx: labels must be a 1-D integer array"):
        idx_source(tmp_path / "imgs.idx", tmp_path / "labels.idx")


def write_fake_fashion(folder: Path, gz: str = ".gz") -> None:
    rng = np.random.default_rng(1)
    for prefix, n in (("train", 3), ("t10k", 2)):
        write_idx(folder / f"{prefix}-images-idx3-ubyte{gz}", rng.integers(0, 256, (n, 28, 28)).astype(np.uint8))
        write_idx(folder / f"{prefix}-labels-idx1-ubyte{gz}", np.arange(n, dtype=np.uint8) + 7)


@pytest.mark.parametrize("gz", ["", ".gz"])
def test_fashion_mnist_layout_on_small_files(tmp_path: Path, gz: str) -> None:
    write_fake_fashion(tmp_path, gz)
    source = fashion_mnist_source(tmp_path, size=14)
    assert source.name == "fashion-mnist"
    assert source.shape == (5, 14, 14, 1)
    ids = ["train:00000", "train:00001", "train:00002", "test:00000", "test:00001"]
    assert source.index["source_id"].tolist() == ids
    assert source.index["split"].tolist() == ["train"] * 3 + ["test"] * 2
    assert source.index["label"].tolist() == [7, 8, 9, 7, 8]
    assert source.index["label_name"].tolist()[:3] == ["Sneaker", "Bag", "Ankle boot"]
    assert source.read(3, 5).shape == (2, 14, 14, 1)


def test_fashion_mnist_errors(tmp_path: Path) -> None:
    with pytest.raises(ZspaceError, match="apt-get install dataset-fashion-mnist or pass the folder"):
        fashion_mnist_source(tmp_path / "nowhere")
    write_fake_fashion(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(ZspaceError, match="no t10k-labels-idx1-ubyte"):
        fashion_mnist_source(tmp_path)


def test_fashion_mnist_real_files() -> None:
    if not DEFAULT_PATH.is_dir():
        pytest.skip("Fashion-MNIST not installed: apt-get install dataset-fashion-mnist")
    source = fashion_mnist_source()
    assert source.shape == (70000, 28, 28, 1)
    assert sorted(set(source.index["label"].tolist())) == list(range(10))
    labels_file = next(DEFAULT_PATH.glob("train-labels*"))
    assert source.index["label"][0] == read_idx(labels_file)[0]
    assert source.index["label_name"][0] == CLASS_NAMES[source.index["label"][0]]
    assert (source.index["split"] == "train").sum() == 60000
    assert source.index["source_id"][60000] == "test:00000"
    first = source.read(0, 2)
    assert first.dtype == np.uint8 and first.shape == (2, 28, 28, 1) and first.max() > 0
