"""The explorer's server-built spatial index: a valid KDBush v4 buffer whose queries find exactly the points.

The queries below are a line-by-line port of KDBush's ``range`` and ``within`` (the code
regl-scatterplot runs on this buffer for hover and lasso); they are compared with brute force.
"""

from __future__ import annotations

import numpy as np
import pytest

from zspace.explore.spatial_index import NODE_SIZE, kdbush_bytes


def parse(buffer: bytes):
    assert buffer[0] == 0xDB and buffer[1] >> 4 == 1 and buffer[1] & 15 == 7  # magic, v1, Float32Array
    node_size = int(np.frombuffer(buffer, "<u2", 1, 2)[0])
    count = int(np.frombuffer(buffer, "<u4", 1, 4)[0])
    id_type = "<u2" if count < 65536 else "<u4"
    ids = np.frombuffer(buffer, id_type, count, 8)
    start = 8 + ids.nbytes + (8 - ids.nbytes % 8) % 8
    coordinates = np.frombuffer(buffer, "<f4", 2 * count, start)
    assert len(buffer) == start + coordinates.nbytes
    return node_size, ids, coordinates


def kdbush_range(buffer: bytes, min_x: float, min_y: float, max_x: float, max_y: float) -> list[int]:
    node_size, ids, c = parse(buffer)
    stack, found = [0, len(ids) - 1, 0], []
    while stack:
        axis, right, left = stack.pop(), stack.pop(), stack.pop()
        if right - left <= node_size:
            found += [int(ids[i]) for i in range(left, right + 1)
                      if min_x <= c[2 * i] <= max_x and min_y <= c[2 * i + 1] <= max_y]
            continue
        m = (left + right) >> 1
        x, y = c[2 * m], c[2 * m + 1]
        if min_x <= x <= max_x and min_y <= y <= max_y:
            found.append(int(ids[m]))
        if (min_x <= x) if axis == 0 else (min_y <= y):
            stack += [left, m - 1, 1 - axis]
        if (max_x >= x) if axis == 0 else (max_y >= y):
            stack += [m + 1, right, 1 - axis]
    return found


def kdbush_within(buffer: bytes, qx: float, qy: float, r: float) -> list[int]:
    node_size, ids, c = parse(buffer)
    stack, found, r2 = [0, len(ids) - 1, 0], [], r * r
    while stack:
        axis, right, left = stack.pop(), stack.pop(), stack.pop()
        if right - left <= node_size:
            found += [int(ids[i]) for i in range(left, right + 1)
                      if (c[2 * i] - qx) ** 2 + (c[2 * i + 1] - qy) ** 2 <= r2]
            continue
        m = (left + right) >> 1
        x, y = c[2 * m], c[2 * m + 1]
        if (x - qx) ** 2 + (y - qy) ** 2 <= r2:
            found.append(int(ids[m]))
        if (qx - r <= x) if axis == 0 else (qy - r <= y):
            stack += [left, m - 1, 1 - axis]
        if (qx + r >= x) if axis == 0 else (qy + r >= y):
            stack += [m + 1, right, 1 - axis]
    return found


def points(kind: str, count: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    if kind == "normal":
        return rng.normal(0, 0.3, count).astype(np.float32), rng.normal(0, 0.3, count).astype(np.float32)
    if kind == "grid":  # many ties on both axes
        return (rng.integers(0, 7, count) / 7).astype(np.float32), (rng.integers(0, 5, count) / 5).astype(np.float32)
    if kind == "clusters":  # dense lumps and empty space, like a t-SNE map
        centres = rng.uniform(-0.8, 0.8, (6, 2))
        which = rng.integers(0, 6, count)
        xy = centres[which] + rng.normal(0, 0.02, (count, 2))
        return xy[:, 0].astype(np.float32), xy[:, 1].astype(np.float32)
    x = np.full(count, 0.25, np.float32)  # "same": every point on one spot
    return x, x.copy()


@pytest.mark.parametrize("kind", ["normal", "grid", "clusters", "same"])
@pytest.mark.parametrize("count", [1, 2, 17, 1000, 70_000])
def test_queries_on_the_server_built_index_match_brute_force(kind, count):
    x, y = points(kind, count)
    buffer = kdbush_bytes(x, y)
    node_size, ids, coordinates = parse(buffer)
    assert node_size == NODE_SIZE
    assert sorted(ids.tolist()) == list(range(count))  # every point once
    np.testing.assert_array_equal(coordinates[0::2], x[ids])
    np.testing.assert_array_equal(coordinates[1::2], y[ids])
    rng = np.random.default_rng(1)
    for _ in range(12 if count < 70_000 else 3):
        a, b = np.sort(rng.uniform(-1, 1, 2)), np.sort(rng.uniform(-1, 1, 2))
        want = np.flatnonzero((x >= a[0]) & (x <= a[1]) & (y >= b[0]) & (y <= b[1]))
        assert sorted(kdbush_range(buffer, a[0], b[0], a[1], b[1])) == want.tolist()
        qx, qy, r = *rng.uniform(-0.5, 0.5, 2), rng.uniform(0, 0.2)
        want = np.flatnonzero((x - qx) ** 2 + (y - qy) ** 2 <= r * r)
        assert sorted(kdbush_within(buffer, qx, qy, r)) == want.tolist()
    # a box around one exact point always finds it (ties on the splitting coordinate included)
    k = count // 2
    assert k in kdbush_range(buffer, x[k], y[k], x[k], y[k])


def test_each_node_is_split_at_its_middle_item():
    """The invariant itself, for every node: the left part <= the middle item <= the right part on the axis."""
    x, y = points("clusters", 5000, seed=3)
    node_size, ids, c = parse(kdbush_bytes(x, y, node_size=4))
    stack = [(0, len(ids) - 1, 0)]
    while stack:
        left, right, axis = stack.pop()
        if right - left <= node_size:
            continue
        m = (left + right) >> 1
        values = c[axis::2]
        assert values[left:m].max(initial=-np.inf) <= values[m] <= values[m + 1:right + 1].min(initial=np.inf)
        stack += [(left, m - 1, 1 - axis), (m + 1, right, 1 - axis)]


def test_ids_are_16_bit_below_65536_points_and_32_bit_from_there():
    small = kdbush_bytes(*points("normal", 65535))
    large = kdbush_bytes(*points("normal", 65536))
    assert len(small) == 8 + 65535 * 2 + 2 + 65535 * 8  # 2 bytes of padding to a multiple of 8
    assert len(large) == 8 + 65536 * 4 + 65536 * 8


def test_the_16_bit_and_64_bit_node_numbers_build_the_same_tree(monkeypatch):
    import zspace.explore.spatial_index as spatial_index

    x, y = points("clusters", 20_000, seed=5)
    radix = kdbush_bytes(x, y, node_size=2)
    monkeypatch.setattr(spatial_index, "RADIX_NODES", 0)  # every depth with int64 node numbers
    assert kdbush_bytes(x, y, node_size=2) == radix
