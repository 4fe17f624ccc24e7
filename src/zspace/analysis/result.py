"""What an analysis is asked to do (:class:`AnalysisOptions`) and what it found (:class:`AnalysisResult`).

Both live here so that the measuring code (analyze.py), the saved form
(zspace.results) and the figures (zspace.report) depend on this module and never
on each other.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from zspace.analysis.components import ComponentStatistics
from zspace.analysis.correlation import CorrelationSummary
from zspace.analysis.pca import PCAResult
from zspace.analysis.planes import ComponentPlane, PCAPlane
from zspace.analysis.radius import RadiusStatistics
from zspace.analysis.structure.link_summary import GenerationLink
from zspace.analysis.structure.result import StructureResult
from zspace.analysis.tsne import EmbeddingMap
from zspace.errors import ZspaceError
from zspace.results import array_field, not_saved, read

if TYPE_CHECKING:
    from zspace.analysis.structure import StructureOptions

SLICE_UNITS = ("spread", "absolute")
ZOOM_UNITS = ("spread", "absolute")


@dataclass
class AnalysisOptions:
    """Every setting of :func:`zspace.analysis.analyze`; defaults follow the seed where it had one."""

    bin_width: float = 0.25  # S7 component histograms
    radius_bin_widths: tuple[float, ...] = (0.5, 0.05)  # S8
    inactive_ratio: float = 0.3  # a width group below this fraction of the widest group's width is inactive
    active_threshold: float = 0.01  # Burda et al. 2016: a component is active when its variance is above this
    min_abs_r: float = 0.3  # pairs listed in metrics.json
    plane_pairs: int = 3  # correlated pairs and elongated pairs drawn (each)
    plane_points: int = 20_000  # scatter subsample
    statistical_bounds: tuple[float, ...] = (4.0, 1.5)  # S10
    statistical_count: int = 200
    chosen_row: int = 0  # the data point marked on the planes
    slice_threshold: float = 2.0  # S11: other components within this many stds of their centre (or |z| < it)
    slice_units: str = "spread"  # "spread": |z_k - mean_k| < t std_k; "absolute": |z_k| < t (the seed)
    pca_planes: tuple[tuple[int, int], ...] = ((1, 2), (1, 18), (8, 35))  # 1-based, S12
    zooms: tuple[float | None, ...] = (None, 5.0, 2.0, 1.0, 0.5)  # window sides; None = full range
    zoom_units: str = "spread"  # "spread": sides in stds of the data on each axis; "absolute": the seed's units
    tsne_points: int = 0  # rows in the t-SNE map (a uniform subsample when fewer than N); 0 = no t-SNE map
    tsne_fit_points: int = 5_000  # rows t-SNE (or UMAP) is fitted on; the map's other rows are placed in it
    tsne_perplexity: float = 30.0
    tsne_early_exaggeration: float = 12.0
    tsne_pca_components: int = 0  # 0 = t-SNE on the raw vectors
    umap: bool = False
    color_by: str | None = None  # index column for the map colours; default "label" when present
    drop_nonfinite: bool = False
    chunk_rows: int | None = None
    seed: int = 0
    structure: StructureOptions | None = None  # filaments and voids against a Gaussian null (issue 12); None = off

    def validate(self) -> AnalysisOptions:
        """Self, or one ZspaceError naming the value and why it cannot work (before any work starts)."""
        checks = [
            (self.bin_width > 0, f"bin width {self.bin_width:g} must be positive"),
            (all(w > 0 for w in self.radius_bin_widths),
             f"radius bin widths {self.radius_bin_widths} must be positive"),
            (0 < self.inactive_ratio < 1, f"inactive ratio {self.inactive_ratio:g} must be between 0 and 1"),
            (self.active_threshold >= 0, f"active-unit threshold {self.active_threshold:g} must be 0 or more"),
            (0 <= self.min_abs_r < 1, f"minimum |r| {self.min_abs_r:g} must be in [0, 1)"),
            (self.plane_pairs >= 0, f"plane pairs {self.plane_pairs} must be 0 or more"),
            (self.plane_points >= 1, f"plane points {self.plane_points} must be at least 1"),
            (self.statistical_count >= 0, f"statistical vector count {self.statistical_count} must be 0 or more"),
            (all(b > 0 for b in self.statistical_bounds), f"statistical bounds {self.statistical_bounds} must be > 0"),
            (self.chosen_row >= 0, f"chosen row {self.chosen_row} must be 0 or more"),
            (self.slice_threshold > 0, f"slice threshold {self.slice_threshold:g} must be positive"),
            (self.slice_units in SLICE_UNITS,
             f"slice units {self.slice_units!r}: choose one of {', '.join(SLICE_UNITS)}"),
            (self.zoom_units in ZOOM_UNITS, f"zoom units {self.zoom_units!r}: choose one of {', '.join(ZOOM_UNITS)}"),
            (all(z is None or z > 0 for z in self.zooms), f"zoom sides {self.zooms} must be positive (None = full)"),
            (self.tsne_points >= 0, f"t-SNE points {self.tsne_points}: give 0 (no map) or a positive count"),
            (self.tsne_fit_points >= 1, f"t-SNE fitted points {self.tsne_fit_points}: give a positive count"),
            (self.tsne_perplexity > 0, f"t-SNE perplexity {self.tsne_perplexity:g} must be positive"),
            (self.tsne_early_exaggeration >= 1,
             f"t-SNE early exaggeration {self.tsne_early_exaggeration:g} must be at least 1"),
            (self.tsne_pca_components >= 0, f"t-SNE PCA components {self.tsne_pca_components}: give 0 (raw) or more"),
            (self.chunk_rows is None or self.chunk_rows >= 1, f"chunk rows {self.chunk_rows} must be at least 1"),
        ]
        for ok, message in checks:
            if not ok:
                raise ZspaceError(message)
        if self.structure is not None and not hasattr(self.structure, "null_draws"):
            raise ZspaceError(f"structure option {self.structure!r}: give a StructureOptions or None")
        for pair in self.pca_planes:
            if len(pair) != 2 or min(pair) < 1:
                raise ZspaceError(f"PCA plane {tuple(pair)}: give two 1-based axis numbers, like (1, 2)")
            if pair[0] == pair[1]:
                raise ZspaceError(f"PCA plane {tuple(pair)}: a plane needs two different axes")
        return self


@dataclass
class AnalysisResult:
    """Everything an analysis measured. ``zspace.results`` saves it by field name (metrics.json + .npy files)
    and reads it back; ``Run.save`` / ``Run.analysis()`` do so for a run's analysis folder."""

    FILE = "metrics.json"
    FIGURES = "figures"  # the folder beside FILE where zspace.report draws the analysis' figures

    count: int
    dim: int
    dropped_rows: int  # rows left out for NaN or inf
    correlation: np.ndarray = array_field("(d, d) Pearson r over all rows")
    components: ComponentStatistics
    radius: RadiusStatistics
    correlation_summary: CorrelationSummary
    pca: PCAResult
    planes: list[ComponentPlane]
    pca_planes: list[PCAPlane]
    statistical_bounds: list[float]
    statistical_vectors: np.ndarray = array_field("(bounds, count, d) float32 uniform vectors in [-b, b]^d")
    maps: list[EmbeddingMap] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # steps skipped and why, for the user
    structure: StructureResult | None = None  # with AnalysisOptions.structure: filaments and voids against a null
    link: GenerationLink | None = None  # the run-level link to generation (decoded samples against void depth)
    covariance: np.ndarray | None = not_saved(default=None)  # (d, d); correlation and PCA are saved


def load_analysis(folder: str | os.PathLike) -> AnalysisResult:
    """The analysis saved in ``folder`` (metrics.json and its arrays)."""
    return read(AnalysisResult, folder)
