"""EQKE error handling of the subcubic family: a low-rank approximation plus a bounded residual.

Decomposition (layer.py notation; EQKE = Eq1 M Ek1^T exactly, M = Wq1 Wk1^T).  Start from F = Eq1,
G = Ek1 and apply a plan of rank-1 "peels" with untrusted float D-vectors (v, vt) (directions()):
    query peel:  a = F v,  R = G (Wk1 (Wq1^T vt)),  F <- F - a vt^T;   F M G^T = a R^T + F' M G^T
    key peel:    b = G v,  S = F (Wq1 (Wk1^T vt)),  G <- G - b vt^T;   F M G^T = S b^T + F M G'^T
Both are identities for ANY vectors (expand the products), so the float search cannot break
soundness; it only decides how small the remainder is.  The plan is "qk" (a size x query
approximation on both sides) for svd, max_diff, mean+max_diff and max_diff_exact, and
"kqqqqqqqmmmm" for the subproduct and recursive forms: 8 query/key peels (O(V D) each), then 4 "middle" peels
    middle peel: M = Wq1 Wk1^T formed once (D^2 h, independent of V), M <- M - x z^T with (x, z)
                 the top singular pair of the remaining M;  F M G^T = (F x)(G z)^T + F M' G^T,
(the recursive remainder bound cannot use products with V-sized matrices; the top singular direction
of W_Q W_K^T dominates its entries, and peeling it cuts the recursive bound about 25-fold).
The rank-1 terms form Apx[q,t] = sum_j L_j[q] R_j[t] (kept exactly, as intervals; used signed in the
gap computation), and the remaining chain F1 F2 F3 F4 (F1 = F, F2 = Wq1, F3 = Wk1^T, F4 = G^T) has
its within-row spread bounded by eps[q] >= max_{i,j} (E[q,i] - E[q,j]):

  max_diff                 min over the chain's split points j of  sum_l |L_j[q,l]| spread(R_j[l,:]),
                           L_j = F1..Fj, R_j = F(j+1)..F4  (row l of L R is a combination of the rows
                           of R: (L R)[q,i] - (L R)[q,i'] = sum_l L[q,l](R[l,i] - R[l,i'])).
  mean+max_diff            the same after splitting L = 1 mean(L) + (L - 1 mean(L)):  spread is
                           subadditive, and the mean row's product mean(L) R is evaluated exactly.
  max_diff_subproduct      max_diff on the remainder F M' G^T of the longer peel plan (split points
                           (F)(M' G^T) and (F M')(G^T)); the peeled terms join Apx.
  mean+max_diff_subproduct mean+max_diff on the same remainder.
  *_subproduct_recursive   no product with a V-sized matrix (quadratic cost in V): with M = F2 F3
                           (D x D, cost D^2 h; after middle peels the remaining M'),
                           spread(row l of M F4) <= sum_j |M[l,j]| spread(F4[j,:])
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


# peel plans: "q" = a query-side rank-1 peel, "k" = a key-side one (module docstring)
BASE_PEELS = "qk"
SUBPRODUCT_PEELS = "kqqqqqqqmmmm"  # the same peels as the recursive forms
RECURSIVE_PEELS = "kqqqqqqqmmmm"  # a fixed number of peels: O(V D) each, still quadratic in V


def peel_plan(handling: str) -> str:
    if handling.endswith("_recursive"):
        return RECURSIVE_PEELS
    return SUBPRODUCT_PEELS if "subproduct" in handling else BASE_PEELS


def directions(ctx: Context, plan: str):
    """Untrusted search (not counted): one (v, vt) pair of float D-vectors per peel of `plan`.

    Each peel takes the top singular pair (u, sigma, v) of the current float residual
    E = F M G^T (M = Wq1 Wk1^T): a query peel uses x = M G^T v, xt = F^T u / sigma (so F x = E v and
    F - (F x) xt^T projects u out of F); a key peel uses z = M^T F^T u, zt = G^T v / sigma.  The
    verification treats them as arbitrary exact floats.
    """
    def fn(_fc):
        Eq1, Ek1, Wq1, Wk1 = (np.asarray(t.lo) for t in ctx.factors())
        M = Wq1 @ Wk1.T  # [D, D]
        F, G = Eq1.copy(), Ek1.copy()
        out = []
        Mres = M.copy()
        for side in plan:
            if side == "m":  # middle peel: top singular triple of the remaining middle matrix
                U, S, Vt = np.linalg.svd(Mres)
                x, z = U[:, 0] * S[0], Vt[0]
                Mres = Mres - np.outer(x, z)
                out.append((x, z))
                continue
            U, S, Vt = np.linalg.svd(F @ M @ G.T)
            u, sig, v = U[:, 0], S[0], Vt[0]
            if not sig > 0:
                out.append((np.zeros(F.shape[1]), np.zeros(F.shape[1])))
                continue
            if side == "q":
                x, xt = M @ (G.T @ v), F.T @ u / sig
                F = F - np.outer(F @ x, xt)
                out.append((x, xt))
            else:
                z, zt = M.T @ (F.T @ u), G.T @ v / sig
                G = G - np.outer(G @ z, zt)
                out.append((z, zt))
        return out
    return ctx.get(f"directions:{plan}", fn)


def _decompose(ctx: Context, plan: str):
    """Apply the peel plan in intervals (module docstring).

    Complexity: per peel 2 V D + 2 D h multiply-adds and 2 V D elementwise operations.
    Preconditions: plan a string over {"q", "k"} followed by any number of "m";
    directions(ctx, plan) any float vectors.
    Postconditions: returns (terms [(L [V], R [V]) Intervals], F [V, D], G [V, D], Mres) enclosing
    exact values with EQKE = sum_j L_j R_j^T + F Wq1 Wk1^T G^T exactly (each peel is an identity), or,
    when the plan has middle peels (Mres a [D, D] Interval, None otherwise),
    EQKE = sum_j L_j R_j^T + F Mres G^T with Mres = Wq1 Wk1^T - sum_i x_i z_i^T.
    """

    def fn(fc):
        V, D, h = ctx.V, ctx.d + 1, ctx.h
        Eq1, Ek1, Wq1, Wk1 = ctx.factors()
        F, G = Eq1, Ek1
        terms = []
        Mres = None
        for side, (v, vt) in zip(plan, directions(ctx, plan)):
            if side == "m":
                if Mres is None:
                    Mres = Wq1 @ Wk1.T  # [D, D]
                    fc.matmul("eqke/M", (D, D), h)
                terms.append((F @ v, G @ vt))  # F x z^T G^T
                Mres = Mres - Interval.exact(v)[:, None] * Interval.exact(vt)[None, :]
                fc.matmul("eqke/mpeel", (V,), D)
                fc.matmul("eqke/mpeel", (V,), D)
                fc.elementwise("eqke/mpeel", (D, D), ops=2)
                continue
            assert Mres is None, "middle peels come last in a plan"
            if side == "q":
                a = F @ v  # [V]
                R = G @ (Wk1 @ (Wq1.T @ vt))  # [V]: row vt^T M G^T
                F = F - a[:, None] * Interval.exact(vt)[None, :]
                terms.append((a, R))
            else:
                b = G @ v
                S = F @ (Wq1 @ (Wk1.T @ vt))  # [V]: column F M vt
                G = G - b[:, None] * Interval.exact(vt)[None, :]
                terms.append((S, b))
            fc.matmul("eqke/peel", (V,), D)
            fc.matmul("eqke/peel", (h,), D)
            fc.matmul("eqke/peel", (D,), h)
            fc.matmul("eqke/peel", (V,), D)
            fc.elementwise("eqke/peel", (V, D), ops=2)
        return terms, F, G, Mres

    return ctx.get(f"decomp:{plan}", fn)


def _row_spread_bound(L: Interval, R_spread: np.ndarray, fc, step: str) -> np.ndarray:
    """eps[q] = sum_l |L[q,l]| R_spread[l], rounded up.

    Complexity: V r elementwise + V r multiply-adds for L [V, r].
    Preconditions: R_spread[l] >= max_i R[l,i] - min_i R[l,i] for the exact R.
    Postconditions: eps[q] >= the within-row spread of (L R)[q, :] for every exact L in the interval,
    since (L R)[q,i] - (L R)[q,i'] = sum_l L[q,l] (R[l,i] - R[l,i']) <= sum_l |L[q,l]| R_spread[l].
    """
    out = (L.abs() @ Interval.exact(R_spread)).hi
    fc.elementwise(step, L.shape)
    fc.matmul(step, (L.shape[0],), L.shape[1])
    return out


def _mean_split_bound(L: Interval, R: Interval, R_spread: np.ndarray, fc, step: str) -> np.ndarray:
    """eps[q] = spread(mean(L) R) + sum_l |L[q,l] - mean_l| R_spread[l].

    Complexity: V r + r b multiply-adds for L [V, r], R [r, b].
    Preconditions: as _row_spread_bound; R the interval enclosure of the exact R.
    Postconditions: eps[q] >= spread of row q of L R: L R = 1 (mean L) R + (L - 1 mean L) R and the
    spread of a sum is at most the sum of the spreads; the first row is evaluated in intervals.
    """
    n = L.shape[0]
    mean = L.sum(axis=0).div_pos(float(n))  # [r]
    fc.reduction(step, (L.shape[1],), n)
    top = spread_hi(mean[None, :] @ R, axis=1)[0]
    fc.matmul(step, (R.shape[1],), L.shape[1])
    dev = L - mean[None, :]
    fc.elementwise(step, L.shape)
    return (Interval.exact(_row_spread_bound(dev, R_spread, fc, step)) + float(top)).hi


def _chain_max_diff(F, mean: bool, fc) -> np.ndarray:
    """min over the split points of the (mean+)max_diff bound for the chain F = [F1, ..., Fk].

    Complexity: O(V D h) multiply-adds for the 4-factor chain [V, D] [D, h] [h, D] [D, V] (prefix and
    suffix partial products), O(V D^2) for the 3-factor chain [V, D] [D, D] [D, V].
    Preconditions: F interval factors with compatible shapes, F1 with V rows, Fk with V columns.
    Postconditions: eps[q] >= the within-row spread of the exact product F1 ... Fk (each split point
    gives a valid bound by _row_spread_bound / _mean_split_bound; the minimum of valid bounds is valid).
    """
    k = len(F)
    pre = [F[0]]  # pre[j] = F1 .. F(j+1)
    for j in range(1, k - 1):
        pre.append(pre[-1] @ F[j])
        fc.matmul("eps/prefix", pre[-1].shape, F[j].shape[0])
    suf = [F[-1]]  # suf[i] = F(k-i) .. Fk
    for j in range(k - 2, 0, -1):
        suf.append(F[j] @ suf[-1])
        fc.matmul("eps/suffix", suf[-1].shape, F[j].shape[1])
    best = None
    for j in range(1, k):
        L, R = pre[j - 1], suf[k - 1 - j]
        spr = spread_hi(R, axis=1)
        fc.reduction("eps/spread", (R.shape[0],), 2 * R.shape[1])
        e = _mean_split_bound(L, R, spr, fc, "eps/mean") if mean else _row_spread_bound(L, spr, fc, "eps/maxdiff")
        best = e if best is None else np.minimum(best, e)
    fc.elementwise("eps/min", (F[0].shape[0],), ops=k - 2)
    return best


def _chain_recursive(F, mean_top: bool, mean_all: bool, fc, M: Interval | None = None) -> np.ndarray:
    """No-V-product recursive bound for the chain [F1, F2, F3, F4] (module docstring).

    Complexity: O(V D + D^2 h): the middle factors are multiplied once, M = F2 F3 ([D, D]); no
    product with a V-sized matrix is formed, only matrix-vector products.
    Preconditions: as _chain_max_diff.
    Postconditions: eps[q] >= the within-row spread of the exact F1 M F4: spread(row l of M F4) <=
    sum_j |M[l,j]| spread(F4[j,:]) (or its mean-split form; the smaller of two valid bounds), then
    _row_spread_bound / _mean_split_bound at the top level with these row spreads.
    """
    F1, F2, F3, F4 = F
    if M is None:
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
        terms, F1, Ek_, Mres = _decompose(ctx, peel_plan(handling))
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
        elif handling in ("max_diff", "max_diff_subproduct", "mean+max_diff", "mean+max_diff_subproduct"):
            mchain = chain if Mres is None else [F1, Mres, Ek_.T]
            eps = _chain_max_diff(mchain, mean=handling.startswith("mean+"), fc=fc)
        else:  # recursive forms
            eps = _chain_recursive(chain, mean_top=handling.startswith("mean+"),
                                   mean_all=handling.startswith("mean_recursive+"), fc=fc, M=Mres)
        return {"terms": terms, "eps": np.asarray(eps, dtype=np.float64)}

    return ctx.get(f"eqke:{handling}", fn)
