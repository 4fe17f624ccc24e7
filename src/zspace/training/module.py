"""The Lightning shell: one training step around a plain PyTorch autoencoder.

Everything that matters (network, loss) is plain PyTorch and works without
Lightning; this module adds the optimiser, per-epoch seeding and loss sums.
"""

from __future__ import annotations

import lightning as L
import torch

from zspace.data.loader import to_model_input
from zspace.errors import ZspaceError
from zspace.models.autoencoder import Autoencoder
from zspace.training.checkpoint import Position
from zspace.training.losses import LossTerms, autoencoder_loss

TERMS = ("loss", "reconstruction", "kl")
TRAIN_SUMS = (*(f"train_{name}" for name in TERMS), "train_count")  # a mid-epoch checkpoint keeps these


def epoch_seed(seed: int, epoch: int, rank: int = 0) -> int:
    """The torch seed of one epoch on one rank: a resumed run redraws the same noise."""
    return (seed * 1_000_003 + epoch * 7_919 + rank * 104_729) % (2**63 - 1)


class AutoencoderModule(L.LightningModule):
    def __init__(
        self,
        model: Autoencoder,
        kl_weight: float,
        learning_rate: float,
        seed: int,
        epoch_offset: int = 0,
        optimizer_state: dict | None = None,
        compile: bool = False,
        resume_from: Position | None = None,
    ) -> None:
        super().__init__()
        self.model = model
        # The compiled wrapper is kept out of the module tree, so weights and checkpoints keep
        # the plain model's names (no "_orig_mod." prefix).
        object.__setattr__(self, "network", torch.compile(model) if compile else model)
        self.kl_weight = kl_weight
        self.learning_rate = learning_rate
        self.seed = seed
        self.epoch_offset = epoch_offset  # complete epochs before this fit (resume)
        self.optimizer_state = optimizer_state
        # A mid-epoch position: the first epoch of this fit continues it.
        self.resume_from = resume_from if resume_from is not None and resume_from.mid_epoch else None
        self.sums: dict[str, torch.Tensor] = {}
        self.noise: torch.Generator | None = None

    @property
    def epoch(self) -> int:
        """The epoch number counted over the whole run, resumes included."""
        return self.epoch_offset + self.current_epoch

    def configure_optimizers(self) -> torch.optim.Optimizer:
        optimizer = torch.optim.Adam(self.model.parameters(), lr=self.learning_rate)
        if self.optimizer_state is not None:
            optimizer.load_state_dict(self.optimizer_state)
        return optimizer

    def on_train_epoch_start(self) -> None:
        # A generator of our own: Lightning and the DataLoader also draw from torch's global
        # RNG, at points that differ between a fresh and a resumed fit.
        self.noise = torch.Generator(device=self.device)
        self.noise.manual_seed(epoch_seed(self.seed, self.epoch, self.global_rank))
        self.sums = {}
        if self.current_epoch == 0 and self.resume_from is not None:
            self._continue(self.resume_from)

    def _continue(self, position: Position) -> None:
        """Take up this rank's noise state and loss sums where the checkpoint left them."""
        rank, world = self.global_rank, self.trainer.world_size if self.trainer else 1
        assert position.sums is not None
        if position.world_size == world and position.noise is not None:
            self.noise.set_state(position.noise[rank].clone())
            sums = position.sums[rank]
        else:  # another device count: the data order holds, the noise cannot; rank 0 keeps the sums
            sums = position.sums.sum(dim=0) if rank == 0 else torch.zeros_like(position.sums[0])
        self.sums = {key: sums[i].to(self.device) for i, key in enumerate(TRAIN_SUMS)}

    def rank_state(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(noise, sums) of every rank, stacked: (world, n) uint8 and (world, 4). Collective."""
        noise = self.noise.get_state().to(self.device)
        sums = torch.stack([torch.as_tensor(self.sums[key], device=self.device) for key in TRAIN_SUMS])
        gather = self.trainer.strategy.all_gather
        world = self.trainer.world_size
        noise, sums = (t.cpu() if world > 1 else t.cpu().unsqueeze(0) for t in (gather(noise), gather(sums)))
        return noise, sums

    def _terms(self, batch: torch.Tensor) -> LossTerms:
        images = to_model_input(batch)
        out = self.network(images, generator=self.noise if self.model.training else None)
        return autoencoder_loss(out.logits, images, out.encoded.mean, out.encoded.logvar, self.kl_weight)

    def _accumulate(self, split: str, terms: LossTerms, count: int) -> None:
        for name, value in zip(TERMS, (terms.total, terms.reconstruction, terms.kl), strict=True):
            key = f"{split}_{name}"
            self.sums[key] = self.sums.get(key, 0.0) + value.detach().float() * count
        self.sums[f"{split}_count"] = self.sums.get(f"{split}_count", 0.0) + torch.tensor(
            float(count), device=self.device
        )

    def training_step(self, batch: torch.Tensor, batch_idx: int) -> torch.Tensor:
        terms = self._terms(batch)
        if not torch.isfinite(terms.total):
            raise ZspaceError(
                f"training stopped: the loss became {terms.total.item()} at step {self.global_step} "
                f"(epoch {self.epoch + 1}); lower the learning rate, or train in 32-bit precision"
            )
        self._accumulate("train", terms, len(batch))
        return terms.total

    def validation_step(self, batch: torch.Tensor, batch_idx: int) -> None:
        # Validation encodes to the mean (no sampling): a deterministic number per epoch.
        self._accumulate("val", self._terms(batch), len(batch))

    def epoch_means(self) -> dict[str, float]:
        """Mean of each loss term over the epoch, summed over all ranks."""
        reduce = self.trainer.strategy.reduce
        means: dict[str, float] = {}
        for split in ("train", "val"):
            if f"{split}_count" not in self.sums:
                continue
            count = reduce(self.sums[f"{split}_count"].clone(), reduce_op="sum")
            for name in TERMS:
                total = reduce(self.sums[f"{split}_{name}"].clone(), reduce_op="sum")
                means[f"{split}_{name}"] = float(total / count)
        return means
