"""Opening a feature space by its spec: ``dinov2:DIR``, ``clip:DIR`` (a local Hugging Face folder,
:mod:`zspace.evaluation.hf_features`) or a user's ``FILE.py:function`` (:mod:`zspace.evaluation.user_features`).

Apart from :mod:`zspace.evaluation.feature_spaces` (what a space is), so that the two kinds of space, which
build on it, are imported here and nowhere below it.
"""

from __future__ import annotations

from pathlib import Path

from zspace.errors import ZspaceError
from zspace.evaluation.feature_spaces import SPACE_KINDS, FeatureSpace


def open_feature_space(spec: str, device: str = "cpu") -> FeatureSpace:
    """Load the space ``spec`` names (``dinov2:DIR``, ``clip:DIR``, ``FILE.py:function`` or
    ``package.module:function``) onto ``device``; every error is one line, before any work."""
    kind, sep, folder = spec.partition(":")
    if sep and kind.isidentifier() and kind not in SPACE_KINDS and not folder.isidentifier():
        raise ZspaceError(f"feature space {spec!r}: {kind!r} is no kind zspace knows; give dinov2:DIR or clip:DIR "
                          "(a local Hugging Face folder), FILE.py:function or package.module:function",
                          options=("features",))
    try:
        if sep and kind in SPACE_KINDS:
            # hugging_face/user code: each opened only when that kind of space is asked for (transformers is optional)
            from zspace.evaluation.hf_features import open_hugging_face

            space = open_hugging_face(kind, Path(folder).expanduser(), device)
        else:
            # hugging_face/user code: each opened only when that kind of space is asked for (transformers is optional)
            from zspace.evaluation.user_features import open_user_features

            space = open_user_features(spec, device)
    except ZspaceError as err:
        if err.options:
            raise
        raise ZspaceError(str(err), options=("features",)) from None
    space.record["spec"] = spec
    return space
