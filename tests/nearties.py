"""Near-tie adversarial models (test helpers): exact logit differences far below float64 resolution.

Every model here has *exactly uniform attention*: W_Q = W_K = b_Q = b_K = 0, so every attention
score is exactly 0, every weight exactly 1/n, and the logits are exact rationals,

    logit[y] = EUPU[q,y] + (1/n) sum_i (EVOU[t_i,y] + PVOU[i,y]),

which `exact_margins` evaluates with Fractions (helpers.fraction_paths, independent of the pipeline's
path code).  The weights are built from *target* path matrices: `uniform_model(EVOU, PVOU)` realises
any float64 matrices EVOU [V, V] and PVOU [n, V] exactly (each entry split into float32 pieces carried
by separate heads), with EUPU = 0.  Families:

  * `lost_smalls_model`: one big term at the query slot and sub-half-ulp terms elsewhere, every path
    entry an exact float64.  Summing the table entries in float64 loses the small terms, so the
    float sums without a rounding bound put some inputs on the wrong side of zero.
  * `hair_model`: a big y-symmetric logit 1.5 plus a max-of-K solver scaled by 2^-60, so every margin
    is a few 2^-60; constructed c = 0 sequences (m, m, 0) have logit differences of exactly
    +-2^-60/3 or 0,
    and two EVOU columns differ by a few float64 ulps (exact ties and one-ulp wins).
  * `position_model` (not a near tie): every c = 0 sequence but one exactly wrong because of a
    positional bias, for the c = 0 checks.

Oracles: `exact_margins` (Fractions), `float_margins` (plain float64 forward pass, no bound),
`float_table_sums` (the brute force's own summation of the table endpoints, without its bound).
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np

from helpers import fraction_paths
from pipeline.model.config import ModelConfig, param_shapes
from pipeline.model.weights import make_weights
from pipeline.paths import logits_from_paths, path_matrices

U = 2.0**-52  # ulp of floats in [1, 2)
EPS = 2.0**-60


def _f32_pieces(x: float, k: int = 3) -> list:
    """x (a float64) as k float32 values whose exact sum is x (asserted)."""
    out, r = [], Fraction(float(x))
    for _ in range(k):
        p = np.float32(float(r))
        out.append(p)
        r -= Fraction(float(p))
    assert r == 0, f"{x!r} does not split into {k} float32 pieces"
    return out


def uniform_model(EVOU, PVOU, k: int = 3):
    """Weights with exactly uniform attention whose exact EVOU, PVOU equal the given float64 matrices
    and EUPU = 0 (biases zero).

    Residual: dims [0, V) one-hot token, [V, V+n) one-hot position, [V+n, V+n+V) one output dim per
    logit.  Head j*k + p reads input dim j and writes float32 piece p of row j of [EVOU; PVOU] into the
    output dims; W_U reads the output dims (identity), so EUPU = (W_E + W_pos[n-1]) W_U = 0.
    """
    EVOU, PVOU = np.asarray(EVOU, np.float64), np.asarray(PVOU, np.float64)
    V, n = EVOU.shape[0], PVOU.shape[0]
    M = np.concatenate([EVOU, PVOU])  # [V+n, V]
    din = V + n
    d, h = din + V, din * k
    cfg = ModelConfig(d_vocab=V, n_ctx=n, d_model=d, d_head=h)
    t = {name: np.zeros(shape, np.float32) for name, shape in param_shapes(cfg).items()}
    t["W_E"][:, :V] = np.eye(V, dtype=np.float32)
    t["W_pos"][:, V:din] = np.eye(n, dtype=np.float32)
    for j in range(din):
        for y in range(V):
            for p, piece in enumerate(_f32_pieces(M[j, y], k)):
                t["W_V"][0, j, j * k + p] = 1.0
                t["W_O"][0, j * k + p, din + y] = piece
    t["W_U"][din:, :] = np.eye(V, dtype=np.float32)
    w = make_weights(t, cfg)
    assert exact_paths_equal(w, EVOU, PVOU), "uniform_model did not realise the target paths exactly"
    return w


def exact_paths_equal(w, EVOU, PVOU) -> bool:
    Pf = fraction_paths(w)
    tgtE = np.vectorize(lambda v: Fraction(float(v)), otypes=[object])(np.asarray(EVOU, np.float64))
    tgtP = np.vectorize(lambda v: Fraction(float(v)), otypes=[object])(np.asarray(PVOU, np.float64))
    return bool(np.all(Pf["EVOU"] == tgtE) and np.all(Pf["PVOU"] == tgtP) and np.all(Pf["EUPU"] == 0))


def is_uniform(w) -> bool:
    """Exactly uniform attention: every exact EQKE and EQKP entry is 0."""
    Pf = fraction_paths(w)
    return bool(np.all(Pf["EQKE"] == 0) and np.all(Pf["EQKP"] == 0))


def exact_margins(w):
    """(inputs [V^n, n] lexicographic, margins: list of Fractions n * min_{y != m}(logit[m] - logit[y])).

    Exact for uniform-attention models (asserted): logit[y] = EUPU[q,y] + (1/n) sum_i L_i[y].
    A margin > 0 means correct; <= 0 means wrong (a tie is an error).
    """
    assert is_uniform(w), "exact_margins needs exactly uniform attention"
    Pf = fraction_paths(w)
    V, n = w.config.d_vocab, w.config.n_ctx
    EU, EV, PV = Pf["EUPU"], Pf["EVOU"], Pf["PVOU"]
    inputs, margins = [], []
    for x in itertools.product(range(V), repeat=n):
        q, m = x[-1], max(x)
        tot = [n * EU[q, y] + sum(EV[x[i], y] + PV[i, y] for i in range(n)) for y in range(V)]
        margins.append(min(tot[m] - tot[y] for y in range(V) if y != m))
        inputs.append(x)
    return np.array(inputs, dtype=np.int64), margins


def exact_status(w):
    """(inputs, status) with status +1 exactly correct, -1 exactly wrong (ties included)."""
    inputs, margins = exact_margins(w)
    return inputs, np.array([1 if mg > 0 else -1 for mg in margins], dtype=np.int8)


def float_margins(w, inputs) -> np.ndarray:
    """Plain float64 forward pass (no rounding bound): min_{y != m}(logit[m] - logit[y]) per input."""
    logits = logits_from_paths(path_matrices(w), inputs, w.config.d_head)  # [N, V]
    m = inputs.max(axis=1)
    right = logits[np.arange(len(inputs)), m]
    logits[np.arange(len(inputs)), m] = -np.inf
    return right - logits.max(axis=1)


def point_tables(w):
    """The tightest enclosure of the brute force's tables T[q,i,t,y] = w_i L_i[y]: exact points.

    With exactly uniform attention every score is exactly 0; taking the common shift c_q = 0 (any
    common shift leaves every sign unchanged: brute_force.py's soundness argument), w = exp(0) = 1
    and T is the exact L = EUPU[q,y] + EVOU[t,y] + PVOU[i,y].  Returns it as a float64 array after
    checking with Fractions that every entry is a float64 (so lo = hi = T is a valid enclosure).
    """
    assert is_uniform(w)
    Pf = fraction_paths(w)
    L = Pf["EUPU"][:, None, None, :] + Pf["EVOU"][None, None, :, :] + Pf["PVOU"][None, :, None, :]
    T = np.vectorize(float, otypes=[np.float64])(L)
    assert all(Fraction(float(a)) == b for a, b in zip(T.reshape(-1), L.reshape(-1))), "table not exact in float64"
    return T  # [q, i, t, y]


def float_table_sums(T, inputs) -> np.ndarray:
    """The brute force's classification quantity without its bound: per input,
    max_{y != m} fl(sum_i T[q,i,x_i,y]) - fl(sum_i T[q,i,x_i,m]), summed in the brute force's order
    (query slot first, then positions 0..n-2, left to right)."""
    out = []
    n = inputs.shape[1]
    for x in inputs:
        q, m = x[-1], x.max()
        s = T[q, n - 1, q].copy()
        for i in range(n - 1):
            s = s + T[q, i, x[i]]
        right = s[m]
        s[m] = -np.inf
        out.append(s.max() - right)
    return np.array(out)


# ----------------------------------------------------------------- the families


def lost_smalls_model(V: int = 3, n: int = 3, seed: int = 0):
    """Query slot: PVOU[n-1] = 1.5 + u [0, ..., 0, 1] (u = ulp(1.5)); other slots: PVOU[i] = s_i [1, ..., 1,
    -1] with s_i in (26..31)/64 u; EVOU[t, y] in {-u, 0, u} (seeded, about a third non-zero).  Every
    exact sum is a float64, so every table entry is one.  For inputs whose max is V-1 the query slot
    favours V-1 by u, the other slots favour every y < V-1 by 2 s_i each: exactly a loss, but the float
    sums round the sub-half-ulp s_i away and see a win."""
    rng = np.random.default_rng(seed)
    PV = np.zeros((n, V))
    PV[n - 1] = 1.5
    PV[n - 1, V - 1] += U
    for i in range(n - 1):
        PV[i] = U * rng.integers(26, 32) / 64
        PV[i, V - 1] *= -1
    EV = U * rng.integers(-1, 2, size=(V, V)) * (rng.random((V, V)) < 0.35)
    return uniform_model(EV, PV)


def hair_model(V: int = 4, n: int = 3, variant: int = 0):
    """Every margin a few EPS = 2^-60 on logits near 1.5 (relative 2^-60), built from three parts:

    EVOU[t, y] = 1.5 + EPS 4^t [t == y]   (a max-of-K solver: count(y) 4^y, scaled by EPS)
    PVOU[0, y] = EPS beta_y, beta_y = -(n-1) 4^y - (y mod 3)   (PVOU[i > 0] = 0)
    so n (logit[m] - logit[y]) = EPS (count(m) 4^m - count(y) 4^y + beta_m - beta_y).  For n = 3 the
    c = 0 sequences (m, m, 0) get n-margins of exactly -EPS, 0 or +EPS (m mod 3 = 2, 1, 0): logit
    differences of -2^-60/3, 0, +2^-60/3 on logits of about 1.5, which float64 sees as exact ties.
    variant 1: the last EVOU column is one float64 ulp of 1.5 above the others (two columns a few
    ulps apart): y = V-1 wins every input with m < V-1 by about n u, and loses nothing otherwise.
    """
    EV = np.full((V, V), 1.5)
    if variant == 1:
        EV[:, V - 1] += U
    E2 = np.diag(EPS * 4.0 ** np.arange(V))
    PV = np.zeros((n, V))
    PV[0] = EPS * np.array([-(n - 1) * 4.0**y - (y % 3) for y in range(V)])
    return _two_channel_model(EV, E2, PV)


def _two_channel_model(EV_big, EV_small, PV):
    """uniform_model for EVOU = EV_big + EV_small where the sum is not a float64 (the small part is
    carried by its own heads, so the exact EVOU is the exact sum)."""
    EV_big, EV_small, PV = (np.asarray(a, np.float64) for a in (EV_big, EV_small, PV))
    V, n = EV_big.shape[0], PV.shape[0]
    w1 = uniform_model(EV_big, PV)
    # add the small channel: extra heads reading the token dims, writing into the same output dims
    cfg1 = w1.config
    k = 3
    extra = V * k
    cfg = ModelConfig(d_vocab=V, n_ctx=n, d_model=cfg1.d_model, d_head=cfg1.d_head + extra)
    t = {name: np.zeros(shape, np.float32) for name, shape in param_shapes(cfg).items()}
    for name in ("W_E", "W_pos", "W_U"):
        t[name] = np.array(w1.tensors[name])
    t["W_V"][0, :, : cfg1.d_head] = w1.tensors["W_V"][0]
    t["W_O"][0, : cfg1.d_head, :] = w1.tensors["W_O"][0]
    din = V + n
    for j in range(V):
        for y in range(V):
            for p, piece in enumerate(_f32_pieces(EV_small[j, y], k)):
                t["W_V"][0, j, cfg1.d_head + j * k + p] = 1.0
                t["W_O"][0, cfg1.d_head + j * k + p, din + y] = piece
    w = make_weights(t, cfg)
    Pf = fraction_paths(w)
    fr = np.vectorize(lambda v: Fraction(float(v)), otypes=[object])
    assert np.all(Pf["EVOU"] == fr(EV_big) + fr(EV_small)) and np.all(Pf["PVOU"] == fr(PV))
    assert np.all(Pf["EUPU"] == 0) and is_uniform(w)
    return w


def position_model(V: int = 3, n: int = 3, push: float = 3.0):
    """Not a near tie: a positional bias that a c = 0 check must not get backwards.

    EVOU[t, y] = 2 [t == y]; PVOU[i, 0] = push at every non-query slot (PVOU[n-1] = 0).  With push = 3
    and n = 3 every c = 0 sequence (m, m, q) with m > 0 is exactly wrong (a tie for q = m, a loss to
    y = 0 otherwise), and (0, 0, 0) is correct: a check that bounds the positional term by anything
    but its exact value per position (for instance its maximum over positions, subtracted) proves
    wrong sequences.
    """
    EV = 2.0 * np.eye(V)
    PV = np.zeros((n, V))
    PV[: n - 1, 0] = push
    return uniform_model(EV, PV)


def family():
    """(name, weights) of every model the near-tie tests use."""
    out = [(f"lost{s}", lost_smalls_model(V=3, n=3, seed=s)) for s in range(4)]
    out += [("lost-n4", lost_smalls_model(V=2, n=4, seed=7))]
    out += [(f"hair{v}", hair_model(V=4, n=3, variant=v)) for v in (0, 1)]
    out += [("position", position_model())]
    return out
