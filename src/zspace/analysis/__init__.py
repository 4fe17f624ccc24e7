"""Latent-space measurements (issue 4): exact streaming statistics, components, radius, correlation, PCA,
planes and t-SNE maps of any N x d array. The entry point is :func:`zspace.analysis.analyze.analyze`; a saved
analysis is read back with :func:`zspace.analysis.store.load_analysis`."""

from zspace.analysis.analyze import analyze
from zspace.analysis.load import load_index_table, load_vectors
from zspace.analysis.result import AnalysisOptions, AnalysisResult
from zspace.analysis.store import load_analysis

__all__ = ["AnalysisOptions", "AnalysisResult", "analyze", "load_analysis", "load_index_table", "load_vectors"]
