"""The registry of data sources: a name on the command line -> an ImageSource.

Each entry is a small function taking the common prepare options; options a
source has no use for must be left unset (an error says so), never ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from zspace.data.celeba import celeba_source
from zspace.data.digits import digits_source
from zspace.data.fashion_mnist import fashion_mnist_source
from zspace.data.folder import folder_source
from zspace.data.idx_source import idx_source
from zspace.data.source import ImageSource
from zspace.data.synthetic_faces import synthetic_faces_source
from zspace.errors import ZspaceError


@dataclass(frozen=True)
class SourceOptions:
    path: str | None = None
    size: int | None = None
    count: int | None = None  # synthetic: how many to make; others: keep the first COUNT
    seed: int = 0
    crop: int | None = None
    labels: str | None = None


def _or(value: int | None, default: int) -> int:
    """``value`` unless it was left out: 0 is a value (and an error downstream), not "default"."""
    return default if value is None else value


def _need_path(name: str, options: SourceOptions) -> str:
    if not options.path:
        raise ZspaceError(f"source {name!r} needs a PATH: zspace prepare {name} PATH --out DIR")
    return options.path


def _refuse(name: str, options: SourceOptions, *fields: str) -> None:
    for field in fields:
        if getattr(options, field) is not None:
            raise ZspaceError(f"--{field} does not apply to source {name!r}; leave it out")


def _synthetic(o: SourceOptions) -> ImageSource:
    _refuse("synthetic-faces", o, "path", "crop", "labels")
    return synthetic_faces_source(count=_or(o.count, 20_000), size=_or(o.size, 64), seed=o.seed)


def _fashion(o: SourceOptions) -> ImageSource:
    _refuse("fashion-mnist", o, "crop", "labels")
    return fashion_mnist_source(o.path, o.size)


def _digits(o: SourceOptions) -> ImageSource:
    _refuse("digits", o, "path", "crop", "labels")
    return digits_source(_or(o.size, 32))


def _idx(o: SourceOptions) -> ImageSource:
    _refuse("idx", o, "crop")
    return idx_source(_need_path("idx", o), o.labels, o.size)


def _celeba(o: SourceOptions) -> ImageSource:
    _refuse("celeba", o, "labels")
    return celeba_source(_need_path("celeba", o), _or(o.size, 64), _or(o.crop, 148))


def _folder(o: SourceOptions) -> ImageSource:
    _refuse("folder", o, "labels")
    return folder_source(_need_path("folder", o), _or(o.size, 64), o.crop)


SOURCES: dict[str, Callable[[SourceOptions], ImageSource]] = {
    "synthetic-faces": _synthetic,
    "fashion-mnist": _fashion,
    "digits": _digits,
    "idx": _idx,
    "folder": _folder,
    "celeba": _celeba,
}


def open_source(name: str, options: SourceOptions) -> ImageSource:
    if name not in SOURCES:
        raise ZspaceError(f"source {name!r}: unknown; choose one of {', '.join(SOURCES)}")
    source = SOURCES[name](options)
    if options.count is not None and name != "synthetic-faces":
        source = first_rows(source, options.count)
    return source


def first_rows(source: ImageSource, count: int) -> ImageSource:
    """The first ``count`` images of a source (for quick runs on a subset)."""
    if count < 1:
        raise ZspaceError(f"--count {count}: must be at least 1")
    count = min(count, source.count)
    index = {k: v[:count] for k, v in source.index.items()}
    return replace(source, count=count, index=index)
