"""The expected error beside every decode: the inverse study of each t-SNE/UMAP map, measured once, in the background.

``/api/invert`` and ``/api/atlas`` show, beside a decode at a map point, the error the inverse makes
at that distance ratio on held-out points of the same map (inverse_study.py: pixel RMSE and, when the
image cache has a stored judge, the judge's feature distance). A study decodes a few hundred images,
seconds on a CPU, so it never delays the first paint: the server's warm-up measures each map's after
everything the page needs first, and a decode on a map whose study is not done yet starts it (once) and
answers without it (``expected_error`` null, the page says "being measured"); later decodes carry it. A study that
fails leaves a note and the expected error unknown; the explorer goes on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from zspace.explore.inverse_study import InverseStudy
from zspace.explore.maps import MapView


class ExpectedErrors:
    """One :class:`InverseStudy` per map, made by ``measure(view)`` in a thread on first request, then kept."""

    def __init__(self, measure: Callable[[MapView], InverseStudy], notes: list[str]) -> None:
        self._measure = measure
        self._notes = notes
        self._studies: dict[str, InverseStudy | None] = {}  # None: measured and failed
        self._running: dict[str, threading.Thread] = {}
        self._lock = threading.Lock()

    def study(self, view: MapView, wait: bool = False) -> InverseStudy | None:
        """The map's study when measured; else start it (once) and return None, or wait for it with ``wait``."""
        with self._lock:
            if view.name in self._studies:
                return self._studies[view.name]
            if view.name not in self._running:
                self._running[view.name] = threading.Thread(target=self._run, args=(view,), daemon=True,
                                                            name=f"inverse-study-{view.name}")
                self._running[view.name].start()
            thread = self._running[view.name]
        if wait:
            thread.join()
            return self._studies.get(view.name)
        return None

    def expected(self, view: MapView, ratio: float) -> dict | None:
        study = self.study(view)
        return None if study is None else study.expected(ratio)

    def _run(self, view: MapView) -> None:
        try:
            study = self._measure(view)
        except Exception as err:  # a study that fails must not stop the explorer: it says why in a note
            study = None
            self._notes.append(f"map {view.name}: the inverse's expected error could not be measured "
                               f"({type(err).__name__}: {str(err)[:120]})")
        with self._lock:
            self._studies[view.name] = study
            self._running.pop(view.name, None)
