"""Latent-space measurements (issue 4): exact streaming statistics, components, radius, correlation, PCA,
planes and t-SNE maps of any N x d array. :func:`zspace.analysis.analyze.analyze` returns an
:class:`AnalysisResult`; ``zspace.results.save`` writes it and :func:`load_analysis` reads it back."""

from zspace.analysis.analyze import analyze
from zspace.analysis.load import load_index_table, load_vectors
from zspace.analysis.result import AnalysisOptions, AnalysisResult, load_analysis

__all__ = ["AnalysisOptions", "AnalysisResult", "analyze", "load_analysis", "load_index_table", "load_vectors"]
