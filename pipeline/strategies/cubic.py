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
chosen by a SEARCH in plain float32/float64 (not sound, and it need not be: it only proposes; see
select_shifts for the candidates and the greedy choice).  Every proposed (shift, S) of a cell is then
VERIFIED once in sound interval arithmetic (pipeline/numerics): the interval U, E of each shift used
(shift_maxima), and the interval sign of F for the proposed k and both arrangements (first once per
cell with max_{k in S} e_k g(k), which bounds every k of S because B >= 0; k by k only for the cells
where that fails).  A k whose interval F is not certainly < 0 is dropped.  The reported count uses
only verified sets, so search rounding can cost count but never soundness.  The shifts themselves
are rounded onto the grid before the search, so the search and the verification use the same exact Z.

Split maxima in O(n V^2) per shift.  Since P[y] is itself a max over positions, the two maxima of E
commute: E[t] = max_p (max_{y!=m} (Ov[t,y] + PVOU[p,y]) - PVOU[p,m]) - Ov[t,m], and a max over y != m
is the row maximum or, at the row's argmax, the runner-up (top-two).  Both steps are exact (maxima and
selections), so the interval version encloses the same real number.

Bound = (#c0 proved + sum_{q,m,c} C(n-1,c) |S(q,m,c)|^c) / V^n.  An uncertain sign is "not proved".
The exact replay (pipeline/certificate/replay.py) re-checks the same statement with integers only.

Complexity: verification O(V d^2 + V^2 d) interval operations for the path matrices, O(V^2 + V n)
vectorised exp enclosures, O(n V^2) per shift used (at most 16), O(1) per cell plus O(V) per cell
that needs the k-by-k check, O(V^3) for c = 0; search O(n V^2) per candidate shift plus O(n V^2)
float operations per scored (shift, query) pair.
"""

from __future__ import annotations

import time
from math import comb

import numpy as np

from ..flops import FlopCounter
from ..model.weights import Weights
from ..numerics import Interval, sqrt_enclosure, stack
from ..numerics.fused import exp_interval
from ..paths import count_path_flops, path_intervals, path_matrices
from .result import BoundResult

MAX_SHIFTS = 16
ALL_KINDS = frozenset({"v1", "bias3", "qmean", "ovmean", "rows"})  # shift candidate kinds (shift_candidates)
ROW_NEIGHBOURS = 4  # each query's row shift is scored on the queries whose K proxy-nearest rows include it
ROW_BATCH = 16  # shifts whose maxima are computed together (memory J n V^2 floats)


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
    e = exp_interval((P.EQKE - cE[:, None]).div_pos(s))  # [V(q), V(t)]
    p = exp_interval((P.EQKP - cP[:, None]).div_pos(s))  # [V(q), n(i)]
    return e, p


def _max_except_interval(X: Interval) -> Interval:
    """R[..., m] enclosing max_{y != m} X[..., y] (exact: maxima and selections need no rounding)."""
    return Interval(_max_except(X.lo), _max_except(X.hi))


def shift_maxima(EUPU: Interval, EVOU: Interval, PVOU: Interval, z: np.ndarray):
    """Interval U[q, m] and E[m, t] for the shift z, for every q, m, t, in O(n V^2).

    Complexity: O(n V^2) interval additions and exact maxima.
    Preconditions: EUPU, EVOU [V, V] enclose the full-bias path matrices, PVOU [n, V] encloses PVOU;
    z exact; V >= 2.
    Postconditions: with Dir = EUPU + z and Ov = EVOU - z (exact reals),
    U.lo <= max_{y!=m} (Dir[q,y] - Dir[q,m]) <= U.hi and
    E.lo <= max_{y!=m} (Ov[t,y] - Ov[t,m] + max_p (PVOU[p,y] - PVOU[p,m])) <= E.hi.
    Why: the last maximum equals max_p (max_{y!=m} (Ov[t,y] + PVOU[p,y]) - PVOU[p,m]) - Ov[t,m] (two maxima
    swapped, constants pulled out), and every step is an interval operation or an exact max.
    """
    Dir = EUPU + z[None, :]  # [q, y]
    U = _max_except_interval(Dir) - Dir  # [q, m]
    W = EVOU - z[None, :]  # [t, y]
    X = W[None, :, :] + PVOU[:, None, :]  # [p, t, y]
    H = (_max_except_interval(X) - PVOU[:, None, :]).max(axis=0)  # [t, m]
    return U, (H - W).T  # E[m, t]


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


# -------------------------------------------------------------------------------- float search


class _Search:
    """Plain float version of the recipe (NOT sound): scores shift vectors and proposes S sets.

    For a shift z it builds G[q, m, t] = e[q,t] (U[q,m] + E[m,t]) (the float twin of the proof's
    e_t g(t)) and thresholds T[c, q, m]: k is proposed for S(q, m, c) iff k < m and G[q, m, k] < T (both
    arrangements' F = A G_m + query + B G_k < 0 rearranged).  Cost: O(n V^2) float64 operations per
    shift for U and E, then O(n V^2) float32 operations per scored (shift, query) pair.
    """

    def __init__(self, Pf, d_head: int, n: int):
        V = Pf.EUPU0.shape[0]
        self.V, self.n = V, n
        self.EUPU, self.EVOU = Pf.EUPU, Pf.EVOU
        s = np.sqrt(d_head)
        self.e = np.exp((Pf.EQKE - Pf.EQKE.max(axis=1, keepdims=True)) / s)  # [q, t]
        p = np.exp((Pf.EQKP - Pf.EQKP.max(axis=1, keepdims=True)) / s)  # [q, i]
        self.pq = p[:, n - 1]
        o = np.sort(p[:, : n - 1], axis=1)  # [q, n-1] ascending
        cs = np.concatenate([np.zeros((V, 1)), np.cumsum(o, axis=1)], axis=1)  # cs[:, r] = sum of r smallest
        tot = cs[:, -1]
        self.arr = []  # per c: the two arrangements' (A, B), r = n-1-c m-slots
        for c in range(1, n):
            r = n - 1 - c
            self.arr.append(((cs[:, r], tot - cs[:, r]), (tot - cs[:, n - 1 - r], cs[:, n - 1 - r])))
        ar = np.arange(V)
        self.PVOU = Pf.PVOU
        self.ar = ar
        self.k_ge_m = ar[None, :] >= ar[:, None]  # [m, k]
        valid = ar[:, None] <= ar[None, :]  # [q, m]
        self.allowed = np.stack([valid & ((ar[:, None] == ar[None, :]) | (c <= n - 2)) for c in range(1, n)])
        self.weight = np.array([float(comb(n - 1, c)) for c in range(1, n)])  # [c-1]
        self.buf = np.empty((V, V, V), dtype=np.float32)  # scratch for scoring (float32: scores only choose)
        self.bbuf = np.empty((V, V, V), dtype=bool)

    def maxima(self, Z: np.ndarray):
        """(U[j, q, m], E[j, m, t]) in float64 for each shift Z[j] (Z [J, V]), in O(J n V^2).

        U[q,m] = max_{y!=m} Dir[q,y] - Dir[q,m] and, swapping the two maxima of E (P is a max over p),
        E[m,t] = max_{y!=m} (Ov[t,y] - Ov[t,m] + max_p (PVOU[p,y] - PVOU[p,m]))
               = max_p (max_{y!=m} (Ov[t,y] + PVOU[p,y]) - PVOU[p,m]) - Ov[t,m];
        every max over y != m is the row maximum unless that is attained at m (then the runner-up).
        """
        Dir = self.EUPU[None, :, :] + Z[:, None, :]  # [j, q, y]
        U = _max_except(Dir) - Dir  # [j, q, m]
        W = self.EVOU[None, :, :] - Z[:, None, :]  # [j, t, y]
        X = W[:, None, :, :] + self.PVOU[None, :, None, :]  # [j, p, t, y]
        H = (_max_except(X) - self.PVOU[None, :, None, :]).max(axis=1)  # [j, t, m]
        return U, (H - W).transpose(0, 2, 1)  # E[j, m, t]

    def G_rows(self, U, E, qq, mm) -> np.ndarray:
        """G[i, t] = e[q,t] (U[q,m] + E[m,t]) for (q, m) = (qq[i], mm[i]) (float64), one shift's U, E."""
        return self.e[qq] * (U[qq, mm][:, None] + E[mm])

    def score(self, U, E, qs):
        """Thresholds T[c-1, i, m] and values C(n-1,c) |S|^c [c-1, i, m] of query qs[i] with the shift whose
        U row is U[i] = U[q, :] and E matrix E[i] = E[m, t] (float64; i over a batch of <= V pairs).

        k is proposed for S(q, m, c) iff k < m and G[q,m,k] = e[q,k] (U[q,m] + E[m,k]) < T[c-1, q, m].
        """
        V, n, ar = self.V, self.n, self.ar
        P = len(qs)
        i = np.arange(P)
        eq = self.e[qs]  # [i, t]
        Gm = eq * (U + E[:, ar, ar])  # [i, m]: t = m
        query = (self.pq * self.e[ar, ar])[qs][:, None] * (U + E[i, :, qs])  # [i, m]: p_{n-1} e_q g(q)
        G = self.buf[:P]
        bb = self.bbuf[:P]
        with np.errstate(invalid="ignore", over="ignore"):
            np.add(U[:, :, None], np.where(self.k_ge_m, np.inf, E), out=G, casting="same_kind")  # k >= m: never
            np.multiply(G, eq[:, None, :], out=G, casting="same_kind")  # 0 * inf = NaN: never below a threshold
        T = np.empty((n - 1, P, V))
        value = np.empty((n - 1, P, V))
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for c in range(1, n):
                t = np.full((P, V), np.inf)
                for A, B in self.arr[c - 1]:  # F = A Gm + query + B G_k < 0
                    rhs = -(A[qs, None] * Gm + query)
                    Bq = B[qs, None]
                    t = np.minimum(t, np.where(Bq > 0, rhs / np.where(Bq > 0, Bq, 1.0),
                                               np.where(rhs > 0, np.inf, -np.inf)))
                t = np.where(self.allowed[c - 1][qs], t, -np.inf)
                T[c - 1] = t
                with np.errstate(over="ignore"):
                    np.less(G, t.astype(np.float32)[:, :, None], out=bb)
                size = np.count_nonzero(bb, axis=2)
                value[c - 1] = self.weight[c - 1] * size.astype(np.float64) ** c
        return T, value

    def evaluate(self, Z: np.ndarray, pairs=None):
        """Thresholds and values [J, c-1, q, m] of the shifts Z [J, V]; pairs = (j_idx, q_idx) restricts the
        scoring to those (shift, query) pairs (others: T = -inf, value 0, so never chosen)."""
        V, n = self.V, self.n
        J = len(Z)
        if pairs is None:
            pairs = (np.repeat(np.arange(J), V), np.tile(self.ar, J))
        jx, qx = pairs
        T = np.full((J, n - 1, V, V), -np.inf)
        value = np.zeros((J, n - 1, V, V))
        for j0 in range(0, J, ROW_BATCH):  # maxima of a batch of shifts, then its pairs V at a time
            U, E = self.maxima(Z[j0: j0 + ROW_BATCH])
            sel = np.flatnonzero((jx >= j0) & (jx < j0 + ROW_BATCH))
            for b0 in range(0, len(sel), V):
                b = sel[b0: b0 + V]
                Tb, vb = self.score(U[jx[b] - j0, qx[b]], E[jx[b] - j0], qx[b])
                T[jx[b], :, qx[b]] = Tb.transpose(1, 0, 2)
                value[jx[b], :, qx[b]] = vb.transpose(1, 0, 2)
        return T, value


def _max_except(X: np.ndarray) -> np.ndarray:
    """R[..., m] = max_{y != m} X[..., y] (float64, O(size)): the row max, or the runner-up at its argmax."""
    i1 = X.argmax(axis=-1)[..., None]
    v1 = np.take_along_axis(X, i1, axis=-1)
    X2 = X.copy()
    np.put_along_axis(X2, i1, -np.inf, axis=-1)
    v2 = X2.max(axis=-1, keepdims=True)
    return np.where(np.arange(X.shape[-1]) == i1, v2, v1)


def _osc(X: np.ndarray) -> np.ndarray:
    """max - min over the last axis (the oscillation of each row)."""
    return X.max(axis=-1) - X.min(axis=-1)


def shift_candidates(weights: Weights, Pf, kinds=None) -> list[tuple[str, np.ndarray]]:
    """(name, float64 vector) candidate shifts other than the per-query rows, zero first (not rounded).

    kinds (None = all): "v1" (v1's placements Z = dO bOV - (1 - dU) bU), "bias3" (b_U, b_V W_O W_U and
    b_O W_U each booked in the direct or the OV path: Z = sV bVOU + sO bOU - (1 - sU) bU), "qmean"
    (moves mean_q EUPU[q, .] into the OV path: Z = -mean_q EUPU[q, .]), "ovmean" (moves the OV rows' mean
    into the direct path: Z = mean_t EVOU[t, .]).  The per-query rows Z = -EUPU[r, .] are kind "rows"
    (chosen in select_shifts).
    """
    kinds = ALL_KINDS if kinds is None else set(kinds)
    V = Pf.EUPU0.shape[0]
    out = [("zero", np.zeros(V))]
    T = {k: np.asarray(v, dtype=np.float64) for k, v in weights.tensors.items()}
    bVOU = (T["b_V"][0] @ T["W_O"][0]) @ T["W_U"]
    bOU = T["b_O"] @ T["W_U"]
    bU = T["b_U"]
    for sU in (1, 0):
        for sV in (0, 1):
            for sO in (0, 1):
                kind = "v1" if sV == sO else "bias3"
                if kind in kinds or (kind == "v1" and "bias3" in kinds):
                    out.append((f"{kind}:bU={'dir' if sU else 'ov'},bVOU={'dir' if sV else 'ov'},"
                                f"bOU={'dir' if sO else 'ov'}", sV * bVOU + sO * bOU - (1 - sU) * bU))
    if "qmean" in kinds:
        out.append(("qmean", -Pf.EUPU.mean(axis=0)))
    if "ovmean" in kinds:
        out.append(("ovmean", Pf.EVOU.mean(axis=0)))
    return out


def _greedy(M: np.ndarray, start: list, limit: int) -> list:
    """Rows of M [candidates, cells]: `start`, then repeatedly the one that most increases sum max_j M[j]
    (gain > 0; ties to the lowest index).  Only cells where some candidate beats the start matter."""
    chosen = list(start)
    best = M[chosen].max(axis=0)
    live = np.flatnonzero((M > best[None, :]).any(axis=0))
    M, best = M[:, live], best[live]
    while len(chosen) < limit:
        gains = np.maximum(M - best[None, :], 0.0).sum(axis=1)
        gains[chosen] = -np.inf
        i = int(np.argmax(gains))
        if not gains[i] > 0:
            break
        chosen.append(i)
        best = np.maximum(best, M[i])
    return chosen


def select_shifts(search: _Search, weights: Weights, Pf, scale_exp: int, kinds=None, max_shifts: int = MAX_SHIFTS):
    """At most max_shifts grid-rounded shifts (zero first), with their float64 thresholds and values.

    1. The fixed candidates (shift_candidates) are rounded, de-duplicated and scored on every query.
    2. With kind "rows", every per-query row Z = -EUPU[r, .] (the best shift for query r, see the module
       docstring) is scored on the queries q whose ROW_NEIGHBOURS nearest rows include r under the
       oscillation proxy loss(q, r) = max_y (EUPU[q,y] - EUPU[r,y]) - min_y (...) (what U + E can lose
       over the best shift of q is at most this).
    3. Greedy: from the zero vector, repeatedly the candidate that most increases the float64 count
       sum over cells of max over chosen shifts.  If that scores below the same greedy restricted to
       v1's placements, v1's placements are used (so the search never does worse than v1 in float64).
    Returns (names, shifts, T, value) with T[j], value[j] as in _Search.evaluate.
    """
    kinds = ALL_KINDS if kinds is None else set(kinds)
    names, Z, seen = [], [], set()
    for name, z in shift_candidates(weights, Pf, kinds):
        zr = round_to_grid(z, scale_exp)
        if zr.tobytes() not in seen:
            seen.add(zr.tobytes())
            names.append(name)
            Z.append(zr)
    T, value = search.evaluate(np.stack(Z))
    if "rows" in kinds:
        EUPU = Pf.EUPU
        D = _osc(EUPU[:, None, :] - EUPU[None, :, :])  # [q, r]
        near = np.argsort(D, axis=1, kind="stable")[:, :ROW_NEIGHBOURS]  # [q, K]: q itself first (D = 0)
        rows, Zr = [], []
        for r in range(search.V):
            zr = round_to_grid(-EUPU[r], scale_exp)
            if zr.tobytes() not in seen:
                seen.add(zr.tobytes())
                rows.append(r)
                Zr.append(zr)
        if rows:
            jq = [(i, q) for i, r in enumerate(rows) for q in np.flatnonzero((near == r).any(axis=1)).tolist()]
            jx, qx = (np.array(a, dtype=np.int64) for a in zip(*jq))
            Tr, vr = search.evaluate(np.stack(Zr), (jx, qx))
            names += [f"row:{r}" for r in rows]
            Z += Zr
            T, value = np.concatenate([T, Tr]), np.concatenate([value, vr])
    M = value.reshape(len(Z), -1)
    chosen = _greedy(M, [0], max_shifts)
    v1_idx = [i for i, nm in enumerate(names) if nm == "zero" or nm.startswith("v1:")]
    v1_only = [v1_idx[i] for i in _greedy(M[v1_idx], [0], max_shifts)]
    if M[chosen].max(axis=0).sum() < M[v1_only].max(axis=0).sum():
        chosen = v1_only
    return [names[i] for i in chosen], [Z[i] for i in chosen], T[chosen], value[chosen]


# ------------------------------------------------------------------------------------- the proof


def run(weights: Weights, progress: bool = False, kinds=None) -> BoundResult:
    """Cubic lower bound with shift vectors (module docstring). Returns BoundResult with the witnesses.

    Complexity: O(V^3 n) in all (module docstring "Complexity"): the search scores about (3 + 4) V
    (shift, query) pairs at O(n V^2) each; the verification is O(n V^2) per shift used, O(V) per cell
    and O(V^3) for c = 0, plus O(V^2 + V n) vectorised exp enclosures.
    Preconditions: weights validated by make_weights; d_vocab >= 2.
    kinds: the shift candidates to search (None = ALL_KINDS; {"v1"} reproduces v1's four placements).
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

    # ---- search (float, not sound): shifts, and per cell a shift index and a proposed S
    Pf = path_matrices(weights)
    scale_exp = path_scale_exponent(weights)
    search = _Search(Pf, cfg.d_head, n)
    names, shifts, T_all, V_all = select_shifts(search, weights, Pf, scale_exp, kinds)  # [J, c-1, q, m]
    choice = V_all.argmax(axis=0)  # [c-1, q, m] first best (lowest index on ties)
    best_val = np.take_along_axis(V_all, choice[None], 0)[0]
    cc, qq, mm = np.nonzero(best_val > 0)
    jj = choice[cc, qq, mm]
    S_prop = np.zeros((len(cc), V), dtype=bool)  # [cells, k]
    U_all, E_all = search.maxima(np.stack(shifts))
    for j in range(len(shifts)):
        sel = jj == j
        if sel.any():
            G = search.G_rows(U_all[j], E_all[j], qq[sel], mm[sel])
            S_prop[sel] = G < T_all[j, cc[sel], qq[sel], mm[sel]][:, None]
    S_prop &= search.ar[None, :] < mm[:, None]
    clock = {"search": time.perf_counter() - t0}

    # ---- verification (sound intervals)
    P = path_intervals(weights)
    count_path_flops(flops, cfg)
    s = sqrt_enclosure(cfg.d_head)
    e, p = exp_weights(P, s)
    clock["paths+exp"] = time.perf_counter() - t0 - sum(clock.values())
    flops.elementwise("cubic/exp", (V * V + V * n,), ops=3)
    EUPU, EVOU = P.EUPU, P.EVOU
    flops.elementwise("cubic/fullbias", (2 * V, V))
    # U and E for every shift used (all q, m, t), then gathered per cell
    Zs = np.stack(shifts)  # [J, V] exact
    used = sorted(set(jj.tolist()))
    maxima = {j: shift_maxima(EUPU, EVOU, P.PVOU, Zs[j]) for j in used}
    flops.elementwise("cubic/maxima", (len(used), n + 4, V, V))
    clock["maxima"] = time.perf_counter() - t0 - sum(clock.values())
    ok = np.zeros(S_prop.shape, dtype=bool)
    ci, ki = np.nonzero(S_prop)  # every proposed (cell, k)
    if len(ci):
        slot = {j: i for i, j in enumerate(used)}
        Us = stack([maxima[j][0] for j in used])  # [J', q, m]
        Es = stack([maxima[j][1] for j in used])  # [J', m, t]
        js = np.array([slot[j] for j in jj.tolist()], dtype=np.int64)
        U = Us[js, qq, mm]  # [cells]
        E = Es[js, mm]  # [cells, t]
        cidx = np.arange(len(cc))
        G_m = e[qq, mm] * (U + E[cidx, mm])  # [cells]  e_m g(m)
        query = p[qq, n - 1] * (e[qq, qq] * (U + E[cidx, qq]))  # [cells]  p_{n-1} e_q g(q)
        G_k = e[qq[ci], ki] * (U[ci] + E[ci, ki])  # [(cell, k)]  e_k g(k)
        # A, B of both arrangements for every (c, q): [n-1, V] each
        sums = [_sorted_sums(p[:, : n - 1], n - 1 - c) for c in range(1, n)]
        AB = [(stack([sm[i] for sm in sums])[cc, qq], stack([sm[i + 1] for sm in sums])[cc, qq]) for i in (0, 2)]
        # Fast path per cell: B >= 0, so F(k) <= A G_m + query + B max_{k in S} G_k for every k in S.
        starts = np.flatnonzero(np.r_[True, ci[1:] != ci[:-1]])  # ci is sorted (row-major nonzero)
        cells_k = ci[starts]
        Gmax = Interval(np.maximum.reduceat(G_k.lo, starts), np.maximum.reduceat(G_k.hi, starts))  # exact max
        cell_ok = np.ones(len(cells_k), dtype=bool)
        for A, B in AB:
            F = A[cells_k] * G_m[cells_k] + query[cells_k] + B[cells_k] * Gmax
            cell_ok &= F.certainly_neg()
        ok[cells_k[cell_ok]] = S_prop[cells_k[cell_ok]]
        # Slow path: every (cell, k) of the other cells, one by one
        rest = np.flatnonzero(~np.isin(ci, cells_k[cell_ok]))
        good = np.ones(len(rest), dtype=bool)
        for A, B in AB:
            cr = ci[rest]
            F = A[cr] * G_m[cr] + query[cr] + B[cr] * G_k[rest]  # [(cell, k)]
            good &= F.certainly_neg()
        ok[ci[rest[good]], ki[rest[good]]] = True
    flops.elementwise("cubic/G", (len(cc), 2), ops=3)
    flops.elementwise("cubic/Gk", (len(ci),), ops=2)
    flops.reduction("cubic/Gmax", (len(ci),), 2)
    flops.elementwise("cubic/sign", (len(cc) + (len(rest) if len(ci) else 0), 2), ops=4)

    # c = 0: the single sequence (m, ..., m, q) with the full logit difference
    valid_qm = np.arange(V)[:, None] <= np.arange(V)[None, :]
    clock["cells"] = time.perf_counter() - t0 - sum(clock.values())
    c0_ok = _c0_proved(P, e, p, n, V) & valid_qm
    clock["c0"] = time.perf_counter() - t0 - sum(clock.values())
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
    sizes = ok.sum(axis=1)
    order = [i for i in np.lexsort((cc, qq, mm)).tolist() if sizes[i]]  # by m, then q, then c; non-empty
    packed = np.packbits(ok, axis=1, bitorder="little")  # [cells, ceil(V/8)]: bit k = k in S
    binom = [comb(n - 1, c) for c in range(n)]
    for i, m, q, c, j, size in zip(order, mm[order].tolist(), qq[order].tolist(), (cc[order] + 1).tolist(),
                                   jj[order].tolist(), sizes[order].tolist()):
        cells.append((m, q, c, j, int.from_bytes(packed[i].tobytes(), "little")))
        usage[j] += 1
        per_qm[(q, m)] += binom[c] * size**c
    n_proved = sum(per_qm.values())
    n_float = int(round(float(best_val.sum())))
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
                     "flops": flops.as_dict(), "per_qm": per_qm, "clock": clock,
                     "float_cells_count": n_float, "dropped_k": int(S_prop.sum() - ok.sum())},
    )


def _c0_proved(P, e, p, n: int, V: int) -> np.ndarray:
    """bool [q, m]: the sequence (m, ..., m, q) is certainly correct (full logit difference).

    With tokens m at positions 0..n-2 and q at n-1, w_i = p[q,i] e[q,t_i] and A_q = sum_{i<n-1} p[q,i],
    the weighted logit difference is, exactly (regrouping a finite sum),
        sum_i w_i (EUPU'[q,y] + EVOU'[t_i,y] + PVOU'[i,y])
          = e[q,m] (R1[q,y] - R1[q,m] + A_q (EVOU[m,y] - EVOU[m,m])) + gam[q] (R2[q,y] - R2[q,m])
    with R1[q,y] = A_q EUPU[q,y] + sum_{i<n-1} p[q,i] PVOU[i,y], R2[q,y] = EUPU[q,y] + EVOU[q,y] +
    PVOU[n-1,y] and gam[q] = p[q,n-1] e[q,q].

    Complexity: O(V^3) interval operations (a fixed number per (q, m, y)) plus O(n V^2).
    Preconditions: e, p from exp_weights; P from path_intervals.
    Postconditions: True only if for every y != m the expression above is < 0 for every point in the
    enclosures (so the exact sequence is correct).
    """
    EUPU, EVOU = P.EUPU, P.EVOU
    p_nq = p[:, : n - 1]  # [q, i]
    A = p_nq.sum(axis=1)  # [q]
    R1 = A[:, None] * EUPU + p_nq @ P.PVOU[: n - 1]  # [q, y]
    R2 = EUPU + EVOU + P.PVOU[n - 1][None, :]  # [q, y]
    gam = p[:, n - 1] * _diagonal(e, 0, 1)  # [q]
    EVmm = _diagonal(_centred(EVOU), 0, 1).T  # [m, y]: EVOU[m,y] - EVOU[m,m]
    inner = _centred(R1) + A[:, None, None] * EVmm[None, :, :]  # [q, m, y]
    total = e[:, :, None] * inner + gam[:, None, None] * _centred(R2)  # [q, m, y]
    ym = np.broadcast_to(np.eye(V, dtype=bool)[None], (V, V, V))
    return np.where(ym, True, total.certainly_neg()).all(axis=2)
