"""Float32 accuracy of a model over all V^n inputs, by the torch forward pass (not a proof).

Owns `float32_accuracy`, the empirical accuracy of the model *as executed in float32 by torch*.
It is a reference number (the paper's "true accuracy" and the denominator of its relative
bounds), not a certified one: certified bounds mean exact real arithmetic and live in
`pipeline/strategies/` (the sound brute force encloses the exact-real accuracy).

Inputs are enumerated in lexicographic order (position 0 most significant): input number i has
token (i // V^(n-1-p)) % V at position p (`index_to_tokens`).

    .venv/bin/python -c "from pipeline.model.checkpoint import load_weights; \
from pipeline.model.evaluate import float32_accuracy; \
print(float32_accuracy(load_weights('artifacts/models/max4-seed123.safetensors')))"
"""

from __future__ import annotations

import torch
from tqdm.auto import tqdm

from .transformer import MaxKTransformer
from .weights import Weights


def index_to_tokens(index: torch.Tensor, d_vocab: int, n_ctx: int) -> torch.Tensor:
    """Input numbers [batch] (int64, in [0, V^n)) -> token sequences [batch, n] (int64)."""
    powers = d_vocab ** torch.arange(n_ctx - 1, -1, -1, dtype=torch.int64)  # [n], V^(n-1-p)
    return (index.unsqueeze(-1) // powers) % d_vocab  # [batch, n]


def all_inputs(d_vocab: int, n_ctx: int) -> torch.Tensor:
    """Every input sequence, lexicographic: [V^n, n] int64.  Only for small V^n (memory)."""
    assert d_vocab**n_ctx <= 1 << 24, f"{d_vocab}^{n_ctx} inputs are too many to materialise"
    return index_to_tokens(torch.arange(d_vocab**n_ctx, dtype=torch.int64), d_vocab, n_ctx)


def correct_mask(logits: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
    """[batch] bool: logit[max(x)] strictly above every other logit (a tie or a NaN is wrong)."""
    target = tokens.max(dim=-1).values  # [batch]
    right = logits.gather(-1, target.unsqueeze(-1)).squeeze(-1)  # [batch]
    others = logits.scatter(-1, target.unsqueeze(-1), float("-inf"))  # [batch, V]
    return right > others.max(dim=-1).values


@torch.no_grad()
def float32_accuracy(weights: Weights, batch_size: int = 1 << 15, progress: bool = False) -> tuple[int, int]:
    """(n_correct, n_total) of the float32 torch forward over all V^n inputs.

    Same arithmetic as `MaxKTransformer.forward`, with the row-wise projections hoisted: the
    residual W_E[t] + W_pos[p] and its q, k, v projections depend only on (p, t), so they are
    computed once per (position, token) and gathered per input.  Cost ~ V^n (n d_head +
    d_head d_model + d_model V) multiply-adds, in batches of `batch_size` inputs.
    """
    assert batch_size >= 1, f"batch_size must be positive, got {batch_size}"
    cfg = weights.config
    V, n = cfg.d_vocab, cfg.n_ctx
    model = MaxKTransformer.from_weights(weights).eval()
    resid_tab = model.W_E.unsqueeze(0) + model.W_pos.unsqueeze(1)  # [n, V, d_model]
    q_tab = resid_tab[-1] @ model.W_Q[0] + model.b_Q[0]  # [V, d_head] (query = last position)
    k_tab = resid_tab @ model.W_K[0] + model.b_K[0]  # [n, V, d_head]
    v_tab = resid_tab @ model.W_V[0] + model.b_V[0]  # [n, V, d_head]
    k_flat = k_tab.reshape(n * V, -1)  # [n*V, d_head], row p*V + t
    v_flat = v_tab.reshape(n * V, -1)  # [n*V, d_head], row p*V + t
    row_offset = V * torch.arange(n, dtype=torch.int64)  # [n]
    total = V**n
    n_correct = 0
    starts = range(0, total, batch_size)
    for start in tqdm(starts, desc="float32 accuracy", disable=not progress, unit="batch"):
        index = torch.arange(start, min(start + batch_size, total), dtype=torch.int64)  # [batch]
        tokens = index_to_tokens(index, V, n)  # [batch, n]
        last = tokens[:, -1]  # [batch]
        rows = (tokens + row_offset).reshape(-1)  # [batch*n], row of (p, x_p) in k_flat / v_flat
        logits = model._last_logits_from_qkv(
            resid_tab[-1].index_select(0, last),  # [batch, d_model]
            q_tab.index_select(0, last),  # [batch, d_head]
            k_flat.index_select(0, rows).reshape(len(index), n, -1),  # [batch, n, d_head]
            v_flat.index_select(0, rows).reshape(len(index), n, -1),  # [batch, n, d_head]
        )  # [batch, V]
        n_correct += int(correct_mask(logits, tokens).sum())
    return n_correct, total
