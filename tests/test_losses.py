"""The VAE loss against values computed by hand."""

from __future__ import annotations

import math

import pytest
import torch

from zspace.training.losses import autoencoder_loss, kl_divergence, reconstruction_loss


def test_bce_summed_over_pixels_by_hand() -> None:
    # Two images of two pixels; p = sigmoid(logit).
    logits = torch.tensor([[[[0.0, 2.0]]], [[[-1.0, 0.5]]]])  # (2, 1, 1, 2)
    target = torch.tensor([[[[1.0, 0.0]]], [[[0.25, 1.0]]]])

    def bce(x: float, t: float) -> float:
        p = 1 / (1 + math.exp(-x))
        return -(t * math.log(p) + (1 - t) * math.log(1 - p))

    first = bce(0.0, 1.0) + bce(2.0, 0.0)
    second = bce(-1.0, 0.25) + bce(0.5, 1.0)
    assert float(reconstruction_loss(logits, target)) == pytest.approx((first + second) / 2, rel=1e-6)


def test_kl_by_hand() -> None:
    mean = torch.tensor([[1.0, -2.0], [0.0, 0.0]])
    logvar = torch.tensor([[0.0, math.log(4.0)], [0.0, 0.0]])
    # KL per dim = 0.5 * (var + mean^2 - 1 - log var)
    first = 0.5 * (1 + 1 - 1 - 0) + 0.5 * (4 + 4 - 1 - math.log(4.0))
    assert float(kl_divergence(mean, logvar)) == pytest.approx((first + 0.0) / 2, rel=1e-6)


def test_standard_normal_posterior_has_zero_kl() -> None:
    assert float(kl_divergence(torch.zeros(5, 3), torch.zeros(5, 3))) == pytest.approx(0.0, abs=1e-7)


def test_total_is_reconstruction_plus_weighted_kl() -> None:
    logits, target = torch.randn(4, 3, 8, 8), torch.rand(4, 3, 8, 8)
    mean, logvar = torch.randn(4, 6), torch.randn(4, 6)
    terms = autoencoder_loss(logits, target, mean, logvar, kl_weight=5.0)
    assert float(terms.total) == pytest.approx(float(terms.reconstruction + 5.0 * terms.kl), rel=1e-6)
    ae = autoencoder_loss(logits, target, mean, None, kl_weight=5.0)
    assert float(ae.kl) == 0.0 and float(ae.total) == pytest.approx(float(ae.reconstruction))
