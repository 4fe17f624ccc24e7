"""Configurations: frozen dataclasses, saved as JSON beside what they describe.

``ModelConfig`` fixes an autoencoder's architecture (it is all that is needed
to rebuild the network before loading its safetensors weights);
``TrainConfig`` fixes how it was trained. Both load strictly: an unknown key
or a value of the wrong type is an error that names the file, never silently
ignored.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from typing import Any, TypeVar

from zspace.errors import ZspaceError
from zspace.io import load_json, save_json

MODEL_KINDS = ("ae", "vae")
UPSAMPLING_MODES = ("transpose", "upsample")
PRECISIONS = ("32", "bf16-mixed", "16-mixed", "64")


@dataclass(frozen=True)
class ModelConfig:
    """Architecture of a convolutional (variational) autoencoder (seed S1, S2, S4, S5)."""

    model: str = "vae"  # "ae" (deterministic) or "vae" (mean + log-variance, reparameterised)
    arch: str = "small"  # the preset it came from, for the record
    image_size: int = 64
    channels: int = 3
    latent_dim: int = 64
    filters: tuple[int, ...] = (32, 64, 64, 128)  # encoder; the decoder uses them reversed
    kernels: tuple[int, ...] = (3, 3, 3, 3)
    strides: tuple[int, ...] = (2, 2, 2, 2)
    upsampling: str = "transpose"  # "transpose" (Conv2DTranspose) or "upsample" (+ Conv2D)
    dense_dim: int | None = None  # optional dense layer between the conv stack and the latent heads
    batch_norm: bool = True
    logvar_min: float = -10.0  # log-variance is clamped so exp() can neither vanish nor explode
    logvar_max: float = 10.0

    def __post_init__(self) -> None:
        _require(self.model in MODEL_KINDS, f"model {self.model!r}: choose one of {MODEL_KINDS}")
        _require(
            self.upsampling in UPSAMPLING_MODES,
            f"upsampling {self.upsampling!r}: choose one of {UPSAMPLING_MODES}",
        )
        _require(self.latent_dim > 0, f"latent dimension {self.latent_dim}: must be at least 1")
        _require(self.channels in (1, 3), f"channels {self.channels}: images have 1 or 3")
        n = len(self.filters)
        _require(n >= 1, "filters: give at least one convolution layer")
        _require(
            len(self.kernels) == n and len(self.strides) == n,
            f"filters {self.filters}, kernels {self.kernels} and strides {self.strides} "
            "must have the same length",
        )
        _require(all(f > 0 for f in self.filters), f"filters {self.filters}: must be positive")
        _require(
            all(k > 0 and k % 2 == 1 for k in self.kernels),
            f"kernels {self.kernels}: must be odd positive sizes (3, 5, ...)",
        )
        _require(all(s in (1, 2) for s in self.strides), f"strides {self.strides}: use 1 or 2")
        _require(
            self.dense_dim is None or self.dense_dim > 0,
            f"dense dimension {self.dense_dim}: must be positive or left out",
        )
        minimum = 2 ** sum(1 for s in self.strides if s == 2)
        _require(
            self.image_size >= minimum,
            f"image size {self.image_size}: architecture {self.arch!r} has "
            f"{minimum.bit_length() - 1} stride-2 layers and needs at least {minimum} px; "
            "prepare the data with a larger image size or choose a smaller architecture",
            "arch",
        )

    @property
    def variational(self) -> bool:
        return self.model == "vae"


@dataclass(frozen=True)
class TrainConfig:
    """How a model is trained (seed S3: Adam, lr 5e-4, BCE + fact * KL with fact 5)."""

    data: str = ""  # the image cache folder
    data_checksum: str = ""  # the cache's checksum, so a run refuses another dataset on resume
    epochs: int = 5
    batch_size: int = 64
    learning_rate: float = 5e-4
    kl_weight: float = 5.0
    seed: int = 0
    precision: str = "32"
    accelerator: str = "cpu"
    devices: int = 1
    num_nodes: int = 1
    strategy: str = "auto"
    num_workers: int = 0
    channels_last: bool = False  # NHWC weights: faster convolutions on recent GPUs (and some CPUs)
    compile: bool = False  # torch.compile the network for training
    log_every_n_steps: int = 10
    # A checkpoint every this many optimizer steps inside an epoch (0: at epoch ends only). At the
    # default batch of 64, 500 steps are 32,000 images: about 1/5 of a CelebA epoch.
    checkpoint_every: int = 500
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _require(self.epochs >= 1, f"epochs {self.epochs}: train for at least 1 epoch", "epochs")
        _require(self.batch_size >= 1, f"batch size {self.batch_size}: must be at least 1", "batch_size")
        _require(self.learning_rate > 0, f"learning rate {self.learning_rate}: must be positive", "learning_rate")
        _require(self.kl_weight >= 0, f"KL weight {self.kl_weight}: must be 0 or more", "kl_weight")
        _require(
            self.precision in PRECISIONS,
            f"precision {self.precision!r}: choose one of {', '.join(PRECISIONS)}",
            "precision",
        )
        _require(self.devices >= 1, f"devices {self.devices}: must be at least 1", "devices")
        _require(self.num_nodes >= 1, f"number of nodes {self.num_nodes}: must be at least 1", "num_nodes")
        _require(self.num_workers >= 0, f"number of workers {self.num_workers}: must be 0 or more", "num_workers")
        _require(self.checkpoint_every >= 0,
                 f"checkpoint_every {self.checkpoint_every}: give a number of steps, or 0 for epoch ends only",
                 "checkpoint_every")


C = TypeVar("C", ModelConfig, TrainConfig)


def _require(condition: bool, message: str, *options: str) -> None:
    if not condition:
        raise ZspaceError(message, options=options)


def config_to_dict(config: ModelConfig | TrainConfig) -> dict[str, Any]:
    out = dataclasses.asdict(config)
    return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}


def config_from_dict(cls: type[C], data: Any, origin: str = "config") -> C:
    """Build ``cls`` from a JSON object, strictly: unknown keys and wrong types are errors."""
    if not isinstance(data, dict):
        raise ZspaceError(f"{origin}: expected a JSON object, found {type(data).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ZspaceError(f"{origin}: unknown key(s) {unknown}; allowed: {sorted(fields)}")
    kwargs: dict[str, Any] = {}
    defaults = cls()
    for name, value in data.items():
        expected = getattr(defaults, name)
        kwargs[name] = _coerce(value, expected, f"{origin}: key {name!r}")
    try:
        return cls(**kwargs)
    except ZspaceError as err:
        raise ZspaceError(f"{origin}: {err}") from None


def _coerce(value: Any, like: Any, where: str) -> Any:
    """Check ``value`` against the type of the default ``like`` (JSON has no tuples)."""
    if isinstance(like, tuple):
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            raise ZspaceError(f"{where}: expected a list of integers, found {value!r}")
        return tuple(value)
    if isinstance(like, bool):
        ok = isinstance(value, bool)
    elif isinstance(like, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(like, float):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif isinstance(like, str):
        ok = isinstance(value, str)
    elif isinstance(like, dict):
        ok = isinstance(value, dict)
    else:  # None default: optional int (dense_dim)
        ok = value is None or (isinstance(value, int) and not isinstance(value, bool))
    if not ok:
        raise ZspaceError(f"{where}: value {value!r} has the wrong type")
    return value


def save_config(path: str | os.PathLike, config: ModelConfig | TrainConfig) -> None:
    save_json(path, config_to_dict(config))


def load_config(cls: type[C], path: str | os.PathLike) -> C:
    return config_from_dict(cls, load_json(path), origin=str(path))
