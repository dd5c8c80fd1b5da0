"""EUPU (direct path) handling of the subcubic family: a per-y mean plus a per-query spread bound.

Every option returns (mu, delta) with
    EUPU[q, y] = mu[y] + R[q, y]   (exact, R defined by this equation)
    delta[q]  >= max_y R[q, y] - min_y R[q, y]      (the within-row spread of the residual)
so that for the right answer m and any y:  EUPU[q,y] - EUPU[q,m] <= (mu[y] - mu[m]) + delta[q].

Options (the paper's names):
  mean_query+max_diff     mu = e W_U + b_U with e = mean_q Eq (query-side embedding);
                          delta[q] = sum_k |Eq[q,k] - e_k| * (max_y W_U[k,y] - min_y W_U[k,y]).
  svd_query+max_diff      the same with e = an untrusted direction (top singular vector of Eq,
                          scaled to the mean's projection); any e is sound.
  max_diff                e = 0: mu = b_U, delta[q] = sum_k |Eq[q,k]| spread(W_U[k,:]).
  max_diff_exact          EUPU computed exactly (V^2 d); mu = 0; delta[q] = spread(EUPU[q,:]).
  global_max_diff_exact   as max_diff_exact, delta[q] = max_q' spread(EUPU[q',:]) for every q.
Soundness of the factored spread: R[q,y] - R[q,y'] = sum_k (Eq[q,k] - e_k)(W_U[k,y] - W_U[k,y'])
<= sum_k |Eq[q,k] - e_k| (max_y W_U[k,y] - min_y W_U[k,y]).
"""

from __future__ import annotations

import numpy as np

from ...numerics import Interval
from .layer import Context, spread_hi

EUPU_HANDLINGS = ("mean_query+max_diff", "svd_query+max_diff", "max_diff", "max_diff_exact", "global_max_diff_exact")


def _svd_direction(ctx: Context) -> np.ndarray:
    """Untrusted: e = v1 (v1 . mean Eq) with v1 the top right singular vector of Eq (floats)."""
    W = ctx.f64
    Eq = W["W_E"] + W["W_pos"][ctx.n - 1][None, :]
    _, _, Vt = np.linalg.svd(Eq, full_matrices=False)
    v1 = Vt[0]
    return v1 * float(v1 @ Eq.mean(axis=0))


def eupu_bound(ctx: Context, handling: str):
    """(mu [V(y)] Interval, delta [V(q)] float upper bounds) for one EUPU handling (module docstring).

    Complexity: O(V d) for the factored options, O(V^2 d) for the exact ones.
    Preconditions: handling in EUPU_HANDLINGS.
    Postconditions: EUPU[q,y] - mu[y] has within-row spread <= delta[q] for the exact EUPU.
    """
    if handling not in EUPU_HANDLINGS:
        raise ValueError(f"unknown EUPU handling {handling!r}; choose from {EUPU_HANDLINGS}")

    def fn(fc):
        W = ctx.f64
        V, n, d = ctx.V, ctx.n, ctx.d
        WU = Interval.exact(W["W_U"])  # [d, V]
        bU = Interval.exact(W["b_U"])  # [V]
        Eq = Interval.exact(W["W_E"]) + Interval.exact(W["W_pos"][n - 1])[None, :]  # [V, d]
        fc.elementwise("eupu/Eq", (V, d))
        if handling in ("max_diff_exact", "global_max_diff_exact"):
            EUPU = Eq @ WU + bU[None, :]  # [V(q), V(y)]
            fc.matmul("eupu/EUPU", (V, V), d)
            fc.elementwise("eupu/bU", (V, V))
            delta = spread_hi(EUPU, axis=1)  # [q]
            fc.reduction("eupu/spread", (V,), 2 * V)
            if handling == "global_max_diff_exact":
                delta = np.full(V, delta.max())
                fc.reduction("eupu/global", (1,), V)
            return Interval.exact(np.zeros(V)), delta
        if handling == "mean_query+max_diff":
            e = Eq.sum(axis=0).div_pos(float(V))  # [d]
            fc.reduction("eupu/mean", (d,), V)
        elif handling == "svd_query+max_diff":
            e = Interval.exact(_svd_direction(ctx))  # untrusted direction, exact as floats
        else:
            e = Interval.exact(np.zeros(d))
        spr = spread_hi(WU, axis=1)  # [d]
        fc.reduction("eupu/spreadWU", (d,), 2 * V)
        dev = (Eq - e[None, :]).abs()  # [V, d]
        fc.elementwise("eupu/dev", (V, d), ops=2)
        delta = (dev @ Interval.exact(spr)).hi  # [V] rounded up
        fc.matmul("eupu/delta", (V,), d)
        mu = e[None, :] @ WU  # [1, V]
        fc.matmul("eupu/mu", (1, V), d)
        mu = mu[0] + bU
        fc.elementwise("eupu/mu+b", (V,))
        return mu, delta

    return ctx.get(f"eupu:{handling}", fn)
