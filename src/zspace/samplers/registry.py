"""The sampler registry (a dict, DESIGN rule 3), the default samplers and the one grammar of sampler specs.

A spec is ``NAME`` or ``NAME:key=value,key=value`` (``gmm:k=10,cov=full``).
A sweep spec gives one parameter several values (``uniform:b=0.5,1,1.5``):
a comma-separated item without ``=`` is one more value of the key before it.
A sampler list is specs separated by commas, where a comma item holding ``=``
but no ``:`` continues the spec before it (``normal,gmm:k=10,cov=full``), or
by ``;`` (each spec keeps its commas); ``default`` stands for
:data:`DEFAULT_SAMPLERS`. Every mistake is a :class:`ZspaceError` of one line
that lists what is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from zspace.errors import ZspaceError
from zspace.samplers.base import Param, Sampler
from zspace.samplers.data import DataSampler
from zspace.samplers.diag import DiagonalGaussianSampler
from zspace.samplers.fullcov import FullCovarianceSampler
from zspace.samplers.fullcov_floor import FlooredCovarianceSampler
from zspace.samplers.gmm import GaussianMixtureSampler
from zspace.samplers.knn_mix import KNNMixSampler
from zspace.samplers.normal import NormalSampler
from zspace.samplers.pca import PCASampler
from zspace.samplers.uniform import UniformSampler

SAMPLERS: dict[str, type[Sampler]] = {
    "normal": NormalSampler,
    "uniform": UniformSampler,
    "diag": DiagonalGaussianSampler,
    "fullcov": FullCovarianceSampler,
    "pca": PCASampler,
    "gmm": GaussianMixtureSampler,
    "knn-mix": KNNMixSampler,
    "data": DataSampler,
    "fullcov-floor": FlooredCovarianceSampler,  # an ablation of fullcov (issue 21); last, so older lists read on
}

# The samplers of SPEC S16-S18 and X2: the prior, two fitted Gaussians, a mixture, the seed's uniform boxes.
DEFAULT_SAMPLERS = ("normal", "diag", "fullcov", "gmm:k=10", "uniform:b=1.5", "uniform:b=4")

_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_KEY = re.compile(r"^[a-z_][a-z0-9_]*$")


def _sampler_class(name: str) -> type[Sampler]:
    if name not in SAMPLERS:
        raise ZspaceError(f"unknown sampler {name!r}; choose one of: {', '.join(SAMPLERS)}")
    return SAMPLERS[name]


def _split(spec: str) -> tuple[type[Sampler], list[tuple[str, list[str]]]]:
    """'gmm:k=10,cov=full' -> (GaussianMixtureSampler, [('k', ['10']), ('cov', ['full'])])."""
    if not isinstance(spec, str) or not spec.strip():
        raise ZspaceError(f"sampler spec {spec!r} is empty; write NAME or NAME:key=value,..., "
                          f"NAME one of: {', '.join(SAMPLERS)}")
    name, _, rest = spec.strip().partition(":")
    name = name.strip()
    if not _NAME.match(name):
        raise ZspaceError(f"sampler spec {spec!r} is malformed; write NAME or NAME:key=value,..., "
                          f"NAME one of: {', '.join(SAMPLERS)}")
    cls = _sampler_class(name)
    items: list[tuple[str, list[str]]] = []
    if _ and not rest.strip():
        raise ZspaceError(f"sampler spec {spec!r} has ':' but no parameters; write {name} or {name}:key=value")
    for raw in rest.split(",") if rest.strip() else []:
        item = raw.strip()
        if "=" in item:
            key, _eq, value = (part.strip() for part in item.partition("="))
            if not _KEY.match(key) or not value:
                raise ZspaceError(f"sampler spec {spec!r}: {item!r} is malformed; write key=value, "
                                  f"keys of {name}: {_allowed_keys(cls)}")
            if any(key == seen for seen, _v in items):
                raise ZspaceError(f"sampler spec {spec!r}: {key} is given twice")
            items.append((key, [value]))
        elif item and items:
            items[-1][1].append(item)  # one more value of the previous key (a sweep)
        else:
            raise ZspaceError(f"sampler spec {spec!r}: {item!r} is malformed; write key=value, "
                              f"keys of {name}: {_allowed_keys(cls)}")
    for key, _values in items:
        if key not in cls.params:
            raise ZspaceError(f"sampler {name} has no parameter {key!r}; its parameters: {_allowed_keys(cls)}")
    return cls, items


def _allowed_keys(cls: type[Sampler]) -> str:
    if not cls.params:
        return "none"
    return ", ".join(f"{k} ({p.allowed}, default {p.default})" for k, p in cls.params.items())


def _convert(cls: type[Sampler], key: str, text: str) -> Any:
    """The value of ``key=text`` in the parameter's type (the sampler's validate() checks it)."""
    param: Param = cls.params[key]
    try:
        if param.kind is int:
            return int(text)
        if param.kind is float:
            return float(text)
        return text
    except ValueError:
        raise ZspaceError(f"{cls.name}:{key}={text} is not allowed; {key} must be {param.allowed}") from None


def parse_sampler(spec: str) -> Sampler:
    """'gmm:k=10,cov=full' -> an unfitted GaussianMixtureSampler(k=10, cov='full')."""
    cls, items = _split(spec)
    kwargs = {}
    for key, values in items:
        if len(values) > 1:
            raise ZspaceError(f"sampler spec {spec!r} gives {key} several values ({', '.join(values)}); "
                              "use parse_sweep for that (a sweep), or one value per key")
        kwargs[key] = _convert(cls, key, values[0])
    return cls(**kwargs).validate()


def parse_sweep(spec: str) -> tuple[str, list[tuple[Any, Sampler]]]:
    """'uniform:b=0.5,1,2' -> ('b', [(0.5, UniformSampler(b=0.5)), (1.0, ...), (2.0, ...)]).

    Exactly one parameter takes several values; the others are fixed.
    """
    cls, items = _split(spec)
    swept = [key for key, values in items if len(values) > 1]
    if len(swept) != 1:
        keys = _allowed_keys(cls)
        raise ZspaceError(f"sweep {spec!r} must give exactly one parameter several values "
                          f"(e.g. uniform:b=0.5,1,2); parameters of {cls.name}: {keys}")
    fixed = {key: _convert(cls, key, values[0]) for key, values in items if len(values) == 1}
    key = swept[0]
    values = [_convert(cls, key, text) for text in dict(items)[key]]
    return key, [(value, cls(**fixed, **{key: value}).validate()) for value in values]


def parse_sampler_list(text: str) -> tuple[str, ...]:
    """'normal,gmm:k=10,cov=full;uniform:b=1.5' style lists -> the specs, each checked by :func:`parse_sampler`.

    'normal,gmm:k=10,cov=full,uniform:b=1.5' -> ('normal', 'gmm:k=10,cov=full', 'uniform:b=1.5');
    'normal;gmm:k=10,cov=full' -> ('normal', 'gmm:k=10,cov=full'); 'default' -> :data:`DEFAULT_SAMPLERS`.
    """
    if not isinstance(text, str):
        raise ZspaceError(f"sampler list {text!r} is not text; write specs separated by commas, e.g. normal,gmm:k=10")
    separator = ";" if ";" in text else ","
    specs: list[str] = []
    for item in (part.strip() for part in text.split(separator)):
        if not item:
            raise ZspaceError(f"sampler list {text!r} has an empty item; separate sampler specs by single "
                              f"{'semicolons' if separator == ';' else 'commas'}")
        if item == "default":
            specs.extend(DEFAULT_SAMPLERS)
        elif separator == "," and "=" in item and ":" not in item and specs:
            specs[-1] = f"{specs[-1]},{item}"  # gmm:k=10,cov=full: a further key=value of the spec before
        else:
            specs.append(item)
    return check_sampler_list(specs)


def check_sampler_list(specs: Sequence[str]) -> tuple[str, ...]:
    """The specs as a tuple when there is at least one, each is a valid spec and none is named twice."""
    specs = tuple(specs)
    if not specs:
        raise ZspaceError("the sampler list is empty; name at least one sampler, e.g. normal,gmm:k=10, or default")
    for spec in specs:
        parse_sampler(spec)
    if len(set(specs)) != len(specs):
        raise ZspaceError(f"sampler list {','.join(specs)!r} names a sampler twice")
    return specs
