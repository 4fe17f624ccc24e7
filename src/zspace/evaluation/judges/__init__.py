"""Judge networks that work offline, trained by zspace on the dataset itself (SPEC X4).

One file per judge kind: ``classifier`` (labels or attributes), ``factors``
(the synthetic faces' known factors), ``random`` (a randomly initialised
encoder, Naeem et al. 2020). ``auto`` takes the first that applies to a cache,
in that order of preference. Judges are stored beside their cache
(``store.py``) and reused while the cache's checksum and the settings match.
"""

from __future__ import annotations

import time

import torch

from zspace.data.cache import ImageCache
from zspace.errors import ZspaceError
from zspace.evaluation.judges.base import Judge, JudgeKind, JudgeSettings
from zspace.evaluation.judges.classifier import ClassifierJudge
from zspace.evaluation.judges.factors import FactorJudge, predicted_factors
from zspace.evaluation.judges.network import JudgeNetwork, NetworkShape
from zspace.evaluation.judges.random_encoder import RandomJudge, calibrate
from zspace.evaluation.judges.store import judge_files, load_stored, request, save_stored
from zspace.evaluation.judges.training import fit_judge
from zspace.progress import Progress

JUDGES: dict[str, type[JudgeKind]] = {"classifier": ClassifierJudge, "factors": FactorJudge, "random": RandomJudge}
AUTO_ORDER = ("classifier", "factors", "random")
CHOICES = ("auto", *JUDGES)

__all__ = ["CHOICES", "JUDGES", "Judge", "JudgeSettings", "choose_judge", "judge_files", "open_judge",
           "predicted_factors"]


def choose_judge(cache: ImageCache, name: str = "auto") -> JudgeKind:
    """The judge kind ``name`` for ``cache``; ``auto`` = the first of classifier, factors, random that applies."""
    if name == "auto":
        return next(JUDGES[n]() for n in AUTO_ORDER if JUDGES[n]().applies(cache))
    if name not in JUDGES:
        raise ZspaceError(f"judge {name!r} is unknown; choose one of {', '.join(CHOICES)}")
    kind = JUDGES[name]()
    if not kind.applies(cache):
        raise ZspaceError(f"judge {name!r} does not apply to {cache.path}: the {kind.description} needs "
                          f"index columns this cache lacks; choose 'auto' or 'random'")
    return kind


def open_judge(
    cache: ImageCache, name: str = "auto", settings: JudgeSettings | None = None, progress: Progress | None = None,
) -> Judge:
    """The judge ``name`` of ``cache``: loaded from CACHE/judges when it matches, else trained and stored there."""
    settings = settings or JudgeSettings()
    kind = choose_judge(cache, name)
    names = kind.output_names(cache)
    shape = NetworkShape(channels=cache.channels, outputs=len(names))
    wanted = request(cache, kind.name, shape, settings.as_dict())
    stored = load_stored(cache, wanted)
    if stored is not None:
        network, record = stored
        return Judge(kind.name, network, names, record, reused=True)
    torch.manual_seed(settings.seed)  # the initial weights
    network = JudgeNetwork(shape)
    started = time.monotonic()
    fitted = fit_judge(kind, network, cache, settings, progress) if kind.trains else calibrate(network, cache, settings)
    record = {**wanted, **fitted, "seconds": round(time.monotonic() - started, 2), "torch": torch.__version__}
    judge = Judge(kind.name, network.eval(), names, record, reused=False)
    try:
        save_stored(cache, network, record)
    except OSError as err:  # a read-only cache: the judge works, but is trained again next time
        judge.notes.append(f"{judge_files(cache, kind.name, settings.seed)[0].parent}: cannot be written "
                           f"({err.strerror or type(err).__name__}); the {kind.name} judge was not stored "
                           "and will be trained again next time")
    return judge
