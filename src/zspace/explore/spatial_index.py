"""A map's spatial index, built on the server in the browser's own format (KDBush v4).

regl-scatterplot finds the point under the mouse and the points inside a lasso with a KDBush
k-d tree. Left to itself it builds that tree in the browser for every ``draw`` (a million points:
seconds of JavaScript in a worker, again after each recolouring). ``draw(points, {spatialIndex})``
takes a ready tree instead, so the server builds it once per map with numpy and sends its bytes.

KDBush v4 layout (little-endian, https://github.com/mourner/kdbush):

    byte 0      0xdb (magic)
    byte 1      (version 1 << 4) | array type (7 = Float32Array)
    bytes 2-3   uint16 node size
    bytes 4-7   uint32 number of items n
    then        ids: n x uint16 (n < 65536) or uint32, zero-padded to a multiple of 8 bytes
    then        coords: n x (x, y) float32, interleaved

The tree is implicit: the items of a node [left, right] with more than ``node size`` items are
ordered so that item m = (left + right) >> 1 splits them on one axis (x at even depth, y at odd):
every item in [left, m-1] has a coordinate <= item m's and every item in [m+1, right] >= it.
KDBush's range and radius queries rely on exactly that. We build it level by level: at each depth
every node still larger than the node size is sorted on the depth's axis (a full sort is a valid
split), all nodes of a depth in one stable numpy sort by node of the points in axis order.
"""

from __future__ import annotations

import numpy as np

MAGIC = 0xDB
VERSION = 1
FLOAT32 = 7  # KDBush's index of Float32Array among its array types
NODE_SIZE = 16  # regl-scatterplot's own choice
RADIX_NODES = 65_535  # below this many nodes at a depth, node numbers (and a "none" mark) fit in uint16


def kdbush_order(x: np.ndarray, y: np.ndarray, node_size: int = NODE_SIZE) -> np.ndarray:
    """The order of the points (ids) in KDBush's implicit k-d tree; see the module docstring.

    At each depth, the points of the nodes still to split are put in axis order within their node
    by a stable sort *by node* of all points already in axis order (one argsort per axis, made once).
    With fewer than 65,535 nodes the node numbers fit 16 bits and numpy's stable sort is a radix sort.
    """
    count = len(x)
    by_axis = (np.argsort(np.asarray(x), kind="stable"), np.argsort(np.asarray(y), kind="stable"))
    order = np.arange(count, dtype=np.int64)
    lefts, rights = np.array([0], dtype=np.int64), np.array([count - 1], dtype=np.int64)
    depth = 0
    while True:
        large = rights - lefts > node_size
        lefts, rights = lefts[large], rights[large]
        if not len(lefts):
            return order
        nodes = len(lefts)
        sizes = rights - lefts + 1
        node_type = np.uint16 if nodes < RADIX_NODES else np.int64
        node = np.repeat(np.arange(nodes, dtype=node_type), sizes)
        starts = np.cumsum(sizes) - sizes
        positions = np.arange(len(node), dtype=np.int64) - starts[node] + lefts[node]
        node_of = np.full(count, np.iinfo(node_type).max, dtype=node_type)  # the maximum: not being split
        node_of[order[positions]] = node
        in_axis_order = by_axis[depth % 2]
        grouped = in_axis_order[np.argsort(node_of[in_axis_order], kind="stable")]
        order[positions] = grouped[: len(positions)]  # node by node, each in axis order
        middles = (lefts + rights) >> 1
        lefts = np.concatenate([lefts, middles + 1])
        rights = np.concatenate([middles - 1, rights])
        depth += 1


def kdbush_bytes(x: np.ndarray, y: np.ndarray, node_size: int = NODE_SIZE, order: np.ndarray | None = None) -> bytes:
    """The KDBush v4 buffer of the points (x[i], y[i]) as float32; ids are the point numbers i.

    ``order``: :func:`kdbush_order` of the same points and node size, when the caller has made it already."""
    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32)
    count = len(x)
    if count >= 2**32 or not 2 <= node_size < 2**16:
        raise ValueError(f"KDBush holds fewer than 2**32 points with a node size of 2..65535, not {count}, {node_size}")
    order = kdbush_order(x, y, node_size) if order is None else np.asarray(order)
    ids = order.astype("<u2" if count < 65536 else "<u4")
    padding = (8 - ids.nbytes % 8) % 8
    coordinates = np.empty((count, 2), dtype="<f4")
    coordinates[:, 0] = x[order]
    coordinates[:, 1] = y[order]
    header = (np.array([MAGIC, (VERSION << 4) | FLOAT32], dtype=np.uint8).tobytes()
              + np.array([node_size], dtype="<u2").tobytes() + np.array([count], dtype="<u4").tobytes())
    return header + ids.tobytes() + bytes(padding) + coordinates.tobytes()
