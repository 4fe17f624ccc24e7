"""Decoded samples (S16-S18, S20) and reconstructions (S19)."""

from __future__ import annotations

import numpy as np

from zspace.report.embed import embed_array
from zspace.report.sections.base import Column, RunView

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


def sample_section(view: RunView) -> Column:
    column = Column()
    folders = view.sample_folders
    if not folders:
        column.missing = ("samples of a sampler (normal, a sweep of uniform:b=0.5,1,2,3,5, gmm:k=10, ...) "
                          "generated into RUN/samples/, where the report finds them")
        column.missing_key = "samples"
        return column
    column.paragraphs.append(f"{len(folders)} generate output(s) in {view.run.samples_dir.name}/.")
    for folder, info in folders:
        for name in PICTURES:
            picture = view.picture(folder / name, f"{folder.name}: {_describe(info)}.")
            if picture is not None:
                column.pictures.append(picture)
        for note in info.get("notes", []):
            column.paragraphs.append(f"{folder.name}: {note}")
    return column


def reconstruction_section(view: RunView, count: int = 8) -> Column:
    """Held-out images and their reconstructions by this run (decode of the encoder mean)."""
    column = Column()
    if not view.has_model:
        column.missing = "zspace train (reconstructions need the run's model; this folder has none)"
        return column
    from zspace.errors import ZspaceError
    from zspace.models.inference import reconstruct
    from zspace.report.grids import image_grid

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
