"""Latent-space measurements (issue 4): exact streaming statistics, components, radius, correlation, PCA,
planes and t-SNE maps of any N x d array. The entry point is :func:`zspace.analysis.analyze.analyze`."""

from zspace.analysis.analyze import AnalysisOptions, AnalysisResult, analyze
from zspace.analysis.load import load_index_table, load_vectors

__all__ = ["AnalysisOptions", "AnalysisResult", "analyze", "load_index_table", "load_vectors"]
