"""zspace: the latent spaces of autoencoders, from training to figures."""

from zspace.errors import ZspaceError

__all__ = ["ZspaceError", "__version__"]


def __getattr__(name: str) -> str:
    """``zspace.__version__``, read from the installed package's metadata on first use.

    Looked up lazily because importlib.metadata costs more to import than all of ``zspace``.
    """
    if name != "__version__":
        raise AttributeError(f"module 'zspace' has no attribute {name!r}")
    # importlib.metadata only for the version string, at first use
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("zspace")  # one source of truth: pyproject.toml, as installed
    except PackageNotFoundError:  # a source tree that was never installed
        return "0+unknown"
