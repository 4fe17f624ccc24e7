"""The sections of a run's report, in the seed's order; one module per topic.

Each section function takes a :class:`~zspace.report.sections.base.RunView` and
returns a :class:`~zspace.report.sections.base.Column`: the words, pictures and
tables for one run. The builder puts the columns of two runs side by side.
To add a section: write ``def my_section(view) -> Column`` in a module here and
list it in :data:`SECTIONS`.
"""

from zspace.report.sections.analysis import (
    component_section,
    correlation_section,
    map_section,
    pca_section,
    plane_section,
    radius_section,
)
from zspace.report.sections.base import Column, RunView, SectionSpec
from zspace.report.sections.generation import reconstruction_section, sample_section
from zspace.report.sections.overview import data_section
from zspace.report.sections.verdicts import quality_section, structure_section

SECTIONS: list[SectionSpec] = [
    SectionSpec("data", "Data and training", data_section),
    SectionSpec("components", "Latent components (S7)", component_section),
    SectionSpec("radius", "Radius against N(0, I) (S8)", radius_section),
    SectionSpec("correlation", "Correlations (S9)", correlation_section),
    SectionSpec("planes", "Planes, slices and statistical vectors (S10, S11, S14)", plane_section),
    SectionSpec("pca", "PCA: variance and zooms (S12)", pca_section),
    SectionSpec("maps", "t-SNE and UMAP maps (S13)", map_section),
    SectionSpec("samples", "Decoded samples (S16-S18, S20)", sample_section),
    SectionSpec("reconstruction", "Reconstructions (S19)", reconstruction_section),
    SectionSpec("quality", "Sample quality (X4)", quality_section),
    SectionSpec("structure", "Filaments and voids against a null model (S15, X3)", structure_section),
]

__all__ = ["SECTIONS", "Column", "RunView", "SectionSpec"]
