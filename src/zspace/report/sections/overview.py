"""Data and training: what the model saw, how it was trained, how the loss went."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from zspace.report.embed import embed_array
from zspace.report.grids import image_grid
from zspace.report.sections.base import Column, RunView, Table, plural


def _dataset(view: RunView) -> tuple[dict | None, Path | None]:
    imported = (view.model_config or {}).get("imported") or {}
    data = (view.train_config or {}).get("data") or imported.get("data") or (view.latents_meta or {}).get("data")
    if not data:
        return None, None
    try:
        return json.loads((Path(data) / "dataset.json").read_text(encoding="utf-8")), Path(data)
    except (OSError, ValueError):
        return None, Path(data)


def _training_sentence(view: RunView) -> str:
    history = view.history
    first, last = history[0], history[-1]
    key = "val_loss" if "val_loss" in last else "train_loss"
    start, end = first.get(key, float("nan")), last.get(key, float("nan"))
    drop = 100 * (start - end) / start if start else float("nan")
    trend = ""
    if len(history) >= 3:
        recent = history[-2].get(key, end) - end
        share = recent / (start - end) if start != end else 0.0
        trend = (" and was still falling in the last epoch, so more epochs would likely help" if share > 0.1
                 else " and had flattened by the last epoch")
    which = "validation" if key == "val_loss" else "training"
    sentence = (f"Over {plural(int(last['epoch']), 'epoch')} the {which} loss went from {start:,.1f} to "
                f"{end:,.1f} per image ({drop:.0f} % lower){trend}.")
    if last.get("train_kl", 0) > 0 and last.get("train_loss"):
        sentence += " " + _kl_sentence(last, (view.train_config or {}).get("kl_weight"))
    return sentence


def _kl_sentence(last: dict[str, float], kl_weight: float | None) -> str:
    """The KL term's share of the last training loss, which holds kl_weight x KL (training/losses.py)."""
    kl, loss = last["train_kl"], last["train_loss"]
    if kl_weight is None and "train_reconstruction" in last:  # no train_config.json: the loss says the weight
        kl_weight = (loss - last["train_reconstruction"]) / kl
    weight = 1.0 if kl_weight is None else float(kl_weight)
    weighted = weight * kl
    return (f"The KL term is {kl:,.2f} per image; weighted by {weight:g} it is {weighted:,.1f} of the last training "
            f"loss {loss:,.1f} ({100 * weighted / loss:.1f} %): the price the VAE pays to keep its codes near N(0, I).")


def _imported_sentence(name: str, record: dict) -> str:
    """What an imported model is: its factory, weights, shapes (config.json of 'zspace import')."""
    kind = "variational autoencoder (VAE)" if record.get("variational") else "plain autoencoder (AE)"
    shape = record.get("latent_shape") or []
    size = int(np.prod(shape)) if shape else "?"
    image = record.get("image_shape") or ["?"] * 3
    weights = f", weights {record['weights']}" if record.get("weights") else ""
    return (f"{name} is an imported {kind}: {record.get('factory')}{weights}; latent "
            f"{' x '.join(map(str, shape))} ({size} numbers per image, flattened for the analysis), "
            f"{image[1]}x{image[2]} px images with {image[0]} channel(s), input range [{record.get('input_range')}].")


def data_section(view: RunView) -> Column:
    column = Column()
    config, train = view.model_config or {}, view.train_config or {}
    dataset, data_path = _dataset(view)
    if config.get("imported"):
        column.paragraphs.append(_imported_sentence(view.name, config["imported"]))
    elif config:
        kind = "variational autoencoder (VAE)" if config.get("model") == "vae" else "plain autoencoder (AE)"
        column.paragraphs.append(
            f"{view.name} is a {kind}, {config.get('arch', '?')} net, latent dimension {config.get('latent_dim')}, "
            f"{config.get('image_size')} px images with {config.get('channels')} channel(s)"
            + (f", KL weight {train.get('kl_weight')}." if config.get("model") == "vae" else "."))
    if dataset:
        splits = dataset.get("splits") or {}
        split_text = ", ".join(f"{plural(int(n), 'image')} {s}" for s, n in splits.items()) if splits else ""
        verb = "Imported against" if config.get("imported") else "Trained on"
        column.paragraphs.append(
            f"{verb} {dataset.get('source', 'a cache')} ({plural(int(dataset.get('count', 0)), 'image')}"
            + (f": {split_text}" if split_text else "") + ").")
        column.pictures.extend(_data_examples(data_path))
    if view.history:
        column.paragraphs.append(_training_sentence(view))
        last = view.history[-1]
        rows = [[k.replace("_", " "), f"{v:,.2f}"] for k, v in last.items() if k != "epoch"]
        column.tables.append(Table(["last epoch", "value"], rows, f"epoch {int(last['epoch'])} of history.csv"))
    loss = view.picture(view.run.loss_figure_file, "Loss per epoch (history.csv).")
    if loss is not None:
        column.pictures.append(loss)
    if not config and not view.history:
        column.missing = "zspace train (this folder holds no model: the report shows the analysis only)"
    return column


def _data_examples(data_path: Path | None) -> list:
    """A row of 14 training images, read from the cache's memmap (no decoding, no model)."""
    if data_path is None or not (data_path / "images.npy").is_file():
        return []
    try:
        images = np.load(data_path / "images.npy", mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError):
        return []
    grid = image_grid(np.asarray(images[:14]), columns=14, scale=2 if images.shape[1] < 48 else 1)
    return [embed_array(np.asarray(grid), "The first 14 images of the training cache.")]
