"""The cubic proof: a certified lower bound on accuracy in O(V^3 n) operations, with shift vectors.

    maxk bound cubic artifacts/models/max4-seed123.safetensors --out cubic.json

Soundness argument (restating DESIGN.md "Cubic" in the terms of this code).

Inputs are partitioned by (q, m, c): q the query token (position n-1), m = max(x) >= q, and c the
number of non-query positions holding a token k != m (so k < m).  Write X'[., y] = X[., y] - X[., m]
(centre on the right answer).  With s = sqrt(d_head), positional weights p_i = exp(EQKP[q,i]/s) and
token weights e_t = exp(EQKE[q,t]/s) (both shifted by a per-q constant, which cancels),
w_i = e_{t_i} p_i > 0 and a_i = w_i / sum w.  EUPU and EVOU are the FULL-bias path matrices
(EUPU = Eq W_U + b_U, EVOU = ((W_E W_V + b_V) W_O + b_O) W_U), so that
logit[y] = EUPU[q,y] + sum_i a_i (EVOU[t_i,y] + PVOU[i,y]).

Shift vectors.  Since sum_i a_i = 1, for ANY real vector Z over the vocabulary,

    logit[y] - logit[m] = sum_i a_i (Dir'[q,y] + Ov'[t_i,y] + PVOU'[i,y]),   Dir = EUPU + Z, Ov = EVOU - Z

holds EXACTLY (the Z[y] - Z[m] added to the direct term is taken back, with weights summing to 1, from
the OV terms).  So every cell may use its own Z without any loss of soundness; only the split maxima
below depend on Z.  The proof carries a list `shifts` of at most 16 such Z (index 0 is the zero
vector), each an exact dyadic on the grid 2^(4 e0) of the certificate's path matrices
(`path_scale_exponent`), and each cell names one by index.  v1's four bias placements are the shifts
Z = dO bOV - (1 - dU) bU (dU, dO in {0, 1}; bU = b_U, bOV = (b_V W_O + b_O) W_U).  For every y != m

    logit[y] - logit[m] <= sum_i a_i (U[q] + E[t_i]),     U[q] = max_{y!=m} Dir'[q,y],
                                                          E[t] = max_{y!=m} (Ov'[t,y] + P[y]),
                                                          P[y] = max_p PVOU'[p,y].

Multiplying by sum w > 0 (the sign trick), the input is correct if  F(x) = sum_i w_i g(t_i) < 0  with
g(t) = U[q] + E[t].  (For a fixed q the best possible Z is -EUPU[q, .]: it makes U = 0 and E[t] the
exact per-token maximum, so no Z gives a smaller g; 16 shifts let groups of queries come close.)

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
(Any subset of a certified S is certified too, which is why dropping a k below is harmless.)

c = 0 is the single sequence (m, ..., m, q): evaluated with the full logit difference (no split maxima):
correct if for every y != m, sum_i w_i (EUPU'[q,y] + EVOU'[t_i,y] + PVOU'[i,y]) < 0 in intervals.

Search and verification.  Which shifts to carry, which shift each cell uses and which k to try are
chosen by a SEARCH in plain float64 (not sound, and it need not be: it only proposes).  Every proposed
(shift, S) of a cell is then VERIFIED once in sound interval arithmetic (pipeline/numerics): the
interval U, E for each (m, shift) pair used, and the interval sign of F for each proposed k and both
arrangements.  A k whose interval F is not certainly < 0 is dropped.  The reported count uses only
verified sets, so search rounding can cost count but never soundness.  The shifts themselves are
rounded onto the grid before the search, so the search and the verification use the same exact Z.

Bound = (#c0 proved + sum_{q,m,c} C(n-1,c) |S(q,m,c)|^c) / V^n.  An uncertain sign is "not proved".
The exact replay (pipeline/certificate/replay.py) re-checks the same statement with integers only.

Complexity: verification O(V^2 n) for the path matrices' use, O(V^2 + V n) exponential enclosures,
O(V^2) per (m, shift) pair used (at most 16 V pairs, so O(V^3)), O(V) per cell and O(n V^3) for c = 0;
search O(V^3 (n + log V)) float64 operations per candidate shift.
"""

from __future__ import annotations

import time
from math import comb

import numpy as np

from ..flops import FlopCounter
from ..model.weights import Weights
from ..numerics import Interval, sqrt_enclosure
from ..paths import count_path_flops, path_intervals, path_matrices
from .result import BoundResult

MAX_SHIFTS = 16


# ----------------------------------------------------------------------------------- shift grid


def _valuations(a: np.ndarray) -> np.ndarray:
    """2-adic valuation of each non-zero finite float64 in a (v = odd * 2^valuation), exact."""
    mant, ex = np.frexp(np.abs(a))  # a = mant 2^ex, mant in [0.5, 1)
    mi = np.ldexp(mant, 53).astype(np.int64)  # exact: mant has <= 53 significant bits
    low = mi & -mi  # lowest set bit, a power of two <= 2^52
    return ex - 53 + np.log2(low.astype(np.float64)).astype(np.int64)  # log2 of a power of two is exact


def path_scale_exponent(weights: Weights) -> int:
    """4 e0: the path matrices of the certificate are integers times 2^(4 e0).

    e0 = min(0, min over tensors of the smallest 2-adic valuation of a non-zero value), exactly as the
    replay's align_weights computes it from the (mantissa, exponent) encoding of the float32 weights.
    """
    e0 = 0
    for a in weights.tensors.values():
        v = np.asarray(a, dtype=np.float64).ravel()
        v = v[v != 0]
        if v.size:
            e0 = min(e0, int(_valuations(v).min()))
    return 4 * e0


def round_to_grid(z: np.ndarray, scale_exp: int) -> np.ndarray:
    """z rounded to the nearest integer multiples of 2^scale_exp (float64, exact multiples).

    Scaling by a power of two is exact (no overflow for path-sized values), np.rint gives an integer
    float64, and scaling back is exact.  -0.0 is normalised to 0.0.
    """
    u = np.rint(np.ldexp(np.asarray(z, dtype=np.float64), -scale_exp))
    out = np.ldexp(u, scale_exp) + 0.0
    assert np.all(np.isfinite(out)), "shift vector is not finite"
    return out


# ------------------------------------------------------------------------------ sound helpers


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


def split_maxima_pairs(EUPU: Interval, EVOU: Interval, Pm: Interval, shifts: list, m_arr, j_arr):
    """Interval U[pair, q] and E[pair, t] for the (m, shift index) pairs (m_arr[i], j_arr[i]).

    Complexity: O(V^2) interval operations per pair.
    Preconditions: EUPU, EVOU [V, V] enclose the full-bias path matrices; Pm[m, y] encloses
    max_p (PVOU[p,y] - PVOU[p,m]); shifts are exact float64 vectors; V >= 2.
    Postconditions: with Z = shifts[j], Dir = EUPU + Z, Ov = EVOU - Z (exact reals):
    U[i, q] >= max_{y!=m} (Dir[q,y] - Dir[q,m]) and E[i, t] >= max_{y!=m} (Ov[t,y] - Ov[t,m] + P[m,y])
    (upper endpoints are what the proof uses; lower endpoints enclose too).
    """
    V = EUPU.shape[0]
    m_arr, j_arr = np.asarray(m_arr, dtype=np.int64), np.asarray(j_arr, dtype=np.int64)
    Zs = np.stack(shifts)  # [J, V(y)] exact points
    Dir = EUPU[None, :, :] + Zs[:, None, :]  # [J, V(q), V(y)]
    Ov = EVOU[None, :, :] - Zs[:, None, :]  # [J, V(t), V(y)]
    ym = np.arange(V)[None, None, :] == m_arr[:, None, None]  # [pair, 1, V(y)]: y == m
    Dp = Dir[j_arr]  # [pair, V(q), V(y)]
    Dc = Dp - Interval(Dp.lo[np.arange(len(m_arr)), :, m_arr], Dp.hi[np.arange(len(m_arr)), :, m_arr])[:, :, None]
    U = _masked_max(Dc, np.broadcast_to(ym, Dc.shape), axis=2)  # [pair, V(q)]
    Op = Ov[j_arr]  # [pair, V(t), V(y)]
    Oc = Op - Interval(Op.lo[np.arange(len(m_arr)), :, m_arr], Op.hi[np.arange(len(m_arr)), :, m_arr])[:, :, None]
    Oc = Oc + Pm[m_arr][:, None, :]
    E = _masked_max(Oc, np.broadcast_to(ym, Oc.shape), axis=2)  # [pair, V(t)]
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


# ------------------------------------------------------------------------------ float64 search


class _Search:
    """Plain float64 version of the recipe (NOT sound): proposes S sets and scores shift vectors."""

    def __init__(self, Pf, d_head: int, n: int):
        V = Pf.EUPU0.shape[0]
        self.V, self.n = V, n
        self.EUPU, self.EVOU = Pf.EUPU, Pf.EVOU
        s = np.sqrt(d_head)
        self.e = np.exp((Pf.EQKE - Pf.EQKE.max(axis=1, keepdims=True)) / s)  # [q, t]
        p = np.exp((Pf.EQKP - Pf.EQKP.max(axis=1, keepdims=True)) / s)  # [q, i]
        self.pq = p[:, n - 1]
        o = np.sort(p[:, : n - 1], axis=1)  # [q, n-1] ascending
        cs = np.concatenate([np.zeros((V, 1)), np.cumsum(o, axis=1)], axis=1)  # cs[:, r] = r smallest
        tot = cs[:, -1]
        # per c: (A, B) for the two arrangements; r = n-1-c m-slots
        self.arr = []
        for c in range(1, n):
            r = n - 1 - c
            self.arr.append(((cs[:, r], tot - cs[:, r]), (tot - cs[:, n - 1 - r], cs[:, n - 1 - r])))
        self.Pm = (Pf.PVOU[:, None, :] - Pf.PVOU[:, :, None]).max(axis=0)  # [m, y]
        self.eye = np.eye(V, dtype=bool)
        q_idx, m_idx = np.ogrid[:V, :V]
        self.valid = q_idx <= m_idx  # [q, m]
        self.k_lt_m = np.arange(V)[None, None, :] < np.arange(V)[None, :, None]  # [1, m, k]
        self.weight = np.array([float(comb(n - 1, c)) for c in range(1, n)])  # [c-1]

    def G(self, z: np.ndarray) -> np.ndarray:
        """G[q, m, t] = e[q,t] (U[q,m] + E[m,t]) for shift z (float64)."""
        Dir = self.EUPU + z[None, :]
        Ov = self.EVOU - z[None, :]
        Dc = Dir[:, None, :] - Dir[:, :, None]  # [q, m, y]
        Dc[:, self.eye] = -np.inf
        U = Dc.max(axis=2)  # [q, m]
        Oc = Ov[None, :, :] - Ov.T[:, :, None] + self.Pm[:, None, :]  # [m, t, y]
        Oc[self.eye[:, None, :].repeat(self.V, axis=1)] = -np.inf
        E = Oc.max(axis=2)  # [m, t]
        return self.e[:, None, :] * (U[:, :, None] + E[None, :, :])

    def sets(self, z: np.ndarray) -> np.ndarray:
        """bool S[c-1, q, m, k]: the float64 recipe's S(q, m, c) for shift z."""
        V, n = self.V, self.n
        G = self.G(z)
        Gm = np.diagonal(G, axis1=1, axis2=2)  # [q, m]: t = m
        Gq = G[np.arange(V), :, np.arange(V)]  # [q, m]: t = q
        query = self.pq[:, None] * Gq
        out = np.empty((n - 1, V, V, V), dtype=bool)
        with np.errstate(over="ignore", invalid="ignore"):
            for c in range(1, n):
                allowed = self.valid & ((np.arange(V)[:, None] == np.arange(V)[None, :]) | (c <= n - 2))
                S = self.k_lt_m & allowed[:, :, None]
                for A, B in self.arr[c - 1]:  # F = A Gm + query + B G[k] < 0
                    S = S & (B[:, None, None] * G < -(A[:, None] * Gm + query)[:, :, None])
                out[c - 1] = S
        return out

    def value(self, S: np.ndarray) -> np.ndarray:
        """float [c-1, q, m]: C(n-1, c) |S|^c, the number of inputs a cell covers."""
        sizes = S.sum(axis=3).astype(np.float64)
        return self.weight[:, None, None] * sizes ** np.arange(1, self.n)[:, None, None]


def shift_candidates(weights: Weights, Pf) -> list[tuple[str, np.ndarray]]:
    """(name, float64 vector) candidate shifts, zero first.  Not rounded (the caller rounds).

    v1's placements: Z = dO bOV - (1 - dU) bU.
    """
    zero = np.zeros(Pf.EUPU0.shape[0])
    out = [("zero", zero)]
    for dU, dO in ((0, 0), (0, 1), (1, 1)):
        out.append((f"v1-placement-{dU + 2 * dO}", dO * Pf.bOV - (1 - dU) * Pf.bU))
    return out


def select_shifts(search: _Search, cands: list, scale_exp: int, max_shifts: int = MAX_SHIFTS):
    """Greedy choice of at most max_shifts grid-rounded candidates (the zero vector first).

    Each step adds the candidate that most increases sum over cells of max_j value_j (float64 scores).
    Returns (names, shifts, sets) with sets[j] the float64 S sets of shift j.
    """
    rounded = []
    seen = set()
    for name, z in cands:
        zr = round_to_grid(z, scale_exp)
        key = zr.tobytes()
        if key in seen:
            continue
        seen.add(key)
        rounded.append((name, zr))
    sets = [search.sets(z) for _, z in rounded]
    vals = [search.value(S) for S in sets]
    chosen = [0]
    best = vals[0].copy()
    while len(chosen) < max_shifts:
        gains = [(np.maximum(best, v).sum() - best.sum(), -i) for i, v in enumerate(vals) if i not in chosen]
        if not gains:
            break
        g, neg_i = max(gains)
        if g <= 0:
            break
        chosen.append(-neg_i)
        best = np.maximum(best, vals[-neg_i])
    return [rounded[i][0] for i in chosen], [rounded[i][1] for i in chosen], [sets[i] for i in chosen], \
        [vals[i] for i in chosen]


# ------------------------------------------------------------------------------------- the proof


def run(weights: Weights, progress: bool = False) -> BoundResult:
    """Cubic lower bound with shift vectors (module docstring). Returns BoundResult with the witnesses.

    Complexity: search O(V^3 (n + log V)) float64 operations per candidate shift; verification
    O(V^2) interval operations per (m, shift) pair used, O(V) per cell, O(n V^3) for c = 0, O(V^2 + V n)
    exp enclosures.
    Preconditions: weights validated by make_weights; d_vocab >= 2.
    Postconditions: n_proved <= number of inputs correct in exact real arithmetic;
    diagnostics["shifts"] = list (1..16) of float64 vectors of length V, exact multiples of
    2^path_scale_exponent(weights), index 0 the zero vector; diagnostics["cells"] = [(m, q, c, shift_index,
    mask)] with mask the non-empty bitmask of S(q,m,c); diagnostics["c0"] = [(m, q)] whose c = 0 sequence
    is proved; n_proved = len(c0) + sum C(n-1,c) popcount(mask)^c.
    """
    t0 = time.perf_counter()
    cfg = weights.config
    V, n = cfg.d_vocab, cfg.n_ctx
    flops = FlopCounter()

    # ---- search (float64, not sound): shifts, and per cell a shift index and a proposed S
    Pf = path_matrices(weights)
    scale_exp = path_scale_exponent(weights)
    search = _Search(Pf, cfg.d_head, n)
    names, shifts, sets, vals = select_shifts(search, shift_candidates(weights, Pf), scale_exp)
    V_all = np.stack(vals)  # [J, c-1, q, m]
    choice = V_all.argmax(axis=0)  # [c-1, q, m] first best (lowest index on ties)
    S_all = np.stack(sets)  # [J, c-1, q, m, k]
    cc, qq, mm = np.nonzero(np.take_along_axis(V_all, choice[None], 0)[0] > 0)
    jj = choice[cc, qq, mm]
    S_prop = S_all[jj, cc, qq, mm]  # [cells, k]
    t_search = time.perf_counter() - t0

    # ---- verification (sound intervals)
    P = path_intervals(weights)
    count_path_flops(flops, cfg)
    s = sqrt_enclosure(cfg.d_head)
    e, p = exp_weights(P, s)
    flops.elementwise("cubic/exp", (V * V + V * n,), ops=3)
    EUPU, EVOU = P.EUPU, P.EVOU
    flops.elementwise("cubic/fullbias", (2 * V, V))
    Pm = _centred(P.PVOU).max(axis=0)  # [m, y]: max_p (PVOU[p,y] - PVOU[p,m])
    flops.elementwise("cubic/P", (n, V, V))
    flops.reduction("cubic/Pmax", (V, V), n)

    pairs = sorted(set(zip(mm.tolist(), jj.tolist())))
    pair_id = {pr: i for i, pr in enumerate(pairs)}
    if pairs:
        U, E = split_maxima_pairs(EUPU, EVOU, Pm, shifts, [a for a, _ in pairs], [b for _, b in pairs])
    flops.elementwise("cubic/shift", (len(pairs), 2, V, V))
    flops.elementwise("cubic/centre", (len(pairs), 2, V, V), ops=2)
    flops.reduction("cubic/U+E", (len(pairs), 2, V), V - 1)

    ok = np.zeros(S_prop.shape, dtype=bool)
    if len(cc):
        pid = np.array([pair_id[(int(a), int(b))] for a, b in zip(mm, jj)])
        g = U[pid, qq][:, None] + E[pid]  # [cells, V(t)]  g(t) = U[q] + E[t]
        G = e[qq] * g  # [cells, t]
        cidx = np.arange(len(cc))
        G_m = G[cidx, mm]
        query = p[qq, n - 1] * G[cidx, qq]
        p_nq = p[:, : n - 1]
        ok = S_prop.copy()
        for c in range(1, n):
            sel = cc == c - 1
            if not sel.any():
                continue
            a_low, b_low, a_high, b_high = _sorted_sums(p_nq, n - 1 - c)
            for a, b in ((a_low, b_low), (a_high, b_high)):
                qs = qq[sel]
                F = (a[qs] * G_m[sel] + query[sel])[:, None] + b[qs][:, None] * G[sel]  # [cells_c, k]
                ok[sel] &= F.certainly_neg()
    flops.elementwise("cubic/G", (len(cc), V), ops=2)
    flops.elementwise("cubic/sign", (len(cc), 2, V), ops=4)

    # c = 0: the single sequence (m, ..., m, q) with the full logit difference
    valid_qm = np.arange(V)[:, None] <= np.arange(V)[None, :]
    c0_ok = _c0_proved(P, e, p, n, V) & valid_qm
    flops.elementwise("cubic/c0", (n, V, V, V), ops=8)
    flops.reduction("cubic/c0max", (V, V), V - 1)

    per_qm = {(q, m): 0 for m in range(V) for q in range(m + 1)}
    c0 = []
    for m in range(V):
        for q in range(m + 1):
            if c0_ok[q, m]:
                c0.append((m, q))
                per_qm[(q, m)] += 1
    cells, usage = [], [0] * len(shifts)
    order = np.lexsort((cc, qq, mm))  # by m, then q, then c
    for i in order:
        size = int(ok[i].sum())
        if not size:
            continue
        m, q, c, j = int(mm[i]), int(qq[i]), int(cc[i]) + 1, int(jj[i])
        mask = int.from_bytes(np.packbits(ok[i], bitorder="little").tobytes(), "little")  # bit k = k in S
        cells.append((m, q, c, j, mask))
        usage[j] += 1
        per_qm[(q, m)] += comb(n - 1, c) * size**c
    n_proved = sum(per_qm.values())
    n_float = int(round(float(np.take_along_axis(V_all, choice[None], 0)[0].sum())))
    seconds = time.perf_counter() - t0
    return BoundResult(
        strategy="cubic",
        model_sha256=weights.sha256,
        n_inputs=V**n,
        n_proved=n_proved,
        flops=flops.total,
        seconds=seconds,
        extra={"n_cells": len(cells), "n_c0": len(c0), "n_shifts": len(shifts)},
        diagnostics={"cells": cells, "c0": c0, "shifts": shifts, "shift_names": names, "shift_usage": usage,
                     "flops": flops.as_dict(), "per_qm": per_qm, "search_seconds": t_search,
                     "float_cells_count": n_float, "dropped_k": int(S_prop.sum() - ok.sum())},
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
