"""The registry of data sources: a name on the command line -> an ImageSource.

Each entry is a small function taking the common prepare options and the names of
the options it accepts; any other option that is set is refused by name (a new
option is refused by every source until one accepts it), never ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace

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
    seed: int = 0  # synthetic-faces: the random seed
    crop: int | None = None
    labels: str | None = None


def _or(value: int | None, default: int) -> int:
    """``value`` unless it was left out: 0 is a value (and an error downstream), not "default"."""
    return default if value is None else value


def _need_path(name: str, options: SourceOptions) -> str:
    if not options.path:
        raise ZspaceError(f"source {name!r} needs a path: give the folder or file it reads")
    return options.path


def _set_options(options: SourceOptions) -> list[str]:
    """Names of the options given a value other than their default (in field order)."""
    return [f.name for f in fields(options) if getattr(options, f.name) != f.default]


@dataclass(frozen=True)
class Source:
    """A registry entry: how to open the source, and the options it takes."""

    open: Callable[[SourceOptions], ImageSource]
    accepts: tuple[str, ...]

    def check(self, name: str, options: SourceOptions) -> None:
        """One error naming the first set option this source does not take."""
        for option in _set_options(options):
            if option not in self.accepts:
                raise ZspaceError(f"option {option} ({getattr(options, option)!r}) does not apply to source "
                                  f"{name!r}, which takes {', '.join(self.accepts)}; leave it out",
                                  options=option)


def _synthetic(o: SourceOptions) -> ImageSource:
    return synthetic_faces_source(count=_or(o.count, 20_000), size=_or(o.size, 64), seed=o.seed)


def _fashion(o: SourceOptions) -> ImageSource:
    return fashion_mnist_source(o.path, o.size)


def _digits(o: SourceOptions) -> ImageSource:
    return digits_source(_or(o.size, 32))


def _idx(o: SourceOptions) -> ImageSource:
    return idx_source(_need_path("idx", o), o.labels, o.size)


def _celeba(o: SourceOptions) -> ImageSource:
    return celeba_source(_need_path("celeba", o), _or(o.size, 64), _or(o.crop, 148))


def _folder(o: SourceOptions) -> ImageSource:
    return folder_source(_need_path("folder", o), _or(o.size, 64), o.crop)


# ``count`` of a source other than synthetic-faces keeps its first COUNT images (open_source).
SOURCES: dict[str, Source] = {
    "synthetic-faces": Source(_synthetic, ("size", "count", "seed")),
    "fashion-mnist": Source(_fashion, ("path", "size", "count")),
    "digits": Source(_digits, ("size", "count")),
    "idx": Source(_idx, ("path", "labels", "size", "count")),
    "folder": Source(_folder, ("path", "size", "crop", "count")),
    "celeba": Source(_celeba, ("path", "size", "crop", "count")),
}


def open_source(name: str, options: SourceOptions) -> ImageSource:
    """The source ``name`` opened with ``options``; any set option it does not take is refused first."""
    if name not in SOURCES:
        raise ZspaceError(f"source {name!r}: unknown; choose one of {', '.join(SOURCES)}")
    entry = SOURCES[name]
    entry.check(name, options)
    source = entry.open(options)
    if options.count is not None and name != "synthetic-faces":
        source = first_rows(source, options.count)
    return source


def first_rows(source: ImageSource, count: int) -> ImageSource:
    """The first ``count`` images of a source (for quick runs on a subset)."""
    if count < 1:
        raise ZspaceError(f"count {count}: keep at least 1 image", options="count")
    count = min(count, source.count)
    index = {k: v[:count] for k, v in source.index.items()}
    return replace(source, count=count, index=index)
