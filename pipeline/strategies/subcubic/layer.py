"""Shared path-matrix layer of the subcubic family: factors, OV bounds and positional weights.

    maxk frontier artifacts/models/max4-seed123.safetensors      # uses this layer for every config

Owns the interval quantities that every subcubic configuration needs, computed once per model
and memoised in a `Context` together with the FLOPs each one costs (a configuration's proof
length is the sum of the costs of the components it uses).  Nothing here is trusted search:
every value is an interval enclosure (pipeline.numerics) of an exact real quantity.

Notation (pipeline/paths.py): V tokens, n positions, d = d_model, h = d_head, D = d + 1.
    Eq1 = [W_E + W_pos[n-1], 1]  [V, D]     query side with a constant column for b_Q
    Ek1 = [W_E, 1]               [V, D]     key side with a constant column for b_K
    Wq1 = [W_Q; b_Q]             [D, h]     so that  Qv = Eq1 Wq1,  Kt = Ek1 Wk1,
    Wk1 = [W_K; b_K]             [D, h]     EQKE = Eq1 Wq1 Wk1^T Ek1^T exactly.
OV bounds (upper bounds, centred on the right answer m; "y != m" everywhere):
    Pm[m,y]  >= max_p (PVOU[p,y] - PVOU[p,m])           positions unknown: max over p
    Pmax[m]  >= max_{y!=m} Pm[m,y]
    Em[m]    >= max_{y!=m} (EVOU[m,y] - EVOU[m,m] + Pm[m,y])     the max token's own row, joint in y
    X[m,k]   >= max_{y!=m} EVOU[k,y] - EVOU[k,m]                  any other token k (split from Pm)
"""

from __future__ import annotations

import numpy as np

from ...flops import FlopCounter
from ...model.weights import Weights
from ...numerics import Interval, sqrt_enclosure


def top2_excluding(M_hi: np.ndarray) -> np.ndarray:
    """R[r, m] = max_{y != m} M_hi[r, y] for a float array M_hi [R, V] (exact: selections only).

    Complexity: O(R V) comparisons (two passes for the two largest entries per row).
    Preconditions: V >= 2.
    Postconditions: R[r, m] equals the max of row r without column m.
    """
    V = M_hi.shape[1]
    arg1 = M_hi.argmax(axis=1)  # [R]
    best1 = M_hi[np.arange(len(M_hi)), arg1]
    tmp = M_hi.copy()
    tmp[np.arange(len(M_hi)), arg1] = -np.inf
    best2 = tmp.max(axis=1)
    out = np.repeat(best1[:, None], V, axis=1)  # [R, V(m)]
    out[np.arange(len(M_hi)), arg1] = best2
    return out


def spread_hi(X: Interval, axis: int) -> np.ndarray:
    """Upper bound on max - min along `axis` for every point in X.

    Complexity: 2 reductions of the axis length per output and one rounded subtraction.
    Preconditions: X an Interval with a finite-or-infinite hi/lo (no NaN, by the Interval invariant).
    Postconditions: out >= max_i x_i - min_i x_i for every x in X (max of hi minus min of lo, rounded up).
    """
    return (Interval.exact(X.hi.max(axis=axis)) - Interval.exact(X.lo.min(axis=axis))).hi


class Context:
    """Per-model memo of interval components and their FLOP costs.

    `get(name, fn)` runs `fn(flops)` once with a fresh FlopCounter and caches (value, by_step);
    `cost(names)` sums the recorded FLOPs of the named components.
    """

    def __init__(self, weights: Weights):
        self.weights = weights
        cfg = weights.config
        self.V, self.n, self.d, self.h = cfg.d_vocab, cfg.n_ctx, cfg.d_model, cfg.d_head
        self._cache: dict[str, tuple[object, dict]] = {}
        self.s = sqrt_enclosure(cfg.d_head)  # 0-d Interval around sqrt(d_head)
        self.f64 = {k: np.asarray(v, dtype=np.float64) for k, v in weights.tensors.items()}

    def get(self, name: str, fn):
        if name not in self._cache:
            fc = FlopCounter()
            val = fn(fc)
            self._cache[name] = (val, dict(fc.by_step))
        return self._cache[name][0]

    def cost(self, names) -> dict:
        out: dict[str, int] = {}
        for nm in names:
            for k, v in self._cache[nm][1].items():
                out[k] = out.get(k, 0) + v
        return out

    # -- factors (exact float weights as point intervals) -----------------------------------
    def factors(self):
        """(Eq1, Ek1, Wq1, Wk1) (module docstring).

        Complexity: V d interval additions (Eq1); the rest are exact copies of weights.
        Preconditions: weights validated (finite float32).
        Postconditions: each factor encloses the exact matrix; Eq1 Wq1 Wk1^T Ek1^T = EQKE exactly.
        """
        def fn(fc):
            W = self.f64
            V, n = self.V, self.n
            Eq = Interval.exact(W["W_E"]) + Interval.exact(W["W_pos"][n - 1])[None, :]  # [V, d]
            fc.elementwise("layer/Eq", (V, self.d))
            ones = Interval.exact(np.ones((V, 1)))
            from ...numerics import concatenate

            Eq1 = concatenate([Eq, ones], axis=1)  # [V, D]
            Ek1 = Interval.exact(np.concatenate([W["W_E"], np.ones((V, 1))], axis=1))  # [V, D]
            Wq1 = Interval.exact(np.concatenate([W["W_Q"][0], W["b_Q"][0][None, :]], axis=0))  # [D, h]
            Wk1 = Interval.exact(np.concatenate([W["W_K"][0], W["b_K"][0][None, :]], axis=0))  # [D, h]
            return Eq1, Ek1, Wq1, Wk1
        return self.get("factors", fn)

    def ov(self):
        """EVOU [V(t), V(y)] and PVOU [n, V] intervals (the OV path; every configuration uses it).

        Complexity: d^2 h + d V d + V^2 d + n V d multiply-adds (interval).
        Preconditions: weights validated (finite float32).
        Postconditions: enclose the exact EVOU (with the bias vector bOV) and PVOU.
        """
        def fn(fc):
            W = self.f64
            V, n, d, h = self.V, self.n, self.d, self.h
            WV, WO, WU = (Interval.exact(W[k][0]) if k != "W_U" else Interval.exact(W[k]) for k in ("W_V", "W_O", "W_U"))
            VO = WV @ WO  # [d, d]
            fc.matmul("layer/VO", (d, d), h)
            VOU = VO @ WU  # [d, V]
            fc.matmul("layer/VOU", (d, V), d)
            EVOU0 = Interval.exact(W["W_E"]) @ VOU  # [V, V]
            fc.matmul("layer/EVOU", (V, V), d)
            bOV = ((Interval.exact(W["b_V"][0])[None, :] @ WO) + Interval.exact(W["b_O"])[None, :]) @ WU  # [1, V]
            fc.matmul("layer/bOV", (1, V), d)
            fc.elementwise("layer/EVOU+b", (V, V))
            PVOU = Interval.exact(W["W_pos"]) @ VOU  # [n, V]
            fc.matmul("layer/PVOU", (n, V), d)
            return EVOU0 + bOV, PVOU
        return self.get("ov", fn)

    def ov_bounds(self):
        """(Pm [V(m), V(y)] hi, Pmax [V(m)], Em [V(m)], X [V(m), V(k)]) float upper bounds (docstring).

        Complexity: O(V^2 n) interval subtractions and exact maxima.
        Preconditions: none beyond ov().
        Postconditions: module docstring inequalities, for the exact EVOU, PVOU.
        """
        EV, PV = self.ov()

        def fn(fc):
            V, n = self.V, self.n
            Pc = PV[:, None, :] - PV[:, :, None]  # [n(p), V(m), V(y)]: PVOU[p,y] - PVOU[p,m]
            Pm = Pc.hi.max(axis=0)  # [m, y]
            fc.elementwise("ovb/Pc", (n, V, V))
            fc.reduction("ovb/Pm", (V, V), n)
            offdiag = ~np.eye(V, dtype=bool)
            Pmax = np.where(offdiag, Pm, -np.inf).max(axis=1)  # [m]
            fc.reduction("ovb/Pmax", (V,), V - 1)
            EVd = Interval(np.diagonal(EV.lo).copy(), np.diagonal(EV.hi).copy())  # [m]: EVOU[m,m]
            Own = (EV - EVd[:, None]).hi  # [m, y]: EVOU[m,y] - EVOU[m,m], rounded up
            Em_full = (Interval.exact(Own) + Interval.exact(Pm)).hi  # [m, y]
            Em = np.where(offdiag, Em_full, -np.inf).max(axis=1)
            fc.elementwise("ovb/Em", (V, V), ops=2)
            fc.reduction("ovb/Em", (V,), V - 1)
            rowmax = top2_excluding(EV.hi)  # [k, m]: max_{y != m} EVOU[k, y]
            X = (Interval.exact(rowmax) - EV).hi.T  # [m, k]: rowmax[k, m] - EVOU[k, m]
            fc.reduction("ovb/rowmax", (V,), V)
            fc.elementwise("ovb/X", (V, V))
            return Pm, Pmax, Em, X, Own
        return self.get("ov_bounds", fn)

    def eqkp(self):
        """EQKP [V(q), n] = Eq1 (Wq1 (W_pos W_K)^T): positional scores, kept exact (quadratic order).

        Complexity: n h d + D n h + V n D multiply-adds.
        Preconditions: factors() as above.
        Postconditions: encloses the exact EQKP.
        """
        Eq1, _, Wq1, _ = self.factors()

        def fn(fc):
            n, d, h, V = self.n, self.d, self.h, self.V
            Kp = Interval.exact(self.f64["W_pos"]) @ Interval.exact(self.f64["W_K"][0])  # [n, h]
            fc.matmul("eqkp/Kp", (n, h), d)
            QKp = Wq1 @ Kp.T  # [D, n]
            fc.matmul("eqkp/QKp", (d + 1, n), h)
            out = Eq1 @ QKp  # [V, n]
            fc.matmul("eqkp/EQKP", (V, n), d + 1)
            return out
        return self.get("eqkp", fn)

    def positional_weights(self):
        """p [V(q), n] encloses exp((EQKP[q,i] - c_q)/s) for an exact float shift c_q per query.

        Complexity: V n exponential enclosures.
        Preconditions: eqkp() encloses EQKP; self.s encloses sqrt(d_head).
        Postconditions: p.lo > 0 unless underflow (then p.lo = 0, still a valid lower bound).
        """
        EQKP = self.eqkp()

        def fn(fc):
            c = EQKP.hi.max(axis=1)  # [V]
            p = (EQKP - c[:, None]).div_pos(self.s).exp()
            fc.elementwise("pos/exp", (self.V, self.n), ops=3)
            return p
        return self.get("pos", fn)
