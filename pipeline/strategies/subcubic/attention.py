"""Attention handling of the subcubic family: per-slot upper bounds on the centred logit terms.

By the sign trick (cubic.py) an input with query q and max m is correct if
    F = sum_i w_i max_{y != m} L_i[y] < 0,   L_i[y] = Dir'[q,y] + Ov'[t_i,y] + PVOU'[i,y],
w_i = exp(score_i / s) > 0, X'[., y] = X[., y] - X[., m] (each slot carries the whole direct term
because the attention weights sum to 1).  With EUPU[q,y] = mu[y] + R[q,y] (eupu.py), spread(R[q]) <=
delta[q], and the OV bounds of layer.py, each slot's max over y is bounded by:
  max-token slot   gm[q,m] = delta[q] + J[m]                        ("mean_query+diff": the query-mean
                   J[m] >= max_{y!=m} (mu'[m,y] + EVOU'[m,y] + Pm[m,y])   of the direct path is kept joint
                                                                     with the max token's OV row)
                   gm[q,m] = delta[q] + Mu[m] + Em[m]               ("drop_average": the two are split)
  non-max slot k   Gk[q,m,g] = delta[q] + Mu[m] + max_{k<=m-g} X[m,k] + Pmax[m]     (any k <= m - g)
  query slot q<m   gq[q,m] = delta[q] + Mu[m] + X[m,q] + Pmax[m]
with Mu[m] >= max_{y!=m} (mu[y] - mu[m]).  Each is the max over y of a sum, bounded by the sum of
maxima (and J by a joint max), so every bound is >= the exact slot maximum.
"""

from __future__ import annotations

import numpy as np

from ...numerics import Interval
from .layer import Context, top2_excluding

ATTENTION_HANDLINGS = ("mean_query+diff", "drop_average_query_per_output_logit_reasoning")


def slot_bounds(ctx: Context, mu: Interval, delta: np.ndarray, handling: str, fc):
    """(gm [q, m], Hk [m, g], gq [q, m]) float upper bounds; Gk[q,m,g] = delta[q] + Hk[m,g].

    Complexity: O(V^2) exact maxima and rounded-up additions (plus O(V^2) prefix maxima).
    Preconditions: mu, delta from eupu_bound; handling in ATTENTION_HANDLINGS.
    Postconditions: module docstring inequalities (upper bounds, rounded up); Hk[m, g] for g = 0..V-1
    covers tokens k <= m - g (-inf where m - g < 0: no such token).
    """
    if handling not in ATTENTION_HANDLINGS:
        raise ValueError(f"unknown attention handling {handling!r}; choose from {ATTENTION_HANDLINGS}")
    V = ctx.V
    Pm, Pmax, Em, X, Own = ctx.ov_bounds()
    mu_c = mu[None, :] - mu[:, None]  # [m, y]: mu[y] - mu[m]
    fc.elementwise("attn/mu'", (V, V))
    Mu = top2_excluding(mu_c.hi)[np.arange(V), np.arange(V)]  # max_{y != m} mu'[m, y]  (row m, column m)
    fc.reduction("attn/Mu", (V,), V - 1)
    if handling == "mean_query+diff":
        Jf = (mu_c + Interval.exact(Own) + Interval.exact(Pm)).hi  # [m, y]
        fc.elementwise("attn/J", (V, V), ops=2)
        J = np.where(np.eye(V, dtype=bool), -np.inf, Jf).max(axis=1)
        fc.reduction("attn/J", (V,), V - 1)
        m_part = J
    else:
        m_part = (Interval.exact(Mu) + Interval.exact(Em)).hi
        fc.elementwise("attn/Em", (V,))
    gm = (Interval.exact(delta)[:, None] + Interval.exact(m_part)[None, :]).hi  # [q, m]
    fc.elementwise("attn/gm", (V, V))
    base = (Interval.exact(Mu) + Interval.exact(Pmax)).hi  # [m]
    fc.elementwise("attn/base", (V,))
    prefX = np.maximum.accumulate(X, axis=1)  # [m, k]: max_{k' <= k} X[m, k']
    fc.reduction("attn/prefX", (V, V), 2)
    g = np.arange(V)
    idx = np.arange(V)[:, None] - g[None, :]  # [m, g]: m - g
    sel = prefX[np.arange(V)[:, None], np.clip(idx, 0, None)]
    Hk = np.where(idx >= 0, (Interval.exact(base)[:, None] + Interval.exact(sel)).hi, -np.inf)  # [m, g]
    fc.elementwise("attn/Hk", (V, V))
    gq = (Interval.exact(delta)[:, None] + Interval.exact(base)[None, :] + Interval.exact(X.T)).hi  # [q, m]: X[m, q]
    fc.elementwise("attn/gq", (V, V), ops=2)
    return gm, Hk, gq
