"""CelebA: every layout prepares to the same cache; hostile and damaged input is refused cleanly."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest
from celeba_fixtures import ATTRIBUTES, attribute_table, make_kaggle, make_official, name, zip_folder
from hypothesis import given, settings
from hypothesis import strategies as st

from zspace.cli.main import main
from zspace.data.cache import open_cache
from zspace.data.celeba import celeba_source
from zspace.data.celeba_files import parse_attributes, parse_identities, parse_partitions
from zspace.errors import ZspaceError


def prepare(capsys: pytest.CaptureFixture, path: Path, out: Path, *extra: str) -> tuple[int, str]:
    code = main(["prepare", "celeba", str(path), "--size", "32", "--out", str(out), *extra])
    return code, capsys.readouterr().err


def test_official_layout(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    root = make_official(tmp_path / "celeba")
    code, err = prepare(capsys, root, tmp_path / "c")
    assert code == 0, err
    cache = open_cache(tmp_path / "c")
    assert cache.images.shape == (24, 32, 32, 3)
    assert list(cache.index["split"][:3]) == ["train", "val", "test"]
    table = (attribute_table(24) + 1) // 2
    for j, attribute in enumerate(ATTRIBUTES):
        assert np.array_equal(cache.index[attribute], table[:, j]), attribute
    assert list(cache.index["identity"][:4]) == [100, 100, 101, 101]
    # The 148 px centre crop keeps only the green square (JPEG's chroma blur and draft-mode
    # decoding may tint the outermost pixel; everything inside it is green).
    inner = cache.images[:, 1:-1, 1:-1]
    assert inner[..., 0].max() < 40 and inner[..., 1].min() > 100
    assert np.median(cache.images[..., 0]) < 10
    assert cache.meta["details"]["layout"] == "official" and cache.meta["details"]["crop"] == 148


def test_kaggle_and_zip_layouts_give_the_same_cache(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    official = make_official(tmp_path / "official")
    kaggle = make_kaggle(tmp_path / "kaggle")
    archive = zip_folder(official, tmp_path / "celeba.zip")
    caches = []
    for path, out in ((official, "a"), (kaggle, "b"), (archive, "c")):
        code, err = prepare(capsys, path, tmp_path / out)
        assert code == 0, err
        caches.append(open_cache(tmp_path / out))
    assert caches[1].meta["details"]["layout"] == "kaggle" and caches[2].meta["details"]["layout"] == "zip"
    for other in caches[1:]:
        assert np.array_equal(other.images, caches[0].images)
        assert np.array_equal(other.index["split"], caches[0].index["split"])
        assert np.array_equal(other.index["Smiling"], caches[0].index["Smiling"])


def test_images_only_is_enough(tmp_path: Path) -> None:
    root = make_official(tmp_path / "celeba")
    for file in root.glob("*.txt"):
        file.unlink()
    source = celeba_source(root / "img_align_celeba", size=16)  # the image folder itself
    assert source.count == 24 and set(source.index) == {"source_id"}


def test_zip_slip_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("img_align_celeba/000001.jpg", b"x")
        handle.writestr("../../etc/cron.d/evil.jpg", b"x")
    code, err = prepare(capsys, archive, tmp_path / "c")
    assert code == 2 and "escapes the archive" in err and err.count("\n") == 1
    assert not (tmp_path / "c").exists()


def test_truncated_jpeg_stops_or_is_skipped(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    root = make_official(tmp_path / "celeba", n=30)
    victim = root / "img_align_celeba" / name(5)
    victim.write_bytes(victim.read_bytes()[:300])
    code, err = prepare(capsys, root, tmp_path / "c", "--workers", "1")
    assert code == 2 and name(5) in err and "Traceback" not in err
    assert not (tmp_path / "c").exists()
    code, err = prepare(capsys, root, tmp_path / "c", "--on-corrupt", "skip", "--max-corrupt", "0.05")
    assert code == 0, err
    cache = open_cache(tmp_path / "c")
    assert len(cache) == 29 and name(5) not in set(cache.index["source_id"])
    assert cache.meta["skipped"][0]["source_id"] == name(5)


def test_empty_folder_and_missing_images(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "empty").mkdir()
    code, err = prepare(capsys, tmp_path / "empty", tmp_path / "c")
    assert code == 2 and "no CelebA images found" in err
    root = make_official(tmp_path / "celeba")
    for image in (root / "img_align_celeba").iterdir():
        image.unlink()
    code, err = prepare(capsys, root, tmp_path / "c")
    assert code == 2 and "no CelebA images found" in err
    code, err = prepare(capsys, tmp_path / "nowhere", tmp_path / "c")
    assert code == 2 and "not found" in err
    (tmp_path / "notes.txt").write_text("hello")
    code, err = prepare(capsys, tmp_path / "notes.txt", tmp_path / "c")
    assert code == 2 and "not a zip file" in err


def test_partition_covering_fewer_images(tmp_path: Path) -> None:
    root = make_official(tmp_path / "celeba", n=12)
    (root / "list_eval_partition.txt").write_text(f"{name(0)} 2\n{name(999)} 1\n")
    source = celeba_source(root, size=16)
    assert source.index["split"][0] == "test" and set(source.index["split"][1:]) == {"train"}
    assert source.details["images_without_partition"] == 11


@pytest.mark.parametrize(
    "parser, text, fragment",
    [
        (parse_partitions, "000001.jpg 0\n000002.jpg 7\n", "line 2: value 7"),
        (parse_partitions, "000001.jpg\n", "line 1: expected"),
        (parse_identities, "000001.jpg x\n", "not a whole number"),
        (parse_attributes, "2\nA B\n000001.jpg 1 -1\n000002.jpg 1\n", "line 4"),
        (parse_attributes, "2\nA B\n000001.jpg 1 0\n", "value 0"),
        (parse_attributes, "", "count line"),
    ],
)
def test_malformed_metadata_names_file_and_line(parser, text: str, fragment: str) -> None:
    with pytest.raises(ZspaceError, match=fragment) as caught:
        parser(text, "list.txt")
    assert str(caught.value).startswith("list.txt")


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("0123456789 -,\n\tjpgimage_idAB.\"")), max_size=200),
       is_csv=st.booleans())
def test_metadata_parsers_fuzzed(text: str, is_csv: bool) -> None:
    for parse in (lambda: parse_partitions(text, "f", is_csv), lambda: parse_identities(text, "f"),
                  lambda: parse_attributes(text, "f", is_csv)):
        try:
            parse()
        except ZspaceError:
            pass
