"""Feature spaces (issue 20): images per second through zspace's DINOv2 / CLIP path on this CPU.

    python benchmarks/feature_space_speed.py [--n 256] [--size 64] [--large] [--threads T] [--flops-only]

Random weights in the real architectures' shapes, saved with save_pretrained and opened the way
``zspace evaluate --features`` opens them: the cost of a forward pass does not depend on the
weights' values, so these are the speeds of the real models (their features are meaningless).

- tiny: the tests' DINOv2 (hidden 32, 2 layers, 32 px, patch 8);
- dinov2-vits14: DINOv2 ViT-S/14 (facebook/dinov2-small: hidden 384, 12 layers, 6 heads), its
  processor (shortest edge 256, centre crop 224, bicubic, ImageNet mean/std);
- clip-vitb32: CLIP ViT-B/32's vision tower (hidden 768, 12 layers, patch 32, 224 px);
- dinov2-vitl14 (--large): DINOv2 ViT-L/14 (hidden 1024, 24 layers, 16 heads), Stein et al. 2023's model.

Each is timed twice: the image processor alone (PIL: resize, crop, normalise) and the whole
extraction (processor + model), on --n uint8 images of --size px. The machine is shared: the
load average before and after is recorded. Result: benchmarks/results/feature_space_speed.json.
``--flops-only``: no timing, the floating-point operations of one image's forward pass
(``torch.utils.flop_counter``; a multiply-add counts 2), which do not depend on the machine:
benchmarks/results/feature_space_flops.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import numpy as np  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from machine import machine_info  # noqa: E402

from zspace.evaluation.feature_spaces import open_feature_space  # noqa: E402

IMAGENET = {"image_mean": [0.485, 0.456, 0.406], "image_std": [0.229, 0.224, 0.225]}
DINOV2_PROCESSOR = {"size": {"shortest_edge": 256}, "crop_size": {"height": 224, "width": 224}, **IMAGENET}
VIT = {"num_hidden_layers": 12, "image_size": 224}
MODELS = {
    "tiny": ("dinov2", {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2,
                        "intermediate_size": 64, "image_size": 32, "patch_size": 8},
             {"size": {"shortest_edge": 36}, "crop_size": {"height": 32, "width": 32}, **IMAGENET}),
    "dinov2-vits14": ("dinov2", {**VIT, "hidden_size": 384, "num_attention_heads": 6, "intermediate_size": 1536,
                                 "patch_size": 14, "image_size": 518}, DINOV2_PROCESSOR),
    "clip-vitb32": ("clip", {**VIT, "hidden_size": 768, "num_attention_heads": 12, "intermediate_size": 3072,
                             "patch_size": 32}, {"size": {"shortest_edge": 224},
                                                 "crop_size": {"height": 224, "width": 224}}),
    "dinov2-vitl14": ("dinov2", {"hidden_size": 1024, "num_hidden_layers": 24, "num_attention_heads": 16,
                                 "intermediate_size": 4096, "patch_size": 14, "image_size": 518}, DINOV2_PROCESSOR),
}


def save(kind: str, config: dict, processor: dict, folder: Path) -> None:
    torch.manual_seed(0)
    if kind == "dinov2":
        transformers.Dinov2Model(transformers.Dinov2Config(**config)).save_pretrained(folder)
        transformers.BitImageProcessorPil(**processor).save_pretrained(folder)
    else:
        transformers.CLIPVisionModel(transformers.CLIPVisionConfig(**config)).save_pretrained(folder)
        transformers.CLIPImageProcessorPil(**processor).save_pretrained(folder)


def measure(name: str, images: np.ndarray, work: Path) -> dict:
    kind, config, processor = MODELS[name]
    save(kind, config, processor, work / name)
    space = open_feature_space(f"{kind}:{work / name}")
    space.embed(images[:8])  # warm-up
    pil = transformers.AutoImageProcessor.from_pretrained(work / name, backend="pil")
    started = time.perf_counter()
    pil(images=list(images), return_tensors="pt")
    preprocess = time.perf_counter() - started
    started = time.perf_counter()
    features, _ = space.embed(images)
    total = time.perf_counter() - started
    return {"model": name, "kind": kind, "parameters": sum(p.numel() for p in
                                                           transformers.AutoModel.from_pretrained(work / name)
                                                           .parameters()),
            "feature_dim": features.shape[1], "images": len(images), "image_px": images.shape[1],
            "preprocess_seconds": round(preprocess, 2), "total_seconds": round(total, 2),
            "images_per_second": round(len(images) / total, 1),
            "seconds_per_10000": round(10_000 * total / len(images))}


def flops(name: str, work: Path) -> dict:
    """FLOPs of one preprocessed image through the model (machine-independent cost)."""
    from torch.utils.flop_counter import FlopCounterMode

    kind, config, processor = MODELS[name]
    save(kind, config, processor, work / name)
    model = transformers.AutoModel.from_pretrained(work / name).eval()
    pixels = transformers.AutoImageProcessor.from_pretrained(work / name, backend="pil")(
        images=[np.zeros((64, 64, 3), dtype=np.uint8)], return_tensors="pt")["pixel_values"]
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(pixel_values=pixels)
    return {"model": name, "input_px": list(pixels.shape[-2:]), "gflops_per_image": round(
        counter.get_total_flops() / 1e9, 3), "parameters": sum(p.numel() for p in model.parameters())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=256)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--large", action="store_true", help="also DINOv2 ViT-L/14 (on n / 4 images)")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    parser.add_argument("--flops-only", action="store_true", help="count FLOPs per image, time nothing")
    parser.add_argument("--results", type=Path,
                        default=Path(__file__).parent / "results" / "feature_space_speed.json")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    names = ("tiny", "dinov2-vits14", "clip-vitb32") + (("dinov2-vitl14",) if args.large else ())
    if args.flops_only:
        with tempfile.TemporaryDirectory() as work:
            rows = [flops(name, Path(work)) for name in names]
        path = args.results.with_name("feature_space_flops.json")
        path.write_text(json.dumps({"transformers": transformers.__version__, "rows": rows}, indent=2) + "\n")
        print("\n".join(map(json.dumps, rows)) + f"\n{path}")
        return
    images = np.random.default_rng(0).integers(0, 256, (args.n, args.size, args.size, 3), dtype=np.uint8)
    load_before = os.getloadavg()
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for name in names:
            subset = images[: max(8, args.n // 4)] if name == "dinov2-vitl14" else images
            rows.append(measure(name, subset, Path(work)))
            print(json.dumps(rows[-1]), flush=True)
    result = {"machine": machine_info(), "load_average_before": load_before, "load_average_after": os.getloadavg(),
              "transformers": transformers.__version__, "rows": rows}
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{args.results}")


if __name__ == "__main__":
    main()
