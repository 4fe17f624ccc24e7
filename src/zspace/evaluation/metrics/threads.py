"""One BLAS thread for the many small products of the bootstrap, KID subsets and FD at several n.

Those loops run hundreds of small float64 operations (a 128 x 128 eigh, a
10,000 x 128 covariance product, a 1,000 x 1,000 kernel). Threads gain little on
them, and on a machine whose cores are shared they lose a lot: OpenBLAS's two
threads wait on each other. Measured on 2 shared cores (load average 8): 25
resampled fits of 10,000 x 128 took 14.1 s with two threads and 0.8 s with one
(benchmarks/evaluate_speed.py). The large distance products of precision/recall
keep every thread. ``threadpoolctl`` comes with scikit-learn; without it this is
a no-op.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def single_blas_thread() -> Iterator[None]:
    try:  # threadpoolctl comes with scikit-learn; without it the BLAS keeps its threads
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn brings it
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield
