"""Fuzzing the readers of user files: only a clean ZspaceError or success, never another exception."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zspace.config import ModelConfig, TrainConfig, config_from_dict, config_to_dict
from zspace.errors import ZspaceError
from zspace.io import load_npy

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=20,
)
FIELDS = list(config_to_dict(ModelConfig()))


@settings(max_examples=300, deadline=None)
@given(data=JSON)
def test_config_from_any_json(data: object) -> None:
    for cls in (ModelConfig, TrainConfig):
        try:
            config_from_dict(cls, data, "config.json")
        except ZspaceError:
            pass


@settings(max_examples=300, deadline=None)
@given(changes=st.dictionaries(st.sampled_from(FIELDS), JSON, min_size=1, max_size=4))
def test_config_with_mutated_fields(changes: dict) -> None:
    data = {**config_to_dict(ModelConfig()), **changes}
    try:
        config = config_from_dict(ModelConfig, json.loads(json.dumps(data)), "config.json")
    except ZspaceError:
        return
    assert config_from_dict(ModelConfig, config_to_dict(config)) == config  # what loads, round-trips


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    base=st.sampled_from([_npy_bytes(np.zeros((3, 4), np.float32)), _npy_bytes(np.array([{"a": 1}], dtype=object)),
                          _npy_bytes(np.arange(5)), b""]),
    cut=st.integers(0, 200),
    junk=st.binary(max_size=40),
    flip=st.integers(0, 120),
)
def test_npy_loader_on_damaged_files(base: bytes, cut: int, junk: bytes, flip: int) -> None:
    data = bytearray(base[: max(cut, 0)] + junk)
    if data and flip < len(data):
        data[flip] ^= 0x55
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "latents.npy"
        path.write_bytes(bytes(data))
        for mmap in (False, True):
            try:
                array = load_npy(path, mmap=mmap)
            except ZspaceError:
                continue
            assert array.dtype != object


@settings(max_examples=400, deadline=None)
@given(spec=st.text(alphabet=st.sampled_from(list("gmnormaluniformdiagfullcovpcaknn-mixdata:=,.0123456789-ekbx ")),
                    max_size=30))
def test_sampler_spec_parser_fuzzed(spec: str) -> None:
    from zspace.samplers.registry import parse_sampler, parse_sweep

    for parse in (parse_sampler, parse_sweep):
        try:
            parse(spec)
        except ZspaceError:
            pass
