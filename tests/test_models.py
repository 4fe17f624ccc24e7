"""Architectures: shapes for every preset, size and upsampling mode; config validation."""

from __future__ import annotations

import pytest
import torch

from zspace.config import ModelConfig, config_from_dict, config_to_dict
from zspace.errors import ZspaceError
from zspace.models.architectures import ARCHITECTURES, model_config
from zspace.models.autoencoder import build_model


@pytest.mark.parametrize("arch", sorted(ARCHITECTURES))
@pytest.mark.parametrize("upsampling", ["transpose", "upsample"])
@pytest.mark.parametrize("size", [28, 64, 96])
def test_shapes_round_trip(arch: str, upsampling: str, size: int) -> None:
    config = model_config(arch, image_size=size, upsampling=upsampling, channels=3)
    model = build_model(config).eval()
    images = torch.rand(2, 3, size, size)
    with torch.no_grad():
        encoded = model.encode(images)
        decoded = model.decode(encoded.mean)
    assert encoded.mean.shape == (2, config.latent_dim)
    assert encoded.logvar is not None and encoded.logvar.shape == (2, config.latent_dim)
    assert decoded.shape == images.shape
    assert float(decoded.min()) >= 0.0 and float(decoded.max()) <= 1.0


def test_seed_architectures_match_the_seed() -> None:
    seed = model_config("seed", image_size=96)
    assert seed.filters == (32, 64, 128, 256) and seed.kernels == (3, 3, 3, 3) and seed.latent_dim == 256
    ae = model_config("seed-5x5", image_size=96)
    assert ae.filters == (64, 64, 128, 128) and ae.kernels == (5, 5, 3, 3)
    net = build_model(seed)
    convs = [m for m in net.encoder if isinstance(m, torch.nn.Sequential)]
    assert [c[0].out_channels for c in convs] == [32, 64, 128, 256]
    assert all(c[0].stride == (2, 2) for c in convs)
    transposed = [m for m in net.decoder.modules() if isinstance(m, torch.nn.ConvTranspose2d)]
    assert [t.out_channels for t in transposed] == [128, 64, 32, 3]


def test_ae_has_no_logvar_and_vae_samples_in_training() -> None:
    ae = build_model(model_config("small", model="ae", image_size=32, latent_dim=4))
    assert ae.encode(torch.rand(1, 3, 32, 32)).logvar is None
    vae = build_model(model_config("small", model="vae", image_size=32, latent_dim=4)).train()
    x = torch.rand(3, 3, 32, 32)
    first, second = vae(x), vae(x)
    assert not torch.allclose(first.z, second.z)  # reparameterised noise
    vae.eval()
    assert torch.allclose(vae(x).z, vae.encode(x).mean)


def test_dense_layer_and_grayscale() -> None:
    config = model_config("small", image_size=28, channels=1, dense_dim=48, latent_dim=6)
    model = build_model(config)
    linear = [m for m in model.encoder if isinstance(m, torch.nn.Linear)]
    assert linear and linear[0].out_features == 48
    assert model(torch.rand(2, 1, 28, 28)).logits.shape == (2, 1, 28, 28)


def test_logvar_is_clamped() -> None:
    model = build_model(model_config("small", image_size=32, latent_dim=4))
    with torch.no_grad():
        model.to_logvar.bias.fill_(1e6)
    logvar = model.encode(torch.rand(1, 3, 32, 32)).logvar
    assert float(logvar.detach().max()) == pytest.approx(model.config.logvar_max)


@pytest.mark.parametrize(
    "overrides, fragment",
    [
        ({"latent_dim": 0}, "latent dimension 0"),
        ({"latent_dim": -3}, "latent dimension -3"),
        ({"image_size": 8}, "needs at least 16 px"),
        ({"upsampling": "bilinear"}, "upsampling 'bilinear'"),
        ({"kernels": (3, 3)}, "same length"),
        ({"kernels": (4, 4, 4, 4)}, "odd"),
    ],
)
def test_bad_model_settings(overrides: dict, fragment: str) -> None:
    with pytest.raises(ZspaceError, match=fragment):
        model_config("small", **{"image_size": 64, **overrides})


def test_unknown_arch() -> None:
    with pytest.raises(ZspaceError, match="unknown architecture"):
        model_config("resnet9000")


def test_config_json_round_trip_is_strict() -> None:
    config = model_config("seed-5x5", image_size=96, model="ae")
    assert config_from_dict(ModelConfig, config_to_dict(config)) == config
    with pytest.raises(ZspaceError, match="unknown key"):
        config_from_dict(ModelConfig, {**config_to_dict(config), "colour": 1})
    with pytest.raises(ZspaceError, match="wrong type"):
        config_from_dict(ModelConfig, {**config_to_dict(config), "latent_dim": "256"})
