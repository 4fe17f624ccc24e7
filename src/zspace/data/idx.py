"""Reading and writing the IDX array format (MNIST, Fashion-MNIST...).

An IDX file is a 4-byte magic number (two zero bytes, a dtype code, the number
of dimensions), the dimensions as big-endian uint32, then the values in C
order, big-endian. Files are often gzipped; gzip is detected by its magic
bytes, never by the file name.

Every byte string is either a valid array or a :class:`ZspaceError` that names
the file and what is wrong with it: the reader checks the header against the
payload size before allocating anything, so a corrupt or hostile header cannot
make it allocate gigabytes or raise another exception type.
"""

from __future__ import annotations

import gzip
import io
import os
import struct
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np

from zspace.errors import ZspaceError
from zspace.io import write_bytes

# IDX dtype code -> big-endian numpy dtype.
DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES: dict[str, int] = {dtype.str[1:]: code for code, dtype in DTYPES.items()}
MAX_NDIM = 4
_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 20


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (plain or gzipped) into a native-byte-order array."""
    path = Path(path)
    if not path.is_file():
        raise ZspaceError(f"{path}: IDX file not found; check the path")
    gzipped = False
    try:
        with open(path, "rb") as raw:
            gzipped = raw.read(2) == _GZIP_MAGIC
            raw.seek(0)
            if gzipped:
                with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                    return _read_stream(path, stream, size=None)
            return _read_stream(path, raw, size=os.fstat(raw.fileno()).st_size)
    except ZspaceError:
        raise
    except (OSError, EOFError, zlib.error) as err:
        # gzip.BadGzipFile is an OSError; a cut-off gzip stream is an EOFError.
        what = "gzip data is corrupt or cut off" if gzipped else "cannot be read"
        raise ZspaceError(f"{path}: {what} ({err}); replace the file") from None


def _read_stream(path: Path, stream: BinaryIO, size: int | None) -> np.ndarray:
    """Parse header and payload; ``size`` is the file size when known (plain files)."""
    dtype, shape = _read_header(path, stream)
    expected = int(np.prod(shape, dtype=object)) * dtype.itemsize
    if size is not None:
        # Check before reading, so that a huge declared shape allocates nothing.
        _check_payload(path, shape, dtype, size - 4 - 4 * len(shape))
    payload = _read_at_most(stream, expected + 1)
    _check_payload(path, shape, dtype, len(payload))
    array = np.frombuffer(payload, dtype=dtype).reshape(shape)
    return array.astype(dtype.newbyteorder("="))


def _read_header(path: Path, stream: BinaryIO) -> tuple[np.dtype, tuple[int, ...]]:
    magic = stream.read(4)
    if len(magic) < 4:
        raise ZspaceError(f"{path}: too short for an IDX file ({len(magic)} bytes); replace it")
    if magic[:2] != b"\x00\x00":
        raise ZspaceError(f"{path}: not an IDX file (magic bytes {magic.hex()} do not start with 0000)")
    code, ndim = magic[2], magic[3]
    if code not in DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in DTYPES)
        raise ZspaceError(f"{path}: unknown IDX dtype code 0x{code:02X} (known: {known})")
    if not 1 <= ndim <= MAX_NDIM:
        raise ZspaceError(f"{path}: IDX header says {ndim} dimensions; zspace reads 1 to 4")
    dims = stream.read(4 * ndim)
    if len(dims) < 4 * ndim:
        raise ZspaceError(f"{path}: IDX header cut off in the {ndim} dimension sizes; replace it")
    return DTYPES[code], struct.unpack(f">{ndim}I", dims)


def _read_at_most(stream: BinaryIO, limit: int) -> bytes:
    """Read up to ``limit`` bytes in chunks, so a lying header cannot force a huge buffer."""
    out = io.BytesIO()
    while out.tell() < limit:
        chunk = stream.read(min(_CHUNK, limit - out.tell()))
        if not chunk:
            break
        out.write(chunk)
    return out.getvalue()


def _check_payload(path: Path, shape: tuple[int, ...], dtype: np.dtype, got: int) -> None:
    expected = int(np.prod(shape, dtype=object)) * dtype.itemsize
    if got == expected:
        return
    problem = "is truncated" if got < expected else "has trailing bytes"
    raise ZspaceError(
        f"{path}: {problem}: its IDX header says shape {shape} of {dtype.name} "
        f"({expected} payload bytes) but {'only ' + str(got) if got < expected else 'more'} "
        "follow; replace the file"
    )


def write_idx(path: str | os.PathLike, array: np.ndarray) -> None:
    """Write ``array`` as an IDX file, atomically; gzipped when ``path`` ends in ``.gz``.

    ``array`` must have 1 to 4 dimensions, each below 2**32, and a dtype IDX
    knows: uint8, int8, int16, int32, float32 or float64 (any byte order).
    """
    path = Path(path)
    array = np.asarray(array)
    code = _CODES.get(array.dtype.str[1:])
    if code is None:
        known = ", ".join(d.name for d in DTYPES.values())
        raise ZspaceError(f"{path}: IDX cannot hold dtype {array.dtype}; convert to one of {known}")
    if not 1 <= array.ndim <= MAX_NDIM or any(d >= 2**32 for d in array.shape):
        raise ZspaceError(f"{path}: IDX holds 1 to 4 dimensions below 2**32, not {array.shape}")
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    data = header + np.ascontiguousarray(array, dtype=DTYPES[code]).tobytes()
    if path.name.endswith(".gz"):
        data = gzip.compress(data, mtime=0)  # mtime=0: same array, same bytes
    write_bytes(path, data)
