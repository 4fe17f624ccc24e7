"""Sample-quality metrics between two N x d feature arrays: one file per metric."""

from zspace.evaluation.metrics.bootstrap import BootstrapInterval, fd_bootstrap
from zspace.evaluation.metrics.fd import FrechetDistance, GaussianFit, fit_gaussian, frechet_distance
from zspace.evaluation.metrics.kid import KernelDistance, kernel_inception_distance, mmd2_unbiased
from zspace.evaluation.metrics.prdc import ManifoldMetrics, precision_recall_density_coverage
from zspace.evaluation.metrics.sample_size import SampleSizeBias, fd_sample_size_bias

__all__ = [
    "BootstrapInterval", "FrechetDistance", "GaussianFit", "KernelDistance", "ManifoldMetrics", "SampleSizeBias",
    "fd_bootstrap", "fd_sample_size_bias", "fit_gaussian", "frechet_distance", "kernel_inception_distance",
    "mmd2_unbiased", "precision_recall_density_coverage",
]
