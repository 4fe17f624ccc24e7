"""Declared results: a stage returns a dataclass, and this module alone writes and reads it (issue 19).

A result type is a dataclass whose fields say how they are kept:

- ``array_field("(n, d) what it holds")``: a numpy array saved as its own ``.npy`` file (or a
  ``dict[str, ndarray]`` of them, one file per key, or ``None``);
- ``not_saved(...)``: kept in memory only (e.g. a covariance the saved PCA already summarises);
- every other field: JSON, converted by its annotation (nested dataclasses, lists, dicts, numbers,
  strings; a small ndarray becomes a list; NaN and inf become ``null`` and come back as NaN).

A class may add read-only JSON for people (definitions, ranked tables) with a ``described()`` method:
written beside its fields, never read back. :func:`write` puts the JSON into ``folder / cls.FILE``
with ``"layout"``, the place of each array in the tree (``{"npy": NAME}``) and an ``"arrays"`` list
of file -> description; :func:`read` rebuilds the object from the field names and annotations, so a
new field is saved and loaded with no other change (a field missing from an older file takes its
default). Array files are named by the field's path: ``components.histograms`` ->
``components_histograms.npy``, ``planes[0].points`` -> ``planes_0_points.npy``.
"""

from __future__ import annotations

import dataclasses
import math
import os
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from zspace.errors import ZspaceError
from zspace.io import load_json, load_npy, replace_folder, save_json, save_npy

LAYOUT = 2  # 1: zspace before issue 19 (metrics.json keys spelled by hand)
T = TypeVar("T")


def array_field(description: str = "", **kwargs: Any) -> Any:
    """A dataclass field saved as a .npy file; ``description`` goes into the file's ``arrays`` list."""
    return dataclasses.field(metadata={"array": True, "description": description}, **kwargs)


def not_saved(**kwargs: Any) -> Any:
    """A dataclass field kept in memory only (give a default)."""
    return dataclasses.field(metadata={"saved": False}, **kwargs)


def saved_fields(cls: type) -> list[dataclasses.Field]:
    return [f for f in dataclasses.fields(cls) if f.metadata.get("saved", True)]


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


# -- writing ----------------------------------------------------------------------------------------
def json_value(value: Any) -> Any:
    """A JSON-ready copy: NaN/inf -> None, numpy -> Python, dataclasses -> dicts (by field, plus described())."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _Encoder(None).node(value, "")
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, np.ndarray):
        return json_value(value.tolist())
    if isinstance(value, np.generic):
        return json_value(value.item())
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


class _Encoder:
    """Walks a result: JSON for the tree, (array, description) for each array file (None: JSON only)."""

    def __init__(self, arrays: dict[str, tuple[np.ndarray, str]] | None) -> None:
        self.arrays = arrays

    def node(self, value: Any, path: str) -> Any:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            out: dict[str, Any] = {}
            for f in saved_fields(type(value)):
                item, where = getattr(value, f.name), f"{path}_{f.name}" if path else f.name
                out[f.name] = (self.array(item, where, f.metadata.get("description", ""))
                               if f.metadata.get("array") else self.node(item, where))
            described = getattr(value, "described", None)
            if callable(described):
                extra = described()
                clash = set(extra) & set(out)
                if clash:
                    raise TypeError(f"{type(value).__name__}.described() repeats fields {sorted(clash)}")
                out.update(json_value(extra))
            return out
        if isinstance(value, list | tuple):
            return [self.node(v, f"{path}_{k}") for k, v in enumerate(value)]
        if isinstance(value, dict):
            return {str(k): self.node(v, f"{path}_{k}") for k, v in value.items()}
        return json_value(value)

    def array(self, value: Any, path: str, description: str) -> Any:
        if value is None:
            return None
        if isinstance(value, dict):
            return {str(k): self.array(v, f"{path}_{k}", f"{description} ({k})") for k, v in value.items()}
        name = f"{path}.npy"
        if self.arrays is not None:
            self.arrays[name] = (np.asarray(value), description)
        return {"npy": name}


def to_json(result: Any) -> dict[str, Any]:
    """The JSON tree of a result (arrays as their file references), without writing anything."""
    return _Encoder({}).node(result, "")


def write(result: Any, folder: str | os.PathLike) -> Path:
    """Write ``result`` into ``folder`` (which exists): its arrays as .npy, the rest as ``folder / FILE``."""
    arrays: dict[str, tuple[np.ndarray, str]] = {}
    return _write_tree(type(result), Path(folder), _Encoder(arrays).node(result, ""), arrays)


def _write_tree(cls: type, folder: Path, tree: dict[str, Any], arrays: dict[str, tuple[np.ndarray, str]]) -> Path:
    """The array files, then ``cls.FILE`` with the layout, the tree and the list of arrays."""
    for name, (array, _) in arrays.items():
        save_npy(folder / name, array)
    path = folder / cls.FILE
    save_json(path, {"layout": LAYOUT, "type": cls.__name__, **tree,
                     "arrays": {name: text for name, (_, text) in arrays.items()}})
    return path


def save(result: Any, folder: str | os.PathLike, force: bool = False,
         extras: Callable[[Path], object] | None = None) -> Path:
    """Write ``result`` as a whole new ``folder`` (an existing one is replaced only with ``force`` and only when
    it holds a ``FILE`` of the same kind); ``extras(temporary_folder)`` may add files (figures) before the swap."""
    with replace_folder(folder, force, type(result).FILE) as temporary:
        write(result, temporary)
        if extras is not None:
            extras(temporary)
    return Path(folder)


# -- reading ----------------------------------------------------------------------------------------
def _arms(annotation: Any) -> tuple[Any, ...]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return tuple(a for a in typing.get_args(annotation) if a is not type(None))
    return (annotation,)


class _Decoder:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def node(self, annotation: Any, value: Any) -> Any:
        if value is None:  # JSON null: None, or NaN for a float (NaN and inf are written as null)
            return math.nan if float in _arms(annotation) else None
        arms = _arms(annotation)
        if len(arms) > 1:  # e.g. float | int | str: a JSON primitive is kept as it is
            classes = [a for a in arms if dataclasses.is_dataclass(a)]
            return self.dataclass(classes[0], value) if classes and isinstance(value, dict) else value
        annotation = arms[0]
        origin, args = typing.get_origin(annotation), typing.get_args(annotation)
        if dataclasses.is_dataclass(annotation):
            return self.dataclass(annotation, value)
        if origin in (list, tuple) or annotation in (list, tuple):
            items = args[0] if args else Any
            values = [self.node(items, v) for v in value]
            return tuple(values) if (origin or annotation) is tuple else values
        if origin is dict or annotation is dict:
            key_type, item = (args or (str, Any))[0], (args or (str, Any))[1]
            return {key_type(k) if key_type in (int, float) else k: self.node(item, v) for k, v in value.items()}
        if annotation is np.ndarray:
            return np.asarray([math.nan if v is None else v for v in value]
                              if isinstance(value, list) and None in value else value)
        if annotation is float:
            return float(value)
        if annotation in (int, bool, str):
            return annotation(value)
        if annotation is Path:
            return Path(value)
        return value

    def array(self, annotation: Any, value: Any) -> Any:
        if value is None:
            return None
        if "npy" in value and isinstance(value["npy"], str):
            name = value["npy"]
            if Path(name).name != name:
                raise ZspaceError(f"{self.folder}: array reference {name!r} is not a file name in the folder")
            return load_npy(self.folder / name)
        keys = typing.get_args(_arms(annotation)[0])[:1] or (str,)
        convert = keys[0] if keys[0] in (int, float) else str
        return {convert(k): self.array(annotation, v) for k, v in value.items()}

    def dataclass(self, cls: type, value: dict[str, Any]) -> Any:
        if not isinstance(value, dict):
            raise ZspaceError(f"{self.folder}: {cls.__name__} saved as {type(value).__name__}, not an object")
        hints, kwargs = _hints(cls), {}
        for f in saved_fields(cls):
            if f.name not in value:
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                    raise ZspaceError(f"{self.folder}: {cls.__name__} has no {f.name!r}; it was written by another "
                                      "zspace version: make it again")
                continue
            reader = self.array if f.metadata.get("array") else self.node
            kwargs[f.name] = reader(hints[f.name], value[f.name])
        return cls(**kwargs)


def _tree(cls: type, folder: Path) -> dict[str, Any]:
    path = folder / cls.FILE
    if not path.is_file():
        raise ZspaceError(f"{folder}: no {cls.FILE}; give a folder that holds a saved {cls.__name__}")
    tree = load_json(path)
    if not isinstance(tree, dict) or "layout" not in tree:
        raise ZspaceError(f"{path}: written by zspace before its results had a declared layout; "
                          "make it again with this version (replacing the folder)")
    if tree["layout"] != LAYOUT:
        raise ZspaceError(f"{path}: layout {tree['layout']}, this zspace reads layout {LAYOUT}; make it again")
    return tree


def read(cls: type[T], folder: str | os.PathLike) -> T:
    """The ``cls`` result saved in ``folder`` by :func:`write`."""
    folder = Path(folder)
    return _Decoder(folder).dataclass(cls, _tree(cls, folder))


def read_fields(cls: type, folder: str | os.PathLike, names: typing.Iterable[str]) -> dict[str, Any]:
    """Some fields of a saved ``cls`` result (only their arrays are read); a name not saved is left out."""
    folder = Path(folder)
    tree, hints, decoder = _tree(cls, folder), _hints(cls), _Decoder(folder)
    fields = {f.name: f for f in saved_fields(cls)}
    out = {}
    for name in names:
        if name in tree and name in fields:
            reader = decoder.array if fields[name].metadata.get("array") else decoder.node
            out[name] = reader(hints[name], tree[name])
    return out


def write_fields(cls: type, folder: str | os.PathLike, values: dict[str, Any]) -> Path:
    """Write only some fields of a ``cls`` result (a partial folder, e.g. a map and its PCA for the explorer)."""
    folder = Path(folder)
    fields = {f.name: f for f in saved_fields(cls)}
    arrays: dict[str, tuple[np.ndarray, str]] = {}
    encoder, tree = _Encoder(arrays), {}
    for name, value in values.items():
        f = fields[name]
        tree[name] = (encoder.array(value, name, f.metadata.get("description", "")) if f.metadata.get("array")
                      else encoder.node(value, name))
    return _write_tree(cls, folder, tree, arrays)
