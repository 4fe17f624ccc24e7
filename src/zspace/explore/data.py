"""What the explorer's server holds: the run's latents, images, index, maps, model and headline numbers.

Everything is opened once when the server starts (:func:`open_explorer`) and only read by the
requests afterwards; nothing is recomputed per request beyond a decode, a nearest-neighbour scan
or a mean. The latents and images stay memory-mapped, so a million rows cost no load time; the
slower pieces (the index CSV, k-d trees, latent norms) are built by :meth:`ExplorerData.warm_up`
in a background thread, and on first use by whichever request needs them before that.

Files are only ever reached through ids: a row number, a map name or a figure name from the
lists made here. No request path becomes a file path.
"""

from __future__ import annotations

import io
import os
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from zspace.analysis.pca import PCAResult
from zspace.analysis.result import AnalysisResult
from zspace.arrays import nonfinite_rows
from zspace.data.cache import open_cache
from zspace.data.index_table import read_header, read_index
from zspace.errors import ZspaceError
from zspace.explore import colours
from zspace.explore.expected import ExpectedErrors
from zspace.explore.inverse_methods import DEFAULT_METHOD
from zspace.explore.inverse_study import InverseStudy, measure_inverse, stored_judge_features
from zspace.explore.maps import MapView, fit_pca, pca_planes, saved_maps, saved_pca
from zspace.io import load_json
from zspace.models.inference import decode as decode_batch
from zspace.neighbours import scan_nearest, squared_norms_in_chunks
from zspace.results import read_fields
from zspace.run import Run

CHUNK_ROWS = 65_536
BACKGROUND_BATCH = 16  # images per decode of a background study (the decode lock is taken per batch)
FIGURE_NAME = re.compile(r"^[A-Za-z0-9_.-]+\.png$")
MAP_METHODS = ("tsne", "pca", "umap")


@dataclass
class ExplorerData:
    run: Run
    vectors: np.ndarray  # (N, d) float32 memmap
    images: np.ndarray | None  # (N, H, W, C) uint8 memmap; None when the cache is gone
    index_file: Path | None
    columns: list[str]  # index columns, read from the header only
    pca: PCAResult
    pca_source: str  # "analysis" or "latents"
    maps: dict[str, MapView]
    default_map: str
    analysis: dict  # the saved analysis' fields the explorer shows (typed; absent when not saved)
    figures: dict[str, Path]  # figure name -> file, listed once at start
    notes: list[str]
    model: object | None = None  # the Autoencoder; loaded at start
    cache_dir: Path | None = None  # the image cache the latents were encoded from (None when it is gone)
    _index: dict | None = field(default=None, repr=False)
    _norms: np.ndarray | None = field(default=None, repr=False)
    _colourings: OrderedDict = field(default_factory=OrderedDict, repr=False)
    _errors: ExpectedErrors | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    decode_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def count(self) -> int:
        return len(self.vectors)

    @property
    def dim(self) -> int:
        return self.vectors.shape[-1]  # (N, d)

    @property
    def report_file(self) -> Path | None:
        return self.run.report_file if self.run.report_file.is_file() else None

    # -- rows -------------------------------------------------------------------------------
    def index(self) -> dict[str, np.ndarray]:
        """The index columns (read once; a million-row CSV takes seconds, so warm_up starts it early)."""
        with self._lock:
            if self._index is None:
                self._index = read_index(self.index_file) if self.index_file is not None else {}
                if self._index and len(next(iter(self._index.values()))) != self.count:
                    self.notes.append("index table has another row count than the latents; attributes hidden")
                    self._index = {}
            return self._index

    def attributes(self, row: int) -> dict[str, str | float | int]:
        out: dict[str, str | float | int] = {}
        for name, column in self.index().items():
            value = column[row].item() if hasattr(column[row], "item") else column[row]
            if isinstance(value, float) and not np.isfinite(value):
                value = str(value)
            out[name] = value
        return out

    def thumbnail_png(self, row: int) -> bytes:
        if self.images is None:
            raise ZspaceError("this run's image cache is not available, so there are no thumbnails")
        return png_bytes(np.asarray(self.images[row]))

    def norms(self) -> np.ndarray:
        """Squared L2 norm of every latent row (float32 (N,)), for neighbour search and the radius colouring."""
        with self._lock:
            if self._norms is None:
                self._norms = squared_norms_in_chunks(self.vectors, CHUNK_ROWS)
            return self._norms

    def neighbours(self, row: int, count: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``count`` nearest rows to ``row`` in latent space (exact L2 over all rows, itself left out)."""
        return self.nearest(np.asarray(self.vectors[row], dtype=np.float32), count, exclude=row)

    def nearest(self, query: np.ndarray, count: int, exclude: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Exact nearest rows to ``query`` (d,): :func:`zspace.neighbours.scan_nearest` over the latents."""
        return scan_nearest(self.vectors, query, count, exclude, self.norms())

    # -- colours ----------------------------------------------------------------------------
    def colour_options(self) -> list[str]:
        placement = ["placement"] if any(self.fitted(view) is not None for view in self.maps.values()) else []
        return [*self.columns, "radius", *placement, *(f"z{k}" for k in range(self.dim))]

    def fitted(self, view: MapView) -> np.ndarray | None:
        """(m,) bool per point of a saved t-SNE/UMAP map: True where the map was fitted on the point, False where
        the point was placed in the fitted map; None when the analysis did not say (or for a PCA plane)."""
        for embedding in self.analysis.get("maps") or []:
            if embedding.name == view.name and embedding.fitted is not None and len(embedding.fitted) == view.count:
                return np.asarray(embedding.fitted, dtype=bool)
        return None

    def colouring(self, by: str) -> colours.Colouring:
        """Per-row colours for ``by`` (an index column, "radius", or "zK" for latent component K); cached."""
        with self._lock:
            if by in self._colourings:
                self._colourings.move_to_end(by)
                return self._colourings[by]
        if by == "radius":
            colouring = colours.continuous(by, np.sqrt(self.norms()))
        elif by.startswith("z") and by[1:].isdigit() and int(by[1:]) < self.dim:
            column = np.empty(self.count, dtype=np.float32)
            k = int(by[1:])
            for start in range(0, self.count, CHUNK_ROWS):
                column[start:start + CHUNK_ROWS] = self.vectors[start:start + CHUNK_ROWS, k]
            colouring = colours.continuous(by, column)
        elif by in self.columns:
            index = self.index()
            if by not in index:
                raise ZspaceError(f"colour by {by!r}: the index table could not be read")
            colouring = colours.from_column(by, index[by], self._label_names if by == "label" else None)
        else:
            raise ZspaceError(f"colour by {by!r}: not an index column, 'radius' or a latent component "
                              f"z0..z{self.dim - 1}")
        with self._lock:
            self._colourings[by] = colouring
            while len(self._colourings) > 8:
                self._colourings.popitem(last=False)
        return colouring

    def _label_names(self, labels: np.ndarray) -> list[str]:
        index = self.index()
        if "label_name" not in index:
            return [colours._number(v) for v in labels]
        names = {}
        for label, name in zip(index["label"], index["label_name"], strict=True):
            names.setdefault(float(label), str(name))
            if len(names) >= len(labels):
                break
        return [names.get(float(v), colours._number(v)) for v in labels]

    # -- decoding ---------------------------------------------------------------------------
    def decode(self, latents: np.ndarray) -> np.ndarray:
        """latents (m, d) -> uint8 images (m, H, W, C) by the run's model, one decode at a time (the model protocol's
        inference path: the model is never moved)."""
        if self.model is None:
            raise ZspaceError("no model loaded, so nothing can be decoded")
        with self.decode_lock:
            return decode_batch(self.model, np.asarray(latents, dtype=np.float32).reshape(-1, self.dim))

    def expected_error(self, view: MapView, ratio: float) -> dict | None:
        """The inverse's held-out error at distance ratio ``ratio`` on a t-SNE/UMAP map (expected.py); None on a PCA
        plane (exact), without a model or images, and until the map's study has been measured."""
        if view.exact or self.model is None or self.images is None:
            return None
        return self.inverse_errors().expected(view, ratio)

    def inverse_errors(self) -> ExpectedErrors:
        with self._lock:
            if self._errors is None:
                self._errors = ExpectedErrors(self._measure_inverse, self.notes)
            return self._errors

    def _measure_inverse(self, view: MapView) -> InverseStudy:
        features, label = None, None
        try:
            features, label = stored_judge_features(open_cache(self.cache_dir))
        except (ZspaceError, OSError):  # no judge beside the cache: pixel errors only (the study says so)
            pass
        return measure_inverse(view, self.vectors, self.images, self._decode_in_background, features, pca=self.pca,
                               methods=(DEFAULT_METHOD,), feature_name=label)

    def _decode_in_background(self, latents: np.ndarray) -> np.ndarray:
        """A background decode in small batches, each taking the decode lock anew: a click's decode waits for
        one small batch (milliseconds), not for the whole study's."""
        return np.concatenate([self.decode(latents[start:start + BACKGROUND_BATCH])
                               for start in range(0, len(latents), BACKGROUND_BATCH)])

    def default_colour(self) -> str:
        for name in ("label", "split"):
            if name in self.columns:
                return name
        return "radius"

    def warm_up(self) -> None:
        """Build what the first requests would otherwise wait for, in the order the page asks: the default
        map's spatial index (first paint), the default colours (the index table), the map's tree, the norms;
        last, the inverse study of each t-SNE/UMAP map, so that the first decode on it already carries its
        expected error (seconds of decoding in small batches, after everything the first paint needs)."""
        self.maps[self.default_map].spatial_index()
        self.colouring(self.default_colour())
        self.maps[self.default_map].spacing()
        self.norms()
        if self.model is not None and self.images is not None:
            for view in self.maps.values():
                if not view.exact:
                    self.inverse_errors().study(view, wait=True)


def png_bytes(image: np.ndarray) -> bytes:
    """uint8 (H, W, C) -> PNG bytes (fast settings: these are small and made per request)."""
    picture = Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def open_explorer(run: str | os.PathLike | Run, map_method: str | None = None, device: str = "cpu",
                  load_model: bool = True) -> ExplorerData:
    """Open everything the explorer serves; one ZspaceError when the run cannot be explored."""
    run = run if isinstance(run, Run) else Run(run)
    run.require()
    if map_method is not None and map_method not in MAP_METHODS:
        raise ZspaceError(f"map {map_method!r}: choose one of {', '.join(MAP_METHODS)}")
    latents = run.latents(mmap=True)
    vectors = latents.vectors
    if vectors.ndim != 2 or len(vectors) < 2:
        raise ZspaceError(f"{run.latents_file}: shape {vectors.shape}; the explorer needs at least 2 latent vectors")
    _check_finite(run, vectors)
    notes: list[str] = []
    images, index_file, cache_dir = _open_images(run, len(vectors), notes)
    analysis = _saved_analysis(run.analysis_dir, notes)
    pca = saved_pca(analysis.get("pca"), vectors.shape[1])
    pca_source = "analysis"
    if pca is None:
        pca, pca_source = fit_pca(vectors), "latents"
    views = pca_planes(vectors, pca)
    embedded, skipped = saved_maps(analysis.get("maps") or [], len(vectors))
    notes += skipped
    maps = {view.name: view for view in [*embedded, *views]}
    default = _default_map(maps, map_method, run)
    data = ExplorerData(run, vectors, images, index_file, _header(index_file), pca, pca_source, maps, default,
                        analysis, _figures(run.analysis_dir), notes, cache_dir=cache_dir)
    if load_model:
        from zspace.models.protocol import latent_dim  # torch: only when a model is loaded

        data.model = run.model(device)
        if latent_dim(data.model) != data.dim:
            raise ZspaceError(f"{run.latents_file}: latents of dimension {data.dim} do not fit the model "
                              f"(latent_dim {latent_dim(data.model)}); encode the run again")
    return data


def _check_finite(run: Run, vectors: np.ndarray) -> None:
    """Refuse latents with NaN or inf rows, naming them: no map can place them, no PCA can be fitted."""
    bad = nonfinite_rows(vectors, CHUNK_ROWS)
    if len(bad):
        shown = ", ".join(str(row) for row in bad[:5]) + (", ..." if len(bad) > 5 else "")
        raise ZspaceError(f"{run.latents_file}: {len(bad):,} of {len(vectors):,} rows hold NaN or inf (rows "
                          f"{shown}), which no map can place; encode the run again, replacing its latents "
                          "(encode with force), and if they come back, the model gives NaN for those images: "
                          "train it again (a smaller learning rate)")


def _open_images(run: Run, count: int, notes: list[str]) -> tuple[np.ndarray | None, Path | None, Path | None]:
    try:
        meta = load_json(run.latents_meta_file) if run.latents_meta_file.is_file() else {}
        cache = run.cache(meta["data"]) if meta.get("data") else run.cache()
    except (ZspaceError, KeyError, OSError) as err:
        notes.append(f"no thumbnails: the image cache could not be opened ({err})")
        return None, None, None
    index_file = cache.index_file
    if len(cache.images) != count:  # a row's thumbnail and attributes would be another image's
        raise run.mismatched_latents(count, len(cache.images), f"its image cache {cache.path}")
    return cache.images, (index_file if index_file.is_file() else None), cache.path


def _header(index_file: Path | None) -> list[str]:
    if index_file is None:
        return []
    return [name for name in read_header(index_file)[1:] if name not in ("source_id",)]


def _default_map(maps: dict[str, MapView], method: str | None, run: Run) -> str:
    if method == "pca":
        return "pca-1-2"
    wanted = [method] if method else ["tsne", "umap"]
    for name, view in maps.items():
        if view.method in wanted:
            return name
    if method:
        raise ZspaceError(f"{run.analysis_dir}: no saved {method} map; compute one with zspace analyze "
                          "or explore the PCA map")
    return "pca-1-2"


SHOWN_FIELDS = ("radius", "pca", "components", "correlation_summary", "structure", "maps")


def _saved_analysis(analysis_dir: Path, notes: list[str]) -> dict:
    """The fields of RUN/analysis that the explorer shows; {} (and a note) when there is none or it is unreadable."""
    if not (analysis_dir / AnalysisResult.FILE).is_file():
        return {}
    try:
        return read_fields(AnalysisResult, analysis_dir, SHOWN_FIELDS)
    except (ZspaceError, ValueError, TypeError, KeyError) as err:  # a damaged analysis must not stop the explorer
        notes.append(f"{analysis_dir}: the saved analysis is not shown ({err})")
        return {}


def _figures(analysis_dir: Path) -> dict[str, Path]:
    folder = analysis_dir / AnalysisResult.FIGURES
    if not folder.is_dir():
        return {}
    return {p.name: p for p in sorted(folder.iterdir())
            if FIGURE_NAME.match(p.name) and p.is_file() and not p.is_symlink()}
