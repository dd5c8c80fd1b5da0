"""Test oracles (not part of the pipeline): an independent high-precision forward pass (mpmath), and
the cubic recipe in plain float64 (unsound, for measuring what outward rounding costs)."""

from __future__ import annotations

import itertools
from math import comb

import mpmath
import numpy as np

from pipeline.paths import path_matrices

UNSURE = 1e-25  # |margin| below this (at 50 digits) is reported as a near tie


def mp_margins(weights, dps=50):
    """For every input (lexicographic over positions), min_{y != m} (logit[m] - logit[y]) in mpmath.

    Direct forward from the weights (no path decomposition): resid = W_E[t] + W_pos[p];
    q, k, v = resid W + b; softmax(q.k / sqrt(h)); logits = resid_last W_U + b_U + (sum a v) W_O W_U + b_O W_U.
    Returns (inputs [N, n] int array, margins list of mpf).
    """
    cfg = weights.config
    V, n, h = cfg.d_vocab, cfg.n_ctx, cfg.d_head
    with mpmath.workdps(dps):
        def mat(name):  # 2-D list [rows][cols]
            a = np.asarray(weights[name], np.float64)
            a = a.reshape(-1, a.shape[-1])
            return [[mpmath.mpf(float(x)) for x in row] for row in a]

        WE, Wpos, WU = mat("W_E"), mat("W_pos"), mat("W_U")
        WQ, WK, WV, WO = mat("W_Q"), mat("W_K"), mat("W_V"), mat("W_O")
        bQ, bK, bV = mat("b_Q")[0], mat("b_K")[0], mat("b_V")[0]
        bO = [mpmath.mpf(float(x)) for x in np.asarray(weights["b_O"], np.float64)]
        bU = [mpmath.mpf(float(x)) for x in np.asarray(weights["b_U"], np.float64)]

        def vecmat(v, M):
            return [mpmath.fsum(v[i] * M[i][j] for i in range(len(v))) for j in range(len(M[0]))]

        def add(a, b):
            return [x + y for x, y in zip(a, b)]

        sq = mpmath.sqrt(h)
        resid = {(t, p): add(WE[t], Wpos[p]) for t in range(V) for p in range(n)}
        keys = {tp: add(vecmat(r, WK), bK) for tp, r in resid.items()}
        ovs = {tp: vecmat(vecmat(add(vecmat(r, WV), bV), WO), WU) for tp, r in resid.items()}
        bOU = vecmat(bO, WU)
        direct = {t: add(vecmat(resid[(t, n - 1)], WU), bU) for t in range(V)}
        query = {t: add(vecmat(resid[(t, n - 1)], WQ), bQ) for t in range(V)}
        inputs, margins = [], []
        for x in itertools.product(range(V), repeat=n):
            qv = query[x[-1]]
            sc = [mpmath.fsum(a * b for a, b in zip(qv, keys[(x[p], p)])) / sq for p in range(n)]
            mx = max(sc)
            ws = [mpmath.exp(s - mx) for s in sc]
            tot = mpmath.fsum(ws)
            logit = [direct[x[-1]][y] + bOU[y] + mpmath.fsum(ws[p] * ovs[(x[p], p)][y] for p in range(n)) / tot
                     for y in range(V)]
            m = max(x)
            margins.append(min(logit[m] - logit[y] for y in range(V) if y != m))
            inputs.append(x)
    return np.array(inputs), margins


def mp_truth(weights):
    """(n_certainly_correct, n_certainly_wrong, n_unsure) and per-input status (+1, -1, 0) from mpmath."""
    inputs, margins = mp_margins(weights)
    status = np.array([1 if mg > UNSURE else (-1 if mg < -UNSURE else 0) for mg in margins])
    return inputs, status


def float_cubic_count(weights) -> int:
    """The cubic recipe (placements, c = 0 exact) in plain float64: NOT sound, a test oracle only."""
    cfg = weights.config
    V, n = cfg.d_vocab, cfg.n_ctx
    P = path_matrices(weights)
    s = np.sqrt(cfg.d_head)
    e = np.exp((P.EQKE - P.EQKE.max(1, keepdims=True)) / s)
    p = np.exp((P.EQKP - P.EQKP.max(1, keepdims=True)) / s)
    total = 0
    best = {}
    for pl in range(4):
        dU, dO = pl & 1, pl >> 1
        Dir = P.EUPU0 + dU * P.bU + dO * P.bOV
        Ov = P.EVOU0 + (1 - dU) * P.bU + (1 - dO) * P.bOV
        for m in range(V):
            Pm = (P.PVOU - P.PVOU[:, [m]]).max(0)
            ys = [y for y in range(V) if y != m]
            U = (Dir[:, ys] - Dir[:, [m]]).max(1)
            E = (Ov[:, ys] - Ov[:, [m]] + Pm[ys]).max(1)
            for q in range(m + 1):
                o = np.sort(p[q, : n - 1])
                g = U[q] + E
                for c in range(1, n if q == m else n - 1):
                    r = n - 1 - c
                    ok = np.ones(m, dtype=bool)
                    for A, B in ((o[:r].sum(), o[r:].sum()), (o[c:].sum(), o[:c].sum())):
                        F = A * e[q, m] * g[m] + B * e[q, :m] * g[:m] + p[q, n - 1] * e[q, q] * g[q]
                        ok &= F < 0
                    S = int(ok.sum())
                    best[(q, m, c)] = max(best.get((q, m, c), 0), S)
    for (q, m, c), S in best.items():
        total += comb(n - 1, c) * S**c
    for m in range(V):
        for q in range(m + 1):
            toks = [m] * (n - 1) + [q]
            w = np.array([e[q, t] * p[q, i] for i, t in enumerate(toks)])
            L = np.array([P.EUPU[q] + P.EVOU[t] + P.PVOU[i] for i, t in enumerate(toks)])  # [n, V]
            diff = (w[:, None] * (L - L[:, [m]])).sum(0)
            diff[m] = -1
            total += bool((diff < 0).all())
    return total
