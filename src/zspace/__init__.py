"""zspace: the latent spaces of autoencoders, from training to figures."""

from zspace.errors import ZspaceError

__version__ = "0.1.0"
__all__ = ["ZspaceError", "__version__"]
