"""``import_model()``: a user's trained autoencoder into an ordinary run folder (``zspace import``).

The factory (models/factory.py) builds the network, ``weights`` (safetensors) are loaded into
it strictly, and a few images of the cache are encoded and decoded to find the latent shape and
to check the model against the cache: its decode must give the cache's image shape. Then the
run folder is written whole::

    RUN/
      config.json          {"imported": ImportRecord}: the factory, weights + sha256, range, shapes
      model.safetensors    only when the factory made its own weights (random or loaded by its code):
                           the weights the run's latents will be made with

From there every stage works on it as on a trained run (``Run.model`` rebuilds it). Bad input
is refused before anything is written; a reconstruction far worse than a flat grey image,
which a wrong input range gives, is a warning: the import is kept, the warning says why.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import torch
from torch import nn

from zspace.data.cache import ImageCache, open_cache
from zspace.data.loader import to_model_input
from zspace.devices import resolve_device
from zspace.errors import ZspaceError
from zspace.io import check_output, replace_folder, save_json
from zspace.models.factory import (
    DIFFUSERS,
    DIFFUSERS_CONFIG,
    DIFFUSERS_WEIGHTS,
    Factory,
    ImportRecord,
    build_network,
    load_weights,
    parse_factory,
    save_state,
    sha256_file,
)
from zspace.models.imported import INPUT_RANGES, ImportedModel, check_input_range, decoder_output, encoder_output
from zspace.models.inference import model_device, reconstruct
from zspace.run import Run
from zspace.usercode import call_user_function

PROBE_IMAGES = 8  # encoded and decoded at import: the shapes, and the reconstruction error


@dataclass
class ImportResult:
    """What an import wrote, and how well the model reconstructs the probe images (mean |error| in [0, 1])."""

    run: Run
    record: ImportRecord
    reconstruction_error: float
    flat_error: float  # a flat image of the probe images' mean colour: what any useful model beats
    warnings: list[ZspaceError] = field(default_factory=list)


def _probe_images(cache: ImageCache, count: int) -> np.ndarray:
    """The first ``count`` validation images (any rows when the cache has no validation split)."""
    rows = cache.rows("val") if "split" in cache.index else np.arange(len(cache))
    rows = rows if len(rows) else np.arange(len(cache))
    return np.asarray(cache.images[rows[:count]])


@torch.no_grad()
def _probe(network: nn.Module, factory: Factory, input_range: str, images: np.ndarray,
           image_shape: tuple[int, int, int]) -> tuple[tuple[int, ...], bool]:
    """(latent shape, variational) of the network, from encoding ``images``; its decode must fit them."""
    probe = ImportedModel(network, input_range, (1,), image_shape, False)  # its input conversion only
    x = probe.to_network(to_model_input(torch.from_numpy(images)).to(model_device(network)))
    shape = f"images of shape {tuple(x.shape)} (n, C, H, W)"
    mean, logvar = encoder_output(call_user_function(network.encode, f"{factory}: encode of {shape}", x),
                                  type(network).__name__)
    if mean.ndim < 2 or mean.shape[0] != len(images):
        raise ZspaceError(f"{factory}: encode gave a mean of shape {tuple(mean.shape)} for {shape}; "
                          "it must give one latent per image, (n, *latent_shape)")
    if logvar is not None and logvar.shape != mean.shape:
        raise ZspaceError(f"{factory}: encode gave a log-variance of shape {tuple(logvar.shape)} beside a mean of "
                          f"shape {tuple(mean.shape)}; they must have the same shape")
    decoded = decoder_output(call_user_function(network.decode, f"{factory}: decode of its latents", mean),
                             type(network).__name__)
    if tuple(decoded.shape) != tuple(x.shape):
        raise ZspaceError(f"{factory}: decode gave images of shape {tuple(decoded.shape)} for the cache's "
                          f"{shape}; give the image cache of the size the model makes", options="data")
    return tuple(int(n) for n in mean.shape[1:]), logvar is not None


def _error(model: ImportedModel, images: np.ndarray) -> float:
    rebuilt = reconstruct(model, images, batch_size=len(images))
    return float(np.abs(images.astype(np.float32) - rebuilt.astype(np.float32)).mean() / 255.0)


def _range_warnings(model: ImportedModel, images: np.ndarray, error: float, flat: float) -> list[ZspaceError]:
    """A warning when the reconstruction is worse than a flat image: the other input range, if it does better."""
    if error <= flat:
        return []
    other = next(r for r in INPUT_RANGES if r != model.input_range)
    other_error = _error(ImportedModel(model.network, other, model.latent_shape, model.image_shape,
                                       model.variational), images)
    if other_error < 0.5 * error:
        return [ZspaceError(f"reconstruction error {error:.3f} with input range {model.input_range} is worse than a "
                            f"flat image's ({flat:.3f}), and {other_error:.3f} with input range {other}: the model "
                            f"probably takes images in [{other}]; import it again with that input range",
                            options="input_range")]
    return [ZspaceError(f"reconstruction error {error:.3f} is worse than a flat image's ({flat:.3f}) with either "
                        "input range; is the model trained, and on images like these?", options="weights")]


def import_model(factory: str, data: str | os.PathLike, out: str | os.PathLike,
                 weights: str | os.PathLike | None = None, input_range: str | None = None, force: bool = False,
                 device: str = "cpu", probe_count: int = PROBE_IMAGES) -> ImportResult:
    """Import the model ``factory`` builds (weights from ``weights`` when given) into the run folder ``out``.

    ``input_range``: "0,1" or "-1,1", the range of the images the model takes (default: "-1,1" for a
    diffusers folder, "0,1" for the user's code). ``data`` is the image cache the model is checked
    against, and the one the run's later stages use by default.
    """
    parsed = parse_factory(factory)
    input_range = check_input_range(input_range or parsed.default_input_range)
    device = resolve_device(device)
    if probe_count < 1:
        raise ZspaceError(f"probe_count={probe_count} is not allowed; it must be an integer >= 1")
    cache = open_cache(data)
    check_output(out, force, Run.CONFIG)  # refused before the user's code runs
    weights_file = Path(weights).expanduser().resolve() if weights is not None else None
    if weights_file is not None and not weights_file.is_file():
        raise ZspaceError(f"weights {weights_file}: file not found; check the path", options="weights")

    network = build_network(parsed)
    if weights_file is not None:
        load_weights(network, weights_file)
    network = network.to(device).eval()
    images = _probe_images(cache, probe_count)
    image_shape = (cache.channels, cache.image_size, cache.image_size)
    latent_shape, variational = _probe(network, parsed, input_range, images, image_shape)
    model = ImportedModel(network, input_range, latent_shape, image_shape, variational)
    error = _error(model, images)
    flat = float(np.abs(images - images.reshape(-1, cache.channels).mean(0)).mean() / 255.0)
    warnings = _range_warnings(model, images, error, flat)

    code = parsed.code
    checksums = {} if weights_file is None else {str(weights_file): sha256_file(weights_file)}
    if parsed.kind == DIFFUSERS:
        for name in (DIFFUSERS_CONFIG, DIFFUSERS_WEIGHTS):
            checksums[str(Path(parsed.directory) / name)] = sha256_file(Path(parsed.directory) / name)
    record = ImportRecord(
        factory=str(parsed), kind=parsed.kind, input_range=input_range, latent_shape=latent_shape,
        image_shape=image_shape, variational=variational, data=str(cache.path.resolve()),
        data_checksum=str(cache.meta.get("checksum", "")), path=code.path if code else None,
        module=code.module if code else None, function=code.function if code else None,
        directory=parsed.directory, weights=str(weights_file) if weights_file else None, checksums=checksums)
    with replace_folder(out, force, Run.CONFIG) as tmp:
        if weights_file is None and parsed.kind != DIFFUSERS:  # the factory's own weights: keep them
            save_state(network, tmp / Run.MODEL)
            record = replace(record, weights=Run.MODEL, checksums={Run.MODEL: sha256_file(tmp / Run.MODEL)})
        save_json(tmp / Run.CONFIG, {Run.IMPORTED: record.to_dict()})
    return ImportResult(Run(out), record, error, flat, warnings)
