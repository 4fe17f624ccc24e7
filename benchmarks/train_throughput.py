"""Training images/s: the Lightning path against a plain PyTorch loop, and bf16 against fp32.

Same model (arch small, 64 px synthetic faces), same data loader, same batches,
in one run; each variant is timed REPEATS times, alternating, best kept.
Result: benchmarks/results/train_throughput.json with the machine and ratios.

    python benchmarks/train_throughput.py [--images 3072] [--epochs 2] [--repeats 2]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import lightning as L
import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
from machine import machine_info  # noqa: E402

from zspace.data.cache import prepare_cache  # noqa: E402
from zspace.data.loader import CachedImages, EpochShuffle, image_loader, to_model_input  # noqa: E402
from zspace.data.synthetic_faces import synthetic_faces_source  # noqa: E402
from zspace.io import save_json  # noqa: E402
from zspace.models.architectures import model_config  # noqa: E402
from zspace.models.autoencoder import build_model  # noqa: E402
from zspace.training.losses import autoencoder_loss  # noqa: E402
from zspace.training.module import AutoencoderModule  # noqa: E402
from zspace.training.train import quiet_lightning  # noqa: E402

BATCH = 64


def loader(cache, seed: int = 0):
    rows = cache.rows("train")
    return image_loader(CachedImages(cache, rows), BATCH, EpochShuffle(len(rows), seed))


def in_memory_batches(cache, epoch: int, images: torch.Tensor):
    """The same batches as the real loader, sliced from a uint8 tensor already in memory."""
    sampler = EpochShuffle(len(images), 0)
    sampler.set_epoch(epoch)
    order = torch.tensor(list(sampler))
    for start in range(0, len(order), BATCH):
        yield images[order[start : start + BATCH]]


def plain_loop(cache, config, epochs: int, in_memory: bool = False) -> float:
    torch.manual_seed(0)
    model = build_model(config).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-4)
    data = loader(cache)
    in_memory_images = torch.from_numpy(np.array(cache.images[cache.rows("train")])) if in_memory else None
    count, start = 0, time.perf_counter()
    for epoch in range(epochs):
        data.sampler.set_epoch(epoch)
        for batch in (in_memory_batches(cache, epoch, in_memory_images) if in_memory else data):
            images = to_model_input(batch)
            out = model(images)
            loss = autoencoder_loss(out.logits, images, out.encoded.mean, out.encoded.logvar, 5.0).total
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            count += len(batch)
    return count / (time.perf_counter() - start)


class _Clock(L.Callback):
    """Time from the first training step to the end of fit: Lightning's steady state.

    The one-off cost of Trainer.fit's setup (about a second) is reported apart: it does not
    grow with the length of training.
    """

    def on_train_start(self, trainer: L.Trainer, module: L.LightningModule) -> None:
        self.start = time.perf_counter()

    def on_train_end(self, trainer: L.Trainer, module: L.LightningModule) -> None:
        self.stop = time.perf_counter()


SETUP_SECONDS: list[float] = []


def lightning_path(cache, config, epochs: int, precision: str) -> float:
    torch.manual_seed(0)
    module = AutoencoderModule(build_model(config), kl_weight=5.0, learning_rate=5e-4, seed=0)
    clock = _Clock()
    trainer = L.Trainer(max_epochs=epochs, accelerator="cpu", devices=1, precision=precision, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                        num_sanity_val_steps=0, use_distributed_sampler=False, limit_val_batches=0,
                        callbacks=[clock])
    data = loader(cache)
    start = time.perf_counter()
    trainer.fit(module, train_dataloaders=data)
    SETUP_SECONDS.append((time.perf_counter() - start) - (clock.stop - clock.start))
    return epochs * len(data.sampler) / (clock.stop - clock.start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=3072)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "train_throughput.json")
    args = parser.parse_args()
    with quiet_lightning(), tempfile.TemporaryDirectory() as tmp:
        cache = prepare_cache(synthetic_faces_source(count=args.images, size=64), Path(tmp) / "c", val_fraction=0.0)
        config = model_config("small", image_size=64, latent_dim=64)
        variants = {
            "plain_pytorch_fp32": lambda: plain_loop(cache, config, args.epochs),
            "plain_pytorch_fp32_tensors_in_memory": lambda: plain_loop(cache, config, args.epochs, in_memory=True),
            "lightning_fp32": lambda: lightning_path(cache, config, args.epochs, "32"),
            "lightning_bf16_mixed": lambda: lightning_path(cache, config, args.epochs, "bf16-mixed"),
        }
        best = {name: 0.0 for name in variants}
        plain_loop(cache, config, 1)  # warm-up: first-call costs (allocator, kernels) count for no variant
        for _ in range(args.repeats):
            for name, run in variants.items():
                best[name] = max(best[name], run())
    result = {
        "benchmark": "train_throughput",
        "machine": machine_info(),
        "setup": {"arch": "small", "image_size": 64, "latent_dim": 64, "batch_size": BATCH,
                  "images": args.images, "epochs": args.epochs, "repeats": args.repeats, "model": "vae"},
        "images_per_second": {k: round(v, 1) for k, v in best.items()},
        "ratios": {
            "lightning_over_plain": round(best["lightning_fp32"] / best["plain_pytorch_fp32"], 3),
            "bf16_over_fp32": round(best["lightning_bf16_mixed"] / best["lightning_fp32"], 3),
            "memmap_loader_over_in_memory": round(
                best["plain_pytorch_fp32"] / best["plain_pytorch_fp32_tensors_in_memory"], 3),
        },
        "lightning_fit_setup_seconds_median": round(float(np.median(SETUP_SECONDS)), 2),
        "goals": {"lightning_over_plain": ">= 0.95", "memmap_loader_over_in_memory": ">= 0.95"},
    }
    save_json(args.out, result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
