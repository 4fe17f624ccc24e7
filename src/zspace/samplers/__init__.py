"""Samplers of the latent space: one interface, one file per sampler (SPEC S16, S17, X2).

    from zspace.samplers import parse_sampler
    sampler = parse_sampler("gmm:k=10").fit(latents)        # (N, d) array
    z = sampler.sample(28, numpy.random.default_rng(0))     # (28, d) float32
    parse_sampler_list("normal,gmm:k=10,cov=full")          # ('normal', 'gmm:k=10,cov=full'), each checked
"""

from zspace.samplers.base import Param, Sampler
from zspace.samplers.registry import (
    DEFAULT_SAMPLERS,
    SAMPLERS,
    check_sampler_list,
    parse_sampler,
    parse_sampler_list,
    parse_sweep,
)

__all__ = ["DEFAULT_SAMPLERS", "SAMPLERS", "Param", "Sampler", "check_sampler_list", "parse_sampler",
           "parse_sampler_list", "parse_sweep"]
