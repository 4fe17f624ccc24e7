"""A local web explorer of a run's latent map (SPEC X6, issue 15): hover a face, click the void, decode.

:func:`open_explorer` opens the run once (latents, images, maps, model) and
:func:`create_app` serves it; ``zspace explore RUN`` runs both under uvicorn.
See docs/explore.md.
"""

from zspace.explore.data import ExplorerData, open_explorer

__all__ = ["ExplorerData", "open_explorer"]
