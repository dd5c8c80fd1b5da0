"""The torch Max-of-K transformer (training and float32 evaluation only; proofs never import torch).

Owns `MaxKTransformer`: one layer, one head, attention-only, no LayerNorm, learned absolute
positional embeddings, scores divided by sqrt(d_head), causal mask; parameters are
`nn.Parameter`s with TransformerLens names and shapes (see `config.param_shapes`).  Also owns the
conversions to and from the numpy `Weights` that every other part of the pipeline consumes.

The forward pass, per sequence x (positions 0..n-1, query position n-1), as in TransformerLens:

    resid[p]  = W_E[x_p] + W_pos[p]                                   # [n, d_model]
    q, k, v   = resid @ W_Q[0] + b_Q[0],  resid @ W_K[0] + b_K[0],  resid @ W_V[0] + b_V[0]
    score     = (q @ k^T) / sqrt(d_head), masked to -inf above the diagonal (causal)
    z         = softmax(score) @ v                                    # [n, d_head]
    logits    = (resid + z @ W_O[0] + b_O) @ W_U + b_U                # [n, d_vocab]

Only the logits at the last position are read by the task (`forward`); `full_logits` returns
every position (used to test the causal mask).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from .config import PARAM_NAMES, ModelConfig, param_shapes
from .weights import Weights, make_weights

BIAS_NAMES = tuple(name for name in PARAM_NAMES if name.startswith("b_"))


class MaxKTransformer(nn.Module):
    """1-layer, 1-head, attention-only transformer with TransformerLens parameter names.

    Initialisation (deterministic, from a `torch.Generator` seeded with `seed`): every weight
    matrix (W_E, W_pos, W_Q, W_K, W_V, W_O, W_U) is drawn i.i.d. normal with standard deviation
    0.8 / sqrt(d_model) (TransformerLens's default "gpt2" init, `initializer_range`), drawn in
    the order of `PARAM_NAMES`; every bias is zero.  Biases are frozen (`requires_grad=False`)
    so training keeps them at zero, but the forward pass uses them, so imported checkpoints
    with non-zero biases are evaluated correctly.
    """

    def __init__(self, config: ModelConfig, seed: int = 0):
        super().__init__()
        assert isinstance(config, ModelConfig), f"expected a ModelConfig, got {type(config).__name__}"
        self.config = config
        gen = torch.Generator().manual_seed(int(seed))
        std = 0.8 / math.sqrt(config.d_model)
        for name, shape in param_shapes(config).items():
            if name in BIAS_NAMES:
                param = nn.Parameter(torch.zeros(shape, dtype=torch.float32), requires_grad=False)
            else:
                data = torch.randn(shape, generator=gen, dtype=torch.float32) * std
                param = nn.Parameter(data)
            self.register_parameter(name, param)

    # -- forward ---------------------------------------------------------------------------
    def _check_tokens(self, tokens: torch.Tensor) -> None:
        n = self.config.n_ctx
        assert tokens.ndim == 2 and tokens.shape[1] == n, (
            f"tokens must have shape [batch, {n}], got {tuple(tokens.shape)}"
        )
        assert not torch.is_floating_point(tokens), f"tokens must be integers, got {tokens.dtype}"

    def full_logits(self, tokens: torch.Tensor) -> torch.Tensor:
        """Logits at every position, with the causal mask. tokens [batch, n] -> [batch, n, V]."""
        self._check_tokens(tokens)
        n = self.config.n_ctx
        resid = self.W_E[tokens] + self.W_pos  # [batch, n, d_model]
        q = resid @ self.W_Q[0] + self.b_Q[0]  # [batch, n, d_head]
        k = resid @ self.W_K[0] + self.b_K[0]  # [batch, n, d_head]
        v = resid @ self.W_V[0] + self.b_V[0]  # [batch, n, d_head]
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(self.config.d_head)  # [batch, n_q, n_k]
        future = torch.triu(torch.ones(n, n, dtype=torch.bool, device=tokens.device), diagonal=1)
        scores = scores.masked_fill(future, float("-inf"))
        pattern = torch.softmax(scores, dim=-1)  # [batch, n_q, n_k]
        z = pattern @ v  # [batch, n, d_head]
        resid = resid + z @ self.W_O[0] + self.b_O  # [batch, n, d_model]
        return resid @ self.W_U + self.b_U  # [batch, n, d_vocab]

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """Logits at the last position. tokens [batch, n] (ints in [0, V)) -> [batch, V].

        Equal to `full_logits(tokens)[:, -1]` (up to float rounding of the batched matmuls):
        the last position attends to every position, so the causal mask removes nothing
        there, and only the last query is computed.
        """
        self._check_tokens(tokens)
        resid = self.W_E[tokens] + self.W_pos  # [batch, n, d_model]
        q = resid[:, -1] @ self.W_Q[0] + self.b_Q[0]  # [batch, d_head]
        k = resid @ self.W_K[0] + self.b_K[0]  # [batch, n, d_head]
        v = resid @ self.W_V[0] + self.b_V[0]  # [batch, n, d_head]
        return self._last_logits_from_qkv(resid[:, -1], q, k, v)

    def _last_logits_from_qkv(self, resid_last, q, k, v) -> torch.Tensor:
        """Shared tail of the last-position forward (also used by `evaluate.float32_accuracy`).

        resid_last [batch, d_model], q [batch, d_head], k and v [batch, n, d_head] -> [batch, V].
        """
        scores = (k @ q.unsqueeze(-1)).squeeze(-1) / math.sqrt(self.config.d_head)  # [batch, n]
        pattern = torch.softmax(scores, dim=-1)  # [batch, n]
        z = (pattern.unsqueeze(-1) * v).sum(dim=1)  # [batch, d_head] (faster than a tiny bmm)
        resid = resid_last + z @ self.W_O[0] + self.b_O  # [batch, d_model]
        return resid @ self.W_U + self.b_U  # [batch, d_vocab]

    # -- conversions -----------------------------------------------------------------------
    def to_weights(self) -> Weights:
        """The parameters as validated float32 numpy `Weights` (exact copies)."""
        tensors = {
            name: getattr(self, name).detach().cpu().to(torch.float32).numpy().copy()
            for name in PARAM_NAMES
        }
        return make_weights(tensors, self.config)

    @classmethod
    def from_weights(cls, weights: Weights) -> "MaxKTransformer":
        """A module holding exactly `weights` (biases frozen, whatever their values)."""
        model = cls(weights.config, seed=0)
        with torch.no_grad():
            for name in PARAM_NAMES:
                src = torch.from_numpy(np.array(weights[name], dtype=np.float32, copy=True))
                param = getattr(model, name)
                assert param.shape == src.shape, f"{name}: shape {tuple(src.shape)} != {tuple(param.shape)}"
                param.copy_(src)
        return model
