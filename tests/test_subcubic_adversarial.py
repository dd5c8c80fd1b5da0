"""Adversarial soundness campaign for the subcubic family (independent review of issue 11).

    .venv/bin/python -m pytest tests/test_subcubic_adversarial.py -q            # default part (~1 min)
    .venv/bin/python -m pytest tests/test_subcubic_adversarial.py -q -m slow    # the larger campaign

Every one of the 100 configurations is run on small adversarial models (V in 4..8, n in 2..4) and
checked end to end against three oracles that share no code with the strategy's bound path:
  * the sound brute force (per-input status): n_proved <= its certainly-correct count, and every
    input of the configuration's covered set (c = 0 sequences and the gap cells, enumerated) is
    certainly correct;
  * an independent high-precision forward pass (Fraction path matrices from helpers.fraction_paths,
    mpmath exponentials at 300 bits): every covered input has a margin clearly > 0;
  * for the exactly-uniform near-tie models (tests/nearties.py) the exact (Fraction) status.
and component by component against exact (Fraction) values: the gap table Delta, the query-slot
difference Dq, the EQKE residual spread eps, the EUPU residual spread delta and the three slot bounds
(gm, Gk, gq) must each be on the safe side of the exact quantity they bound.

The model families include, beyond random / max-like / big-bias / large-weight models, "designer"
models whose path matrices are set directly (one-hot embeddings, identity keys): exactly rank-1 EQKE
(dyadic factors, so the rank is exact in real arithmetic), rank-1 EQKE plus one spiked entry (the whole
residual on a single entry), attention with a negative slope (prefers small tokens), strongly
position-dependent attention, and near-tie OV columns under non-uniform attention.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from helpers import fraction_paths, maxlike_weights, random_weights
from nearties import exact_status, family
from pipeline.flops import FlopCounter
from pipeline.model.config import ModelConfig, param_shapes
from pipeline.model.weights import make_weights
from pipeline.strategies import brute_force
from pipeline.strategies.subcubic import all_configs, run_config
from pipeline.strategies.subcubic.attention import ATTENTION_HANDLINGS, slot_bounds
from pipeline.strategies.subcubic.eqke_error import ERROR_HANDLINGS, eqke_bound
from pipeline.strategies.subcubic.eupu import EUPU_HANDLINGS, eupu_bound
from pipeline.strategies.subcubic.layer import Context
from test_subcubic import _exact_terms, _frac, covered

CONFIGS = all_configs()


# ------------------------------------------------------------------ model builders
def designer(A, P, B, C, D=None, noise=0.0, seed=0):
    """Weights whose exact path matrices are (up to float32 rounding of the targets, and `noise`):
    EQKE = A [V, V], EQKP = P [V, n], EVOU = B [V, V], PVOU = C [n, V], EUPU = D [V, V] (default 0).

    Residual dims: [0, V) one-hot token, [V, V+n) one-hot position, [V+n, 2V+n) one output dim per
    logit.  W_K = I and W_Q carries A and P on the token rows (the query position's row is 0), so
    EQKE[q,t] = W_Q[q,t] and EQKP[q,i] = W_Q[q,V+i]; W_V = I and W_O writes B (token rows) and C
    (position rows) into the output dims, which W_U reads as the identity; W_U's token rows are D.
    """
    A, P, B, C = (np.asarray(x, np.float64) for x in (A, P, B, C))
    V, n = A.shape[0], P.shape[1]
    d = 2 * V + n
    cfg = ModelConfig(d_vocab=V, n_ctx=n, d_model=d, d_head=d)
    t = {name: np.zeros(shape, np.float32) for name, shape in param_shapes(cfg).items()}
    t["W_E"][:, :V] = np.eye(V)
    t["W_pos"][:, V:V + n] = np.eye(n)
    t["W_K"][0] = np.eye(d)
    t["W_Q"][0][:V, :V] = A
    t["W_Q"][0][:V, V:V + n] = P
    t["W_V"][0] = np.eye(d)
    t["W_O"][0][:V, V + n:] = B
    t["W_O"][0][V:V + n, V + n:] = C
    t["W_U"][V + n:, :] = np.eye(V)
    if D is not None:
        t["W_U"][:V, :] = D
    if noise:
        rng = np.random.default_rng(seed)
        for k in t:
            t[k] = (t[k] + noise * rng.standard_normal(t[k].shape)).astype(np.float32)
    return make_weights({k: v.astype(np.float32) for k, v in t.items()}, cfg)


def _ov_solver(V, n, rng, beta=4.0, jitter=0.3):
    B = beta * np.eye(V) + jitter * rng.standard_normal((V, V))
    C = 0.3 * rng.standard_normal((n, V))
    return B, C


def _dyadic(rng, size, lo=-4, hi=5):
    """Small dyadic values (integers / 4): products and sums of a few are exact in float32."""
    return rng.integers(lo, hi, size=size) / 4.0


def rank1_model(V, n, seed):
    rng = np.random.default_rng(seed)
    u = _dyadic(rng, V, 1, 9)  # positive query sizes
    v = np.arange(V) / 2.0 + _dyadic(rng, V, 0, 2)  # increasing-ish key profile
    A = np.outer(u, v)
    B, C = _ov_solver(V, n, rng)
    return designer(A, 0.25 * _dyadic(rng, (V, n)), B, C)


def spike_model(V, n, seed):
    rng = np.random.default_rng(seed)
    u = _dyadic(rng, V, 1, 9)
    v = np.arange(V) / 2.0
    A = np.outer(u, v)
    q0, t0 = rng.integers(V), rng.integers(V)
    A[q0, t0] += rng.choice([-1, 1]) * rng.choice([0.01, 1.0, 8.0, 64.0])
    B, C = _ov_solver(V, n, rng)
    return designer(A, np.zeros((V, n)), B, C)


def negslope_model(V, n, seed):
    rng = np.random.default_rng(seed)
    A = -rng.uniform(0.5, 6.0) * np.arange(V)[None, :] * np.ones((V, 1)) + 0.1 * rng.standard_normal((V, V))
    B, C = _ov_solver(V, n, rng, beta=rng.uniform(1, 6))
    return designer(A, 0.5 * rng.standard_normal((V, n)), B, C, noise=0.01 * (seed % 2), seed=seed)


def positional_model(V, n, seed):
    rng = np.random.default_rng(seed)
    A = rng.uniform(1, 4) * np.arange(V)[None, :] * np.ones((V, 1))
    P = rng.uniform(2, 12) * rng.standard_normal((V, n))
    B, C = _ov_solver(V, n, rng)
    C = C + rng.uniform(0, 3) * rng.standard_normal((n, V))
    return designer(A, P, B, C)


def neartie_designer(V, n, seed):
    """Max-preferring attention, and two OV columns (and EUPU columns) a hair apart."""
    rng = np.random.default_rng(seed)
    A = 3.0 * np.arange(V)[None, :] * np.ones((V, 1))
    B = 4.0 * np.eye(V)
    y0 = int(rng.integers(V - 1))
    B[:, y0 + 1] = B[:, y0] + rng.choice([0.0, 2.0**-20, -(2.0**-20)])
    B[y0, y0 + 1] = B[y0 + 1, y0]  # the y0 / y0+1 rows nearly agree as well
    C = np.zeros((n, V))
    D = np.zeros((V, V))
    D[:, y0] = 2.0**-22 * rng.integers(-2, 3)
    return designer(A, np.zeros((V, n)), B, C, D)


def antimax_model(V, n, seed):
    """The max token's own OV row votes against it (beta) while every other token votes for the top
    token V-1 (gamma): inputs with max V-1 are correct only if the non-max tokens get enough
    attention, which a max-preferring, position-dependent attention gives unevenly.  Targets the sign
    handling of the non-max slots ([0, rho_max] * Gk), the two sorted arrangements of the positional
    weights and the direct-path spread delta."""
    rng = np.random.default_rng(seed)
    A = rng.uniform(0.5, 4.0) * np.arange(V)[None, :] * np.ones((V, 1))
    P = rng.uniform(0.0, 6.0) * rng.standard_normal((V, n))
    beta, gamma = rng.uniform(0.5, 2.0), rng.uniform(2.0, 12.0)
    B = -beta * np.eye(V)
    B[: V - 1, V - 1] += gamma
    C = 0.2 * rng.standard_normal((n, V))
    D = rng.uniform(0.0, 2.0) * rng.standard_normal((V, V))
    return designer(A, P, B, C, D)


def direct_model(V, n, seed):
    """A direct path (EUPU) as large as the OV copy signal, with weakly max-preferring attention: every
    slot carries the direct term, so the per-query spread delta must enter every slot bound."""
    rng = np.random.default_rng(seed)
    A = rng.uniform(0, 1.5) * np.arange(V)[None, :] * np.ones((V, 1))
    B = rng.uniform(2, 6) * np.eye(V)
    D = rng.uniform(0.5, 4) * rng.standard_normal((V, V))
    return designer(A, np.zeros((V, n)), B, 0.1 * rng.standard_normal((n, V)), D)


def _bigbias(V, n, seed):
    w = maxlike_weights(V=V, n=n, seed=seed, biases=True)
    rng = np.random.default_rng(seed)
    t = {k: np.array(v, copy=True) for k, v in w.tensors.items()}
    for k in ("b_U", "b_O", "b_V", "b_Q", "b_K"):
        t[k] = (t[k] + rng.standard_normal(t[k].shape) * rng.uniform(1, 5)).astype(np.float32)
    return make_weights(t, w.config)


def campaign(size: int):
    """(name, make) pairs: `size` models per family, V in 4..8 and n in 2..4 cycling with the seed."""
    out = []
    for i in range(size):
        V, n = 4 + (i * 3) % 5, 2 + i % 3
        out += [
            (f"random{i}", lambda V=V, n=n, i=i: random_weights(V=V, n=n, seed=1000 + i, biases=i % 2 == 0,
                                                             scale=(0.5, 2.0, 8.0)[i % 3])),
            (f"maxlike{i}", lambda V=V, n=n, i=i: maxlike_weights(V=V, n=n, seed=1100 + i, strength=2 + i % 7,
                                                               noise=(0.05, 0.2, 0.5)[i % 3], biases=i % 2 == 1)),
            (f"bigbias{i}", lambda V=V, n=n, i=i: _bigbias(V, n, 1200 + i)),
            (f"large{i}", lambda V=V, n=n, i=i: maxlike_weights(V=V, n=n, seed=1300 + i, strength=40 + 30 * (i % 3))),
            (f"rank1-{i}", lambda V=V, n=n, i=i: rank1_model(V, n, 1400 + i)),
            (f"spike{i}", lambda V=V, n=n, i=i: spike_model(V, n, 1500 + i)),
            (f"negslope{i}", lambda V=V, n=n, i=i: negslope_model(V, n, 1600 + i)),
            (f"positional{i}", lambda V=V, n=n, i=i: positional_model(V, n, 1700 + i)),
            (f"neartie-d{i}", lambda V=V, n=n, i=i: neartie_designer(V, n, 1800 + i)),
            (f"antimax{i}", lambda V=V, n=n, i=i: antimax_model(V, n, 1900 + i)),
            (f"direct{i}", lambda V=V, n=n, i=i: direct_model(V, n, 2000 + i)),
        ]
    return out


# ------------------------------------------------------------------ oracles
def mp_margins(w, inputs, prec=300):
    """Independent high-precision margins min_{y != m} (sum_i w_i L_i[m] - sum_i w_i L_i[y]) / sum w
    (the exact logit difference up to ~2^-290 relative), from Fraction paths and mpmath exp."""
    mpmath.mp.prec = prec
    Pf = fraction_paths(w)
    V, n = w.config.d_vocab, w.config.n_ctx
    mf = lambda x: mpmath.mpf(x.numerator) / x.denominator  # noqa: E731
    EU = [[mf(Pf["EUPU"][q, y]) for y in range(V)] for q in range(V)]
    EV = [[mf(Pf["EVOU"][t, y]) for y in range(V)] for t in range(V)]
    PV = [[mf(Pf["PVOU"][i, y]) for y in range(V)] for i in range(n)]
    s = mpmath.sqrt(w.config.d_head)
    sc = [[[mf(Pf["EQKE"][q, t] + Pf["EQKP"][q, i]) / s for t in range(V)] for i in range(n)] for q in range(V)]
    out = {}
    for x in inputs:
        q, m = x[-1], max(x)
        z = [sc[q][i][x[i]] for i in range(n)]
        zmax = max(z)
        wt = [mpmath.exp(zi - zmax) for zi in z]
        tot = [sum(wt[i] * (EU[q][y] + EV[x[i]][y] + PV[i][y]) for i in range(n)) / sum(wt) for y in range(V)]
        scale = max(abs(v) for v in tot) + 1
        out[x] = (min(tot[m] - tot[y] for y in range(V) if y != m), scale)
    return out


def _check_model(name, w, exact=None):
    """End-to-end checks of all 100 configurations on one model; returns (proved, certified) maxima."""
    n = w.config.n_ctx
    bf = brute_force.run(w, keep_status=True)
    status = bf.diagnostics["status"]
    ctx = Context(w)
    union = set()
    best = 0
    for cfg in CONFIGS:
        res = run_config(ctx, cfg)
        assert res.n_proved <= bf.extra["n_correct"], f"{name} {cfg.name}: {res.n_proved} > {bf.extra['n_correct']}"
        cov = covered(res, n)
        assert len(cov) == res.n_proved, f"{name} {cfg.name}: count != covered set size"
        assert len(set(cov)) == len(cov), f"{name} {cfg.name}: an input is counted twice"
        bad = [x for x in cov if status[x] != 1]
        assert not bad, f"{name} {cfg.name}: covered inputs not certainly correct: {bad[:5]}"
        if exact is not None:
            bad = [x for x in cov if exact[x] != 1]
            assert not bad, f"{name} {cfg.name}: covered inputs exactly wrong: {bad[:5]}"
        for q, m, c, g in res.diagnostics["cells"]:
            assert 1 <= g <= m and q <= m and (c <= n - 2 or q == m), (name, cfg.name, q, m, c, g)
        union.update(cov)
        best = max(best, res.n_proved)
    margins = mp_margins(w, sorted(union))
    bad = [x for x, (mg, sc) in margins.items() if not mg > sc * mpmath.mpf(2) ** -250]
    assert not bad, f"{name}: covered inputs with margin <= 0 (mpmath oracle): {bad[:5]}"
    _check_components(name, w, ctx)
    return best, bf.extra["n_correct"]


# ------------------------------------------------------------------ component checks (exact)
def _check_components(name, w, ctx):
    """Every intermediate bound against the exact (Fraction) quantity it bounds."""
    Pf = fraction_paths(w)
    V, n = w.config.d_vocab, w.config.n_ctx
    EQKE, EU, EV, PV = Pf["EQKE"], Pf["EUPU"], Pf["EVOU"], Pf["PVOU"]
    F = lambda x: Fraction(float(x))  # noqa: E731
    # gap tables: Delta.lo <= EQKE[q,m] - EQKE[q,k] for k <= m - g; Dq encloses EQKE[q,m] - EQKE[q,q]
    for err in ERROR_HANDLINGS:
        key = f"gap:{err}"
        if key not in ctx._cache:
            continue
        Delta, Dq, _ = ctx._cache[key][0]
        for q in range(V):
            for m in range(q, V):
                d = EQKE[q, m] - EQKE[q, q]
                assert F(Dq.lo[q, m]) <= d <= F(Dq.hi[q, m]), f"{name} {err}: Dq[{q},{m}] does not enclose"
                for g in range(0, m + 1):
                    ex = min(EQKE[q, m] - EQKE[q, k] for k in range(m - g + 1))
                    assert F(Delta.lo[q, m, g]) <= ex, f"{name} {err}: Delta[{q},{m},{g}] above the exact gap"
    # eps >= exact residual spread (the decomposition's exact terms for the float directions used)
    for err in ERROR_HANDLINGS:
        eq = eqke_bound(ctx, err)
        if "full" in eq:
            continue
        EX, terms = _exact_terms(w, ctx, err)
        Res = EX.copy()
        for L, R in terms:
            Res = Res - np.outer(L, R)
        for q in range(V):
            assert max(Res[q]) - min(Res[q]) <= F(eq["eps"][q]), f"{name} {err}: eps[{q}] below the exact spread"
    # EUPU mu/delta, then the slot bounds against exact slot maxima
    for eh in EUPU_HANDLINGS:
        mu, delta = eupu_bound(ctx, eh)
        bounds = [slot_bounds(ctx, mu, delta, ah, FlopCounter()) for ah in ATTENTION_HANDLINGS]
        for q in range(V):
            for m in range(q, V):
                ys = [y for y in range(V) if y != m]
                Dir = {y: EU[q, y] - EU[q, m] for y in ys}
                S = [[max(Dir[y] + EV[t, y] - EV[t, m] + PV[i, y] - PV[i, m] for y in ys) for i in range(n)]
                     for t in range(m + 1)]  # exact slot maxima, token t <= m at position i
                pref = []  # pref[k] = max over tokens <= k and non-query positions
                for t in range(m + 1):
                    cur = max(S[t][: n - 1]) if n > 1 else None
                    pref.append(cur if not pref else max(pref[-1], cur))
                for ah, (gm, Hk, gq) in zip(ATTENTION_HANDLINGS, bounds):
                    assert max(S[m]) <= F(gm[q, m]), f"{name} {eh} {ah}: gm[{q},{m}]"
                    if q < m:
                        assert S[q][n - 1] <= F(gq[q, m]), f"{name} {eh} {ah}: gq[{q},{m}]"
                    for g in range(1, m + 1):
                        assert pref[m - g] <= F(delta[q]) + F(Hk[m, g]), f"{name} {eh} {ah}: Gk[{q},{m},{g}]"


# ------------------------------------------------------------------ tests
@pytest.mark.parametrize("name,make", campaign(2), ids=[nm for nm, _ in campaign(2)])
def test_adversarial_models_default(name, make):
    _check_model(name, make())


@pytest.mark.parametrize("name,w", family(), ids=[nm for nm, _ in family()])
def test_near_tie_family_exact(name, w):
    """The exactly-uniform near-tie models: covered sets are exactly correct (Fraction status)."""
    inputs, st = exact_status(w)
    exact = {tuple(int(v) for v in x): int(s) for x, s in zip(inputs, st)}
    _check_model(name, w, exact=exact)


def test_designer_paths_are_as_designed():
    """The designer builder realises the target path matrices (a check on the adversarial families)."""
    rng = np.random.default_rng(0)
    V, n = 5, 3
    A, P = _dyadic(rng, (V, V)), _dyadic(rng, (V, n))
    B, C, D = _dyadic(rng, (V, V)), _dyadic(rng, (n, V)), _dyadic(rng, (V, V))
    Pf = fraction_paths(designer(A, P, B, C, D))
    for key, target in (("EQKE", A), ("EQKP", P), ("EVOU", B), ("PVOU", C), ("EUPU", D)):
        assert np.all(Pf[key] == _frac(target)), key
    # exactly rank 1
    Pf = fraction_paths(rank1_model(6, 3, 1))
    E = Pf["EQKE"]
    assert all(E[i, j] * E[0, 0] == E[i, 0] * E[0, j] for i in range(6) for j in range(6))


def test_campaign_is_not_vacuous():
    """The campaign's models are not all trivially unprovable: configurations prove inputs on most."""
    proved = [(_check_model(nm, mk())) for nm, mk in campaign(1)[4:8]]
    assert sum(b > 0 for b, _ in proved) >= 3, proved


class _ProposeEverything:
    """numpy, except that `maximum(x, 0)` (the search's clamp of the non-max slot term) returns -inf:
    gap.py's untrusted float search then proposes the smallest gap g = 1 for every (q, m, c), and only
    the interval verification stands between that search and the count (RETRIES raised, so every
    g <= m is verified in turn).  maximum.accumulate (the prefix maxima of the gap tables) is numpy's."""

    class _Max:
        accumulate = staticmethod(np.maximum.accumulate)

        def __call__(self, x, y):
            return np.full(np.broadcast_shapes(np.shape(x), np.shape(y)), -np.inf)

    maximum = _Max()

    def __getattr__(self, name):
        return getattr(np, name)


def _optimistic(monkeypatch):
    import pipeline.strategies.subcubic.gap as gap

    assert gap.np is np
    monkeypatch.setattr(gap, "np", _ProposeEverything())
    monkeypatch.setattr(gap, "RETRIES", 10)


OPTIMISTIC = [(nm, mk) for nm, mk in campaign(2) if not nm.startswith(("maxlike", "large"))]
OPTIMISTIC += [("antimax-v6n3", lambda: antimax_model(6, 3, 1904)), ("antimax-v5n3", lambda: antimax_model(5, 3, 1907)),
               ("direct-v5n3", lambda: direct_model(5, 3, 16))]


@pytest.mark.parametrize("name,make", OPTIMISTIC, ids=[nm for nm, _ in OPTIMISTIC])
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_verification_sound_under_optimistic_search(name, make, monkeypatch):
    """The verification alone must keep the count sound, whatever gap the float search proposes."""
    _optimistic(monkeypatch)
    _check_model(name, make())


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name,make", campaign(12)[22:], ids=[nm for nm, _ in campaign(12)[22:]])
def test_verification_sound_under_optimistic_search_campaign(name, make, monkeypatch):
    _optimistic(monkeypatch)
    _check_model(name, make())


@pytest.mark.slow
@pytest.mark.parametrize("name,make", campaign(12)[22:], ids=[nm for nm, _ in campaign(12)[22:]])
def test_adversarial_models_campaign(name, make):  # campaign(12) minus the default part
    _check_model(name, make())


def covered_array(res, V, n):
    """int8 [V]*n array: how many times each input is claimed by a subcubic result (vectorized
    `covered`, for the shipped V = 64 model)."""
    cov = np.zeros((V,) * n, dtype=np.int8)
    for q, m in res.diagnostics["c0"]:
        cov[(m,) * (n - 1) + (q,)] += 1
    for q, m, c, g in res.diagnostics["cells"]:
        for slots in itertools.combinations(range(n - 1), c):
            idx = tuple(slice(0, m - g + 1) if p in slots else m for p in range(n - 1)) + (q,)
            cov[idx] += 1
    return cov


def test_covered_array_matches_enumeration():
    from collections import Counter

    w = rank1_model(7, 3, 1401)
    ctx = Context(w)
    for cfg in CONFIGS[:10]:
        r = run_config(ctx, cfg)
        arr = covered_array(r, 7, 3)
        cnt = Counter(covered(r, 3))
        assert {tuple(int(v) for v in x): int(arr[tuple(x)]) for x in np.argwhere(arr)} == dict(cnt) and cnt


@pytest.mark.slow
def test_shipped_model_groups_below_brute_force():
    """On the shipped max4-seed123 model (64^4 inputs): for every configuration (so each group's best),
    n_proved <= the brute force's certainly-correct count, the claimed inputs are exactly n_proved
    distinct inputs, and every one of them is certainly correct per the brute force's status."""
    from pipeline.model.checkpoint import load_weights

    w = load_weights("artifacts/models/max4-seed123.safetensors")
    V, n = w.config.d_vocab, w.config.n_ctx
    bf = brute_force.run(w, keep_status=True)
    ok = bf.diagnostics["status"] == 1
    ctx = Context(w)
    best = {}
    for cfg in CONFIGS:
        r = run_config(ctx, cfg)
        assert r.n_proved <= bf.extra["n_correct"], cfg.name
        cov = covered_array(r, V, n)
        assert cov.max() <= 1 and int(cov.sum()) == r.n_proved, cfg.name
        assert not (cov.astype(bool) & ~ok).any(), f"{cfg.name}: claims an input the brute force does not certify"
        best[cfg.group] = max(best.get(cfg.group, 0), r.n_proved)
    assert max(best.values()) <= bf.extra["n_correct"], (best, bf.extra["n_correct"])
