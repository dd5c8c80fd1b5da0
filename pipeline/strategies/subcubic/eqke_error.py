"""EQKE error handling of the subcubic family: a low-rank approximation plus a bounded residual.

Decomposition (layer.py notation; EQKE = Eq1 Wq1 Wk1^T Ek1^T exactly).  Untrusted float search picks
D-vectors x (query side) and z (key side) from the top singular pair of the float EQKE (and, for the
"subproduct" forms, a second query-side vector x2 from the top singular pair of the remainder); the
verification uses them as exact floats, and ANY choice is sound because the remainders are defined
by subtraction in intervals:
    a  = Eq1 x,  Eq_ = Eq1 - a xt^T   (xt = x / x.x)          beta = Ek1 (Wk1 (Wq1^T xt))
    b  = Ek1 z,  Ek_ = Ek1 - b zt^T   (zt = z / z.z)          s    = Eq_ (Wq1 (Wk1^T zt))
    EQKE = a beta^T + s b^T + E4,       E4 = Eq_ Wq1 Wk1^T Ek_^T            (an identity)
Subproduct forms peel once more on the query side:  a2 = Eq_ x2,  Eq__ = Eq_ - a2 x2t^T,
    r2 = Ek_ (Wk1 (Wq1^T x2t)),  E4 = a2 r2^T + Eq__ Wq1 Wk1^T Ek_^T.
The rank-1 terms form Apx[q,t] = sum_j L_j[q] R_j[t] (kept exactly, as intervals; used signed in the
gap computation), and the remaining chain F1 F2 F3 F4 (F1 = Eq_ or Eq__, F2 = Wq1, F3 = Wk1^T,
F4 = Ek_^T) has its within-row spread bounded by eps[q] >= max_{i,j} (E[q,i] - E[q,j]):

  max_diff                 min over the chain's split points j of  sum_l |L_j[q,l]| spread(R_j[l,:]),
                           L_j = F1..Fj, R_j = F(j+1)..F4  (row l of L R is a combination of the rows
                           of R: (L R)[q,i] - (L R)[q,i'] = sum_l L[q,l](R[l,i] - R[l,i'])).
  mean+max_diff            the same after splitting L = 1 mean(L) + (L - 1 mean(L)):  spread is
                           subadditive, and the mean row's product mean(L) R is evaluated exactly.
  max_diff_subproduct      max_diff on the peeled chain (F1 = Eq__), the peeled term joins Apx.
  mean+max_diff_subproduct mean+max_diff on the peeled chain.
  *_subproduct_recursive   no product with a V-sized matrix (quadratic cost in V): with M = F2 F3
                           (D x D, cost D^2 h), spread(row l of M F4) <= sum_j |M[l,j]| spread(F4[j,:])
                           and spread(row q of F1 M F4) <= sum_l |F1[q,l]| spread(row l of M F4);
                           "mean+" applies the mean split at the top level, "mean_recursive+" at
                           every level (keeping the smaller bound).
  svd                      sqrt(2) sigma_1(E4) with sigma_1 certified (sigma.py), one eps for all q.
  max_diff_exact           E4 computed exactly (V^2 h); eps[q] = its exact row spread.
  exact_EQKE+max_diff_exact  no approximation: the full EQKE in intervals, eps = 0.
"""

from __future__ import annotations

import numpy as np

from ...numerics import Interval, sqrt_enclosure
from .layer import Context, spread_hi
from .sigma import sigma1_upper

ERROR_HANDLINGS = (
    "svd",
    "max_diff",
    "max_diff_subproduct",
    "max_diff_subproduct_recursive",
    "mean+max_diff",
    "mean+max_diff_subproduct",
    "mean+max_diff_subproduct_recursive",
    "mean_recursive+max_diff_subproduct_recursive",
    "exact_EQKE+max_diff_exact",
    "max_diff_exact",
)
QUADRATIC = ("max_diff_subproduct_recursive", "mean+max_diff_subproduct_recursive",
             "mean_recursive+max_diff_subproduct_recursive")
VOCAB_MODEL_SQUARED = ("max_diff", "max_diff_subproduct", "mean+max_diff", "mean+max_diff_subproduct")
CUBIC_REFERENCE = ("exact_EQKE+max_diff_exact", "max_diff_exact")


def _unit(v: np.ndarray) -> np.ndarray:
    """v / (v . v) as floats (untrusted; any float vector keeps the decomposition exact)."""
    nn = float(v @ v)
    return v / nn if nn > 0 else np.zeros_like(v)


def directions(ctx: Context):
    """Untrusted search (not counted): (x, z, x2) float D-vectors from float SVDs (module docstring)."""
    def fn(_fc):
        Eq1, Ek1, Wq1, Wk1 = (np.asarray(t.lo) for t in ctx.factors())
        M = Wq1 @ Wk1.T  # [D, D]
        EQKE = Eq1 @ M @ Ek1.T
        U, S, Vt = np.linalg.svd(EQKE)
        x = M @ (Ek1.T @ Vt[0])  # Eq1 x = EQKE v1
        z = M.T @ (Eq1.T @ U[:, 0])  # Ek1 z = EQKE^T u1
        xt, zt = _unit(x), _unit(z)
        Eq_ = Eq1 - np.outer(Eq1 @ x, xt)
        Ek_ = Ek1 - np.outer(Ek1 @ z, zt)
        E4 = Eq_ @ M @ Ek_.T
        U4, _, Vt4 = np.linalg.svd(E4)
        x2 = M @ (Ek_.T @ Vt4[0])
        return x, z, x2
    return ctx.get("directions", fn)


def _decompose(ctx: Context, peel2: bool):
    """(terms [(L [V], R [V]) Intervals], F1 [V, D] Interval) with EQKE = sum L R^T + F1 Wq1 Wk1^T Ek_^T,
    and Ek_ [V, D]; costs recorded (module docstring identity)."""
    key = f"decomp:{int(peel2)}"

    def fn(fc):
        V, D, h = ctx.V, ctx.d + 1, ctx.h
        Eq1, Ek1, Wq1, Wk1 = ctx.factors()
        x, z, x2 = directions(ctx)
        xt, zt = _unit(x), _unit(z)
        a = Eq1 @ x  # [V]
        fc.matmul("eqke/a", (V,), D)
        Eq_ = Eq1 - a[:, None] * Interval.exact(xt)[None, :]  # [V, D]
        fc.elementwise("eqke/Eq_", (V, D), ops=2)
        beta = Ek1 @ (Wk1 @ (Wq1.T @ xt))  # [V]
        fc.matmul("eqke/beta", (h,), D)
        fc.matmul("eqke/beta", (D,), h)
        fc.matmul("eqke/beta", (V,), D)
        b = Ek1 @ z  # [V]
        fc.matmul("eqke/b", (V,), D)
        Ek_ = Ek1 - b[:, None] * Interval.exact(zt)[None, :]
        fc.elementwise("eqke/Ek_", (V, D), ops=2)
        s = Eq_ @ (Wq1 @ (Wk1.T @ zt))  # [V]
        fc.matmul("eqke/s", (h,), D)
        fc.matmul("eqke/s", (D,), h)
        fc.matmul("eqke/s", (V,), D)
        terms = [(a, beta), (s, b)]
        F1 = Eq_
        if peel2:
            x2t = _unit(x2)
            a2 = Eq_ @ x2
            fc.matmul("eqke/a2", (V,), D)
            F1 = Eq_ - a2[:, None] * Interval.exact(x2t)[None, :]
            fc.elementwise("eqke/Eq__", (V, D), ops=2)
            r2 = Ek_ @ (Wk1 @ (Wq1.T @ x2t))
            fc.matmul("eqke/r2", (h,), D)
            fc.matmul("eqke/r2", (D,), h)
            fc.matmul("eqke/r2", (V,), D)
            terms.append((a2, r2))
        return terms, F1, Ek_

    return ctx.get(key, fn)


def _row_spread_bound(L: Interval, R_spread: np.ndarray, fc, step: str) -> np.ndarray:
    """eps[q] = sum_l |L[q,l]| R_spread[l], rounded up (R_spread[l] >= spread of row l of R)."""
    out = (L.abs() @ Interval.exact(R_spread)).hi
    fc.elementwise(step, L.shape)
    fc.matmul(step, (L.shape[0],), L.shape[1])
    return out


def _mean_split_bound(L: Interval, R: Interval, R_spread: np.ndarray, fc, step: str) -> np.ndarray:
    """eps[q] = spread(mean(L) R) + sum_l |L[q,l] - mean_l| R_spread[l] (spread is subadditive)."""
    n = L.shape[0]
    mean = L.sum(axis=0).div_pos(float(n))  # [r]
    fc.reduction(step, (L.shape[1],), n)
    top = spread_hi(mean[None, :] @ R, axis=1)[0]
    fc.matmul(step, (R.shape[1],), L.shape[1])
    dev = L - mean[None, :]
    fc.elementwise(step, L.shape)
    return (Interval.exact(_row_spread_bound(dev, R_spread, fc, step)) + float(top)).hi


def _chain_max_diff(F, mean: bool, fc) -> np.ndarray:
    """min over split points of the (mean+)max_diff bound for the chain F = [F1, F2, F3, F4]."""
    F1, F2, F3, F4 = F
    V, D = F1.shape
    h = F2.shape[1]
    K4 = F3 @ F4  # [h, V]
    fc.matmul("eps/K4", K4.shape, D)
    R1 = F2 @ K4  # [D, V]
    fc.matmul("eps/R1", R1.shape, h)
    L2 = F1 @ F2  # [V, h]
    fc.matmul("eps/L2", L2.shape, D)
    L3 = L2 @ F3  # [V, D]
    fc.matmul("eps/L3", L3.shape, h)
    best = None
    for L, R in ((F1, R1), (L2, K4), (L3, F4)):
        spr = spread_hi(R, axis=1)
        fc.reduction("eps/spread", (R.shape[0],), 2 * R.shape[1])
        e = _mean_split_bound(L, R, spr, fc, "eps/mean") if mean else _row_spread_bound(L, spr, fc, "eps/maxdiff")
        best = e if best is None else np.minimum(best, e)
    fc.elementwise("eps/min", (V,), ops=2)
    return best


def _chain_recursive(F, mean_top: bool, mean_all: bool, fc) -> np.ndarray:
    """No-V-product recursive bound for the chain [F1, F2, F3, F4] (module docstring).

    The middle factors are multiplied once, M = F2 F3 ([D, D]: D^2 h, independent of V); no product
    with a V-sized matrix is formed, so the cost is O(V D + D^2 h).
    """
    F1, F2, F3, F4 = F
    M = F2 @ F3  # [D, D]
    fc.matmul("eps/rec-M", M.shape, F2.shape[1])
    S = spread_hi(F4, axis=1)  # [D]: exact row spreads of the last factor
    fc.reduction("eps/rec", (F4.shape[0],), 2 * F4.shape[1])
    S1 = _row_spread_bound(M, S, fc, "eps/rec")  # spread(row l of M F4) <= sum_j |M[l,j]| S[j]
    if mean_all:
        mean = M.sum(axis=0).div_pos(float(M.shape[0]))
        fc.reduction("eps/rec", (M.shape[1],), M.shape[0])
        top = float(spread_hi(mean[None, :] @ F4, axis=1)[0])
        fc.matmul("eps/rec", (F4.shape[1],), F4.shape[0])
        dev = M - mean[None, :]
        fc.elementwise("eps/rec", M.shape)
        S1 = np.minimum(S1, (Interval.exact(_row_spread_bound(dev, S, fc, "eps/rec")) + top).hi)
    if mean_top or mean_all:
        V = F1.shape[0]
        mean = F1.sum(axis=0).div_pos(float(V))
        fc.reduction("eps/rec", (F1.shape[1],), V)
        vec = (mean[None, :] @ M) @ F4
        fc.matmul("eps/rec", (M.shape[1],), M.shape[0])
        fc.matmul("eps/rec", (F4.shape[1],), F4.shape[0])
        top = float(spread_hi(vec, axis=1)[0])
        dev = F1 - mean[None, :]
        fc.elementwise("eps/rec", F1.shape)
        return (Interval.exact(_row_spread_bound(dev, S1, fc, "eps/rec")) + top).hi
    return _row_spread_bound(F1, S1, fc, "eps/rec")


def eqke_bound(ctx: Context, handling: str):
    """EQKE approximation and residual bound for one error handling (module docstring).

    Complexity: O(V D h) for the factored forms, O(V D + D h) for the recursive ones beyond the
    shared rank-1 terms, O(V^2 h) for the exact ones.
    Preconditions: handling in ERROR_HANDLINGS.
    Postconditions: returns dict with either "full": an Interval enclosing EQKE [V(q), V(t)] (eps = 0),
    or "terms": [(L, R)] and "eps" [V(q)] floats such that for the exact matrices
    EQKE[q,t] = sum_j L_j[q] R_j[t] + E[q,t] with max_i E[q,i] - min_j E[q,j] <= eps[q].
    """
    if handling not in ERROR_HANDLINGS:
        raise ValueError(f"unknown EQKE error handling {handling!r}; choose from {ERROR_HANDLINGS}")

    def fn(fc):
        Eq1, Ek1, Wq1, Wk1 = ctx.factors()
        V, D, h = ctx.V, ctx.d + 1, ctx.h
        if handling == "exact_EQKE+max_diff_exact":
            Qv = Eq1 @ Wq1
            Kt = Ek1 @ Wk1
            fc.matmul("eqke/Qv", (V, h), D)
            fc.matmul("eqke/Kt", (V, h), D)
            EQKE = Qv @ Kt.T
            fc.matmul("eqke/EQKE", (V, V), h)
            return {"full": EQKE}
        peel2 = "subproduct" in handling
        terms, F1, Ek_ = _decompose(ctx, peel2)
        chain = [F1, Wq1, Wk1.T, Ek_.T]
        if handling == "max_diff_exact":
            E4 = (F1 @ Wq1) @ (Wk1.T @ Ek_.T)
            fc.matmul("eps/L2", (V, h), D)
            fc.matmul("eps/K4", (h, V), D)
            fc.matmul("eps/E4", (V, V), h)
            eps = spread_hi(E4, axis=1)
            fc.reduction("eps/spread", (V,), 2 * V)
        elif handling == "svd":
            L = F1 @ Wq1
            R = Wk1.T @ Ek_.T
            fc.matmul("eps/L2", (V, h), D)
            fc.matmul("eps/K4", (h, V), D)
            sig = sigma1_upper(L, R, flops=fc)
            eps_val = float((Interval.exact(np.array(sig)) * sqrt_enclosure(2)).hi)  # sqrt(2) enclosed, rounded up
            eps = np.full(V, eps_val)
        elif handling in ("max_diff", "max_diff_subproduct"):
            eps = _chain_max_diff(chain, mean=False, fc=fc)
        elif handling in ("mean+max_diff", "mean+max_diff_subproduct"):
            eps = _chain_max_diff(chain, mean=True, fc=fc)
        else:  # recursive forms
            eps = _chain_recursive(chain, mean_top=handling.startswith("mean+"),
                                   mean_all=handling.startswith("mean_recursive+"), fc=fc)
        return {"terms": terms, "eps": np.asarray(eps, dtype=np.float64)}

    return ctx.get(f"eqke:{handling}", fn)
