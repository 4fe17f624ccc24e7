"""The model protocol: inference runs any ``LatentModel`` where its owner put it and leaves it as it was."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from torch import nn

from zspace.data.loader import to_model_input
from zspace.errors import ZspaceError
from zspace.models.architectures import model_config
from zspace.models.autoencoder import Autoencoder
from zspace.models.inference import decode, encode, model_device, reconstruct, to_uint8
from zspace.models.protocol import Encoded, LatentModel, latent_dim


class SpyAutoencoder(Autoencoder):
    """zspace's model, recording every move or cast (``_apply``: .to/.cpu/.cuda/.float), mode change and call."""

    def __init__(self, config) -> None:
        super().__init__(config)
        self.moves: list = []
        self.modes: list[bool] = []
        self.training_in_calls: list[bool] = []

    def _apply(self, fn, *args, **kwargs):
        self.moves.append(fn)
        return super()._apply(fn, *args, **kwargs)

    def train(self, mode: bool = True):
        self.modes.append(mode)
        return super().train(mode)

    def encode(self, images: torch.Tensor) -> Encoded:
        self.training_in_calls.append(self.training)
        return super().encode(images)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        self.training_in_calls.append(self.training)
        return super().decode(z)


class SpatialVAE(nn.Module):
    """Not zspace's layout: a spatial latent (4, 2, 2), inputs in [-1, 1] inside, class attributes."""

    latent_shape = (4, 2, 2)
    image_shape = (3, 8, 8)
    variational = True

    def __init__(self) -> None:
        super().__init__()
        self.down = nn.Conv2d(3, 8, kernel_size=4, stride=4)  # (n, 3, 8, 8) -> (n, 8, 2, 2)
        self.up = nn.ConvTranspose2d(4, 3, kernel_size=4, stride=4)  # (n, 4, 2, 2) -> (n, 3, 8, 8)

    def encode(self, images: torch.Tensor) -> Encoded:
        features = self.down(images * 2.0 - 1.0)
        return Encoded(features[:, :4], features[:, 4:])

    def decode(self, latents: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.up(latents))


class ElsewhereModel(nn.Module):
    """A model whose weights sit on another device ('meta'): it records where its inputs arrive."""

    latent_shape = (2, 3)
    image_shape = (1, 4, 4)
    variational = False

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("weight", torch.empty(6, device="meta"))
        self.input_devices: list[torch.device] = []

    def encode(self, images: torch.Tensor) -> Encoded:
        self.input_devices.append(images.device)
        return Encoded(torch.zeros(len(images), 2, 3), None)

    def decode(self, latents: torch.Tensor) -> torch.Tensor:
        self.input_devices.append(latents.device)
        return torch.full((len(latents), 1, 4, 4), 0.5)


def tiny_spy(variational: bool = True) -> SpyAutoencoder:
    return SpyAutoencoder(model_config("small", model="vae" if variational else "ae", image_size=32, channels=3,
                                       latent_dim=8, filters=(8, 16, 16, 16)))


def images(count: int, side: int, channels: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (count, side, side, channels), dtype=np.uint8)


def test_inference_neither_moves_the_model_nor_changes_its_mode() -> None:
    model = tiny_spy()
    model.train()
    model.moves.clear(), model.modes.clear()
    means, logvar = encode(model, images(5, 32, 3), batch_size=2)
    decode(model, means, batch_size=2)
    reconstruct(model, images(3, 32, 3))
    assert model.moves == [], "inference moved or cast the caller's model"
    assert model.training and all(module.training for module in model.modules()), "the training mode was lost"
    assert model.training_in_calls and not any(model.training_in_calls), "the network ran in training mode"
    frozen = tiny_spy()  # an eval-mode model with one submodule left training by its owner stays that way
    frozen.eval()
    frozen.encoder[0].train()
    decode(frozen, np.zeros((2, 8), np.float32))
    assert not frozen.training and frozen.encoder[0].training and not frozen.decoder.training


def test_inputs_go_to_the_device_the_model_is_on() -> None:
    model = ElsewhereModel()
    assert model_device(model) == torch.device("meta") and model_device(nn.Identity()) == torch.device("cpu")
    vectors, logvar = encode(model, images(3, 4, 1))
    decoded = decode(model, vectors)
    assert model.weight.device == torch.device("meta"), "the model was moved"
    assert model.input_devices == [torch.device("meta")] * 2
    assert vectors.shape == (3, 6) and logvar is None and decoded.shape == (3, 4, 4, 1)
    assert np.all(decoded == 128)


def test_device_is_a_check_not_a_move() -> None:
    model = tiny_spy()
    z = np.zeros((2, 8), np.float32)
    assert decode(model, z, device="cpu").shape == (2, 32, 32, 3)
    with pytest.raises(ZspaceError, match=r"device 'cuda' does not match the model, whose weights are on cpu"):
        decode(model, z, device="cuda")
    with pytest.raises(ZspaceError, match="device 'meta'"):
        encode(model, images(2, 32, 3), device="meta")
    assert model.moves == []


def test_a_model_of_another_layout_goes_through_encode_decode_and_reconstruct() -> None:
    model = SpatialVAE()
    assert isinstance(model, LatentModel) and isinstance(tiny_spy(), LatentModel)
    assert latent_dim(model) == 16 and tiny_spy().latent_shape == (8,) and tiny_spy().image_shape == (3, 32, 32)
    pictures = images(5, 8, 3, seed=2)
    means, logvar = encode(model, pictures, batch_size=2)
    with torch.no_grad():
        direct = model.encode(to_model_input(torch.from_numpy(pictures)))
        expected = to_uint8(model.decode(direct.mean))
    assert means.shape == (5, 16) and logvar.shape == (5, 16) and means.dtype == np.float32
    np.testing.assert_allclose(means, direct.mean.reshape(5, 16).numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(logvar, direct.logvar.reshape(5, 16).numpy(), rtol=1e-6, atol=1e-6)
    decoded = decode(model, means, batch_size=3)
    assert decoded.shape == (5, 8, 8, 3) and decoded.dtype == np.uint8
    assert np.abs(decoded.astype(int) - expected.astype(int)).max() <= 1
    assert np.array_equal(reconstruct(model, pictures, batch_size=2), decoded)
    assert np.array_equal(decode(model, torch.from_numpy(means)), decoded)
    with pytest.raises(ZspaceError, match=r"shape \(5, 8\) do not fit the model: it decodes \(n, 16\)"):
        decode(model, means[:, :8])
    with pytest.raises(ZspaceError, match=r"images of shape \(2, 32, 32, 3\) do not fit the model"):
        encode(model, images(2, 32, 3))


def test_a_module_without_the_protocol_is_refused_in_one_line() -> None:
    with pytest.raises(ZspaceError, match=r"^Linear lacks encode, decode, latent_shape, image_shape, variational;"):
        decode(nn.Linear(2, 2), np.zeros((1, 2), np.float32))


def test_read_only_arrays_reach_torch_without_its_warning(tmp_path, monkeypatch) -> None:
    """torch warns once per process on a read-only array (a memmap's slice), so spy on the hand-over too."""
    np.save(tmp_path / "images.npy", images(5, 32, 3))
    np.save(tmp_path / "z.npy", np.random.default_rng(0).normal(size=(5, 8)).astype(np.float32))
    pictures, z = np.load(tmp_path / "images.npy", mmap_mode="r"), np.load(tmp_path / "z.npy", mmap_mode="r")
    handed: list[bool] = []

    def checked(convert):
        def wrapper(data, *args, **kwargs):
            if isinstance(data, np.ndarray):
                handed.append(data.flags.writeable)
            return convert(data, *args, **kwargs)
        return wrapper

    monkeypatch.setattr(torch, "from_numpy", checked(torch.from_numpy))
    monkeypatch.setattr(torch, "as_tensor", checked(torch.as_tensor))
    model = tiny_spy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        means, _ = encode(model, pictures, batch_size=2)
        decode(model, z, batch_size=2)
        reconstruct(model, pictures)
    assert handed and all(handed), "a read-only array was handed to torch"
    assert not pictures.flags.writeable and means.shape == (5, 8)


def test_the_explorers_decode_leaves_the_model_where_it_was(vae_run, tmp_path) -> None:
    pytest.importorskip("fastapi", reason="the explorer needs fastapi")
    pytest.importorskip("httpx", reason="FastAPI's test client needs httpx")
    from explore_fixtures import make_explorable_run
    from fastapi.testclient import TestClient

    from zspace.explore.app import create_app
    from zspace.explore.data import open_explorer

    run = make_explorable_run(vae_run, tmp_path)
    data = open_explorer(run, load_model=False)
    spy = SpyAutoencoder(run.model_config())
    spy.load_state_dict(run.model().state_dict())
    spy.train()
    spy.moves.clear()
    data.model = spy
    client = TestClient(create_app(data), base_url="http://127.0.0.1")
    answer = client.get("/api/invert?map=pca-1-2&x=0.1&y=-0.2")
    assert answer.status_code == 200 and answer.json()["image"].startswith("data:image/png;base64,")
    chosen = np.arange(4, dtype="<u4").tobytes()
    assert client.post("/api/select?map=pca-1-2", content=chosen).status_code == 200
    assert spy.moves == [], "the explorer's decode moved the model"
    assert spy.training and spy.training_in_calls and not any(spy.training_in_calls)
