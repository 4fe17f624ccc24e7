"""scikit-learn's bundled handwritten digits: 1,797 8x8 grey images, labels 0..9.

The data ships inside scikit-learn, so this source needs no download and no
files: the quickest way to try a model end to end.
"""

from __future__ import annotations

import numpy as np

from zspace.data.idx_source import array_source, row_ids
from zspace.data.source import ImageSource

# load_digits pixels are counts of set pixels in 4x4 blocks: 0..16.
MAX_VALUE = 16


def digits_source(size: int = 32) -> ImageSource:
    """The digits as uint8 (0..255) images resized to ``size`` (8 keeps them native)."""
    from sklearn.datasets import load_digits  # here, not at import: scikit-learn takes a second to load

    digits = load_digits()
    images = np.rint(digits.images * (255 / MAX_VALUE)).astype(np.uint8)[..., np.newaxis]
    index = {
        "source_id": row_ids("digits", len(images)),
        "label": digits.target.astype(np.int64),
    }
    return array_source("digits", images, index, size, {"origin": "sklearn.datasets.load_digits"})
