"""Samplers of the latent space: one interface, one file per sampler (SPEC S16, S17, X2).

    from zspace.samplers import parse_sampler
    sampler = parse_sampler("gmm:k=10").fit(latents)        # (N, d) array
    z = sampler.sample(28, numpy.random.default_rng(0))     # (28, d) float32
"""

from zspace.samplers.base import Param, Sampler
from zspace.samplers.registry import SAMPLERS, parse_sampler, parse_sweep

__all__ = ["SAMPLERS", "Param", "Sampler", "parse_sampler", "parse_sweep"]
