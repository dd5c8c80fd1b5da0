"""Path decomposition of the 1-layer attention-only transformer (float64 points and sound intervals).

With q = x[n-1] the query token, t_i the token at position i and s = sqrt(d_head):

    Eq        = W_E + W_pos[n-1]                                  # [V, d] query-side embedding
    EUPU[q,y] = Eq[q] W_U + b_U[y]                                # direct path          [V, V]
    EVOU[t,y] = ((W_E[t] W_V + b_V) W_O + b_O) W_U                # OV path, token part  [V, V]
    PVOU[p,y] = W_pos[p] W_V W_O W_U                              # OV path, positions   [n, V]
    EQKE[q,t] = (Eq[q] W_Q + b_Q) . (W_E[t] W_K + b_K)            # QK path, tokens      [V, V]
    EQKP[q,p] = (Eq[q] W_Q + b_Q) . (W_pos[p] W_K)                # QK path, positions   [V, n]
    logit[y]  = EUPU[q,y] + sum_i a_i (EVOU[t_i,y] + PVOU[i,y]),  a = softmax_i((EQKE[q,t_i] + EQKP[q,i]) / s)

The bias-free parts and the two constant bias vectors are kept separately so that strategies can
book the biases in either path (sum_i a_i = 1):  bU = b_U,  bOV = (b_V W_O + b_O) W_U,
EUPU = EUPU0 + bU, EVOU = EVOU0 + bOV.

`path_matrices` is plain float64 (not sound: for oracles, diagnostics and the forward-pass test);
`path_intervals` encloses the exact real matrices (pipeline.numerics contract).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model.weights import Weights


@dataclass(frozen=True)
class Paths:
    """Path matrices; each field is a float64 array (point version) or an Interval (sound version)."""

    EUPU0: object  # [V(q), V(y)]  Eq W_U, no bias
    EVOU0: object  # [V(t), V(y)]  W_E W_V W_O W_U, no bias
    PVOU: object  # [n(p), V(y)]
    bU: object  # [V(y)]         b_U
    bOV: object  # [V(y)]         (b_V W_O + b_O) W_U
    EQKE: object  # [V(q), V(t)]
    EQKP: object  # [V(q), n(p)]

    @property
    def EUPU(self):
        return self.EUPU0 + self.bU[None, :]

    @property
    def EVOU(self):
        return self.EVOU0 + self.bOV[None, :]


def _compute(W: dict, n: int, matmul, exact):
    """Shared formula for both arithmetics; `matmul` and `exact` come from the arithmetic."""
    W_E, W_pos, W_U = exact(W["W_E"]), exact(W["W_pos"]), exact(W["W_U"])
    W_Q, W_K, W_V, W_O = (exact(W[k][0]) for k in ("W_Q", "W_K", "W_V", "W_O"))  # drop head axis
    b_Q, b_K, b_V = (exact(W[k][0]) for k in ("b_Q", "b_K", "b_V"))  # [h]
    b_O, b_U = exact(W["b_O"]), exact(W["b_U"])
    Eq = W_E + W_pos[n - 1][None, :]  # [V, d]
    OU = matmul(W_O, W_U)  # [h, V]
    VOU = matmul(W_V, OU)  # [d, V]
    Qv = matmul(Eq, W_Q) + b_Q[None, :]  # [V, h]
    Kt = matmul(W_E, W_K) + b_K[None, :]  # [V, h]
    Kp = matmul(W_pos, W_K)  # [n, h]
    return Paths(
        EUPU0=matmul(Eq, W_U),
        EVOU0=matmul(W_E, VOU),
        PVOU=matmul(W_pos, VOU),
        bU=b_U,
        bOV=matmul((matmul(b_V[None, :], W_O) + b_O[None, :]), W_U)[0],
        EQKE=matmul(Qv, Kt.T),
        EQKP=matmul(Qv, Kp.T),
    )


def path_matrices(weights: Weights) -> Paths:
    """Float64 path matrices (rounded, NOT sound). Cost O(V d^2 + V^2 d)."""
    f64 = lambda a: np.asarray(a, dtype=np.float64)  # noqa: E731
    return _compute(weights.tensors, weights.config.n_ctx, np.matmul, f64)


def path_intervals(weights: Weights) -> Paths:
    """Interval path matrices enclosing the exact real values (Interval fields).

    Complexity: O(V d^2 + V^2 d) interval operations (k-loop matmuls).
    Preconditions: weights validated by make_weights (finite float32).
    Postconditions: for each field X, X.lo <= exact X <= X.hi elementwise.
    """
    from .numerics import Interval

    return _compute(weights.tensors, weights.config.n_ctx, lambda a, b: a @ b, Interval.exact)


def logits_from_paths(P: Paths, tokens: np.ndarray, d_head: int) -> np.ndarray:
    """Last-position logits [batch, V] of `tokens` [batch, n] from float64 path matrices."""
    q = tokens[:, -1]
    n = tokens.shape[1]
    scores = (P.EQKE[q[:, None], tokens] + P.EQKP[q][:, :n]) / np.sqrt(d_head)  # [batch, n]
    a = np.exp(scores - scores.max(axis=1, keepdims=True))
    a /= a.sum(axis=1, keepdims=True)
    ov = P.EVOU[tokens] + P.PVOU[None, :n, :]  # [batch, n, V]
    return P.EUPU[q] + np.einsum("bi,biy->by", a, ov)


def count_path_flops(flops, cfg) -> None:
    """Record the cost of `path_matrices`/`path_intervals` in a FlopCounter (paper's convention)."""
    V, n, d, h = cfg.d_vocab, cfg.n_ctx, cfg.d_model, cfg.d_head
    flops.elementwise("paths/Eq", (V, d))
    flops.matmul("paths/OU", (h, V), d)  # W_O [h,d] @ W_U [d,V]
    flops.matmul("paths/VOU", (d, V), h)
    flops.matmul("paths/Qv", (V, h), d)
    flops.matmul("paths/Kt", (V, h), d)
    flops.matmul("paths/Kp", (n, h), d)
    flops.elementwise("paths/biases", (2 * V, h))
    flops.matmul("paths/EUPU0", (V, V), d)
    flops.matmul("paths/EVOU0", (V, V), d)
    flops.matmul("paths/PVOU", (n, V), d)
    flops.matmul("paths/bOV", (1, V), d)
    flops.matmul("paths/EQKE", (V, V), h)
    flops.matmul("paths/EQKP", (V, n), h)
