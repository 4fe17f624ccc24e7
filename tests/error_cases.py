"""The table of bad inputs: each row is run as a test (test_errors_table.py) and printed as docs/errors.md.

Every case gets a fresh folder ``tmp`` and the session's small cache and run; ``setup`` makes
the bad input there and returns the command line. The command must exit 2 with one line on
stderr holding ``fragment``, without a traceback, and change nothing that existed before.

    python tests/error_cases.py > docs/errors.md     # regenerate the documentation table
"""

from __future__ import annotations

import shutil
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

Setup = Callable[[Path, Path, Path], list[str]]  # (tmp, cache, run) -> argv


@dataclass(frozen=True)
class Case:
    name: str
    bad_input: str
    setup: Setup
    fragment: str


def _png_claiming(path: Path, width: int, height: int) -> None:
    """A tiny PNG whose header claims width x height pixels (a decompression bomb)."""
    Image.new("L", (1, 1)).save(path)
    data = bytearray(path.read_bytes())
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    path.write_bytes(bytes(data))


def _folder_with(tmp: Path, name: str, content: bytes | None) -> Path:
    folder = tmp / "photos"
    folder.mkdir()
    Image.new("RGB", (40, 30), "blue").save(folder / "good.png")
    if content is not None:
        (folder / name).write_bytes(content)
    return folder


def _copy_run(run: Path, tmp: Path) -> Path:
    copy = tmp / "run"
    shutil.copytree(run, copy)
    return copy


def _prepare(*args: object) -> list[str]:
    return ["prepare", *map(str, args)]


def _train(cache: Path, tmp: Path, *args: object) -> list[str]:
    return ["train", str(cache), "--out", str(tmp / "new-run"), *map(str, args)]


def _bomb(tmp: Path, c: Path, r: Path) -> list[str]:
    folder = _folder_with(tmp, "x", None)
    _png_claiming(folder / "bomb.png", 30_000, 30_000)
    return _prepare("folder", folder, "--out", tmp / "out")


def _symlink_loop(tmp: Path, c: Path, r: Path) -> list[str]:
    (tmp / "loop").mkdir()
    (tmp / "loop" / "again").symlink_to(tmp / "loop", target_is_directory=True)
    return _prepare("folder", tmp / "loop", "--out", tmp / "out")


def _zip_slip(tmp: Path, c: Path, r: Path) -> list[str]:
    with zipfile.ZipFile(tmp / "celeba.zip", "w") as handle:
        handle.writestr("img_align_celeba/000001.jpg", b"x")
        handle.writestr("../../evil.jpg", b"x")
    return _prepare("celeba", tmp / "celeba.zip", "--out", tmp / "out")


def _idx(tmp: Path, payload: bytes) -> Path:
    (tmp / "images.idx").write_bytes(payload)
    return tmp / "images.idx"


def _labels_mismatch(tmp: Path, c: Path, r: Path) -> list[str]:
    from zspace.data.idx import write_idx

    write_idx(tmp / "images.idx", np.zeros((5, 8, 8), np.uint8))
    write_idx(tmp / "labels.idx", np.zeros(4, np.uint8))
    return _prepare("idx", tmp / "images.idx", "--labels", tmp / "labels.idx", "--out", tmp / "out")


def _weights(tmp: Path, run: Path, content: Callable[[bytes], bytes]) -> list[str]:
    copy = _copy_run(run, tmp)
    (copy / "model.safetensors").write_bytes(content((copy / "model.safetensors").read_bytes()))
    return ["encode", str(copy)]


def _config(tmp: Path, run: Path, text: Callable[[str], str]) -> list[str]:
    copy = _copy_run(run, tmp)
    (copy / "config.json").write_text(text((copy / "config.json").read_text()))
    return ["encode", str(copy)]


def _other_dataset(tmp: Path, cache: Path, run: Path) -> list[str]:
    from zspace.data.cache import prepare_cache
    from zspace.data.synthetic_faces import synthetic_faces_source

    prepare_cache(synthetic_faces_source(count=64, size=32, seed=99), tmp / "other")
    return ["train", str(tmp / "other"), "--out", str(_copy_run(run, tmp)), "--resume", "--epochs", "3"]


def _grey_cache(tmp: Path, cache: Path, run: Path) -> list[str]:
    from zspace.data.cache import prepare_cache
    from zspace.data.digits import digits_source

    prepare_cache(digits_source(32), tmp / "digits")
    return ["encode", str(_copy_run(run, tmp)), "--data", str(tmp / "digits")]


def _damaged_cache(tmp: Path, cache: Path, run: Path) -> list[str]:
    copy = tmp / "cache"
    shutil.copytree(cache, copy)
    data = bytearray((copy / "images.npy").read_bytes())
    data[-1] ^= 0xFF
    (copy / "images.npy").write_bytes(bytes(data))
    return ["verify", str(copy)]


def _latents_file(tmp: Path, array: np.ndarray, pickle: bool = False) -> list[str]:
    np.save(tmp / "z.npy", array, allow_pickle=pickle)
    return ["analyze", "--latents", str(tmp / "z.npy"), "--out", str(tmp / "o"), "--tsne", "0"]


def _with_nan(tmp: Path, c: Path, r: Path) -> list[str]:
    z = np.random.default_rng(0).standard_normal((50, 4)).astype(np.float32)
    z[[3, 9], 1] = np.nan
    z[20, 0] = np.inf
    return _latents_file(tmp, z)


def _generate(tmp: Path, run: Path, spec: str) -> list[str]:
    return ["generate", str(run), "--sampler", spec, "--out", str(tmp / "o")]


def _unencoded(run: Path, tmp: Path) -> Path:
    copy = _copy_run(run, tmp)
    for name in ("latents.npy", "logvar.npy", "latents.json"):
        (copy / name).unlink(missing_ok=True)
    return copy


def _encoded(run: Path, tmp: Path) -> Path:
    from zspace.encoding import encode

    copy = _copy_run(run, tmp)
    encode(copy, force=True)
    return copy


def _earlier_output(tmp: Path, name: str, marker: str | None) -> Path:
    """An existing output: zspace's own (with its marker file) or a user's folder (without)."""
    folder = tmp / name
    folder.mkdir()
    (folder / (marker or "thesis.tex")).write_text("{}" if marker else "mine")
    return folder


def _users_file(tmp: Path, name: str = "notes.txt") -> Path:
    (tmp / name).write_text("mine")
    return tmp / name


def _read_only_out(tmp: Path, cache: Path, run: Path) -> list[str]:
    return _prepare("digits", "--count", "10", "--out", "/sys/zspace-cannot-write-here")


CASES: list[Case] = [
    Case("unknown-source", "a source name zspace does not know", lambda t, c, r: _prepare("celebs", "--out", t / "o"),
         "unknown; choose one of"),
    Case("missing-folder", "a folder that does not exist", lambda t, c, r: _prepare("folder", t / "nope", "--out",
         t / "o"), "folder not found"),
    Case("path-is-a-file", "a file where a folder is expected", lambda t, c, r: (
        (t / "f.txt").write_text("x"), _prepare("folder", t / "f.txt", "--out", t / "o"))[1], "not a folder"),
    Case("empty-folder", "a folder with no images", lambda t, c, r: ((t / "e").mkdir(), _prepare(
        "folder", t / "e", "--out", t / "o"))[1], "no images found"),
    Case("non-image-file", "a text file named .jpg among the images", lambda t, c, r: _prepare(
        "folder", _folder_with(t, "notes.jpg", b"these are my notes"), "--out", t / "o"), "cannot read this image"),
    Case("zero-byte-image", "an empty .png file", lambda t, c, r: _prepare(
        "folder", _folder_with(t, "empty.png", b""), "--out", t / "o"), "cannot read this image"),
    Case("decompression-bomb", "a PNG whose header claims 30000 x 30000 pixels", _bomb, "too large to decode"),
    Case("symlink-loop", "a folder whose only entry is a link to itself", _symlink_loop, "no images found"),
    Case("idx-wrong-format", "a text file given as IDX images", lambda t, c, r: _prepare(
        "idx", _idx(t, b"hello, I am not IDX"), "--out", t / "o"), "not an IDX file"),
    Case("idx-truncated", "an IDX file cut short", lambda t, c, r: _prepare(
        "idx", _idx(t, b"\x00\x00\x08\x03\x00\x00\x00\x05\x00\x00\x00\x08\x00\x00\x00\x08" + bytes(100)),
        "--out", t / "o"), "truncated"),
    Case("idx-labels-mismatch", "4 labels for 5 images", _labels_mismatch, "labels"),
    Case("fashion-mnist-missing", "a Fashion-MNIST folder that does not exist", lambda t, c, r: _prepare(
        "fashion-mnist", t / "nope", "--out", t / "o"), "dataset-fashion-mnist"),
    Case("celeba-zip-slip", "a zip member named ../../evil.jpg", _zip_slip, "escapes the archive"),
    Case("celeba-not-zip", "a text file given as the CelebA zip", lambda t, c, r: (
        (t / "c.zip").write_text("no"), _prepare("celeba", t / "c.zip", "--out", t / "o"))[1], "not a zip file"),
    Case("prepare-out-exists", "an --out folder that already holds a cache", lambda t, c, r: _prepare(
        "digits", "--out", c), "already exists"),
    Case("prepare-bad-size", "--size 0", lambda t, c, r: _prepare("digits", "--size", "0", "--out", t / "o"),
         "size must be a positive"),
    Case("read-only-output", "an --out inside a folder nobody may write (/sys)", _read_only_out,
         "choose a writable --out"),
    Case("train-missing-data", "a cache folder that does not exist", lambda t, c, r: _train(t / "nope", t),
         "image cache not found"),
    Case("train-not-a-cache", "a folder that is not a cache", lambda t, c, r: ((t / "plain").mkdir(), _train(
        t / "plain", t))[1], "not an image cache"),
    Case("latent-dim-zero", "--latent-dim 0", lambda t, c, r: _train(c, t, "--latent-dim", "0"),
         "latent dimension 0"),
    Case("size-too-small-for-arch", "8 px images with the 4-layer seed net", lambda t, c, r: (
        __import__("zspace.data.cache", fromlist=["x"]).prepare_cache(
            __import__("zspace.data.digits", fromlist=["x"]).digits_source(8), t / "d8"),
        _train(t / "d8", t, "--arch", "seed"))[1], "needs at least 16 px"),
    Case("unknown-arch", "--arch vgg", lambda t, c, r: _train(c, t, "--arch", "vgg"), "unknown architecture"),
    Case("bad-filters", "--filters 32,x", lambda t, c, r: _train(c, t, "--filters", "32,x"), "integers separated"),
    Case("even-kernel", "--kernels 4,4,4,4", lambda t, c, r: _train(c, t, "--kernels", "4,4,4,4"), "odd"),
    Case("bad-precision", "--precision 8", lambda t, c, r: _train(c, t, "--precision", "8"), "choose one of"),
    Case("zero-batch", "--batch-size 0", lambda t, c, r: _train(c, t, "--batch-size", "0"), "at least 1"),
    Case("run-exists", "an --out run folder that exists, without --resume or --force", lambda t, c, r: [
        "train", str(c), "--out", str(_copy_run(r, t))], "choose another output folder (--resume, --force, --out)"),
    Case("force-on-foreign-folder", "--force on a folder that is not a run", lambda t, c, r: (
        (t / "thesis").mkdir(), (t / "thesis" / "ch1.tex").write_text("work"),
        ["train", str(c), "--out", str(t / "thesis"), "--force"])[2], "refusing to delete"),
    Case("resume-other-dataset", "--resume with a different cache", _other_dataset, "another dataset"),
    Case("encode-missing-run", "a run folder that does not exist", lambda t, c, r: ["encode", str(t / "nope")],
         "run folder not found"),
    Case("weights-are-pickle", "a pickle where model.safetensors should be", lambda t, c, r: _weights(
        t, r, lambda b: b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00}\x94."), "not a readable safetensors"),
    Case("weights-truncated", "a model.safetensors cut in half", lambda t, c, r: _weights(
        t, r, lambda b: b[: len(b) // 2]), "not a readable safetensors"),
    Case("weights-mismatch", "config.json of another latent dimension than the weights", lambda t, c, r: _config(
        t, r, lambda s: s.replace('"latent_dim": 8', '"latent_dim": 9')), "do not match the model"),
    Case("config-not-json", "a config.json that is not JSON", lambda t, c, r: _config(t, r, lambda s: s[:20]),
         "not valid JSON"),
    Case("config-unknown-key", "a config.json with a key zspace does not know", lambda t, c, r: _config(
        t, r, lambda s: s.replace("{", '{"colour": "red",', 1)), "unknown key"),
    Case("encode-other-images", "--data: a cache of 1-channel images for a 3-channel model", _grey_cache,
         "channels"),
    Case("latents-nan", "latents with NaN and inf in 3 rows", _with_nan, "3 of 50 rows hold NaN or inf"),
    Case("latents-object-array", "a pickled object array given as latents", lambda t, c, r: _latents_file(
        t, np.array([{"z": 1}, {"z": 2}], dtype=object), pickle=True), "pickle"),
    Case("latents-wrong-rank", "a 3-d array given as N x d latents", lambda t, c, r: _latents_file(
        t, np.zeros((4, 5, 6), np.float32)), "rank 3"),
    Case("latents-fewer-than-dim", "3 vectors of dimension 10 (d > N)", lambda t, c, r: _latents_file(
        t, np.random.default_rng(0).standard_normal((3, 10))), "usable vectors of dimension 10"),
    Case("latents-not-npy", "a CSV file given as latents", lambda t, c, r: (
        (t / "z.npy").write_text("1,2,3\n"), ["analyze", "--latents", str(t / "z.npy"), "--out", str(t / "o")])[1],
         "not a .npy file"),
    Case("sampler-unknown", "--sampler gauss", lambda t, c, r: _generate(t, r, "gauss"), "choose one of"),
    Case("sampler-bad-value", "--sampler gmm:k=0", lambda t, c, r: _generate(t, r, "gmm:k=0"), "is not allowed"),
    Case("sampler-negative-box", "--sampler uniform:b=-1", lambda t, c, r: _generate(t, r, "uniform:b=-1"),
         "is not allowed"),
    Case("sampler-unknown-parameter", "--sampler gmm:colour=red", lambda t, c, r: _generate(
        t, r, "gmm:colour=red"), "gmm"),
    Case("generate-before-encode", "a fitted sampler on a run never encoded", lambda t, c, r: _generate(
        t, _unencoded(r, t), "gmm:k=2"), "zspace encode"),
    Case("verify-damaged-cache", "a cache whose image bytes were changed", _damaged_cache, "checksum"),
    Case("encode-latents-exist", "encode over latents already there, without --force", lambda t, c, r: [
        "encode", str(_encoded(r, t))], "latents already exist"),
    Case("generate-out-exists", "--out: an earlier generate output, without --force", lambda t, c, r: [
        "generate", str(r), "--sampler", "normal", "--out", str(_earlier_output(t, "done", "generate.json"))],
        "already exists"),
    Case("generate-force-foreign-folder", "--force on a folder that generate did not make", lambda t, c, r: [
        "generate", str(r), "--sampler", "normal", "--force", "--out", str(_earlier_output(t, "thesis", None))],
        "refusing to replace it"),
    Case("generate-categorical-attribute", "--attribute on a class column without a class", lambda t, c, r: [
        "generate", str(_encoded(r, t)), "--attribute", "split", "--out", str(t / "o")], "categorical"),
    Case("generate-too-many-samples", "--n 10^15 (more than the disk holds)", lambda t, c, r: [
        "generate", str(r), "--sampler", "normal", "--n", str(10**15), "--out", str(t / "o")], "GiB"),
    Case("compare-over-a-users-file", "compare --out naming an existing text file", lambda t, c, r: [
        "compare", str(r), str(r), "--out", str(_users_file(t))], "file already exists"),
    Case("report-not-a-run", "report on a folder that is neither a run nor an analysis", lambda t, c, r: [
        "report", str(_earlier_output(t, "photos", None))], "neither a run folder"),
    Case("report-out-exists", "report --out naming an existing file", lambda t, c, r: [
        "report", str(r), "--out", str(_users_file(t, "notes.html"))], "file already exists"),
]


def document(rows: list[tuple[Case, str]]) -> str:
    lines = [
        "# Bad input and the message it gets",
        "",
        "Every row is a test (`tests/test_errors_table.py`): the command exits with code 2, prints this",
        "one line on stderr and no traceback, and changes nothing that was on disk before. Regenerate",
        "this page with `python tests/error_cases.py > docs/errors.md`. Paths are shortened to `…/`.",
        "",
        "| # | case | bad input | command | message |",
        "|---|---|---|---|---|",
    ]
    for number, (case, (command, message)) in enumerate(rows, start=1):
        lines.append(f"| {number} | `{case.name}` | {case.bad_input} | `zspace {command}` | {message} |")
    return "\n".join(lines) + "\n"


def run_case(case: Case, tmp: Path, cache: Path, run: Path) -> tuple[int, str, list[str]]:
    import contextlib
    import io
    import os

    from zspace.cli.main import main

    argv = case.setup(tmp, cache, run)
    err = io.StringIO()
    saved = os.environ.get("ZSPACE_PROGRESS")
    os.environ["ZSPACE_PROGRESS"] = "off"  # progress lines on a loaded machine are not error lines
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(argv)
    finally:
        if saved is None:
            os.environ.pop("ZSPACE_PROGRESS", None)
        else:
            os.environ["ZSPACE_PROGRESS"] = saved
    return code, err.getvalue(), argv


def all_cases() -> list[Case]:
    """Every row of the table: the rows above and those of each area's file (error_cases_*.py)."""
    from error_cases_analysis import CASES as ANALYSIS
    from error_cases_cli import CASES as COMMAND_LINE
    from error_cases_refusals import CASES as REFUSALS
    from error_cases_training import CASES as TRAINING

    return [*CASES, *COMMAND_LINE, *TRAINING, *ANALYSIS, *REFUSALS]


def _main() -> None:
    import re
    import tempfile

    from zspace.config import TrainConfig
    from zspace.data.cache import prepare_cache
    from zspace.data.synthetic_faces import synthetic_faces_source
    from zspace.models.architectures import model_config
    from zspace.training.train import train

    with tempfile.TemporaryDirectory() as base:
        base_path = Path(base)
        cache = base_path / "cache"
        prepare_cache(synthetic_faces_source(count=96, size=32, seed=3), cache)
        config = model_config("small", image_size=32, channels=3, latent_dim=8, filters=(8, 16, 16, 16))
        train(config, TrainConfig(data=str(cache), epochs=1, batch_size=32), base_path / "run")
        rows = []
        for i, case in enumerate(all_cases()):
            tmp = base_path / f"case{i}"
            tmp.mkdir()
            code, err, argv = run_case(case, tmp, cache, base_path / "run")
            shorten = lambda text: re.sub(re.escape(base) + r"/[\w.-]+/?", "…/", text)  # noqa: E731
            message = shorten(err.strip()).replace("|", "\\|")
            rows.append((case, (shorten(" ".join(argv)).replace("|", "\\|"), message)))
    print(document(rows), end="")


if __name__ == "__main__":
    _main()
