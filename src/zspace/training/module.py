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
from zspace.training.losses import LossTerms, autoencoder_loss

TERMS = ("loss", "reconstruction", "kl")


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
    ) -> None:
        super().__init__()
        self.model = model
        # The compiled wrapper is kept out of the module tree, so weights and checkpoints keep
        # the plain model's names (no "_orig_mod." prefix).
        object.__setattr__(self, "network", torch.compile(model) if compile else model)
        self.kl_weight = kl_weight
        self.learning_rate = learning_rate
        self.seed = seed
        self.epoch_offset = epoch_offset  # epochs done before this fit (resume)
        self.optimizer_state = optimizer_state
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
                f"(epoch {self.epoch + 1}); lower --lr, or use --precision 32"
            )
        self._accumulate("train", terms, len(batch))
        self.log("loss", terms.total.detach(), prog_bar=True, on_step=True, on_epoch=False)
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
