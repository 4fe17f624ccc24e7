"""Generation built on the samplers and the decoder (SPEC S16-S20, X2): one concept per file.

sharpen.py        PIL sharpening and the factor comparison (S18)
paths.py          interpolation (linear, spherical) and traversal directions
attributes.py     attribute vectors: mean(z | with) - mean(z | without), regression slopes
sweep.py          one sampler parameter over several values (S17)
compare.py        reconstructions of the same images by two runs (S19)
cycle.py          encode(decode(z)) and the relative cycle error of latent points
from_run.py       the run-level functions behind ``zspace generate`` and ``zspace compare``
"""
