"""train() leaves the caller's process as it found it: log levels, warning filters, torch's random state."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import torch
from conftest import tiny_configs
from safetensors.torch import load_file

from zspace.training.train import LIGHTNING_LOGGERS, train


def test_train_changes_no_global_state_and_its_seed_alone_sets_the_weights(faces_cache: Path, tmp_path: Path) -> None:
    model_config, train_config = tiny_configs(faces_cache, epochs=1, seed=4)
    before = {name: logging.getLogger(name).level for name in LIGHTNING_LOGGERS}
    try:
        for name, level in zip(LIGHTNING_LOGGERS, (logging.DEBUG, logging.INFO, logging.NOTSET), strict=True):
            logging.getLogger(name).setLevel(level)
        levels = {name: logging.getLogger(name).level for name in LIGHTNING_LOGGERS}
        weights = []
        for caller_seed in (1, 2):
            torch.manual_seed(caller_seed)
            torch.rand(5)  # the caller is somewhere in its own random stream
            state, filters = torch.get_rng_state(), list(warnings.filters)
            train(model_config, train_config, tmp_path / f"run{caller_seed}")
            assert torch.equal(torch.get_rng_state(), state)
            assert torch.initial_seed() == caller_seed
            assert list(warnings.filters) == filters
            assert {name: logging.getLogger(name).level for name in LIGHTNING_LOGGERS} == levels
            weights.append(load_file(str(tmp_path / f"run{caller_seed}" / "model.safetensors")))
        for key in weights[0]:
            assert torch.equal(weights[0][key], weights[1][key]), key  # train_config.seed alone decides
    finally:
        for name, level in before.items():
            logging.getLogger(name).setLevel(level)
