"""Float32 accuracy of a model over all V^n inputs, by the torch forward pass (not a proof).

Owns `float32_accuracy`, the empirical accuracy of the model *as executed in float32 by torch*.
It is a reference number (the paper's "true accuracy" and the denominator of its relative
bounds), not a certified one: certified bounds mean exact real arithmetic and live in
`pipeline/strategies/` (the sound brute force encloses the exact-real accuracy).

Inputs are enumerated in lexicographic order (position 0 most significant): input number i has
token (i // V^(n-1-p)) % V at position p (`index_to_tokens`).

Speed (the screen).  Running the torch forward on all V^n inputs is the slowest step of `make demo`
(about 6 s idle, a minute or more on a loaded machine).  `float32_accuracy` first screens every input
with a float64 bound from the path decomposition (pipeline/paths.py): with w_i the attention weights,

    logit[y] - logit[m] = sum_i a_i X'[q, i, t_i, y] <= sum_i a_i h[q, i, t_i, m],
    X[q, i, t, y] = EUPU[q,y] + EVOU[t,y] + PVOU[i,y],   h[q,i,t,m] = max_{y!=m} X[q,i,t,y] - X[q,i,t,m]

(exact in real arithmetic; O(n V^3) for h, O(n) per input).  An input whose bound is below -delta, with
delta = SCREEN_MARGIN times the largest path-matrix magnitude (orders of magnitude above float32 and
float64 rounding of logits), is counted as correct without running torch: its exact margin is at
least delta, far more than float32 rounding can move a logit difference.  Every other input (near
ties, wrong answers, bounds that are too loose) runs the torch forward exactly as before.  So the
result is the torch float32 count; without `paths` torch runs on everything (the tests compare both).

    .venv/bin/python -c "from pipeline.model.checkpoint import load_weights; \
from pipeline.model.evaluate import float32_accuracy; from pipeline.paths import path_matrices; \
w = load_weights('artifacts/models/max4-seed123.safetensors'); print(float32_accuracy(w, paths=path_matrices(w)))"
"""

from __future__ import annotations

import numpy as np
import torch

from ..progress import progress_bar
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


SCREEN_MARGIN = 1e-3  # delta / (largest |entry| of EUPU, EVOU, PVOU); float32 rounding is ~1e-7 of that


def screen_surely_correct(weights: Weights, P) -> np.ndarray:
    """bool [V^n] in input-number order: inputs whose logit margin is >= delta in exact arithmetic
    (up to float64 rounding, far below delta): module docstring "Speed".  Not a proof: a screen.
    `P`: the float64 path matrices of `weights` (pipeline.paths.path_matrices; passed in, so that
    this module does not reach up to pipeline/paths.py).

    Cost: O(n V^3) for h plus O(n) per input (float64 numpy, one query token at a time).
    """
    cfg = weights.config
    V, n = cfg.d_vocab, cfg.n_ctx
    s = np.sqrt(cfg.d_head)
    scale = max(np.abs(P.EUPU).max(), np.abs(P.EVOU).max(), np.abs(P.PVOU).max())
    delta = SCREEN_MARGIN * scale
    ar = np.arange(V)
    out = np.zeros(V**n, dtype=bool)
    grids = np.indices((V,) * (n - 1)).reshape(n - 1, -1)  # [n-1, V^(n-1)]: tokens t_0..t_{n-2}
    gmax = grids.max(axis=0)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for q in range(V):
            X = P.EUPU[q][None, None, :] + P.EVOU[None, :, :] + P.PVOU[:, None, :]  # [i, t, y]
            i1 = X.argmax(axis=2)
            top = np.take_along_axis(X, i1[:, :, None], axis=2)
            X2 = X.copy()
            np.put_along_axis(X2, i1[:, :, None], -np.inf, axis=2)
            second = X2.max(axis=2, keepdims=True)
            h = np.where(ar[None, None, :] == i1[:, :, None], second, top) - X  # [i, t, m]
            score = (P.EQKE[q][None, :] + P.EQKP[q][:, None]) / s  # [i, t]
            w = np.exp(score - score.max())  # [i, t], common shift: cancels in the ratio
            wh = (w[:, :, None] * h).reshape(n, V * V)  # [i, t*V + m]
            m = np.maximum(gmax, q)  # [V^(n-1)]
            num = wh[n - 1].take(q * V + m)
            den = np.full(m.shape, w[n - 1, q])
            for i in range(n - 1):
                num += wh[i].take(grids[i] * V + m)
                den += w[i].take(grids[i])
            sure = (num < -delta * den) & (den > 0) & np.isfinite(num)
            out[q::V] = sure  # input number (t_0 ... t_{n-2}) V + q
    return out


@torch.no_grad()
def float32_accuracy(weights: Weights, batch_size: int = 1 << 15, progress: bool = False,
                     paths=None) -> tuple[int, int]:
    """(n_correct, n_total) of the float32 torch forward over all V^n inputs.

    Same arithmetic as `MaxKTransformer.forward`, with the row-wise projections hoisted: the
    residual W_E[t] + W_pos[p] and its q, k, v projections depend only on (p, t), so they are
    computed once per (position, token) and gathered per input.  Cost ~ V^n (n d_head +
    d_head d_model + d_model V) multiply-adds, in batches of `batch_size` inputs, for the inputs
    the screen does not settle (module docstring "Speed"; it runs when `paths`, the float64 path
    matrices of `weights` from pipeline.paths.path_matrices, is given; paths=None: no screen).
    """
    assert batch_size >= 1, f"batch_size must be positive, got {batch_size}"
    cfg = weights.config
    V, n = cfg.d_vocab, cfg.n_ctx
    total = V**n
    if paths is not None:
        sure = screen_surely_correct(weights, paths)
        todo = torch.from_numpy(np.flatnonzero(~sure).astype(np.int64))
        n_correct = int(sure.sum())
    else:
        todo, n_correct = None, 0
    model = MaxKTransformer.from_weights(weights).eval()
    resid_tab = model.W_E.unsqueeze(0) + model.W_pos.unsqueeze(1)  # [n, V, d_model]
    q_tab = resid_tab[-1] @ model.W_Q[0] + model.b_Q[0]  # [V, d_head] (query = last position)
    k_tab = resid_tab @ model.W_K[0] + model.b_K[0]  # [n, V, d_head]
    v_tab = resid_tab @ model.W_V[0] + model.b_V[0]  # [n, V, d_head]
    k_flat = k_tab.reshape(n * V, -1)  # [n*V, d_head], row p*V + t
    v_flat = v_tab.reshape(n * V, -1)  # [n*V, d_head], row p*V + t
    row_offset = V * torch.arange(n, dtype=torch.int64)  # [n]
    count = total if todo is None else len(todo)
    starts = range(0, count, batch_size)
    for start in progress_bar(starts, desc="float32 accuracy", disable=not progress, unit="batch"):
        if todo is None:
            index = torch.arange(start, min(start + batch_size, total), dtype=torch.int64)  # [batch]
        else:
            index = todo[start: start + batch_size]
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
