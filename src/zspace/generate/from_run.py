"""Run-level generation: what ``zspace generate`` and ``zspace compare`` call.

Each function reads a run folder (model + latents.npy), samples or builds
latent points, decodes them in batches and writes arrays and grids to ``out``
(atomic writes). Fitted samplers are fitted on the run's train-split latents
and cached in ``RUN/samplers`` (see :mod:`zspace.generate.sampler_cache`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from zspace.errors import ZspaceError
from zspace.generate.attributes import attribute_direction, numeric_columns
from zspace.generate.panels import labelled_rows
from zspace.generate.paths import component_axis, interpolate, parse_traversal, principal_axis, traverse
from zspace.generate.sampler_cache import fit_cached
from zspace.generate.sharpen import sharpen, sharpen_rows
from zspace.generate.sweep import sweep_points, value_label
from zspace.generation import decode, image_grid, save_image
from zspace.io import save_json, save_npy
from zspace.latents import LATENTS_FILE, LatentSet, load_latents
from zspace.models.autoencoder import Autoencoder
from zspace.samplers import Sampler, parse_sampler, parse_sweep
from zspace.training.checkpoint import load_model

SAMPLER_FOLDER = "samplers"
Progress = Callable[[int], None] | None


@dataclass
class GenerateResult:
    """What a generate call wrote: named files, the latent points, and whether the fit came from the cache."""

    out: Path
    files: dict[str, Path] = field(default_factory=dict)
    z: np.ndarray | None = None
    reused_fit: bool | None = None


@dataclass
class Decoding:
    """How to turn latent points into pictures: batches, device, sharpening, grid layout."""

    batch_size: int = 256
    device: str = "cpu"
    sharpen: float | None = None
    columns: int = 7
    scale: int = 2
    progress: Progress = None

    def images(self, model: Autoencoder, z: np.ndarray) -> np.ndarray:
        images = decode(model, z, self.batch_size, self.device, self.progress)
        return sharpen(images, self.sharpen) if self.sharpen is not None else images


def run_latents(run: str | os.PathLike) -> LatentSet:
    """The run's latents with their index; a clear error when 'zspace encode' has not been run."""
    run = Path(run)
    if not (run / LATENTS_FILE).is_file():
        raise ZspaceError(f"{run / LATENTS_FILE}: not found; run 'zspace encode {run}' first")
    return load_latents(run)


def split_vectors(latents: LatentSet, split: str, run: str | os.PathLike) -> np.ndarray:
    if "split" not in latents.index:
        raise ZspaceError(f"{run}: latents.json names no image cache with a split column; re-run 'zspace encode'")
    vectors = np.asarray(latents.split(split), dtype=np.float32)
    if len(vectors) == 0:
        raise ZspaceError(f"{run}: no latents in the {split!r} split; choose a sampler that uses another split")
    return vectors


def fitted_sampler(run: str | os.PathLike, sampler: Sampler, latents: LatentSet | None,
                   latent_dim: int) -> tuple[Sampler, bool | None]:
    """Fit ``sampler`` on the run's latents of its split (cached), or just set the dim of a data-free one."""
    if not sampler.needs_fit:
        return sampler.with_dim(latent_dim), None
    latents = latents if latents is not None else run_latents(run)
    if latents.dim != latent_dim:
        raise ZspaceError(f"{run}/latents.npy has dim {latents.dim}, the model {latent_dim}; re-run 'zspace encode'")
    vectors = split_vectors(latents, sampler.fit_split, run)
    return fit_cached(sampler, vectors, Path(run) / SAMPLER_FOLDER)


def _write_grid(images: np.ndarray, path: Path, decoding: Decoding) -> Path:
    save_image(image_grid(images, columns=decoding.columns, scale=decoding.scale), path)
    return path


def generate_samples(run: str | os.PathLike, spec: str, out: str | os.PathLike, num_samples: int = 28,
                     seed: int = 0, save_images: bool = False, decoding: Decoding | None = None) -> GenerateResult:
    """Sample ``num_samples`` points (seeded), decode: out/z.npy, grid.png, [images/*.png], [sharpen.png]."""
    decoding = decoding or Decoding()
    if num_samples < 1:
        raise ZspaceError(f"--n {num_samples} is not allowed; it must be an integer >= 1")
    sampler = parse_sampler(spec)
    model = load_model(run, decoding.device)
    latents = run_latents(run) if sampler.needs_fit else None
    sampler, reused = fitted_sampler(run, sampler, latents, model.config.latent_dim)
    z = sampler.sample(num_samples, np.random.default_rng(seed))  # (n, d)
    result = GenerateResult(Path(out), z=z, reused_fit=reused)
    save_npy(result.out / "z.npy", z)
    raw = decode(model, z, decoding.batch_size, decoding.device, decoding.progress)
    images = sharpen(raw, decoding.sharpen) if decoding.sharpen is not None else raw
    result.files["grid"] = _write_grid(images, result.out / "grid.png", decoding)
    if decoding.sharpen is not None:  # S18: the same samples at sharpness 0, 3, 6
        shown = raw[: decoding.columns]
        picture = labelled_rows(sharpen_rows(shown), scale=decoding.scale)
        save_image(picture, result.out / "sharpen.png")
        result.files["sharpen"] = result.out / "sharpen.png"
    if save_images:
        for i, image in enumerate(images):
            save_image(image_grid(image[None], columns=1, padding=0), result.out / "images" / f"{i:04d}.png")
        result.files["images"] = result.out / "images"
    save_json(result.out / "generate.json", {"run": str(Path(run).resolve()), "sampler": sampler.spec,
                                             "seed": seed, "num_samples": num_samples, "sharpen": decoding.sharpen})
    return result


def generate_sweep(run: str | os.PathLike, spec: str, out: str | os.PathLike, num_samples: int = 14,
                   seed: int = 0, decoding: Decoding | None = None) -> GenerateResult:
    """S17: one grid per value of the swept parameter (grid_<key>-<value>.png) and sweep.png with labelled rows."""
    decoding = decoding or Decoding()
    key, samplers = parse_sweep(spec)
    model = load_model(run, decoding.device)
    latents = run_latents(run) if samplers[0][1].needs_fit else None
    fitted = [(value, fitted_sampler(run, s, latents, model.config.latent_dim)[0]) for value, s in samplers]
    points = sweep_points(fitted, num_samples, seed)
    result = GenerateResult(Path(out), z=np.stack([z for _value, z in points]))  # (values, n, d)
    save_npy(result.out / "z.npy", result.z)
    rows: list[tuple[str, np.ndarray]] = []
    for value, z in points:
        images = decoding.images(model, z)
        name = f"grid_{key}-{value:g}.png" if isinstance(value, float) else f"grid_{key}-{value}.png"
        result.files[value_label(key, value)] = _write_grid(images, result.out / name, decoding)
        rows.append((value_label(key, value), images))
    save_image(labelled_rows(rows, scale=decoding.scale), result.out / "sweep.png")
    result.files["sweep"] = result.out / "sweep.png"
    save_json(result.out / "generate.json", {"run": str(Path(run).resolve()), "sweep": spec, "seed": seed,
                                             "num_samples": num_samples, "values": [v for v, _s in samplers]})
    return result


def chosen_faces(latents: LatentSet, run: str | os.PathLike, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``count`` held-out encodings picked with ``seed``: (row numbers, (count, d) vectors)."""
    split = "val" if "split" in latents.index and np.any(latents.index["split"] == "val") else None
    rows = np.flatnonzero(latents.index["split"] == split) if split else np.arange(len(latents.vectors))
    if count < 1 or count > len(rows):
        raise ZspaceError(f"--rows {count} is not allowed; choose 1 ... {len(rows)} faces")
    picked = np.sort(np.random.default_rng(seed).choice(rows, size=count, replace=False))
    return picked, np.asarray(latents.vectors[picked], np.float32)


def _rows_figure(model: Autoencoder, z: np.ndarray, labels: list[str], decoding: Decoding) -> Any:
    """z (r, m, d) -> labelled rows picture of the decoded points."""
    images = decoding.images(model, z.reshape(-1, z.shape[-1])).reshape(*z.shape[:2], *_image_shape(model))
    return labelled_rows(list(zip(labels, images, strict=True)), scale=decoding.scale)


def _image_shape(model: Autoencoder) -> tuple[int, int, int]:
    return model.config.image_size, model.config.image_size, model.config.channels


def generate_attribute(run: str | os.PathLike, attribute: str, out: str | os.PathLike,
                       factors: tuple[float, ...] = (-4, -2, 0, 2, 4), num_faces: int = 5, seed: int = 0,
                       decoding: Decoding | None = None) -> GenerateResult:
    """z_face + f * v_attribute for chosen held-out faces (rows) and factors (columns): attribute.png."""
    decoding = decoding or Decoding()
    model = load_model(run, decoding.device)
    latents = run_latents(run)
    if attribute not in latents.index or attribute not in numeric_columns(latents.index):
        raise ZspaceError(f"attribute {attribute!r} is not a numeric column of the index; choose one of: "
                          f"{', '.join(numeric_columns(latents.index)) or 'none (the cache has no attributes)'}")
    train = np.asarray(latents.index["split"]) == "train" if "split" in latents.index else slice(None)
    direction = attribute_direction(np.asarray(latents.vectors)[train], latents.index[attribute][train], attribute)
    rows, faces = chosen_faces(latents, run, num_faces, seed)
    z = traverse(faces, direction, np.asarray(factors, np.float32))  # (faces, factors, d)
    result = GenerateResult(Path(out), z=z)
    save_npy(result.out / "z.npy", z)
    save_npy(result.out / "direction.npy", direction)
    labels = [f"row {r}" for r in rows]
    save_image(_rows_figure(model, z, labels, decoding), result.out / "attribute.png")
    result.files["attribute"] = result.out / "attribute.png"
    save_json(result.out / "generate.json", {"run": str(Path(run).resolve()), "attribute": attribute,
                                             "factors": list(factors), "rows": rows.tolist(), "seed": seed,
                                             "direction_norm": float(np.linalg.norm(direction))})
    return result


def generate_interpolation(run: str | os.PathLike, row_a: int, row_b: int, out: str | os.PathLike,
                           steps: int = 9, decoding: Decoding | None = None) -> GenerateResult:
    """Linear and spherical paths between the encodings of rows a and b: interpolate.png (two rows)."""
    decoding = decoding or Decoding()
    model = load_model(run, decoding.device)
    latents = run_latents(run)
    count = len(latents.vectors)
    for row in (row_a, row_b):
        if not 0 <= row < count:
            raise ZspaceError(f"--interpolate row {row} does not exist; choose rows 0 ... {count - 1}")
    a, b = np.asarray(latents.vectors[row_a]), np.asarray(latents.vectors[row_b])
    z = np.stack([interpolate(a, b, steps, "linear"), interpolate(a, b, steps, "spherical")])  # (2, steps, d)
    result = GenerateResult(Path(out), z=z)
    save_npy(result.out / "z.npy", z)
    save_image(_rows_figure(model, z, ["linear", "spherical"], decoding), result.out / "interpolate.png")
    result.files["interpolate"] = result.out / "interpolate.png"
    return result


def generate_traversal(run: str | os.PathLike, spec: str, out: str | os.PathLike,
                       offsets: tuple[float, ...] = (-3, -2, -1, 0, 1, 2, 3), num_faces: int = 5, seed: int = 0,
                       decoding: Decoding | None = None) -> GenerateResult:
    """Move chosen faces along a latent component or principal axis, in steps of its standard deviation."""
    decoding = decoding or Decoding()
    kind, number = parse_traversal(spec)
    model = load_model(run, decoding.device)
    latents = run_latents(run)
    train = split_vectors(latents, "train", run) if "split" in latents.index else np.asarray(latents.vectors)
    axis = component_axis(train, number) if kind == "component" else principal_axis(train, number)
    rows, faces = chosen_faces(latents, run, num_faces, seed)
    z = traverse(faces, axis, np.asarray(offsets, np.float32))
    result = GenerateResult(Path(out), z=z)
    save_npy(result.out / "z.npy", z)
    save_image(_rows_figure(model, z, [f"row {r}" for r in rows], decoding), result.out / "traverse.png")
    result.files["traverse"] = result.out / "traverse.png"
    return result
