"""Training a Max-of-K model with the paper's recipe, deterministically from a seed.

Owns `TrainConfig` (the recipe), `train` (model config + recipe -> Weights + metadata) and
`train_to_file` (the same, saved as `max{K}-seed{S}.safetensors` + `.json`).

    maxk train --k 4 --seed 123 --out artifacts/models     # -> artifacts/models/max4-seed123.*

Recipe (Gross et al., "Compact proofs of model performance via mechanistic interpretability"):
AdamW(lr 1e-3, betas (0.9, 0.999), weight decay 0.01), batches of 128 i.i.d. uniform sequences,
3000 steps, cross-entropy of the last-position logits against max(x).  Biases stay frozen at 0.

Determinism: the initialisation and the data stream come from two `torch.Generator`s whose
seeds are derived from `seed` (numpy `SeedSequence`), `torch.manual_seed(seed)` is set,
`torch.use_deterministic_algorithms(True)` is on and torch runs on one thread during training
(the model is tiny; one thread is also the fastest here).  Two runs on one machine with the same
torch build give bit-identical weights; other builds or CPUs may differ in the last bits.
"""

from __future__ import annotations

import dataclasses
import platform
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..progress import progress_bar
from .checkpoint import save_weights
from .config import ModelConfig, strict_from_dict
from .transformer import MaxKTransformer
from .weights import Weights


@dataclass(frozen=True)
class TrainConfig:
    """The training recipe; defaults are the paper's."""

    seed: int = 123  # the paper's main seed
    steps: int = 3000  # optimizer steps (the paper's run length)
    batch_size: int = 128  # sequences per step (paper)
    lr: float = 1e-3  # AdamW learning rate (paper)
    betas: tuple[float, float] = (0.9, 0.999)  # AdamW betas (paper / torch default)
    weight_decay: float = 0.01  # AdamW decoupled weight decay (paper / torch default)

    def __post_init__(self):
        for name in ("seed", "steps", "batch_size"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool):
                raise ValueError(f"TrainConfig.{name} must be an int, got {v!r}")
        if self.seed < 0:
            raise ValueError(f"TrainConfig.seed must be >= 0, got {self.seed}")
        if self.steps < 1 or self.batch_size < 1:
            raise ValueError(f"TrainConfig.steps and batch_size must be >= 1, got {self.steps}, {self.batch_size}")
        for name in ("lr", "weight_decay"):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not np.isfinite(v) or v < 0:
                raise ValueError(f"TrainConfig.{name} must be a finite non-negative number, got {v!r}")
            object.__setattr__(self, name, float(v))
        betas = self.betas
        if (
            not isinstance(betas, (tuple, list))
            or len(betas) != 2
            or not all(isinstance(b, (int, float)) and not isinstance(b, bool) and 0 <= b < 1 for b in betas)
        ):
            raise ValueError(f"TrainConfig.betas must be two numbers in [0, 1), got {betas!r}")
        object.__setattr__(self, "betas", (float(betas[0]), float(betas[1])))

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["betas"] = list(self.betas)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        """Strict: unknown keys are rejected, not ignored; types are checked."""
        return strict_from_dict(cls, d)


def _derived_seeds(seed: int) -> tuple[int, int]:
    """Independent 63-bit seeds for (initialisation, data) from the one user seed."""
    init_state, data_state = np.random.SeedSequence(seed).spawn(2)
    return int(init_state.generate_state(1, np.uint64)[0] >> 1), int(data_state.generate_state(1, np.uint64)[0] >> 1)


def _git(*args: str) -> str | None:
    """stdout of `git ARGS` run in the checkout holding this file, or None on any failure."""
    try:
        out = subprocess.run(
            ["git", *args], cwd=Path(__file__).resolve().parent, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout if out.returncode == 0 else None


def git_revision() -> str:
    """`git rev-parse HEAD` of the checkout holding this file, or "unknown"."""
    rev = (_git("rev-parse", "HEAD") or "").strip()
    return rev or "unknown"


def git_dirty() -> bool | None:
    """True if `pipeline/` has uncommitted or untracked changes (the revision then does not
    describe the code that ran); None if git is unavailable."""
    status = _git("status", "--porcelain", "--", str(Path(__file__).resolve().parents[1]))
    return None if status is None else bool(status.strip())


def train(model_config: ModelConfig, train_config: TrainConfig, progress: bool = True) -> tuple[Weights, dict]:
    """Train one model; returns (weights, metadata).

    Metadata keys: seed, steps, final_loss (last step's batch loss), final_loss_mean_100 (mean
    over the last min(100, steps) steps), wall_time_seconds, versions {python, torch, numpy},
    git_revision, git_dirty, train_config (TrainConfig.to_dict()).  `save_weights` adds config and hashes.
    """
    assert isinstance(model_config, ModelConfig), f"expected ModelConfig, got {type(model_config).__name__}"
    assert isinstance(train_config, TrainConfig), f"expected TrainConfig, got {type(train_config).__name__}"
    tc = train_config
    V, n = model_config.d_vocab, model_config.n_ctx
    init_seed, data_seed = _derived_seeds(tc.seed)

    old_threads = torch.get_num_threads()
    old_deterministic = torch.are_deterministic_algorithms_enabled()
    t0 = time.perf_counter()
    try:
        torch.set_num_threads(1)
        torch.use_deterministic_algorithms(True)
        torch.manual_seed(tc.seed)
        model = MaxKTransformer(model_config, seed=init_seed).train()
        data_gen = torch.Generator().manual_seed(data_seed)
        trainable = [p for p in model.parameters() if p.requires_grad]
        opt = torch.optim.AdamW(trainable, lr=tc.lr, betas=tc.betas, weight_decay=tc.weight_decay)
        losses = torch.empty(tc.steps, dtype=torch.float32)
        for step in progress_bar(range(tc.steps), desc=f"train max{n} seed{tc.seed}", unit="step", disable=not progress):
            tokens = torch.randint(0, V, (tc.batch_size, n), generator=data_gen)  # [batch, n]
            target = tokens.max(dim=-1).values  # [batch]
            loss = torch.nn.functional.cross_entropy(model(tokens), target)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            losses[step] = loss.detach()
        weights = model.to_weights()
    finally:
        torch.set_num_threads(old_threads)
        torch.use_deterministic_algorithms(old_deterministic)
    wall = time.perf_counter() - t0

    final = float(losses[-1])
    if not np.isfinite(final):
        raise RuntimeError(f"training diverged: final loss {final}")
    metadata = {
        "seed": tc.seed,
        "steps": tc.steps,
        "final_loss": final,
        "final_loss_mean_100": float(losses[-min(100, tc.steps) :].mean()),
        "wall_time_seconds": round(wall, 3),
        # training is bit-reproducible for the same torch build AND the same CPU kernel family
        # (measured: the K = 4 seed-123 run gives three different models under
        # ATEN_CPU_CAPABILITY=avx512, avx2 and default; the thread count makes no difference)
        "versions": {"python": platform.python_version(), "torch": torch.__version__, "numpy": np.__version__,
                     "torch_cpu_capability": torch.backends.cpu.get_cpu_capability()},
        "git_revision": git_revision(),
        "git_dirty": git_dirty(),
        "train_config": tc.to_dict(),
    }
    return weights, metadata


def model_filename(model_config: ModelConfig, seed: int) -> str:
    """`max{K}-seed{S}.safetensors`."""
    return f"max{model_config.n_ctx}-seed{seed}.safetensors"


def train_to_file(model_config: ModelConfig, train_config: TrainConfig, out_dir, progress: bool = True) -> Path:
    """Train and write out_dir/max{K}-seed{S}.safetensors (+ .json metadata), atomically.

    Returns the path of the .safetensors file.
    """
    weights, metadata = train(model_config, train_config, progress=progress)
    path = Path(out_dir) / model_filename(model_config, train_config.seed)
    save_weights(weights, path, metadata)
    return path
