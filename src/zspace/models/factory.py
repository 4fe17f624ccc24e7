"""Imported models: the factory that builds one, and the record a run keeps of it (no pickle, no copy of code).

A factory is ``path/to/file.py:function`` or ``package.module:function`` (called with no
arguments, it returns a ``torch.nn.Module`` with ``encode`` and ``decode``), or
``diffusers:DIR``: a folder written by ``AutoencoderKL.save_pretrained`` (config.json +
diffusion_pytorch_model.safetensors), loaded from local files only, never downloaded.

An :class:`ImportRecord` is what ``zspace import`` writes into the run's config.json in place
of an architecture: the factory, the weights file zspace loads into the module (safetensors,
strictly) and the sha256 of every file the model's numbers come from, the input range and
the shapes found at import. :func:`open_imported` rebuilds the model from it; a weights file
that changed since the import is refused, since the run's latents were made with the old one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import save_file
from torch import nn

from zspace.errors import ZspaceError
from zspace.io import atomic_path
from zspace.models.imported import ImportedModel, check_input_range
from zspace.models.weights import load_state_into, read_safetensors
from zspace.usercode import CodeSpec, call_user_function, load_function, parse_code_spec, require_extra

DIFFUSERS = "diffusers"
DIFFUSERS_CONFIG = "config.json"
DIFFUSERS_WEIGHTS = "diffusion_pytorch_model.safetensors"


@dataclass(frozen=True)
class Factory:
    """What builds the network: user code (a :class:`CodeSpec`) or a diffusers folder."""

    code: CodeSpec | None = None
    directory: str | None = None  # diffusers: the save_pretrained folder, absolute

    @property
    def kind(self) -> str:
        return DIFFUSERS if self.directory is not None else self.code.kind  # type: ignore[union-attr]

    @property
    def default_input_range(self) -> str:
        """diffusers' VAEs take images in [-1, 1]; a user's module is taken to work on [0, 1] as zspace does."""
        return "-1,1" if self.kind == DIFFUSERS else "0,1"

    def __str__(self) -> str:
        return f"{DIFFUSERS}:{self.directory}" if self.directory is not None else str(self.code)


def parse_factory(spec: str) -> Factory:
    """``diffusers:DIR``, ``path/to/file.py:function`` or ``package.module:function``; paths made absolute."""
    if spec.startswith(f"{DIFFUSERS}:"):
        directory = Path(spec[len(DIFFUSERS) + 1 :]).expanduser().resolve()
        if not directory.is_dir():
            raise ZspaceError(f"factory {spec!r}: folder {directory} not found; give the folder that "
                              "AutoencoderKL.save_pretrained wrote (it holds config.json)")
        return Factory(directory=str(directory))
    return Factory(code=parse_code_spec(spec, "factory"))


def build_network(factory: Factory) -> nn.Module:
    """The network the factory makes (user code runs here), checked to be a module with encode and decode."""
    if factory.directory is not None:
        network = _load_diffusers(Path(factory.directory))
    else:
        function = load_function(factory.code, "to build the model")  # type: ignore[arg-type]
        network = call_user_function(function, factory)
    if not isinstance(network, nn.Module):
        raise ZspaceError(f"{factory} returned a {type(network).__name__}, not a torch.nn.Module; "
                          "return the model, an nn.Module with encode(x) and decode(z)")
    missing = [name for name in ("encode", "decode") if not callable(getattr(network, name, None))]
    if missing:
        raise ZspaceError(f"{factory}: its {type(network).__name__} lacks {' and '.join(missing)}; "
                          "the model needs encode(x) and decode(z) methods")
    return network


def _load_diffusers(directory: Path) -> nn.Module:
    """``AutoencoderKL.from_pretrained(directory)``: local files, safetensors only, every weight loaded."""
    diffusers = require_extra(DIFFUSERS, what="a diffusers model")
    for name, why in ((DIFFUSERS_CONFIG, "the architecture"), (DIFFUSERS_WEIGHTS, "the weights, in safetensors")):
        if not (directory / name).is_file():
            raise ZspaceError(f"{directory}: no {name} ({why}); give a folder written by "
                              "AutoencoderKL.save_pretrained (zspace loads safetensors weights only)")
    try:
        network, info = diffusers.AutoencoderKL.from_pretrained(
            str(directory), local_files_only=True, use_safetensors=True, output_loading_info=True,
            low_cpu_mem_usage=importlib.util.find_spec("accelerate") is not None)  # else diffusers warns
    except Exception as err:  # diffusers' errors for a bad config or file are of many types
        first = (str(err).strip().splitlines() or [type(err).__name__])[0]
        raise ZspaceError(f"{directory}: diffusers could not load an AutoencoderKL from it "
                          f"({type(err).__name__}: {first}); give a folder written by save_pretrained") from None
    problems = {key: info.get(key) or [] for key in ("missing_keys", "unexpected_keys", "mismatched_keys")}
    if any(problems.values()):
        detail = "; ".join(f"{len(v)} {k.replace('_', ' ')} (e.g. {v[0]})" for k, v in problems.items() if v)
        raise ZspaceError(f"{directory / DIFFUSERS_WEIGHTS}: weights do not match its config.json ({detail}); "
                          "save the model again with save_pretrained")
    return network


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return f"sha256:{digest.hexdigest()}"


def load_weights(network: nn.Module, path: Path, origin: str = "the imported model") -> None:
    """Load a safetensors file into ``network`` strictly; a mismatch names the missing / unexpected keys."""

    if not path.is_file():
        raise ZspaceError(f"weights {path}: file not found; check the path", options="weights")
    load_state_into(network, read_safetensors(path), str(path), against=f"{origin} ({type(network).__name__})",
                    fix="give the weights saved from this model's state_dict", options=("weights",))


def save_state(network: nn.Module, path: Path) -> None:
    """The module's state_dict as safetensors (tied tensors cloned: safetensors refuses shared memory)."""


    tensors = {key: value.detach().cpu().clone().contiguous() for key, value in network.state_dict().items()}
    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp), metadata={"format": "pt"})


@dataclass(frozen=True)
class ImportRecord:
    """config.json of an imported run (key ``imported``): how to rebuild the model, and what it was at import."""

    factory: str
    kind: str  # "file", "module" or "diffusers"
    input_range: str
    latent_shape: tuple[int, ...]
    image_shape: tuple[int, int, int]
    variational: bool
    data: str  # the image cache it was imported against (absolute)
    data_checksum: str = ""
    path: str | None = None  # file: the .py file
    module: str | None = None  # module: its importable name
    function: str | None = None
    directory: str | None = None  # diffusers: the save_pretrained folder
    weights: str | None = None  # the safetensors file zspace loads into the module; relative: inside the run
    checksums: dict[str, str] = field(default_factory=dict)  # file -> sha256 of every file the weights come from

    def to_factory(self) -> Factory:
        if self.kind == DIFFUSERS:
            return Factory(directory=self.directory)
        return Factory(code=CodeSpec(self.function or "", path=self.path, module=self.module))

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["latent_shape"], out["image_shape"] = list(self.latent_shape), list(self.image_shape)
        return out

    @classmethod
    def from_dict(cls, data: Any, origin: str) -> ImportRecord:
        names = {f.name for f in dataclasses.fields(cls)}
        required = {f.name for f in dataclasses.fields(cls)
                    if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
        if not isinstance(data, dict) or not required <= set(data) or not set(data) <= names:
            found = sorted(data) if isinstance(data, dict) else type(data).__name__
            raise ZspaceError(f"{origin}: not a valid import record (keys {found}; needs {sorted(required)}); "
                              "import the model again")
        try:
            record = cls(**{**data, "latent_shape": tuple(int(n) for n in data["latent_shape"]),
                            "image_shape": tuple(int(n) for n in data["image_shape"])})
        except (TypeError, ValueError) as err:
            raise ZspaceError(f"{origin}: not a valid import record ({err}); import the model again") from None
        if record.kind not in ("file", "module", DIFFUSERS) or len(record.image_shape) != 3:
            raise ZspaceError(f"{origin}: not a valid import record (kind {record.kind!r}, image shape "
                              f"{record.image_shape}); import the model again")
        check_input_range(record.input_range)
        return record


def _resolve(run_path: Path, name: str) -> Path:
    return Path(name) if Path(name).is_absolute() else run_path / name


def verify_checksums(record: ImportRecord, run_path: Path) -> None:
    """One error for a file of the model that is gone or changed since the import."""
    for name, expected in record.checksums.items():
        path = _resolve(run_path, name)
        if not path.is_file():
            raise ZspaceError(f"{path}: not found, and the model of {run_path} was imported with it; "
                              "restore the file, or import the model again into a new run")
        if sha256_file(path) != expected:
            raise ZspaceError(f"{path}: changed since the model of {run_path} was imported (its sha256 differs), "
                              "so the run's latents no longer belong to it; restore the file, or import the model "
                              "again into a new run")


def open_imported(record: ImportRecord, run_path: Path, device: str | torch.device = "cpu") -> ImportedModel:
    """The imported model of a run, rebuilt from its record, on ``device``, in eval mode."""
    verify_checksums(record, run_path)
    network = build_network(record.to_factory())
    if record.weights is not None:
        load_weights(network, _resolve(run_path, record.weights))
    model = ImportedModel(network, record.input_range, record.latent_shape, record.image_shape, record.variational)
    return model.to(device).eval()
