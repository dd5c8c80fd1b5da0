"""The one model configuration dataclass (shapes of the 1-layer attention-only transformer)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class ModelConfig:
    """Shapes of the Max-of-K transformer (TransformerLens conventions, one layer, one head)."""

    d_vocab: int = 64  # tokens 0..63, as in the paper
    n_ctx: int = 4  # K: sequence length = number of tokens whose max is predicted
    d_model: int = 32  # residual width (paper)
    d_head: int = 32  # one head of full width (paper); scores are divided by sqrt(d_head)

    def __post_init__(self):
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ValueError(f"ModelConfig.{f.name} must be a positive int, got {v!r}")
        if self.d_vocab < 2:
            raise ValueError("ModelConfig.d_vocab must be >= 2 (Max-of-K needs a wrong answer to exist)")

    @property
    def n_inputs(self) -> int:
        return self.d_vocab**self.n_ctx

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "ModelConfig":
        """Strict: unknown keys are rejected, not ignored."""
        return strict_from_dict(cls, d)


def strict_from_dict(cls, d: dict):
    """Build dataclass `cls` from `d`, rejecting unknown keys (config overrides are never ignored)."""
    if not isinstance(d, dict):
        raise ValueError(f"{cls.__name__}: expected a mapping, got {type(d).__name__}")
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(d) - names)
    if unknown:
        raise ValueError(f"unknown {cls.__name__} keys {unknown}; allowed {sorted(names)}")
    return cls(**d)


# TransformerLens names and shapes, as functions of the config.  Order is canonical (hashing, io).
def param_shapes(cfg: ModelConfig) -> dict[str, tuple[int, ...]]:
    V, n, d, h = cfg.d_vocab, cfg.n_ctx, cfg.d_model, cfg.d_head
    return {
        "W_E": (V, d),
        "W_pos": (n, d),
        "W_Q": (1, d, h),
        "W_K": (1, d, h),
        "W_V": (1, d, h),
        "W_O": (1, h, d),
        "W_U": (d, V),
        "b_Q": (1, h),
        "b_K": (1, h),
        "b_V": (1, h),
        "b_O": (d,),
        "b_U": (V,),
    }


PARAM_NAMES = tuple(param_shapes(ModelConfig()).keys())
