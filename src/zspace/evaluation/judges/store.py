"""Judges on disk, beside their image cache: CACHE/judges/<name>.safetensors + <name>.json.

A judge trained with another seed (the judge-robustness check) has its own pair,
``<name>-seed<seed>``, so it never replaces the default judge (seed 0).

The JSON records the cache checksum (dataset.json's sha256 of the image bytes),
the network shape, the training settings and the held-out score. A judge is
reused only when all of them match the request; otherwise it is trained again
and replaces the files. Weights are safetensors, records JSON: no pickle.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zspace.data.cache import ImageCache
from zspace.errors import ZspaceError
from zspace.evaluation.judges.network import JudgeNetwork, NetworkShape
from zspace.io import load_json, save_json
from zspace.models.weights import load_state_into, read_safetensors, save_weights

FOLDER = "judges"
STORE_VERSION = 1


def judge_files(cache: ImageCache, name: str, seed: int = 0) -> tuple[Path, Path]:
    """(weights, record) paths of judge ``name`` of ``cache`` trained with ``seed``."""
    folder = Path(cache.path) / FOLDER
    stem = name if seed == 0 else f"{name}-seed{seed}"
    return folder / f"{stem}.safetensors", folder / f"{stem}.json"


def request(cache: ImageCache, name: str, shape: NetworkShape, settings: dict[str, Any]) -> dict[str, Any]:
    """What must match for a stored judge to be reused."""
    return {"judge": name, "version": STORE_VERSION, "cache_checksum": cache.meta.get("checksum"),
            "shape": {"channels": shape.channels, "outputs": shape.outputs, "filters": list(shape.filters)},
            "settings": settings}


def load_stored(cache: ImageCache, wanted: dict[str, Any]) -> tuple[JudgeNetwork, dict[str, Any]] | None:
    """The stored network and record when they match ``wanted``, else None (missing, stale or damaged)."""
    weights, record_file = judge_files(cache, wanted["judge"], wanted["settings"].get("seed", 0))
    if not (weights.is_file() and record_file.is_file()):
        return None
    try:
        record = load_json(record_file)
    except ZspaceError:
        return None
    if not isinstance(record, dict) or any(record.get(key) != value for key, value in wanted.items()):
        return None
    shape = NetworkShape(wanted["shape"]["channels"], wanted["shape"]["outputs"], tuple(wanted["shape"]["filters"]))
    network = JudgeNetwork(shape)
    try:
        load_state_into(network, read_safetensors(weights), str(weights))
    except ZspaceError:
        return None
    return network.eval(), record


def save_stored(cache: ImageCache, network: JudgeNetwork, record: dict[str, Any]) -> None:
    """Write weights then record (a reader that sees the record finds matching weights); raises OSError."""
    weights, record_file = judge_files(cache, record["judge"], record["settings"].get("seed", 0))
    weights.parent.mkdir(parents=True, exist_ok=True)
    save_weights(weights, network, metadata={"format": "pt", "judge": record["judge"]})
    save_json(record_file, record)
