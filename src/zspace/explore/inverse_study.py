"""How wrong is the picture the explorer decodes at a map point? Held-out map points answer it.

The explorer decodes a latent guessed from the map (inverse.py). Where the map has a data point we
know the true image, so :func:`measure_inverse` hides some map points from the inverse, guesses
their latents from the rest at their own map positions, decodes, and compares with their true images:

- pixel RMSE per image, both in [0, 1] (sqrt of the mean squared difference over pixels and channels);
- the L2 distance between the judge's features of the two images, when a ``features`` callable is
  given (the run's judge network, see :func:`stored_judge_features`); pixels only otherwise.

Beside every method (``idw``, ``local_linear``, ``kernel`` of inverse_methods.py; ``exact`` on a PCA
plane) the same points get three reference answers: the *nearest image* (the true image of the
nearest remaining map point, what hovering shows), the *mean image* (the mean of up to
``MEAN_IMAGE_ROWS`` remaining map points' images) and the *own latent* (the decode of the point's
own latent: the autoencoder's reconstruction, the floor no inverse can beat). Every mean comes with
a 95 % percentile bootstrap interval over the held-out points, and a paired interval of the
difference with the nearest-image baseline.

Two designs of hold-out:

- ``random``: ``holdout`` (2 %) of the map points, at most ``most``: clicks among the data. Their
  distance ratio (distance to the nearest remaining map point / the map's typical spacing, what the
  explorer shows) is mostly below 2.
- ``discs``: every map point within ``DISC_RADIUS`` typical spacings of a few random map points
  (discs added until ``most`` points or ``DISC_SHARE`` of the map are out): artificial voids, whose
  inner points have ratios up to ``DISC_RADIUS``. A void between clusters has no true image at all,
  so the error there cannot be measured; the discs are the nearest measurable thing.

Results are kept per bin of ratio (``RATIO_EDGES``); :meth:`InverseStudy.expected` gives the error
expected at a ratio from the pooled bins of the explorer's default method, flagged ``extrapolated``
beyond the largest bin with ``MIN_BIN`` measured points or beyond the largest ratio measured.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from zspace.analysis.pca import PCAResult
from zspace.arrays import read_rows
from zspace.errors import ZspaceError
from zspace.explore.inverse import plane_latents
from zspace.explore.inverse_methods import DEFAULT_METHOD, METHODS, choose_bandwidth, interpolate, smoother
from zspace.explore.maps import MapView

RATIO_EDGES = (0.0, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0)  # bins [a, b); the last is [8, inf)
MIN_BIN = 10  # held-out points a bin needs before expected() trusts it
BOOTSTRAP = 1000
CONFIDENCE = 0.95
MEAN_IMAGE_ROWS = 10_000
DISC_RADIUS = 6.0  # typical spacings
DISC_SHARE = 0.1  # at most this share of the map removed by the discs
MOST_DISCS = 64
BASELINES = ("nearest_image", "mean_image", "own_latent")
BATCH = 256  # images decoded / embedded at a time


@dataclass
class InverseStudy:
    map: str
    map_method: str  # "tsne", "umap", "pca"
    count: int  # map points
    spacing: float  # the map's typical spacing (normalised units)
    default: str  # the method the explorer uses on this map ("exact" on a PCA plane)
    features: str | None  # what the feature distance is measured in; None: pixels only
    bandwidths: dict[str, float]  # σ of the kernel methods, in typical spacings
    designs: dict[str, dict] = field(default_factory=dict)  # "random"/"discs" -> summary
    notes: list[str] = field(default_factory=list)
    _pooled: dict = field(default_factory=dict, repr=False)  # method -> (ratios, pixels, features or None)
    held: dict = field(default_factory=dict, repr=False)  # design -> [map points held out, per repeat]

    @property
    def held_out(self) -> int:
        return sum(d["held_out"] for d in self.designs.values())

    def expected(self, ratio: float, method: str | None = None) -> dict:
        """Mean held-out error of ``method`` (default: the explorer's) at distance ratio ``ratio``."""
        method = method or self.default
        ratio = float(ratio) if np.isfinite(ratio) else np.inf
        ratios, pixels, features = self._pooled[method]
        bins = np.searchsorted(RATIO_EDGES, ratios, side="right") - 1
        wanted = int(np.searchsorted(RATIO_EDGES, max(ratio, 0.0), side="right") - 1)
        counts = np.bincount(bins, minlength=len(RATIO_EDGES))
        measured = np.flatnonzero(counts >= MIN_BIN)
        if not len(measured):  # too few points for any bin: the overall mean
            chosen, extrapolated, inside = None, True, np.ones(len(ratios), dtype=bool)
        else:
            below = measured[measured <= wanted]
            chosen = int(below.max()) if len(below) else int(measured.min())
            extrapolated = chosen != wanted or ratio > float(ratios.max())  # beyond every held-out point
            inside = bins == chosen
        top = RATIO_EDGES[chosen + 1] if chosen is not None and chosen + 1 < len(RATIO_EDGES) else None
        return {"pixels": float(pixels[inside].mean()),
                "features": None if features is None else float(features[inside].mean()),
                "method": method, "held_out": self.held_out, "in_bin": int(inside.sum()),
                "bin": None if chosen is None else [RATIO_EDGES[chosen], top], "extrapolated": bool(extrapolated),
                "measured_up_to": float(ratios.max())}

    def to_dict(self) -> dict:
        return {"map": self.map, "map_method": self.map_method, "count": self.count, "spacing": self.spacing,
                "default": self.default, "features": self.features, "bandwidths": self.bandwidths,
                "held_out": self.held_out, "ratio_edges": list(RATIO_EDGES), "designs": self.designs,
                "notes": list(self.notes)}


def measure_inverse(view: MapView, vectors: np.ndarray, images: np.ndarray,
                    decode: Callable[[np.ndarray], np.ndarray],
                    features: Callable[[np.ndarray], np.ndarray] | None = None, holdout: float = 0.02,
                    most: int = 400, seed: int = 0, pca: PCAResult | None = None,
                    methods: tuple[str, ...] = METHODS, discs: bool = True, feature_name: str | None = None,
                    repeats: int = 1) -> InverseStudy:
    """Hold out map points, invert at their positions, decode, and compare with their true images.

    ``images``: uint8 (N, H, W, C) of every row (a memmap is fine); ``decode``: latents float32 (m, d)
    -> uint8 (m, H, W, C); ``features``: uint8 images -> (m, f) float, or None for pixels only;
    ``pca``: needed on a PCA plane, whose inverse is exact (its only method then is ``exact``);
    ``repeats``: independent random hold-outs pooled (more held-out points from a small map);
    ``discs``: also measure in artificial voids (t-SNE/UMAP maps).
    """
    if not 0 < holdout < 1:
        raise ZspaceError(f"held-out share {holdout!r}: give a fraction between 0 and 1, e.g. 0.02")
    if view.count < 10 or most < 1:
        raise ZspaceError(f"map {view.name}: {view.count} points, {most} to hold out; the inverse study needs "
                          "at least 10 map points and 1 held out")
    if view.exact and pca is None:
        raise ZspaceError(f"map {view.name} is a PCA plane: its exact inverse needs the PCA (pca)")
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ZspaceError(f"inverse methods {unknown}: choose among {', '.join(METHODS)}")
    points = view.normalised().astype(np.float64)
    spacing = view.spacing()
    rng = np.random.default_rng(seed)
    names = ("exact",) if view.exact else tuple(methods)
    default = "exact" if view.exact else (DEFAULT_METHOD if DEFAULT_METHOD in names else names[0])
    study = InverseStudy(view.name, view.method, view.count, spacing, default,
                         feature_name if features is not None else None, {})
    if features is None:
        study.notes.append("no judge features: pixel errors only")
    designs = {"random": [_random_holdout(view.count, holdout, most, rng) for _ in range(max(1, repeats))]}
    if discs and not view.exact:
        removed, note = _disc_holdout(points, view.tree(), spacing, most, rng)
        if removed is None:
            study.notes.append(note)
        else:
            designs["discs"] = [(removed, removed if len(removed) <= most
                                 else np.sort(rng.choice(removed, size=most, replace=False)))]
    for design, splits in designs.items():
        study.held[design] = [held for _, held in splits]
        measured = [_errors_of_split(view, points, vectors, images, decode, features, pca, names, removed, held,
                                     spacing, study.bandwidths, rng) for removed, held in splits]
        ratios = np.concatenate([m[0] for m in measured])
        errors = {name: (np.concatenate([m[1][name][0] for m in measured]),
                         None if features is None else np.concatenate([m[1][name][1] for m in measured]))
                  for name in measured[0][1]}
        study.designs[design] = {
            "held_out": int(len(ratios)), "repeats": len(splits),
            "removed": int(sum(len(r) for r, _ in splits)), "built_from": int(view.count - len(splits[0][0])),
            "ratio_median": float(np.median(ratios)), "ratio_max": float(ratios.max()),
            "overall": {name: _summary(errors[name], errors, rng) for name in (*names, *BASELINES)},
            "bins": _bins(ratios, errors, (*names, *BASELINES), rng)}
        for name in names:
            pooled = study._pooled.get(name)
            now = (ratios, *errors[name])
            study._pooled[name] = now if pooled is None else tuple(
                None if a is None else np.concatenate([a, b]) for a, b in zip(pooled, now, strict=True))
    return study


def _random_holdout(count: int, holdout: float, most: int, rng: np.random.Generator):
    size = int(min(most, max(1, round(holdout * count)), count - 3))
    held = np.sort(rng.choice(count, size=size, replace=False))
    return held, held


def _disc_holdout(points: np.ndarray, tree, spacing: float, most: int, rng: np.random.Generator):
    """Map points within DISC_RADIUS spacings of random centres, until ``most`` or DISC_SHARE are out."""
    limit = min(most, int(DISC_SHARE * len(points)))
    removed = np.zeros(len(points), dtype=bool)
    for centre in rng.permutation(len(points))[:4 * MOST_DISCS]:
        if removed.sum() >= limit or removed[centre]:
            continue
        inside = np.asarray(tree.query_ball_point(points[centre], DISC_RADIUS * spacing), dtype=np.int64)
        if removed.sum() + len(inside) > max(limit, 1) * 1.5:
            continue  # a disc in a dense patch would take too much of the map
        removed[inside] = True
    if not removed.any():
        return None, (f"no artificial voids: a disc of {DISC_RADIUS:g} spacings holds more than "
                      f"{DISC_SHARE:.0%} of this map's {len(points)} points")
    return np.flatnonzero(removed), None


def _errors_of_split(view, points, vectors, images, decode, features, pca, names, removed, held, spacing,
                     bandwidths, rng):
    """Build every method without ``removed``, evaluate at ``held``: ratios and per-point (pixels, features)."""
    # scipy.spatial: a tree of the remaining points (the explorer's own tree holds them all)
    from scipy.spatial import cKDTree

    keep = np.ones(len(points), dtype=bool)
    keep[removed] = False
    rest = np.flatnonzero(keep)
    tree = cKDTree(points[rest])
    distances, nearest = tree.query(points[held], k=1)
    ratios = distances / spacing
    truth = read_rows(images, view.rows[held])
    answers: dict[str, np.ndarray] = {
        "nearest_image": read_rows(images, view.rows[rest[nearest]]).astype(np.float32) / 255,
        "mean_image": np.broadcast_to(_mean_image(images, view.rows[rest], rng), truth.shape),
        "own_latent": _decode(decode, read_rows(vectors, view.rows[held])).astype(np.float32) / 255,
    }
    for name in names:
        if name == "exact":
            latents = plane_latents(view, points[held], pca)
        else:
            sigma = None
            if name != "idw":
                chosen = choose_bandwidth(name, tree, points[rest], view.rows[rest], vectors, spacing)
                bandwidths.setdefault(f"{name}_leave_one_out", chosen / spacing)
                sigma = chosen if name == "kernel" else None  # local linear: the explorer's fixed σ
            method = smoother(name, spacing, sigma)
            if name != "idw":
                bandwidths.setdefault(name, method.bandwidth / spacing)
            latents = interpolate(method, tree, points[rest], view.rows[rest], vectors, points[held]).latents
        answers[name] = _decode(decode, latents).astype(np.float32) / 255
    true_features = None if features is None else _embed(features, truth)
    truth = truth.astype(np.float32) / 255
    errors = {}
    for name, guess in answers.items():
        pixels = np.sqrt(((guess - truth) ** 2).reshape(len(truth), -1).mean(axis=1))
        feats = None
        if features is not None:
            embedded = (_embed(features, _to_uint8(guess[:1]))[np.zeros(len(truth), dtype=np.int64)]
                        if name == "mean_image" else _embed(features, _to_uint8(guess)))
            feats = np.linalg.norm(embedded - true_features, axis=1)
        errors[name] = (pixels, feats)
    return ratios, errors


def _summary(mine: tuple, errors: dict, rng: np.random.Generator) -> dict:
    """Means with intervals, and paired differences with the baselines (and with IDW, when measured)."""
    pixels, feats = mine
    out = {"pixels": _interval(pixels, rng), "features": None if feats is None else _interval(feats, rng),
           "share_better_than_nearest_image": float(np.mean(pixels < errors["nearest_image"][0]))}
    for other in ("nearest_image", "mean_image", "idw"):
        if other in errors and errors[other] is not mine:
            out[f"pixels_minus_{other}"] = _interval(pixels - errors[other][0], rng)
            if feats is not None:
                out[f"features_minus_{other}"] = _interval(feats - errors[other][1], rng)
    return out


def _bins(ratios, errors, names, rng) -> list[dict]:
    which = np.searchsorted(RATIO_EDGES, ratios, side="right") - 1
    out = []
    for b, low in enumerate(RATIO_EDGES):
        inside = which == b
        if not inside.any():
            continue
        high = RATIO_EDGES[b + 1] if b + 1 < len(RATIO_EDGES) else None
        row = {"ratio": [low, high], "n": int(inside.sum())}
        for name in names:
            pixels, feats = errors[name]
            row[name] = {"pixels": _interval(pixels[inside], rng),
                         "features": None if feats is None else _interval(feats[inside], rng)}
        out.append(row)
    return out


def _interval(values: np.ndarray, rng: np.random.Generator) -> dict:
    """Mean, percentile bootstrap interval of the mean, spread (standard deviation) and n."""
    values = np.asarray(values, dtype=np.float64)
    if len(values) < 2:
        return {"mean": float(values.mean()), "low": None, "high": None, "std": None, "n": int(len(values))}
    means = values[rng.integers(0, len(values), size=(BOOTSTRAP, len(values)))].mean(axis=1)
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return {"mean": float(values.mean()), "low": float(low), "high": float(high),
            "std": float(values.std(ddof=1)), "n": int(len(values))}


def _mean_image(images: np.ndarray, rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    picked = np.sort(rng.choice(rows, size=min(MEAN_IMAGE_ROWS, len(rows)), replace=False))
    total = np.zeros(images.shape[1:], dtype=np.float64)
    for start in range(0, len(picked), BATCH):
        total += np.asarray(images[picked[start:start + BATCH]], dtype=np.float64).sum(axis=0)
    return (total / len(picked) / 255).astype(np.float32)


def _decode(decode, latents: np.ndarray) -> np.ndarray:
    latents = np.asarray(latents, dtype=np.float32)
    return np.concatenate([np.asarray(decode(latents[s:s + BATCH])) for s in range(0, len(latents), BATCH)])


def _embed(features, images: np.ndarray) -> np.ndarray:
    return np.concatenate([np.asarray(features(images[s:s + BATCH]), dtype=np.float64)
                           for s in range(0, len(images), BATCH)])


def _to_uint8(images: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(images * 255), 0, 255).astype(np.uint8)


def stored_judge_features(cache) -> tuple[Callable[[np.ndarray], np.ndarray] | None, str | None]:
    """The features of a judge already stored beside ``cache`` (never trains one), and its label; (None, None)."""
    # torch and the judges: only when a study asks for features
    from zspace.generate.link_quality import stored_judge

    judge = stored_judge(cache)
    if judge is None:
        return None, None
    return (lambda images: judge.embed(images)[0]), judge.label()
