"""Autoencoder losses as pure functions (seed S2).

VAE loss per image = binary cross-entropy summed over all pixels
                     + kl_weight * KL( N(mean, exp(logvar)) || N(0, I) ),
averaged over the batch. The seed uses kl_weight ("fact") = 5.0. An AE uses
the reconstruction term alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass
class LossTerms:
    total: torch.Tensor  # scalar
    reconstruction: torch.Tensor  # scalar, mean over the batch of per-image sums
    kl: torch.Tensor  # scalar, mean over the batch (0 for an AE)


def reconstruction_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """BCE summed over pixels and channels, averaged over images (logits for stability)."""
    per_pixel = F.binary_cross_entropy_with_logits(logits.float(), target.float(), reduction="none")
    return per_pixel.flatten(1).sum(dim=1).mean()


def kl_divergence(mean: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mean, diag exp(logvar)) || N(0, I)) summed over latent dims, averaged over images.

    Closed form (Kingma & Welling 2014, appendix B): -1/2 sum(1 + logvar - mean^2 - exp(logvar)).
    """
    mean, logvar = mean.float(), logvar.float()
    per_dim = 1.0 + logvar - mean.pow(2) - logvar.exp()
    return (-0.5 * per_dim.sum(dim=1)).mean()


def autoencoder_loss(
    logits: torch.Tensor,
    target: torch.Tensor,
    mean: torch.Tensor,
    logvar: torch.Tensor | None,
    kl_weight: float,
) -> LossTerms:
    reconstruction = reconstruction_loss(logits, target)
    if logvar is None:
        kl = torch.zeros((), device=logits.device)
    else:
        kl = kl_divergence(mean, logvar)
    return LossTerms(reconstruction + kl_weight * kl, reconstruction, kl)
