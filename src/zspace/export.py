"""One table of a run's rows for other tools: a Parquet file (issue 22, section 6).

One row per latent vector, in row order; every column is plain Arrow, so pandas, polars,
DuckDB, embedding-atlas and jupyter-scatter read it as it is:

- ``row`` (int64): the row of the latents and of the image cache;
- ``<map>_x``, ``<map>_y`` (float32): every map the explorer shows, the saved t-SNE/UMAP maps
  (``tsne``, ``tsne_pca10``, ``umap``) and the PCA planes (``pca_1_2``, ``pca_1_3``, ...); null
  for a row that a subsampled map left out;
- ``<map>_fitted`` (bool, t-SNE/UMAP only): true where the map was fitted on the row, false
  where the row was placed in the fitted map;
- ``radius`` (float32): the latent vector's L2 norm;
- ``latent`` (fixed_size_list<float32>[d]): the latent vector, what embedding-atlas takes as
  precomputed vectors;
- the cache's index columns (int64, float64 or string): ``source_id``, ``split``, labels,
  attributes, factors (renamed ``index_<name>`` where a name is taken);
- ``image`` (struct<bytes: binary, path: string>): the cached image as PNG, at most
  ``thumbnail`` pixels a side, in the layout of Hugging Face's Image feature, which
  embedding-atlas draws as an image.

The table is written one row group at a time (about 64 MB of latents and pixels each), so a
million rows of 256 dimensions never sit in memory whole; only the map coordinates (a few
bytes per row and map) and the index columns do. The file is written beside its destination
and renamed into place at the end (:func:`zspace.io.atomic_path`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from zspace.analysis.result import AnalysisResult
from zspace.errors import ZspaceError
from zspace.explore.data import png_bytes
from zspace.explore.maps import fit_pca, pca_planes, saved_maps, saved_pca
from zspace.io import atomic_path, check_output
from zspace.progress import Progress, step
from zspace.results import read_fields
from zspace.run import Run

FORMATS = ("parquet",)
ROW_GROUP_BYTES = 64 << 20  # latents + pixels per row group
ROW_GROUP_LIMITS = (1_024, 65_536)  # rows per group, whatever the row size
IMAGE_COLUMN = "image"
FIXED_COLUMNS = ("row", "radius", "latent", IMAGE_COLUMN)


@dataclass
class MapColumns:
    """One map as table columns: x, y of every row (NaN where the map lacks the row) and which rows it holds."""

    name: str  # column prefix: "tsne", "tsne_pca10", "umap", "pca_1_2"
    title: str
    x: np.ndarray  # (N,) float32
    y: np.ndarray  # (N,) float32
    present: np.ndarray  # (N,) bool: the map holds the row
    fitted: np.ndarray | None  # (N,) bool for t-SNE/UMAP: fitted (True) or placed (False); None for a PCA plane

    def describe(self) -> str:
        held = int(np.count_nonzero(self.present))
        text = f"{self.title}: {held:,} of {len(self.present):,} rows"
        if self.fitted is not None:
            fitted = int(np.count_nonzero(self.fitted & self.present))
            text += f" ({fitted:,} fitted, {held - fitted:,} placed)"
        return text


@dataclass
class ExportSummary:
    path: Path
    rows: int
    columns: list[str]
    maps: list[str]  # one line per map: what it holds
    row_groups: int
    notes: list[str] = field(default_factory=list)


def export_table(run: str | os.PathLike | Run, out: str | os.PathLike | None = None, format: str = "parquet",
                 thumbnail: int = 64, latent: bool = True, force: bool = False, progress: Progress | None = None,
                 row_group_rows: int | None = None) -> ExportSummary:
    """Write the table of ``run`` (default file: the run's export.parquet) and say what it holds.

    ``thumbnail``: the largest side of the PNG images in pixels (a larger cached image is scaled down; 0 = no
    image column, and the image cache is not needed). ``latent``: include the latent vectors.
    """
    run = run if isinstance(run, Run) else Run(run)
    run.require()
    if format not in FORMATS:
        raise ZspaceError(f"export format {format!r}: choose one of {', '.join(FORMATS)}", options=("format",))
    if thumbnail < 0:
        raise ZspaceError(f"thumbnail size {thumbnail}: give 0 (no images) or a positive number of pixels",
                          options=("thumbnail",))
    if row_group_rows is not None and row_group_rows < 1:
        raise ZspaceError(f"row group size {row_group_rows}: give a positive number of rows")
    out = Path(out) if out is not None else run.export_file
    if out.is_dir():
        raise ZspaceError(f"{out}: is a folder; give the path of the file to write", options=("out",))
    check_output(out, force)
    try:  # pyarrow (about 0.3 s to import) only when a table is written; a clear line if it is missing
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ZspaceError("export needs the pyarrow package; install it with 'pip install pyarrow'") from None

    latents = run.latents(mmap=True)
    vectors = latents.vectors
    count, dim = vectors.shape
    notes: list[str] = []
    images = _images(run, count, thumbnail)
    maps = map_columns(run, vectors, notes)
    taken = {*FIXED_COLUMNS, *(f"{m.name}_{part}" for m in maps for part in ("x", "y", "fitted"))}
    index = _index_columns(run, latents.index, count, taken)
    schema = _schema(pa, maps, index, dim if latent else 0, images is not None)
    schema = schema.with_metadata({"zspace": json.dumps({
        "run": str(run.path), "rows": count, "latent_dim": dim, "maps": {m.name: m.describe() for m in maps},
        "image": f"PNG of the cached image, at most {thumbnail} px a side" if images is not None else None})})
    pixels = int(np.prod(images.shape[1:])) if images is not None else 0
    group = row_group_rows or int(np.clip(ROW_GROUP_BYTES // (4 * dim * latent + pixels + 8), *ROW_GROUP_LIMITS))
    groups = 0
    with atomic_path(out) as temporary, step(progress, count, "rows", f"export {count:,} rows") as advance:
        with pq.ParquetWriter(temporary, schema) as writer:
            for start in range(0, count, group):
                stop = min(start + group, count)
                block = np.asarray(vectors[start:stop], dtype=np.float32)
                writer.write_batch(_batch(pa, schema, start, stop, block, maps, index, latent,
                                          images, thumbnail), row_group_size=stop - start)
                groups += 1
                advance(stop - start)
    return ExportSummary(out, count, list(schema.names), [m.describe() for m in maps], groups, notes)


def map_columns(run: Run, vectors: np.ndarray, notes: list[str]) -> list[MapColumns]:
    """Every map the explorer shows for ``run`` (its saved t-SNE/UMAP maps, then the PCA planes), as columns."""
    count = len(vectors)
    saved = {}
    if (run.analysis_dir / AnalysisResult.FILE).is_file():
        saved = read_fields(AnalysisResult, run.analysis_dir, ("pca", "maps"))
    else:
        notes.append(f"{run.analysis_dir}: no analysis, so no t-SNE map; the PCA axes were fitted on the latents")
    embeddings = {embedding.name: embedding for embedding in saved.get("maps") or []}
    views, skipped = saved_maps(list(embeddings.values()), count)
    notes += skipped
    pca = saved_pca(saved.get("pca"), vectors.shape[1]) or fit_pca(vectors)
    columns = []
    for view in [*views, *pca_planes(vectors, pca)]:
        x, y = np.full(count, np.nan, np.float32), np.full(count, np.nan, np.float32)
        present = np.zeros(count, dtype=bool)
        x[view.rows], y[view.rows], present[view.rows] = view.coordinates[:, 0], view.coordinates[:, 1], True
        fitted = None
        if view.name in embeddings:
            fitted = np.zeros(count, dtype=bool)
            fitted[view.rows] = embeddings[view.name].fitted_mask()
        columns.append(MapColumns(view.name.replace("-", "_"), view.title, x, y, present, fitted))
    return columns


def _images(run: Run, count: int, thumbnail: int) -> np.ndarray | None:
    """The cache's uint8 (N, H, W, C) images (a memmap), or None when no image column is wanted."""
    if thumbnail == 0:
        return None
    try:
        cache = run.encoded_cache()
    except ZspaceError as err:
        raise ZspaceError(f"{err}; or export without images (thumbnail size 0)", options=("thumbnail",)) from None
    if len(cache.images) != count:
        raise run.mismatched_latents(count, len(cache.images), f"its image cache {cache.path}")
    return cache.images


def _index_columns(run: Run, index, count: int, taken: set[str]) -> dict[str, np.ndarray]:
    """The cache's index columns, renamed ``index_<name>`` where another column has the name."""
    columns = {}
    for name in index:
        column = np.asarray(index[name])
        if len(column) != count:
            raise run.mismatched_latents(count, len(column), "the index of its image cache")
        columns[f"index_{name}" if name in taken else name] = column
    return columns


def _schema(pa, maps: list[MapColumns], index: dict[str, np.ndarray], dim: int, images: bool):
    fields = [pa.field("row", pa.int64(), nullable=False)]
    for m in maps:
        fields += [pa.field(f"{m.name}_x", pa.float32()), pa.field(f"{m.name}_y", pa.float32())]
        if m.fitted is not None:
            fields.append(pa.field(f"{m.name}_fitted", pa.bool_()))
    fields.append(pa.field("radius", pa.float32()))
    if dim:
        fields.append(pa.field("latent", pa.list_(pa.float32(), dim)))
    for name, column in index.items():
        kind = {"i": pa.int64(), "u": pa.int64(), "f": pa.float64(), "b": pa.bool_()}.get(column.dtype.kind)
        fields.append(pa.field(name, kind or pa.string()))
    if images:
        fields.append(pa.field(IMAGE_COLUMN, pa.struct([("bytes", pa.binary()), ("path", pa.string())])))
    return pa.schema(fields)


def _batch(pa, schema, start: int, stop: int, block: np.ndarray, maps: list[MapColumns],
           index: dict[str, np.ndarray], latent: bool, images: np.ndarray | None, thumbnail: int):
    """The record batch of rows ``start:stop`` (``block``: their latent vectors)."""
    arrays = [pa.array(np.arange(start, stop, dtype=np.int64))]
    for m in maps:
        absent = ~m.present[start:stop]
        arrays += [pa.array(m.x[start:stop], mask=absent), pa.array(m.y[start:stop], mask=absent)]
        if m.fitted is not None:
            arrays.append(pa.array(m.fitted[start:stop], mask=absent))
    arrays.append(pa.array(np.sqrt(np.einsum("ij,ij->i", block, block, dtype=np.float64)).astype(np.float32)))
    if latent:
        arrays.append(pa.FixedSizeListArray.from_arrays(pa.array(block.reshape(-1)), block.shape[1]))
    for name, column in index.items():
        arrays.append(pa.array(column[start:stop], type=schema.field(name).type))
    if images is not None:
        pictures = [thumbnail_png(image, thumbnail) for image in np.asarray(images[start:stop])]
        arrays.append(pa.StructArray.from_arrays(
            [pa.array(pictures, pa.binary()), pa.nulls(stop - start, pa.string())], names=["bytes", "path"]))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def thumbnail_png(image: np.ndarray, size: int) -> bytes:
    """PNG bytes of a uint8 (H, W, C) image, scaled down (aspect kept) when its larger side exceeds ``size``."""
    height, width = image.shape[:2]
    if max(height, width) > size:
        scale = size / max(height, width)
        picture = Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image)
        picture = picture.resize((max(1, round(width * scale)), max(1, round(height * scale))),
                                 Image.Resampling.BOX)
        image = np.asarray(picture)
        image = image[..., None] if image.ndim == 2 else image
    return png_bytes(image)
