"""Run-level generation: what ``zspace generate`` calls.

Each function opens a :class:`~zspace.run.Run` (model + latents), samples or
builds latent points, decodes them in batches and writes arrays, grids and
``generate.json`` into ``out``. The output folder is written whole: a new
folder replaces an old one only with ``force``, and a reader never sees old
files beside new ones (:func:`zspace.io.replace_folder`). Fitted samplers are
fitted on the run's train-split latents and cached in ``RUN/samplers``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from zspace.errors import ZspaceError
from zspace.generate.attributes import attribute_direction, attribute_values
from zspace.generate.paths import component_axis, interpolate, parse_traversal, principal_axis, traverse
from zspace.generate.sharpen import sharpen, sharpen_rows
from zspace.generate.sweep import sweep_points, value_label
from zspace.io import create_npy, load_npy, replace_folder, save_json, save_npy
from zspace.models.inference import decode
from zspace.models.protocol import latent_dim
from zspace.progress import Progress
from zspace.report.grids import image_grid, labelled_rows, save_image
from zspace.resources import check_room
from zspace.run import Run
from zspace.samplers import Sampler, parse_sampler, parse_sweep
from zspace.samplers.persist import fit_cached, slug

MARKER = "generate.json"  # every generate output folder has one: it says how the folder was made
SAMPLE_BATCH = 65_536  # latent points drawn, written and decoded at a time


@dataclass
class GenerateResult:
    """What a generate call wrote: named files, the latent points, and whether the fit came from the cache."""

    out: Path
    files: dict[str, Path] = field(default_factory=dict)
    z: np.ndarray | None = None
    reused_fit: bool | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Decoding:
    """How to turn latent points into pictures: batches, device, sharpening, grid layout."""

    batch_size: int = 256
    device: str = "cpu"
    sharpen: float | None = None
    columns: int = 7
    scale: int = 2
    grid_limit: int = 196  # images drawn in grid.png at most; z.npy always holds every sample
    progress: Progress | None = None

    def images(self, model: Any, z: np.ndarray) -> np.ndarray:
        images = decode(model, z, self.batch_size, self.device, self.progress)
        return sharpen(images, self.sharpen) if self.sharpen is not None else images


def _open(run: str | os.PathLike | Run) -> Run:
    return (run if isinstance(run, Run) else Run(run)).require()


def fitted_sampler(run: Run, sampler: Sampler, latent_dim: int) -> tuple[Sampler, bool | None, list[str]]:
    """Fit ``sampler`` on the run's latents of its split (cached in RUN/samplers when writable).

    Returns (sampler, True/False when the fit was reused/made, None for a data-free sampler, notes).
    """
    sampler.validate()  # a bad parameter is refused before the latents are read
    if not sampler.needs_fit:
        return sampler.with_dim(latent_dim), None, []
    latents = run.latents()
    if latents.dim != latent_dim:
        raise ZspaceError(f"{run.latents_file} has dim {latents.dim}, the model {latent_dim}; "
                          "re-encode the run, replacing its latents (encode with force)")
    vectors = run.fit_vectors(sampler.fit_split)
    try:
        fitted, reused = fit_cached(sampler, vectors, run.samplers_dir)
        return fitted, reused, []
    except OSError as err:  # a read-only run folder (or a full disk): fit without the cache, and say so
        reason = err.strerror or type(err).__name__
        note = (f"{run.samplers_dir}: cannot be written ({reason}); the fitted {sampler.spec} sampler "
                "was not cached and will be fitted again next time")
        return (sampler if sampler.is_fitted else sampler.fit(vectors)), False, [note]


def default_out(run: str | os.PathLike | Run, mode: str, spec: str) -> Path:
    """RUN/samples/<mode>-<spec as a file name>: where generate writes when no folder is given.

    The report finds every generate output of a run there (each folder has its generate.json).
    """
    run = run if isinstance(run, Run) else Run(run)
    name = slug(spec) if mode == "sample" else f"{mode}-{slug(spec)}"
    return run.samples_dir / name


def _write_grid(images: np.ndarray, path: Path, decoding: Decoding) -> Path:
    save_image(image_grid(images, columns=decoding.columns, scale=decoding.scale), path)
    return path


def _finish(result: GenerateResult, tmp: Path, info: dict[str, Any]) -> GenerateResult:
    """Write generate.json into the folder being built; point the result's files at their final place."""
    save_json(tmp / MARKER, {**info, "files": {k: str(p.relative_to(tmp)) for k, p in result.files.items()},
                             "notes": result.notes})
    result.files = {k: result.out / p.relative_to(tmp) for k, p in result.files.items()}
    result.files["generate.json"] = result.out / MARKER
    return result


def _check_room(out: Path, count: int, dim: int) -> None:
    """Refuse up front a z.npy the disk cannot hold, rather than failing half-way."""
    check_room(count * dim * 4, f"{count:,} samples: their z.npy", "draw fewer samples", disk=out,
               options=("num_samples",))


def _sample_to_file(sampler: Sampler, count: int, seed: int, path: Path) -> np.ndarray:
    """Draw ``count`` points in batches from one seeded generator, straight into the memmapped ``path``."""
    rng = np.random.default_rng(seed)
    z = create_npy(path, (count, sampler.dim_), np.float32)
    for start in range(0, count, SAMPLE_BATCH):
        z[start : start + SAMPLE_BATCH] = sampler.sample(min(SAMPLE_BATCH, count - start), rng)
    z.flush()
    return z


def generate_samples(run: str | os.PathLike | Run, spec: str, out: str | os.PathLike, num_samples: int = 28,
                     seed: int = 0, save_images: bool = False, decoding: Decoding | None = None,
                     force: bool = False) -> GenerateResult:
    """Sample ``num_samples`` points (seeded), decode: out/z.npy, grid.png, [images/*.png], [sharpen.png].

    Every sample goes to z.npy (streamed, any count the disk holds); grid.png shows the first
    ``decoding.grid_limit``; ``save_images`` decodes and writes every sample as its own PNG.
    """
    decoding = decoding or Decoding()
    if num_samples < 1:
        raise ZspaceError(f"num_samples={num_samples} is not allowed; it must be an integer >= 1")
    run = _open(run)
    sampler = parse_sampler(spec)
    model = run.model(decoding.device)
    sampler, reused, notes = fitted_sampler(run, sampler, latent_dim(model))
    result = GenerateResult(Path(out), reused_fit=reused, notes=notes)
    _check_room(result.out, num_samples, sampler.dim_)
    with replace_folder(result.out, force, MARKER) as tmp:
        z = _sample_to_file(sampler, num_samples, seed, tmp / "z.npy")
        shown = min(num_samples, decoding.grid_limit)
        if shown < num_samples:
            result.notes.append(f"grid.png shows the first {shown} of {num_samples} samples; z.npy holds all")
        raw = decode(model, z[:shown], decoding.batch_size, decoding.device, decoding.progress)
        images = sharpen(raw, decoding.sharpen) if decoding.sharpen is not None else raw
        result.files["grid"] = _write_grid(images, tmp / "grid.png", decoding)
        if decoding.sharpen is not None:  # S18: the raw decode beside PIL sharpness 0 (its blur), 3 and 6
            first = raw[: decoding.columns]
            rows = [("raw decode", first), *sharpen_rows(first)]
            picture = labelled_rows(rows, scale=decoding.scale, title=f"{sampler.spec}: sharpening (PIL factor)")
            save_image(picture, tmp / "sharpen.png")
            result.files["sharpen"] = tmp / "sharpen.png"
        if save_images:
            _save_each(model, z, tmp / "images", decoding)
            result.files["images"] = tmp / "images"
        del z
        _finish(result, tmp, {"run": str(run.path.resolve()), "mode": "sample", "sampler": sampler.spec,
                              "seed": seed, "num_samples": num_samples, "sharpen": decoding.sharpen})
    result.z = load_npy(result.out / "z.npy", mmap=True)
    return result


def _save_each(model: Any, z: np.ndarray, folder: Path, decoding: Decoding) -> None:
    """One PNG per sample, decoded a batch at a time so memory stays flat for any count."""
    width = max(4, len(str(len(z) - 1)))
    for start in range(0, len(z), SAMPLE_BATCH):
        for i, image in enumerate(decoding.images(model, z[start : start + SAMPLE_BATCH]), start):
            save_image(image_grid(image[None], columns=1, padding=0), folder / f"{i:0{width}d}.png")


def generate_sweep(run: str | os.PathLike | Run, spec: str, out: str | os.PathLike, num_samples: int = 14,
                   seed: int = 0, decoding: Decoding | None = None, force: bool = False) -> GenerateResult:
    """S17: one grid per value of the swept parameter (grid_<key>-<value>.png) and sweep.png with labelled rows."""
    decoding = decoding or Decoding()
    if num_samples < 1:
        raise ZspaceError(f"num_samples={num_samples} is not allowed; it must be an integer >= 1")
    run = _open(run)
    key, samplers = parse_sweep(spec)
    model = run.model(decoding.device)
    fitted, notes = [], []
    for value, sampler in samplers:
        sampler, _reused, sampler_notes = fitted_sampler(run, sampler, latent_dim(model))
        fitted.append((value, sampler))
        notes += [n for n in sampler_notes if n not in notes]
    points = sweep_points(fitted, num_samples, seed)
    result = GenerateResult(Path(out), z=np.stack([z for _value, z in points]), notes=notes)  # (values, n, d)
    with replace_folder(result.out, force, MARKER) as tmp:
        save_npy(tmp / "z.npy", result.z)
        rows: list[tuple[str, np.ndarray]] = []
        for value, z in points:
            images = decoding.images(model, z)
            name = f"grid_{key}-{value:g}.png" if isinstance(value, float) else f"grid_{key}-{value}.png"
            result.files[value_label(key, value)] = _write_grid(images, tmp / name, decoding)
            rows.append((value_label(key, value), images))
        save_image(labelled_rows(rows, scale=decoding.scale, title=f"sweep {spec}"), tmp / "sweep.png")
        result.files["sweep"] = tmp / "sweep.png"
        _finish(result, tmp, {"run": str(run.path.resolve()), "mode": "sweep", "sweep": spec, "seed": seed,
                              "num_samples": num_samples, "values": [v for v, _s in samplers]})
    return result


def chosen_faces(run: Run, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``count`` held-out encodings picked with ``seed``: (row numbers, (count, d) vectors)."""
    rows = run.heldout_rows()
    if count < 1 or count > len(rows):
        raise ZspaceError(f"num_faces={count} is not allowed; choose 1 ... {len(rows)} held-out rows")
    picked = np.sort(np.random.default_rng(seed).choice(rows, size=count, replace=False))
    return picked, np.asarray(run.latents().vectors[picked], np.float32)


def _rows_figure(model: Any, z: np.ndarray, labels: list[str], decoding: Decoding, title: str,
                 column_labels: list[str]) -> Any:
    """z (r, m, d) -> labelled rows picture of the decoded points, with a title and column labels."""
    channels, height, width = model.image_shape
    images = decoding.images(model, z.reshape(-1, z.shape[-1]))
    images = images.reshape(*z.shape[:2], height, width, channels)
    return labelled_rows(list(zip(labels, images, strict=True)), scale=decoding.scale, title=title,
                         column_labels=column_labels)


def _signed(values: tuple[float, ...]) -> list[str]:
    return [f"{v:+g}" if v else "0" for v in values]


def _moved_faces(run: str | os.PathLike | Run, out: str | os.PathLike, name: str, decoding: Decoding | None,
                 force: bool, make: Callable[[Run], tuple[np.ndarray, dict[str, np.ndarray], dict[str, Any]]],
                 num_faces: int, seed: int, offsets: tuple[float, ...], title: str) -> GenerateResult:
    """Shared by attribute and traversal: chosen faces moved by ``offsets`` along a direction ``make`` builds."""
    decoding = decoding or Decoding()
    run = _open(run)
    model = run.model(decoding.device)
    direction, arrays, info = make(run)
    rows, faces = chosen_faces(run, num_faces, seed)
    z = traverse(faces, direction, np.asarray(offsets, np.float32))  # (faces, offsets, d)
    result = GenerateResult(Path(out), z=z)
    with replace_folder(result.out, force, MARKER) as tmp:
        save_npy(tmp / "z.npy", z)
        for key, array in arrays.items():
            save_npy(tmp / f"{key}.npy", array)
        picture = _rows_figure(model, z, [f"row {r}" for r in rows], decoding, title, _signed(offsets))
        save_image(picture, tmp / f"{name}.png")
        result.files[name] = tmp / f"{name}.png"
        _finish(result, tmp, {"run": str(run.path.resolve()), "mode": name, **info, "offsets": list(offsets),
                              "rows": rows.tolist(), "seed": seed})
    return result


def generate_attribute(run: str | os.PathLike | Run, attribute: str, out: str | os.PathLike,
                       factors: tuple[float, ...] = (-4, -2, 0, 2, 4), num_faces: int = 5, seed: int = 0,
                       decoding: Decoding | None = None, force: bool = False) -> GenerateResult:
    """z_face + f * v_attribute for chosen held-out faces (rows) and factors (columns): attribute.png.

    ``attribute`` names a numeric index column (``glasses``) or one class of a categorical
    one against the rest (``label=Sneaker``).
    """
    def make(opened: Run) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, Any]]:
        name, values = attribute_values(opened.latents().index, attribute)
        rows = opened.fit_rows("train")
        direction = attribute_direction(opened.fit_vectors("train"), np.asarray(values)[rows], name)
        return direction, {"direction": direction}, {"attribute": name,
                                                     "direction_norm": float(np.linalg.norm(direction))}

    title = f"attribute {attribute}: z + f * v (columns: f; v from the train split)"
    return _moved_faces(run, out, "attribute", decoding, force, make, num_faces, seed, factors, title)


def generate_traversal(run: str | os.PathLike | Run, spec: str, out: str | os.PathLike,
                       offsets: tuple[float, ...] = (-3, -2, -1, 0, 1, 2, 3), num_faces: int = 5, seed: int = 0,
                       decoding: Decoding | None = None, force: bool = False) -> GenerateResult:
    """Move chosen faces along a latent component or principal axis, in steps of its standard deviation."""
    kind, number = parse_traversal(spec)

    def make(opened: Run) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, Any]]:
        train = opened.fit_vectors("train")
        axis = component_axis(train, number) if kind == "component" else principal_axis(train, number)
        return axis, {"axis": axis}, {"traverse": spec, "axis_std": float(np.linalg.norm(axis))}

    what = f"component {number}" if kind == "component" else f"principal axis {number}"
    title = f"traverse {what} (columns: steps of its standard deviation)"
    return _moved_faces(run, out, "traverse", decoding, force, make, num_faces, seed, offsets, title)


def generate_interpolation(run: str | os.PathLike | Run, row_a: int, row_b: int, out: str | os.PathLike,
                           steps: int = 9, decoding: Decoding | None = None, force: bool = False) -> GenerateResult:
    """Linear and spherical paths between the encodings of rows a and b: interpolate.png (two rows)."""
    decoding = decoding or Decoding()
    run = _open(run)
    model = run.model(decoding.device)
    latents = run.latents()
    count = len(latents.vectors)
    for row in (row_a, row_b):
        if not 0 <= row < count:
            raise ZspaceError(f"row {row} does not exist; choose rows 0 ... {count - 1} to interpolate between")
    a, b = np.asarray(latents.vectors[row_a]), np.asarray(latents.vectors[row_b])
    z = np.stack([interpolate(a, b, steps, "linear"), interpolate(a, b, steps, "spherical")])  # (2, steps, d)
    result = GenerateResult(Path(out), z=z)
    with replace_folder(result.out, force, MARKER) as tmp:
        save_npy(tmp / "z.npy", z)
        t = [f"{v:.2g}" for v in np.linspace(0, 1, steps)]
        picture = _rows_figure(model, z, ["linear", "spherical"], decoding,
                               f"row {row_a} -> row {row_b} (columns: t)", t)
        save_image(picture, tmp / "interpolate.png")
        result.files["interpolate"] = tmp / "interpolate.png"
        _finish(result, tmp, {"run": str(run.path.resolve()), "mode": "interpolate", "rows": [row_a, row_b],
                              "steps": steps})
    return result
