"""Filaments and voids, tested (SPEC S15, X3; issue 12).

Intrinsic dimension, nearest-neighbour statistics, local anisotropy, void
fractions and zoomed-plane density contrast of any N x d array, each beside a
Gaussian null with the data's exact mean and covariance; and the link between
"being in a void" and the quality of what a point decodes to.

    from zspace.analysis.structure import StructureOptions, structure_analysis
    result = structure_analysis(latents, StructureOptions(null_draws=5))
    metrics["structure"] = result.to_dict()
"""

from zspace.analysis.structure.figures import structure_figure
from zspace.analysis.structure.intrinsic_dimension import mle, pca_dimensions, twonn
from zspace.analysis.structure.link import LinkResult, link, link_figure
from zspace.analysis.structure.neighbours import NeighbourIndex, knn
from zspace.analysis.structure.null_model import GaussianNull
from zspace.analysis.structure.null_tests import StructureTest
from zspace.analysis.structure.options import StructureOptions
from zspace.analysis.structure.result import StructureResult
from zspace.analysis.structure.structure_analysis import structure_analysis
from zspace.analysis.structure.voids import typical_distance, void_scores

__all__ = [
    "GaussianNull", "LinkResult", "NeighbourIndex", "StructureOptions", "StructureResult", "StructureTest",
    "knn", "link", "link_figure", "mle", "pca_dimensions", "structure_analysis", "structure_figure", "twonn",
    "typical_distance", "void_scores",
]
