"""Filaments and voids, tested (SPEC S15, X3; issue 12).

Intrinsic dimension, nearest-neighbour statistics, local anisotropy, void
fractions and zoomed-plane density contrast of any N x d array, each beside a
Gaussian null with the data's exact mean and covariance; the same at several
scales beside a Gaussian-mixture null too, and the claims decided from them
(filaments, lower dimension, voids beyond the null; issue 21); and the link
between "being in a void" and the quality of what a point decodes to.

    from zspace.analysis.structure import StructureOptions, structure_analysis
    result = structure_analysis(latents, StructureOptions(null_draws=5))
    result.claims["filaments"].found, result.claims["filaments"].scale
    # saved with the analysis as the "structure" block of metrics.json (zspace.results)
"""

from zspace.analysis.structure.claims import Claim
from zspace.analysis.structure.intrinsic_dimension import mle, pca_dimensions, twonn
from zspace.analysis.structure.link import LinkResult, link
from zspace.analysis.structure.mixture_null import MixtureNull
from zspace.analysis.structure.null_model import GaussianNull
from zspace.analysis.structure.null_tests import StructureTest
from zspace.analysis.structure.options import StructureOptions
from zspace.analysis.structure.result import StructureResult
from zspace.analysis.structure.scale_profile import ScaleCurve, ScaleProfile
from zspace.analysis.structure.structure_analysis import structure_analysis
from zspace.analysis.structure.voids import typical_distance, void_scores
from zspace.neighbours import NeighbourIndex, knn

__all__ = [
    "Claim", "GaussianNull", "LinkResult", "MixtureNull", "NeighbourIndex", "ScaleCurve", "ScaleProfile",
    "StructureOptions", "StructureResult", "StructureTest",
    "knn", "link", "mle", "pca_dimensions", "structure_analysis", "twonn",
    "typical_distance", "void_scores",
]
