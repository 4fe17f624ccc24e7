"""IDX reading and writing: round trips, exact bytes, every malformed case, fuzzing."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zspace.data.idx import read_idx, write_idx
from zspace.errors import ZspaceError

DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]


def header(code: int, *dims: int) -> bytes:
    return bytes([0, 0, code, len(dims)]) + struct.pack(f">{len(dims)}I", *dims)


def sample(dtype: type, shape: tuple[int, ...]) -> np.ndarray:
    rng = np.random.default_rng(0)
    info = np.finfo(dtype) if np.dtype(dtype).kind == "f" else np.iinfo(dtype)
    values = rng.uniform(-1000, 1000, size=shape) if np.dtype(dtype).kind == "f" else None
    if values is None:
        values = rng.integers(info.min, info.max, size=shape, endpoint=True)
    return values.astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["a.idx", "a.idx.gz"])
def test_round_trip_every_dtype(tmp_path: Path, dtype: type, name: str) -> None:
    array = sample(dtype, (3, 4, 5))
    write_idx(tmp_path / name, array)
    back = read_idx(tmp_path / name)
    assert back.dtype == np.dtype(dtype)
    assert back.dtype.isnative
    np.testing.assert_array_equal(back, array)


@pytest.mark.parametrize("shape", [(7,), (2, 3), (2, 3, 4), (2, 1, 3, 2), (0, 5)])
def test_round_trip_every_ndim(tmp_path: Path, shape: tuple[int, ...]) -> None:
    array = np.arange(int(np.prod(shape)), dtype=np.int32).reshape(shape)
    write_idx(tmp_path / "a.idx", array)
    np.testing.assert_array_equal(read_idx(tmp_path / "a.idx"), array)
    assert read_idx(tmp_path / "a.idx").shape == shape


def test_written_bytes_are_the_idx_format(tmp_path: Path) -> None:
    write_idx(tmp_path / "a.idx", np.array([1, 256], dtype=np.int16))
    assert (tmp_path / "a.idx").read_bytes() == header(0x0B, 2) + b"\x00\x01\x01\x00"
    write_idx(tmp_path / "b.idx.gz", np.array([[7]], dtype=np.uint8))
    raw = (tmp_path / "b.idx.gz").read_bytes()
    assert raw[:2] == b"\x1f\x8b"
    assert gzip.decompress(raw) == header(0x08, 1, 1) + b"\x07"


def test_gzip_is_detected_by_content_not_name(tmp_path: Path) -> None:
    payload = header(0x08, 2, 2) + bytes([1, 2, 3, 4])
    (tmp_path / "zipped.idx").write_bytes(gzip.compress(payload))
    (tmp_path / "plain.gz").write_bytes(payload)
    expected = np.array([[1, 2], [3, 4]], dtype=np.uint8)
    np.testing.assert_array_equal(read_idx(tmp_path / "zipped.idx"), expected)
    np.testing.assert_array_equal(read_idx(tmp_path / "plain.gz"), expected)


def test_big_endian_values_are_read_correctly(tmp_path: Path) -> None:
    data = header(0x0D, 2) + struct.pack(">2f", 1.5, -2.25)
    (tmp_path / "f.idx").write_bytes(data)
    np.testing.assert_array_equal(read_idx(tmp_path / "f.idx"), [1.5, -2.25])


GOOD = header(0x08, 2, 3) + bytes(6)
MALFORMED = {
    "empty": (b"", "too short"),
    "three bytes": (b"\x00\x00\x08", "too short"),
    "bad magic": (b"\x12\x34\x08\x01" + GOOD[4:], "not an IDX file"),
    "unknown dtype": (b"\x00\x00\x0a\x01" + GOOD[4:], "unknown IDX dtype code 0x0A"),
    "ndim 0": (b"\x00\x00\x08\x00", "0 dimensions"),
    "ndim 5": (header(0x08, 1, 1, 1, 1, 1) + b"\x00", "5 dimensions"),
    "dims cut off": (header(0x08, 2, 3)[:9], "cut off"),
    "truncated payload": (GOOD[:-1], "truncated"),
    "trailing bytes": (GOOD + b"\x00", "trailing"),
    "wrong itemsize": (header(0x0C, 2, 3) + bytes(6), "truncated"),
    "huge declared shape": (header(0x0E, 2**32 - 1, 2**32 - 1, 2**32 - 1, 2**32 - 1), "payload"),
}


@pytest.mark.parametrize("gzipped", [False, True])
@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_file_is_a_zspace_error(tmp_path: Path, case: str, gzipped: bool) -> None:
    data, message = MALFORMED[case]
    path = tmp_path / "bad-file.idx"
    path.write_bytes(gzip.compress(data) if gzipped else data)
    with pytest.raises(ZspaceError, match=message) as info:
        read_idx(path)
    assert "bad-file.idx" in str(info.value)


@pytest.mark.parametrize(
    "data",
    [
        gzip.compress(GOOD)[:-5],  # gzip stream cut off before its trailer
        gzip.compress(GOOD)[:12],  # cut off inside the deflate data
        b"\x1f\x8b" + bytes(30),  # gzip magic, garbage after it
        gzip.compress(GOOD)[:-8] + b"\x00\x00\x00\x00" + gzip.compress(GOOD)[-4:],  # bad CRC
    ],
    ids=["no trailer", "cut in deflate data", "garbage after magic", "bad crc"],
)
def test_corrupt_gzip_is_a_zspace_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "broken.gz"
    path.write_bytes(data)
    with pytest.raises(ZspaceError, match="broken.gz"):
        read_idx(path)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ZspaceError, match="nothing-here.idx: IDX file not found"):
        read_idx(tmp_path / "nothing-here.idx")
    with pytest.raises(ZspaceError, match="not found"):
        read_idx(tmp_path)


@pytest.mark.parametrize(
    "array",
    [
        np.zeros(3, dtype=bool),
        np.zeros(3, dtype=np.int64),
        np.array(5, dtype=np.uint8),
        np.zeros((1,) * 5, dtype=np.uint8),
        np.array(["a"]),
    ],
)
def test_write_refuses_what_idx_cannot_hold(tmp_path: Path, array: np.ndarray) -> None:
    with pytest.raises(ZspaceError, match="out.idx"):
        write_idx(tmp_path / "out.idx", array)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def fuzz_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "fuzz.idx"


ITEMSIZE = {0x08: 1, 0x09: 1, 0x0B: 2, 0x0C: 4, 0x0D: 4, 0x0E: 8}


def near_valid(code: int, dims: list[int], delta: int) -> st.SearchStrategy[bytes]:
    """A real header, and a payload of exactly the right size give or take ``delta`` bytes."""
    size = max(0, int(np.prod(dims)) * ITEMSIZE[code] + delta)
    return st.binary(min_size=size, max_size=size).map(lambda payload: header(code, *dims) + payload)


def idx_like_bytes() -> st.SearchStrategy[bytes]:
    """Random bytes, and bytes with a plausible header, so the fuzzer reaches every check."""
    plausible = st.builds(
        lambda code, dims, payload: bytes([0, 0, code, len(dims)]) + struct.pack(f">{len(dims)}I", *dims) + payload,
        st.sampled_from([0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, 0x00, 0xFF]),
        st.lists(st.integers(0, 6) | st.integers(0, 2**32 - 1), min_size=0, max_size=5),
        st.binary(max_size=300),
    )
    nearly = st.tuples(
        st.sampled_from(sorted(ITEMSIZE)),
        st.lists(st.integers(0, 5), min_size=1, max_size=4),
        st.sampled_from([0, 0, 0, -1, 1]),
    ).flatmap(lambda args: near_valid(*args))
    raw = st.binary(max_size=300)
    gz_magic = raw.map(lambda b: b"\x1f\x8b" + b)
    return st.one_of(raw, plausible, nearly, gz_magic, plausible.map(gzip.compress), nearly.map(gzip.compress))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=idx_like_bytes())
def test_fuzz_any_bytes_give_an_array_or_a_zspace_error(fuzz_path: Path, data: bytes) -> None:
    fuzz_path.write_bytes(data)
    try:
        array = read_idx(fuzz_path)
    except ZspaceError as err:
        assert "fuzz.idx" in str(err)
        assert "\n" not in str(err)
    else:
        assert 1 <= array.ndim <= 4
        # What was read writes back to the same bytes (once unzipped): nothing lost or invented.
        again = fuzz_path.with_name("again.idx")
        write_idx(again, array)
        plain = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
        assert again.read_bytes() == plain
