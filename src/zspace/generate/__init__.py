"""Generation built on the samplers and the decoder (SPEC S16-S20, X2): one concept per file.

sharpen.py        PIL sharpening and the factor comparison (S18)
panels.py         image rows with a label beside each row (sweeps, comparisons)
sampler_cache.py  fitted sampler state on disk (JSON + .npz, no pickle), refit on new latents
paths.py          interpolation (linear, spherical) and traversal directions
attributes.py     attribute vectors: mean(z | with) - mean(z | without), regression slopes
sweep.py          one sampler parameter over several values (S17)
compare.py        reconstructions of the same images by two runs (S19)
from_run.py       the run-level functions behind ``zspace generate`` and ``zspace compare``
"""
