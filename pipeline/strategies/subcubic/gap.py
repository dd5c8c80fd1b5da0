"""Minimum-gap counting of the subcubic family: the sign test per (q, m, c) and the exact count.

Cells.  An input with query q = x[n-1], max m >= q and c non-query positions holding tokens k != m
(so k < m) lies in cell (q, m, c); c <= n-2 if q < m, c <= n-1 if q = m.  For c >= 1 the cell gets a
gap g >= 1: the covered inputs are those whose c non-max non-query tokens all lie in {0, ..., m - g};
inputs with some non-max token in (m - g, m) are counted as failures.  There are m - g + 1 token
choices per non-max slot (tokens 0 .. m - g inclusive), so the cell covers exactly
C(n-1, c) (m - g + 1)^c inputs (the paper's code counted (m - g)^c, dropping token m - g).  c = 0 is the
single input (m, ..., m, q).  Every input lies in exactly one cell, so the counts add up.

Sign test (attention.py for the slot bounds g*).  Divide every attention weight by the common
exp(EQKE[q,m]/s) and by a common positional shift: slot i gets p_i rho_i with p_i = exp(EQKP[q,i]/s)
(exact positional part, layer.positional_weights) and rho_i = exp((EQKE[q,t_i] - EQKE[q,m])/s):
rho = 1 for the max token, rho_k <= rho_max = exp(-Delta/s) for a non-max token k <= m - g where
    Delta[q,m,g] <= EQKE[q,m] - max_{k <= m-g} EQKE[q,k]
            = Apx[q,m] - Apx[q,k] + (E[q,m] - E[q,k])  >=  lo(Apx[q,m]) - max_{k<=m-g} hi(Apx[q,k]) - eps[q]
with Apx = sum_j L_j R_j^T materialised as a V x V interval matrix (eqke_error.py: the residual's
within-row spread is <= eps[q]), and for the query slot (q < m) rho_q = exp(-Dq/s) with
Dq in Apx[q,m] - Apx[q,q] +- eps[q].
Then  F / exp(EQKE[q,m]/s) <= A gm + B hk + Q  with  hk = upper([0, rho_max] * Gk)  (covers either sign
of Gk), Q = p_q gm (q = m) or p_q rho_q gq (q < m), and A (B) the total positional weight of the
m-slots (non-max slots) among the n-1 non-query positions.  The bound is linear in A with A + B fixed,
so its maximum over all placements is at one of the two sorted arrangements (cubic.py); A and B are
enclosed from the sorted endpoints.  If the upper end is < 0 for both arrangements the whole cell
(every token choice and every placement) is certainly correct.

Search versus verification.  The gap per cell is chosen by an untrusted float search (the smallest g
whose float bound is negative); only the chosen g is verified in intervals (mpmath exp), retrying
g + 1, g + 2 if the verification fails.  FLOPs count the verification of the chosen g only.
"""

from __future__ import annotations

from math import comb

import numpy as np

from ...numerics import F64_MAX, Interval
from .layer import Context

RETRIES = 3


def sorted_sums(p_nq: Interval, r: int):
    """Enclosures of (A, B) for the two sorted arrangements: A = sum of the r smallest (resp. largest)
    non-query positional weights, B = the rest.

    Complexity: O(V n log n) sorting and O(V n) rounded additions.
    Preconditions: p_nq [V(q), n-1] positive intervals, 0 <= r <= n-1.
    Postconditions: ((A_low, B_low), (A_high, B_high)), each Interval [V(q)], enclosing the exact sums:
    the sum of the r smallest exact values lies between the sums of the r smallest lower and upper ends.
    """
    lo, hi = np.sort(p_nq.lo, axis=1), np.sort(p_nq.hi, axis=1)
    k = lo.shape[1]

    def part(a, b):
        if a == b:
            z = np.zeros(lo.shape[0])
            return Interval(z, z)
        return Interval(lo[:, a:b], hi[:, a:b]).sum(axis=1)

    return (part(0, r), part(r, k)), (part(k - r, k), part(0, k - r))


def gap_tables(ctx: Context, eq: dict, fc):
    """(Delta [q, m, g] Interval, Dq [q, m] Interval) from an eqke_bound result (module docstring).

    Complexity: O(V^3) interval operations for the whole table (search); the verification uses
    O(V^2 n) entries of it (counted by the caller) plus the V x V low-rank part (V^2 R for R terms)
    and its row prefix maxima.
    Preconditions: eq from eqke_bound (its Postconditions: the exact EQKE = Apx + E, spread(E[q]) <= eps[q]).
    Postconditions: Delta.lo <= EQKE[q,m] - EQKE[q,k] for all k <= m - g (entries with m - g < 0 unused);
    Dq encloses EQKE[q,m] - EQKE[q,q].
    """
    V = ctx.V
    m_idx = np.arange(V)[:, None]
    g_idx = np.arange(V)[None, :]
    kmax = np.clip(m_idx - g_idx, 0, None)  # [m, g]: last covered token (clipped; unused when < 0)
    if "full" in eq:
        E = eq["full"]  # [q, t]
        pmax = np.maximum.accumulate(E.hi, axis=1)  # [q, k]
        fc.reduction("gap/prefix", (V, V), 2)
        Emm = Interval(E.lo, E.hi)  # [q, m]
        Delta = Interval.exact(Emm.lo[:, :, None]) - Interval.exact(pmax[:, kmax])  # [q, m, g]
        diag = Interval(np.diagonal(E.lo).copy(), np.diagonal(E.hi).copy())  # [q]: EQKE[q,q]
        Dq = E - diag[:, None]
        return Delta, Dq
    # the low-rank approximation materialised: Apx[q, t] = sum_j L_j[q] R_j[t]  (V^2 R, quadratic)
    Apx = None
    for L, R in eq["terms"]:
        term = L[:, None] * R[None, :]  # [q, t]
        Apx = term if Apx is None else Apx + term
    fc.elementwise("gap/Apx", (V, V), ops=2 * len(eq["terms"]) - 1)
    pmax = np.maximum.accumulate(Apx.hi, axis=1)  # [q, k]
    fc.reduction("gap/prefix", (V, V), 2)
    eps = Interval.exact(eq["eps"])
    Delta = (Interval.exact(Apx.lo[:, :, None]) - Interval.exact(pmax[:, kmax])) - eps[:, None, None]  # [q, m, g]
    diag = Interval(np.diagonal(Apx.lo).copy(), np.diagonal(Apx.hi).copy())  # [q]: Apx[q, q]
    Dq = (Apx - diag[:, None]) + Interval(-eq["eps"], eq["eps"])[:, None]
    fc.elementwise("gap/Dq", (V, V), ops=2)
    return Delta, Dq


def _tables_and_rho_q(ctx: Context, eq: dict, fc):
    """gap_tables plus rho_q = exp(-Dq/s), memoised per error handling.

    Complexity: gap_tables + V^2 exponential enclosures.
    Preconditions: as gap_tables.
    Postconditions: rho_q encloses exp((EQKE[q,q] - EQKE[q,m]) / s) for every (q, m).
    """
    Delta, Dq = gap_tables(ctx, eq, fc)
    rho_q = (-Dq).div_pos(ctx.s).exp()  # [q, m]
    fc.elementwise("gap/rho_q", Dq.shape, ops=3)
    return Delta, Dq, rho_q


def _upper(x: np.ndarray) -> Interval:
    """Interval used for an upper bound x in a product with positive weights.

    Complexity: O(size).  Preconditions: x has no -inf (every slot exists).
    Postconditions: [x, x] where x is finite, [MAX, +inf] where x = +inf; w * true <= w * x <= hi of
    the product for any w > 0 and any true value <= x.
    """
    x = np.asarray(x, dtype=np.float64)
    assert not (x == -np.inf).any(), "upper bound of -inf: no such slot"
    return Interval(np.where(np.isfinite(x), x, F64_MAX), x)


def _rho_upper(ctx: Context, dl: np.ndarray) -> np.ndarray:
    """Upper bounds on exp(-dl/s) for exact floats dl, memoised by value across configurations.

    Complexity: one exponential enclosure per distinct unseen value.
    Preconditions: dl finite-or-infinite floats (no NaN); ctx.s encloses sqrt(d_head).
    Postconditions: out[i] >= exp(-dl[i]/s) for the real s (interval division and mpmath exp).
    """
    memo = ctx.__dict__.setdefault("_rho_memo", {})
    vals = np.unique(dl)
    todo = np.array([v for v in vals.tolist() if v not in memo], dtype=np.float64)
    if len(todo):
        hi = Interval.exact(-todo).div_pos(ctx.s).exp().hi
        memo.update(zip(todo.tolist(), hi.tolist()))
    return np.array([memo[v] for v in dl.tolist()], dtype=np.float64)


def prove_cells(ctx: Context, eq: dict, key: str, slots, fc):
    """Search and verify a gap per cell; returns (n_proved, cells, c0) with cells = [(q, m, c, g)].

    Complexity: O(V^3 n) float operations for the search, O(V^2 n) interval operations and
    exponential enclosures for the verification (counted in fc).
    Preconditions: eq from eqke_bound, slots = (gm, Hk, gq, delta) from attention.slot_bounds.
    Postconditions: every input counted (module docstring cells) is certainly correct in exact real
    arithmetic; n_proved = len(c0) + sum over cells of C(n-1, c) (m - g + 1)^c.
    """
    V, n = ctx.V, ctx.n
    gm, Hk, gq, delta = slots
    p = ctx.positional_weights()  # [q, n]
    p_nq, p_q = p[:, : n - 1], p[:, n - 1]
    Delta, Dq, rho_q = ctx.get(f"gap:{key}", lambda f: _tables_and_rho_q(ctx, eq, f))
    s_f = float(ctx.s.mid())
    qv = np.arange(V)[:, None]
    mv = np.arange(V)[None, :]
    valid = qv <= mv  # [q, m]
    # query slot term Q[q, m] (interval): p_q gm if q == m, p_q rho_q gq if q < m
    Q = np.where(qv == mv, 0, 1)
    # an overflowed factor (+inf upper end) makes the query term unbounded: keep lo, set hi = +inf
    bad = ~np.isfinite(rho_q.hi) | ~np.isfinite(gq) | ~np.isfinite(gm)  # [q, m]
    rq = Interval(np.where(bad, 0.0, rho_q.lo), np.where(bad, 0.0, rho_q.hi))
    gms, gqs = np.where(bad, 0.0, gm), np.where(bad, 0.0, gq)
    Qint_eq = p_q[:, None] * Interval.exact(gms)
    Qint_lt = (p_q[:, None] * rq) * Interval.exact(gqs)
    Qi = Interval(np.where(Q == 0, Qint_eq.lo, Qint_lt.lo),
                  np.where(bad, np.inf, np.where(Q == 0, Qint_eq.hi, Qint_lt.hi)))
    fc.elementwise("gap/Q", (V, V), ops=3)
    n_proved = 0
    cells, c0 = [], []
    # c = 0: the single input (m, ..., m, q)
    Ptot = p_nq.sum(axis=1)  # [q]
    F0 = Ptot[:, None] * _upper(gm) + Qi
    fc.elementwise("gap/c0", (V, V), ops=2)
    ok0 = F0.certainly_neg() & valid
    for q, m in zip(*np.nonzero(ok0)):
        c0.append((int(q), int(m)))
    n_proved += len(c0)
    for c in range(1, n):
        r = n - 1 - c
        allowed = valid & ((qv == mv) | (c <= n - 2)) & (mv >= 1)  # [q, m]
        arr = sorted_sums(p_nq, r)
        # ---- untrusted float search over g (all g at once)
        rho_f = np.exp(np.minimum(-Delta.lo / s_f, 700.0))  # [q, m, g]
        G_f = delta[:, None, None] + Hk[None, :, :]  # [q, m, g]
        with np.errstate(invalid="ignore"):
            hk_f = np.where(np.isfinite(G_f), np.maximum(rho_f * G_f, 0.0), 0.0)  # -inf: no such token
        ok_f = np.ones((V, V, V), dtype=bool)
        for A, B in arr:
            Ff = A.mid()[:, None, None] * gm[:, :, None] + B.mid()[:, None, None] * hk_f + Qi.mid()[:, :, None]
            ok_f &= Ff < 0
        gmask = (np.arange(V)[None, None, :] >= 1) & (np.arange(V)[None, None, :] <= mv[:, :, None])
        ok_f &= gmask & allowed[:, :, None]
        ok_f[~np.isfinite(G_f)] = False
        has = ok_f.any(axis=2)
        g_choice = np.where(has, ok_f.argmax(axis=2), 0)  # smallest passing g
        # ---- verification of the chosen g, in intervals, with retries
        pending = np.argwhere(has)  # [N, 2] (q, m)
        gsel = g_choice[has]
        for _ in range(RETRIES):
            if len(pending) == 0:
                break
            qs, ms = pending[:, 0], pending[:, 1]
            inr = gsel <= ms
            qs, ms, gsel = qs[inr], ms[inr], gsel[inr]
            if len(qs) == 0:
                break
            rho_hi = _rho_upper(ctx, Delta.lo[qs, ms, gsel])  # [N]: >= exp(-Delta/s)
            G = _upper((_upper(delta[qs]) + _upper(Hk[ms, gsel])).hi)  # rounded-up sum of upper bounds
            hk = Interval(np.zeros(len(qs)), rho_hi) * G  # [0, rho_max] * G: either sign of G
            gmv = gm[qs, ms]
            ok = np.isfinite(hk.hi) & np.isfinite(gmv)  # an overflowed upper bound proves nothing
            hk = Interval.exact(np.where(ok, hk.hi, 0.0))
            gmv = Interval.exact(np.where(ok, gmv, 0.0))
            for A, B in arr:
                F = A[qs] * gmv + B[qs] * hk + Qi[qs, ms]
                ok &= F.certainly_neg()
            fc.elementwise("gap/verify", (len(qs),), ops=4 * len(eq.get("terms", [1])) + 4 + 2 * 4)
            for q, m, g in zip(qs[ok], ms[ok], gsel[ok]):
                cells.append((int(q), int(m), c, int(g)))
                n_proved += comb(n - 1, c) * (int(m) - int(g) + 1) ** c
            bad = ~ok
            pending = np.stack([qs[bad], ms[bad]], axis=1)
            gsel = gsel[bad] + 1
    return n_proved, cells, c0
