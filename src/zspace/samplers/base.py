"""The one sampler interface (DESIGN: scikit-learn style, "one sampler, one file").

A sampler is a distribution over the latent space. Hyperparameters go in the
constructor, which only stores them, and are declared in ``params``;
:meth:`Sampler.validate` checks them (one line naming the bad value) and is
called by ``fit``, ``with_dim`` and ``from_state``, as scikit-learn does, and
by whoever wants the error before any work (``parse_sampler``, the commands).
``fit(latents)`` learns from an (N, d) array and returns ``self``, fitted
attributes end in ``_``, ``sample(num_samples, generator)`` returns (n, d)
float32. Fitting a density to the encodings after training is the ex-post
density estimation of Ghosh et al. 2020 ("From Variational to Deterministic
Autoencoders", sec. 4), which turns a plain AE into a generator.

Samplers never decode and never write files. Their fitted state is
``state() -> (meta, arrays)``: a JSON-able dict and a dict of numeric arrays
(saved as JSON + .npz without pickle by :mod:`zspace.samplers.persist`),
and ``from_state(meta, arrays)`` rebuilds an equal sampler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from zspace.arrays import check_matrix
from zspace.errors import ZspaceError


@dataclass(frozen=True)
class Param:
    """One hyperparameter: its type, default, a check and the words that say what is allowed."""

    kind: type  # int, float or str
    default: Any
    allowed: str  # e.g. "an integer >= 1"
    check: Callable[[Any], bool] = lambda value: True

    def validate(self, sampler: str, name: str, value: Any) -> Any:
        if value is None and self.default is None:
            return None
        if self.kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, self.kind) or isinstance(value, bool) or not self.check(value):
            raise ZspaceError(f"{sampler}:{name}={value!r} is not allowed; {name} must be {self.allowed}")
        return value


class Sampler:
    """Base class: subclasses set ``name``, ``params``, ``needs_fit`` and implement ``_fit``/``_sample``."""

    name: ClassVar[str] = ""
    params: ClassVar[dict[str, Param]] = {}
    needs_fit: ClassVar[bool] = True
    # Which split of a run's latents to fit on: the training encodings, except
    # for the reference sampler "data", which draws held-out encodings.
    fit_split: ClassVar[str] = "train"

    def get_params(self) -> dict[str, Any]:
        """The hyperparameters as stored (checked by :meth:`validate`)."""
        return {key: getattr(self, key, param.default) for key, param in self.params.items()}

    def _checked_params(self) -> dict[str, Any]:
        return {key: self.params[key].validate(self.name, key, value) for key, value in self.get_params().items()}

    def validate(self) -> Sampler:
        """Check every hyperparameter (an int given for a float becomes the float); returns ``self``.

        A bad value is a one-line ZspaceError, e.g. ``gmm:k=0 is not allowed; k must be an integer >= 1``.
        """
        for key, value in self._checked_params().items():
            setattr(self, key, value)
        return self

    @property
    def spec(self) -> str:
        """The spec that rebuilds this sampler, e.g. ``gmm:k=10,cov=full,seed=0`` (its parameters checked)."""
        return _spec(self.name, self._checked_params())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({_spec(self.name, self.get_params())!r})"

    # -- fitting ---------------------------------------------------------
    def fit(self, latents: np.ndarray) -> Sampler:
        """Learn from latents (N, d); returns ``self``."""
        self.validate()
        latents = np.asarray(latents)
        check_matrix(latents, f"latents for the {self.name} sampler", "latent vectors")
        if not np.all(np.isfinite(latents)):
            raise ZspaceError(f"{self.name}: latents contain NaN or inf; re-encode the run")
        self.dim_ = int(latents.shape[1])
        self._fit(latents)
        return self

    def _fit(self, latents: np.ndarray) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def with_dim(self, dim: int) -> Sampler:
        """Set the dimension of a sampler that needs no data (``needs_fit = False``); returns ``self``."""
        if self.needs_fit:
            raise ZspaceError(f"{self.name}: learns from data; call fit(latents) instead of with_dim")
        self.validate()
        if isinstance(dim, bool) or not isinstance(dim, int | np.integer) or dim < 1:
            raise ZspaceError(f"{self.name}: dim={dim!r} is not allowed; it must be an integer >= 1")
        self.dim_ = int(dim)
        return self

    @property
    def is_fitted(self) -> bool:
        return hasattr(self, "dim_")

    def _check_fitted(self) -> None:
        if not self.is_fitted and not self.needs_fit and getattr(self, "dim", None) is not None:
            self.with_dim(self.dim)  # a data-free sampler given its dim is ready to sample
        if not self.is_fitted:
            raise ZspaceError(f"{self.name}: not fitted; call fit(latents) first")

    # -- sampling --------------------------------------------------------
    def sample(self, num_samples: int, generator: np.random.Generator) -> np.ndarray:
        """Draw ``num_samples`` latent points: (n, d) float32, a function of the generator's state alone."""
        self._check_fitted()
        if isinstance(num_samples, bool) or not isinstance(num_samples, int | np.integer) or num_samples < 0:
            raise ZspaceError(f"num_samples={num_samples!r} is not allowed; it must be an integer >= 0")
        if not isinstance(generator, np.random.Generator):
            raise ZspaceError("generator must be a numpy.random.Generator, e.g. numpy.random.default_rng(0)")
        z = self._sample(int(num_samples), generator)
        return np.ascontiguousarray(z, dtype=np.float32)

    def _sample(self, num_samples: int, generator: np.random.Generator) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    # -- fitted state, no pickle ------------------------------------------
    def state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """(JSON-able meta, numeric arrays) holding the hyperparameters and every fitted ``*_`` attribute."""
        self._check_fitted()
        meta: dict[str, Any] = {"sampler": self.name, "params": self.get_params(), "fitted": {}}
        arrays: dict[str, np.ndarray] = {}
        for key, value in vars(self).items():
            if not key.endswith("_") or key.startswith("_"):
                continue
            if isinstance(value, np.ndarray):
                arrays[key] = value
            elif isinstance(value, bool | int | float | str) or value is None:
                meta["fitted"][key] = value
            elif isinstance(value, np.integer | np.floating):
                meta["fitted"][key] = value.item()
            else:
                raise TypeError(f"{self.name}: fitted attribute {key} of type {type(value).__name__} is not storable")
        return meta, arrays

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> Sampler:
        """Rebuild a fitted sampler from :meth:`state`'s output."""
        if meta.get("sampler") != cls.name:
            raise ZspaceError(f"fitted state is for sampler {meta.get('sampler')!r}, not {cls.name!r}")
        sampler = cls(**meta.get("params", {})).validate()
        for key, value in meta.get("fitted", {}).items():
            setattr(sampler, key, value)
        for key, value in arrays.items():
            if not key.endswith("_"):
                raise ZspaceError(f"fitted state of {cls.name}: unexpected array {key!r}")
            setattr(sampler, key, np.asarray(value))
        return sampler


def _spec(name: str, params: dict[str, Any]) -> str:
    values = ",".join(f"{k}={_text(v)}" for k, v in params.items() if v is not None)
    return f"{name}:{values}" if values else name


def _text(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def as_float64(latents: np.ndarray) -> np.ndarray:
    """Moments in float64: sums over 10^5 float32 rows lose digits otherwise."""
    return np.asarray(latents, dtype=np.float64)
