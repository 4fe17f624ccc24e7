"""zspace: the latent spaces of autoencoders, from training to figures."""

from importlib.metadata import PackageNotFoundError, version

from zspace.errors import ZspaceError

try:
    __version__ = version("zspace")  # one source of truth: pyproject.toml, as installed
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
__all__ = ["ZspaceError", "__version__"]
