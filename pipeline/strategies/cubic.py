"""The cubic proof: a certified lower bound on accuracy in O(V^3 n^2) interval operations.

    maxk bound cubic artifacts/models/max4-seed123.safetensors --out cubic.json

Soundness argument (restating DESIGN.md "Cubic" in the terms of this code).

Inputs are partitioned by (q, m, c): q the query token (position n-1), m = max(x) >= q, and c the
number of non-query positions holding a token k != m (so k < m).  Write X'[., y] = X[., y] - X[., m]
(centre on the right answer).  With s = sqrt(d_head), positional weights p_i = exp(EQKP[q,i]/s) and
token weights e_t = exp(EQKE[q,t]/s) (both shifted by a per-q constant, which cancels),
w_i = e_{t_i} p_i > 0 and a_i = w_i / sum w.  Since sum a_i = 1, for every y != m

    logit[y] - logit[m] = sum_i a_i (Dir'[q,y] + Ov'[t_i,y] + PVOU'[i,y])
                       <= sum_i a_i (U[q] + E[t_i]),          U[q] = max_{y!=m} Dir'[q,y],
                                                              E[t] = max_{y!=m} (Ov'[t,y] + P[y]),
                                                              P[y] = max_p PVOU'[p,y],

where (Dir, Ov) = (EUPU0 + dU bU + dO bOV, EVOU0 + (1-dU) bU + (1-dO) bOV) books the two constant bias
vectors in the direct or the OV path (placement pl = dU + 2 dO; any choice is exact because the a_i sum
to 1, and the split maxima make the choice matter).  Multiplying by sum w > 0 (the sign trick), the
input is correct if  F(x) = sum_i w_i g(t_i) < 0  with g(t) = U[q] + E[t].

Pure inputs (every non-max non-query token equal to k): F = A e_m g(m) + B e_k g(k) + p_{n-1} e_q g(q),
with A the total positional weight of the m-slots and B = (sum of the non-query p) - A.  F is linear in
A, so over all placements of the c k-slots it is largest at the smallest or the largest A: the two
sorted arrangements (m on the lowest / highest positional weights).  We enclose A and B for both
without knowing the exact order of the p_i: the sum of the r smallest p_i lies between the sum of the r
smallest lower endpoints and the sum of the r smallest upper endpoints (and likewise for the largest),
because p_i >= lo_i elementwise and any r-subset's sum bounds the minimum.  If the interval upper bound of
F is < 0 for both arrangements, k goes in S(q, m, c).

Mixed inputs: each non-max slot contributes p_i (e_k g(k)); replacing every k_j by the k* in S that
maximises e_k g(k) can only increase F, and the pure k* input is certified for every arrangement.  So
every input whose c non-max non-query tokens all lie in S(q,m,c) is correct: C(n-1, c) |S|^c inputs.

c = 0 is the single sequence (m, ..., m, q): evaluated with the full logit difference (no split maxima):
correct if for every y != m, sum_i w_i (EUPU'[q,y] + EVOU'[t_i,y] + PVOU'[i,y]) < 0 in intervals.

Bound = (#c0 proved + sum_{q,m,c} C(n-1,c) |S(q,m,c)|^c) / V^n.  An uncertain sign is "not proved".
The exact replay (pipeline/certificate/replay.py) re-checks the same statement with integers only.

Complexity: O(V^3) interval operations per (placement, c, arrangement): O(V^3 n) in all, plus
O(V^2 n + V d^2) for the path matrices and O(V^2 + V n) exponential enclosures.
"""

from __future__ import annotations

import time
from math import comb

import numpy as np

from ..flops import FlopCounter
from ..model.weights import Weights
from ..numerics import Interval, sqrt_enclosure
from ..paths import count_path_flops, path_intervals
from .result import BoundResult

PLACEMENTS = (0, 1, 2, 3)  # pl = dU + 2*dO: bit dU books b_U direct, dO books bOV direct


def _masked_max(x: Interval, mask: np.ndarray, axis: int) -> Interval:
    """max over `axis` of the entries where mask is False (exact: max needs no rounding).

    Preconditions: every slice along `axis` has at least one unmasked entry.
    Postconditions: encloses the max of the exact values over the unmasked entries.
    """
    lo = np.where(mask, -np.inf, x.lo).max(axis=axis)
    hi = np.where(mask, -np.inf, x.hi).max(axis=axis)
    return Interval(lo, hi)


def _centred(X: Interval) -> Interval:
    """C[r, m, y] = X[r, y] - X[r, m]: every row centred on every candidate right answer m."""
    return X[:, None, :] - X[:, :, None]


def _diagonal(X: Interval, axis1: int, axis2: int) -> Interval:
    """np.diagonal of both endpoints (exact: a selection), diagonal axis last."""
    return Interval(np.diagonal(X.lo, axis1=axis1, axis2=axis2).copy(),
                    np.diagonal(X.hi, axis1=axis1, axis2=axis2).copy())


def exp_weights(P, s: Interval):
    """Token and positional attention weights, each shifted by a per-q constant.

    Complexity: V^2 + V n exponential enclosures.
    Preconditions: P from path_intervals; s encloses sqrt(d_head).
    Postconditions: e[q,t] encloses exp((EQKE[q,t] - cE_q)/s), p[q,i] encloses exp((EQKP[q,i] - cP_q)/s)
    for exact float shifts cE_q, cP_q (common to all positions of an input with query q, so they cancel
    in the sign of any weighted sum).
    """
    cE = P.EQKE.hi.max(axis=1)  # [V(q)]
    cP = P.EQKP.hi.max(axis=1)
    e = (P.EQKE - cE[:, None]).div_pos(s).exp()  # [V(q), V(t)]
    p = (P.EQKP - cP[:, None]).div_pos(s).exp()  # [V(q), n(i)]
    return e, p


def split_maxima(P, pl: int):
    """U[q,m] and E[m,t] for placement pl (see module docstring).

    Complexity: O(V^3) interval subtractions and exact maxima.
    Preconditions: P from path_intervals (intervals enclose exact path matrices); V >= 2.
    Postconditions: U[q,m] >= max_{y!=m} Dir'[q,y] and E[m,t] >= max_{y!=m} (Ov'[t,y] + P[y]) for the exact
    values (upper endpoints are what the proof uses; lower endpoints enclose too).
    """
    V = P.EUPU0.shape[0]
    dU, dO = pl & 1, pl >> 1
    Dir = P.EUPU0 + (P.bU * float(dU))[None, :] + (P.bOV * float(dO))[None, :]  # [V(q), V(y)]
    Ov = P.EVOU0 + (P.bU * float(1 - dU))[None, :] + (P.bOV * float(1 - dO))[None, :]  # [V(t), V(y)]
    ym = np.eye(V, dtype=bool)  # [m, y]: y == m
    # Dir'[q, m, y] = Dir[q, y] - Dir[q, m]
    Dc = _centred(Dir)  # [V(q), V(m), V(y)]
    U = _masked_max(Dc, np.broadcast_to(ym[None], Dc.shape), axis=2)  # [V(q), V(m)]
    # P[m, y] = max_p (PVOU[p, y] - PVOU[p, m])
    Pm = _centred(P.PVOU).max(axis=0)  # [V(m), V(y)]
    Oc = Ov[None, :, :] - Ov.T[:, :, None] + Pm[:, None, :]  # [V(m), V(t), V(y)]: Ov[t,y]-Ov[t,m]+P[m,y]
    E = _masked_max(Oc, np.broadcast_to(ym[:, None, :], Oc.shape), axis=2)  # [V(m), V(t)]
    return U, E


def _sorted_sums(p_nq: Interval, r: int):
    """Enclosures of (sum of the r smallest, sum of the rest) and (sum of the r largest, sum of the rest).

    Preconditions: p_nq [V(q), n-1] positive intervals, 0 <= r <= n-1.
    Postconditions: for the exact values, with A_low = sum of the r smallest and B_low = the sum of the
    other n-1-r, A_low in a_low, B_low in b_low; likewise A_high (r largest) in a_high, B_high in b_high.
    """
    lo, hi = np.sort(p_nq.lo, axis=1), np.sort(p_nq.hi, axis=1)  # j-th smallest lo <= j-th smallest hi

    def part(a, b):
        if a == b:
            return Interval(np.zeros(lo.shape[0]), np.zeros(lo.shape[0]))
        return Interval(lo[:, a:b], hi[:, a:b]).sum(axis=1)

    k = lo.shape[1]
    return part(0, r), part(r, k), part(k - r, k), part(0, k - r)


def run(weights: Weights, progress: bool = False) -> BoundResult:
    """Cubic lower bound (module docstring). Returns BoundResult with the S sets in diagnostics.

    Complexity: O(V^3 n) interval operations (vectorized), O(V^2 + V n) exp enclosures.
    Preconditions: weights validated by make_weights; d_vocab >= 2.
    Postconditions: n_proved <= number of inputs correct in exact real arithmetic;
    diagnostics["cells"] = [(m, q, c, placement, mask)] with mask the bitmask of S(q,m,c) (non-empty
    only), diagnostics["c0"] = [(m, q)] whose c = 0 sequence is proved; n_proved = len(c0) +
    sum C(n-1,c) popcount(mask)^c.
    """
    t0 = time.perf_counter()
    cfg = weights.config
    V, n = cfg.d_vocab, cfg.n_ctx
    flops = FlopCounter()
    P = path_intervals(weights)
    count_path_flops(flops, cfg)
    s = sqrt_enclosure(cfg.d_head)
    e, p = exp_weights(P, s)
    flops.elementwise("cubic/exp", (V * V + V * n,), ops=3)

    q_idx, m_idx, k_idx = np.ogrid[:V, :V, :V]  # broadcast to [q, m, k]
    e_qk = e[:, None, :]  # [V(q), 1, V(k)]
    valid_qm = q_idx[:, :, 0] <= m_idx[:, :, 0]  # [q, m]
    k_lt_m = (k_idx < m_idx)  # [1, m, k]

    # best[c][q, m] = (size, placement, bool mask over k)
    best_size = np.full((n, V, V), -1, dtype=np.int64)
    best_pl = np.zeros((n, V, V), dtype=np.int64)
    best_S = np.zeros((n, V, V, V), dtype=bool)
    p_nq = p[:, : n - 1]  # [V(q), n-1] non-query positional weights
    p_q = p[:, n - 1]  # [V(q)] query position
    for pl in PLACEMENTS:
        U, E = split_maxima(P, pl)  # U [q, m], E [m, t]
        g = U[:, :, None] + E[None, :, :]  # [V(q), V(m), V(t)]  g(t) = U[q] + E[t]
        G = e_qk * g  # [q, m, t]  e_t g(t)
        G_m = _diagonal(G, 1, 2)  # [q, m]: t = m
        G_q = Interval(G.lo[np.arange(V), :, np.arange(V)], G.hi[np.arange(V), :, np.arange(V)])  # [q, m]: t = q
        query = p_q[:, None] * G_q  # [q, m]
        for c in range(1, n):
            r = n - 1 - c  # number of m-slots
            a_low, b_low, a_high, b_high = _sorted_sums(p_nq, r)
            ok = np.ones((V, V, V), dtype=bool)
            for a, b in ((a_low, b_low), (a_high, b_high)):
                F = (a[:, None] * G_m + query)[:, :, None] + b[:, None, None] * G  # [q, m, k]
                ok &= F.certainly_neg()
            allowed = valid_qm & ((q_idx[:, :, 0] == m_idx[:, :, 0]) | (c <= n - 2))  # [q, m]
            S = ok & k_lt_m & allowed[:, :, None]
            size = S.sum(axis=2)
            better = size > best_size[c]
            best_size[c] = np.where(better, size, best_size[c])
            best_pl[c] = np.where(better, pl, best_pl[c])
            best_S[c] = np.where(better[:, :, None], S, best_S[c])
    # verification cost: one placement per cell (the search tries four)
    flops.reduction("cubic/P", (V, V), n)
    flops.elementwise("cubic/centre", (V, V, V), ops=2)
    flops.reduction("cubic/U", (V, V), V - 1)
    flops.reduction("cubic/E", (V, V), V - 1)
    flops.elementwise("cubic/G", (V, V, V), ops=2)
    flops.elementwise("cubic/sign", (n - 1, 2, V, V, V), ops=5)

    # c = 0: the single sequence (m, ..., m, q) with the full logit difference
    c0_ok = _c0_proved(P, e, p, n, V) & valid_qm
    flops.elementwise("cubic/c0", (n, V, V, V), ops=8)
    flops.reduction("cubic/c0max", (V, V), V - 1)

    cells, c0, per_qm = [], [], {}
    for m in range(V):
        for q in range(m + 1):
            count = 0
            if c0_ok[q, m]:
                c0.append((m, q))
                count += 1
            for c in range(1, n):
                if best_size[c, q, m] <= 0:
                    continue
                ks = np.flatnonzero(best_S[c, q, m])
                mask = sum(1 << int(k) for k in ks)
                cells.append((m, q, c, int(best_pl[c, q, m]), mask))
                count += comb(n - 1, c) * len(ks) ** c
            per_qm[(q, m)] = count
    n_proved = sum(per_qm.values())
    seconds = time.perf_counter() - t0
    return BoundResult(
        strategy="cubic",
        model_sha256=weights.sha256,
        n_inputs=V**n,
        n_proved=n_proved,
        flops=flops.total,
        seconds=seconds,
        extra={"n_cells": len(cells), "n_c0": len(c0)},
        diagnostics={"cells": cells, "c0": c0, "flops": flops.as_dict(), "per_qm": per_qm},
    )


def _c0_proved(P, e, p, n: int, V: int) -> np.ndarray:
    """bool [q, m]: the sequence (m, ..., m, q) is certainly correct (full logit difference).

    Complexity: O(n V^3) interval operations.
    Preconditions: e, p from exp_weights; P from path_intervals.
    Postconditions: True only if for every y != m, sum_i w_i (EUPU'[q,y] + EVOU'[t_i,y] + PVOU'[i,y]) < 0
    for every point in the enclosures (so the exact sequence is correct).
    """
    EUPU, EVOU = P.EUPU, P.EVOU
    EUc = _centred(EUPU)  # [q, m, y]: EUPU[q,y] - EUPU[q,m]
    EVc = _centred(EVOU)  # [t, m, y]: EVOU[t,y] - EVOU[t,m]
    PVc = _centred(P.PVOU)  # [i, m, y]
    e_qm = e[:, :, None]  # [q, m, 1]: token m at the non-query positions
    EVmm = _diagonal(EVc, 0, 1).T  # [m, y]: EVOU[m,y] - EVOU[m,m]
    total = None
    for i in range(n - 1):
        Z = EUc + EVmm[None, :, :] + PVc[i][None, :, :]  # [q, m, y]
        term = (p[:, i][:, None, None] * e_qm) * Z
        total = term if total is None else total + term
    e_qq = _diagonal(e, 0, 1)  # [q]
    Zq = EUc + EVc + PVc[n - 1][None, :, :]  # [q, m, y]: token q at the query slot (EVc indexed by t = q)
    term = (p[:, n - 1] * e_qq)[:, None, None] * Zq
    total = term if total is None else total + term
    ym = np.broadcast_to(np.eye(V, dtype=bool)[None], (V, V, V))
    return np.where(ym, True, total.certainly_neg()).all(axis=2)
