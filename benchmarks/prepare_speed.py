"""Preparation speed on JPEGs of CelebA's size (178x218): zspace's prepare against a plain PIL loop.

The benchmark writes its own JPEGs (synthetic faces rendered at 218 px, cut to 178x218,
quality 90, about CelebA's file size), then, in one run:

- baseline: one process, PIL open -> RGB -> centre crop 148 -> Lanczos resize, into an array;
- zspace: ``prepare_cache(celeba_source(...))`` with all cores (workers, draft-mode JPEG decoding,
  writing straight into the memmap, checksum included).

for the target sizes 64 and 96. Result: benchmarks/results/prepare_speed.json with images/s,
the ratio, and the time for all 202,599 CelebA images estimated from the measured rate.

    python benchmarks/prepare_speed.py [--images 3000]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))
from machine import machine_info  # noqa: E402

from zspace.data.cache import prepare_cache  # noqa: E402
from zspace.data.celeba import celeba_source  # noqa: E402
from zspace.data.synthetic_faces import render_faces, sample_factors  # noqa: E402
from zspace.io import save_json  # noqa: E402

CELEBA_COUNT = 202_599


def make_jpegs(folder: Path, count: int) -> None:
    images = folder / "img_align_celeba"
    images.mkdir(parents=True)
    factors = sample_factors(count, seed=0)
    for start in range(0, count, 200):
        chunk = {k: v[start : start + 200] for k, v in factors.items()}
        for i, face in enumerate(render_faces(chunk, size=218)):
            Image.fromarray(face[:, 20:198]).save(images / f"{start + i + 1:06d}.jpg", quality=90)


def plain_loop(folder: Path, size: int) -> float:
    files = sorted((folder / "img_align_celeba").glob("*.jpg"))
    out = np.empty((len(files), size, size, 3), np.uint8)
    start = time.perf_counter()
    for i, path in enumerate(files):
        with Image.open(path) as image:
            rgb = image.convert("RGB")
        left, top = (rgb.width - 148) // 2, (rgb.height - 148) // 2
        out[i] = np.asarray(rgb.crop((left, top, left + 148, top + 148)).resize((size, size), Image.LANCZOS))
    return len(files) / (time.perf_counter() - start)


def zspace_prepare(folder: Path, size: int, out: Path) -> float:
    start = time.perf_counter()
    cache = prepare_cache(celeba_source(folder, size=size), out, force=True)
    return len(cache) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=3000)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "prepare_speed.json")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "celeba"
        make_jpegs(folder, args.images)
        mean_bytes = np.mean([p.stat().st_size for p in (folder / "img_align_celeba").iterdir()])
        for size in (64, 96):
            plain = plain_loop(folder, size)
            ours = zspace_prepare(folder, size, Path(tmp) / f"cache{size}")
            results[str(size)] = {
                "plain_pil_loop_images_per_second": round(plain, 1),
                "zspace_prepare_images_per_second": round(ours, 1),
                "ratio": round(ours / plain, 2),
                "full_celeba_minutes_estimated": round(CELEBA_COUNT / ours / 60, 1),
            }
    result = {
        "benchmark": "prepare_speed",
        "machine": machine_info(),
        "setup": {"images": args.images, "jpeg": "178x218, quality 90", "mean_file_bytes": int(mean_bytes),
                  "crop": 148, "workers": os.cpu_count()},
        "sizes": results,
        "goals": "ratio >= 2 and >= 2000 images/s on 2 cores",
    }
    save_json(args.out, result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
