"""The embedded default dataset: procedural cartoon faces with known factors.

Every face is drawn from a handful of ground-truth factors, so a latent space
can be checked against the truth (which latent axis moved the smile?). The
continuous factors, all uniform in [0, 1], in :data:`FACTOR_NAMES` order:

``face_width``       width of the face oval, narrow (0) to wide (1)
``face_height``      height of the face oval, short (0) to long (1)
``head_tilt``        rotation of the whole head about the chin, about -15 deg
                     (leaning to the viewer's left) to +15 deg (right)
``head_y``           vertical position of the head, high (0) to low (1)
``skin_tone``        skin colour, light (0) to dark (1)
``hair_color``       hair colour along black, brown, auburn, ginger, blond,
                     platinum, grey
``hair_length``      short cap (0) to long hair falling past the chin (1)
``eye_spacing``      distance between the eyes, close (0) to far apart (1)
``eye_size``         size of the eyes, small (0) to large (1)
``smile``            mouth curvature, frown (0), straight (0.5), smile (1)
``light_direction``  shading across the head, lit from the left (0), flat
                     (0.5), lit from the right (1)
``background_hue``   hue of the flat background (the shirt takes the
                     complementary hue), red (0) through green and blue to
                     purple (1)

plus the binary ``glasses`` (int8, about 30% ones): two rings and a bridge.

Faces are drawn by :mod:`zspace.data.face_drawing` in normalized coordinates, so
any size from 8 to 1024 pixels draws the same face, anti-aliased and continuous
in every factor; an image is byte-identical whichever batch it is rendered in.
"""

from __future__ import annotations

import numpy as np

from zspace.data.face_drawing import FaceGrid, face_params, render_chunk
from zspace.data.source import ImageSource
from zspace.errors import ZspaceError

FACTOR_NAMES: tuple[str, ...] = (
    "face_width",
    "face_height",
    "head_tilt",
    "head_y",
    "skin_tone",
    "hair_color",
    "hair_length",
    "eye_spacing",
    "eye_size",
    "smile",
    "light_direction",
    "background_hue",
)
GLASSES_SHARE = 0.3
GENERATOR = "zspace.synthetic_faces v1"
MIN_SIZE, MAX_SIZE = 8, 1024

# Pixels per rendering chunk: small enough that the working arrays stay in cache.
_CHUNK_PIXELS = 1 << 17


def sample_factors(count: int, seed: int = 0) -> dict[str, np.ndarray]:
    """All factors for ``count`` faces, deterministic from ``seed``.

    Continuous factors are float32 uniform in [0, 1]; ``glasses`` is int8 0/1
    with about 30% ones. Rows are drawn face by face, so the first k faces are
    the same whatever ``count`` is.
    """
    count = _check_int("count", count, 1, None, "image")
    seed = _check_int("seed", seed, 0, None, "")
    draws = np.random.default_rng(seed).random((count, len(FACTOR_NAMES) + 1))
    factors = {name: draws[:, i].astype(np.float32) for i, name in enumerate(FACTOR_NAMES)}
    factors["glasses"] = (draws[:, -1] < GLASSES_SHARE).astype(np.int8)
    return factors


def render_faces(factors: dict[str, np.ndarray], size: int = 64) -> np.ndarray:
    """uint8 ``(n, size, size, 3)`` RGB images, one per row of ``factors``.

    A pure function of the factors (continuous ones are clipped to [0, 1]) and
    the size: each image depends on its own row only.
    """
    size = _check_int("size", size, MIN_SIZE, MAX_SIZE, "pixel")
    columns = _factor_columns(factors)
    count = len(columns["glasses"])
    out = np.empty((count, size, size, 3), dtype=np.uint8)
    grid = FaceGrid(size)
    chunk = max(1, _CHUNK_PIXELS // (size * size))
    for start in range(0, count, chunk):
        rows = {name: values[start : start + chunk] for name, values in columns.items()}
        out[start : start + chunk] = render_chunk(face_params(rows), grid)
    return out


def synthetic_faces_source(count: int = 20000, size: int = 64, seed: int = 0) -> ImageSource:
    """The ``synthetic-faces`` source: ``count`` faces of ``size`` pixels from ``seed``.

    The index holds ``source_id`` (``face-000000``...), one column per factor
    and ``glasses``; ``read(start, stop)`` renders those rows on demand.
    """
    size = _check_int("size", size, MIN_SIZE, MAX_SIZE, "pixel")
    factors = sample_factors(count, seed)
    count = len(factors["glasses"])
    width = max(6, len(str(count - 1)))
    index = {"source_id": np.array([f"face-{i:0{width}d}" for i in range(count)])}
    # Copies: editing the index must not change what read() renders.
    index.update({name: values.copy() for name, values in factors.items()})

    def read(start: int, stop: int) -> np.ndarray:
        if not 0 <= start <= stop <= count:
            raise ZspaceError(f"rows {start}:{stop}: synthetic-faces has rows 0 to {count}")
        return render_faces({name: values[start:stop] for name, values in factors.items()}, size)

    details = {
        "seed": seed,
        "factors": [*FACTOR_NAMES, "glasses"],
        "generator": GENERATOR,
    }
    return ImageSource("synthetic-faces", count, size, size, 3, index, read, details)


def _check_int(name: str, value: object, low: int, high: int | None, unit: str) -> int:
    """``value`` as an int in [low, high], or a ZspaceError naming the option."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ZspaceError(f"--{name} {value!r}: synthetic faces need a whole number for the {name}")
    value = int(value)
    if value < low:
        raise ZspaceError(
            f"--{name} {value}: synthetic faces need a {name} of at least {_amount(low, unit)}"
        )
    if high is not None and value > high:
        raise ZspaceError(
            f"--{name} {value}: synthetic faces allow a {name} of at most {_amount(high, unit)}"
        )
    return value


def _amount(number: int, unit: str) -> str:
    """``8 pixels``, ``1 image``, or the bare number when there is no unit."""
    if not unit:
        return str(number)
    return f"{number} {unit}" if number == 1 else f"{number} {unit}s"


def _factor_columns(factors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The factor columns as float64 arrays of one length, or a ZspaceError."""
    missing = [name for name in (*FACTOR_NAMES, "glasses") if name not in factors]
    if missing:
        raise ZspaceError(
            f"factors lack {', '.join(missing)}: pass every column that sample_factors returns"
        )
    columns = {
        name: np.asarray(factors[name], dtype=np.float64).reshape(-1)
        for name in (*FACTOR_NAMES, "glasses")
    }
    lengths = {len(columns[name]) for name in (*FACTOR_NAMES, "glasses")}
    if len(lengths) != 1:
        raise ZspaceError(f"factor columns have lengths {sorted(lengths)}: give them one length")
    for name, values in columns.items():
        if not np.isfinite(values).all():
            raise ZspaceError(f"factor {name!r} has NaN or infinite values: give numbers in [0, 1]")
    for name in FACTOR_NAMES:
        columns[name] = np.clip(columns[name], 0.0, 1.0)
    columns["glasses"] = (columns["glasses"] > 0.5).astype(np.float64)
    return columns
