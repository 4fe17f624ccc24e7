"""The issue's acceptance chain on real Fashion-MNIST: prepare -> train -> encode.

The fast test runs it on the first 600 images; the slow one on all 70,000 exactly as the
README shows. Both skip, saying why, when Debian's dataset-fashion-mnist is not installed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from zspace.cli.main import main
from zspace.data.cache import open_cache
from zspace.data.fashion_mnist import DEFAULT_PATH

pytestmark = pytest.mark.skipif(
    not DEFAULT_PATH.is_dir(), reason=f"Fashion-MNIST not installed at {DEFAULT_PATH}: "
    "apt-get install dataset-fashion-mnist (make test does this as root)"
)


def chain(tmp_path: Path, *prepare_extra: str) -> None:
    data, run = tmp_path / "fm", tmp_path / "r"
    assert main(["prepare", "fashion-mnist", "--out", str(data), *prepare_extra]) == 0
    assert main(["train", str(data), "--model", "vae", "--arch", "small", "--latent-dim", "32",
                 "--epochs", "1", "--out", str(run)]) == 0
    assert main(["encode", str(run)]) == 0
    latents = np.load(run / "latents.npy", allow_pickle=False)
    cache = open_cache(data)
    assert latents.shape == (len(cache), 32)
    assert np.isfinite(latents).all() and latents.std(0).mean() > 0.01


def test_fashion_mnist_chain_on_a_subset(tmp_path: Path) -> None:
    chain(tmp_path, "--count", "600")


@pytest.mark.slow
def test_fashion_mnist_chain_full(tmp_path: Path) -> None:
    chain(tmp_path)
