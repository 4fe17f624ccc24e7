"""Decoded samples (S16-S18, S20) and reconstructions (S19)."""

from __future__ import annotations

import numpy as np

from zspace.errors import ZspaceError
from zspace.models.inference import reconstruct
from zspace.report.embed import embed_array
from zspace.report.grids import image_grid
from zspace.report.sections.base import Aligned, Column, RunView

PICTURES = ("sweep.png", "grid.png", "sharpen.png", "attribute.png", "traverse.png", "interpolate.png")


def _describe(info: dict) -> str:
    mode = info.get("mode", "sample")
    if mode == "sample":
        return (f"{info.get('num_samples')} points from the {info.get('sampler')} sampler (seed {info.get('seed')})"
                + (f", sharpened with factor {info['sharpen']:g}" if info.get("sharpen") else ""))
    if mode == "sweep":
        return f"the sweep {info.get('sweep')}: one row per value, the same seed in every row"
    if mode == "attribute":
        return f"held-out images moved along the attribute vector of {info.get('attribute')}"
    if mode == "traverse":
        return f"held-out images moved along {info.get('traverse')}"
    if mode == "interpolate":
        return f"linear and spherical paths between rows {info.get('rows')}"
    return mode


MODES = ("sample", "sweep", "attribute", "traverse", "interpolate")


def _kind(info: dict) -> tuple[str, str, tuple]:
    """(key, title, order) of a generate output: what it shows, so the same kind of two runs lines up."""
    mode = info.get("mode", "sample")
    rank = MODES.index(mode) if mode in MODES else len(MODES)
    if mode == "sample":
        sampler = str(info.get("sampler"))
        sharpen = f", sharpened x{info['sharpen']:g}" if info.get("sharpen") else ""
        title = ("N(0, I): the prior (sampler normal)" if sampler == "normal" else f"sampler {sampler}") + sharpen
        return f"sample {sampler}{sharpen}", title, (rank, 0 if sampler == "normal" else 1, sampler + sharpen)
    what = str(info.get(mode) if mode in ("sweep", "attribute", "traverse") else info.get("rows", ""))
    return f"{mode} {what}", f"{mode} {what}", (rank, 0, what)


def sample_section(view: RunView) -> Column:
    """Every generate output of the run, one aligned row per kind (N(0, I) first), so two runs line up."""
    column = Column()
    folders = view.sample_folders
    if not folders:
        column.missing = ("samples of a sampler (normal, a sweep of uniform:b=0.5,1,2,3,5, gmm:k=10, ...) "
                          "generated into RUN/samples/, where the report finds them")
        column.missing_key = "samples"
        return column
    column.paragraphs.append(f"{len(folders)} generate output(s) in {view.run.samples_dir.name}/.")
    keys: set[str] = set()
    for folder, info in folders:
        key, title, order = _kind(info)
        repeat = sum(k == key or k.startswith(f"{key} #") for k in keys)
        if repeat:  # a second output of the same kind (another seed): its own row
            key, title, order = f"{key} #{repeat + 1}", f"{title} (#{repeat + 1})", (*order, repeat)
        keys.add(key)
        item = Aligned(key, title, order)
        for name in PICTURES:
            picture = view.picture(folder / name, f"{folder.name}: {_describe(info)}.")
            if picture is not None:
                item.pictures.append(picture)
        item.paragraphs.extend(f"{folder.name}: {note}" for note in info.get("notes", []))
        column.aligned.append(item)
    column.aligned.sort(key=lambda item: item.order)
    return column


def reconstruction_section(view: RunView, count: int = 8) -> Column:
    """Held-out images and their reconstructions by this run (decode of the encoder mean)."""
    column = Column()
    if not view.has_model:
        column.missing = "zspace train (reconstructions need the run's model; this folder has none)"
        return column

    try:
        cache = view.run.cache()
        rows = cache.rows("val") if "split" in cache.index else np.arange(len(cache))
        rows = (rows if len(rows) else np.arange(len(cache)))[:count]
        originals = np.asarray(cache.images[rows])
        rebuilt = reconstruct(view.run.model(), originals)
    except ZspaceError as err:
        column.missing = f"the training images are not readable ({err})"
        return column
    error = np.abs(originals.astype(np.float32) - rebuilt.astype(np.float32)).mean() / 255
    column.paragraphs.append(f"Top: {len(rows)} held-out images; bottom: their reconstructions (mean absolute "
                             f"pixel error {100 * error:.1f} % of the range).")
    grid = image_grid(np.concatenate([originals, rebuilt]), columns=len(rows), scale=2)
    column.pictures.append(embed_array(np.asarray(grid), "Originals (top) and reconstructions (bottom)."))
    return column
