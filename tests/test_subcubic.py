"""The subcubic family: soundness of all 100 configurations against the sound brute force, the
residual-spread (eps) and sigma_1 bounds against exact values, non-vacuity, names/groups and the
`maxk frontier` command.

    .venv/bin/python -m pytest tests/test_subcubic.py -q            # default part (~1 min)
    .venv/bin/python -m pytest tests/test_subcubic.py -q -m slow    # the larger zoo
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from fractions import Fraction
from math import comb

import mpmath
import numpy as np
import pytest

from helpers import fraction_paths, maxlike_weights, random_weights
from pipeline.model.weights import make_weights
from pipeline.numerics import Interval
from pipeline.strategies import brute_force, get_strategy
from pipeline.strategies.subcubic import GROUPS, SubcubicConfig, all_configs, run_config
from pipeline.strategies.subcubic.eqke_error import ERROR_HANDLINGS, directions, eqke_bound, peel_plan
from pipeline.strategies.subcubic.eupu import EUPU_HANDLINGS, _svd_direction, eupu_bound
from pipeline.strategies.subcubic.layer import Context
from pipeline.strategies.subcubic.sigma import sigma1_upper

CONFIGS = all_configs()


# ------------------------------------------------------------------ model zoo
def _variant(w, f):
    t = {k: np.array(v, copy=True) for k, v in w.tensors.items()}
    f(t)
    return make_weights(t, w.config)


def _bigbias(i):
    w = maxlike_weights(V=6, n=3, seed=300 + i, biases=True)
    rng = np.random.default_rng(i)
    return _variant(w, lambda t: [t.__setitem__(k, (t[k] + rng.standard_normal(t[k].shape) * 2).astype(np.float32))
                                  for k in ("b_U", "b_O", "b_V", "b_Q", "b_K")])


def _neartie(i):
    w = maxlike_weights(V=5, n=3, seed=400 + i)

    def f(t):
        t["W_U"][:, 4] = t["W_U"][:, 3]
        if i % 2:
            t["W_U"][0, 4] = np.nextafter(t["W_U"][0, 4], np.float32(np.inf))
    return _variant(w, f)


def _trained(V, n, steps, seed):
    from pipeline.model.config import ModelConfig
    from pipeline.model.train import TrainConfig, train

    w, _ = train(ModelConfig(d_vocab=V, n_ctx=n, d_model=16, d_head=16), TrainConfig(seed=seed, steps=steps),
                 progress=False)
    return w


def _zoo(slow: bool):
    k = 3 if slow else 1
    ms = []
    for i in range(2 * k):
        V, n = 4 + i % 4, 3 + i % 2
        ms.append((f"maxlike{i}", lambda V=V, n=n, i=i: maxlike_weights(V=V, n=n, seed=i, strength=3 + i % 3,
                                                                      noise=0.05 * (1 + i % 3), biases=i % 2 == 1)))
        ms.append((f"random{i}", lambda V=V, n=n, i=i: random_weights(V=V, n=n, seed=100 + i, biases=i % 2 == 0,
                                                                     scale=1 + 3 * (i % 3))))
    for i in range(k):
        ms.append((f"large{i}", lambda i=i: maxlike_weights(V=5, n=3, seed=200 + i, strength=30 + 20 * i)))
        ms.append((f"bigbias{i}", lambda i=i: _bigbias(i)))
        ms.append((f"neartie{i}", lambda i=i: _neartie(i)))
        ms.append((f"trained{i}", lambda i=i: _trained(6 + i, 3, (400, 1500, 800)[i % 3], seed=700 + i)))
    ms.append(("wrong0", lambda: _variant(maxlike_weights(V=5, n=3, seed=500), lambda t: t.__setitem__("W_U", -t["W_U"]))))
    # shape edges: n = 2 (one non-query slot), V = 2, n = 5
    ms.append(("n2", lambda: maxlike_weights(V=5, n=2, seed=1)))
    ms.append(("v2", lambda: maxlike_weights(V=2, n=3, seed=2)))
    ms.append(("n5", lambda: maxlike_weights(V=4, n=5, seed=4, strength=5)))
    return ms


def covered(res, n):
    """Every input a subcubic result claims (duplicates kept): c = 0 sequences and, per cell
    (q, m, c, g), every choice of c non-query slots holding tokens 0..m-g (the rest m)."""
    out = [tuple([m] * (n - 1) + [q]) for q, m in res.diagnostics["c0"]]
    for q, m, c, g in res.diagnostics["cells"]:
        for slots in itertools.combinations(range(n - 1), c):
            for toks in itertools.product(range(m - g + 1), repeat=c):
                x = [m] * (n - 1) + [q]
                for p, t in zip(slots, toks):
                    x[p] = t
                out.append(tuple(x))
    return out


def _check_zoo(zoo):
    for name, make in zoo:
        w = make()
        n = w.config.n_ctx
        bf = brute_force.run(w, keep_status=True)
        status = bf.diagnostics["status"]
        ctx = Context(w)
        for cfg in CONFIGS:
            res = run_config(ctx, cfg)
            assert res.n_proved <= bf.extra["n_correct"], f"{name} {cfg.name}: bound exceeds certified count"
            cov = covered(res, n)
            assert len(cov) == res.n_proved, f"{name} {cfg.name}: count != covered set size"
            assert len(set(cov)) == len(cov), f"{name} {cfg.name}: an input is counted twice"
            bad = [x for x in cov if status[x] != 1]
            assert not bad, f"{name} {cfg.name}: covered inputs not certainly correct: {bad[:5]}"
            for q, m, c, g in res.diagnostics["cells"]:
                assert 1 <= g <= m and q <= m and (c <= n - 2 or q == m), (name, cfg.name, q, m, c, g)


def test_all_configurations_sound_on_zoo():
    _check_zoo(_zoo(slow=False))


@pytest.mark.slow
def test_all_configurations_sound_on_larger_zoo():
    _check_zoo(_zoo(slow=True))


def test_count_is_exactly_covered_set_in_a_cell():
    """m - g + 1 tokens (0..m-g) per non-max slot: the count formula and the enumeration agree."""
    w = _trained(8, 3, 1500, seed=700)
    res = run_config(Context(w), SubcubicConfig())
    n = 3
    total = len(res.diagnostics["c0"]) + sum(comb(n - 1, c) * (m - g + 1) ** c for q, m, c, g in res.diagnostics["cells"])
    assert total == res.n_proved == len(covered(res, n)) > 0


# ------------------------------------------------------------------ eps and sigma_1 bounds
def _frac(a):
    return np.vectorize(lambda v: Fraction(float(v)), otypes=[object])(np.asarray(a, dtype=np.float64))


def _exact_terms(w, ctx, handling):
    """Exact (Fraction) rank-1 terms of eqke_error's decomposition for the float directions used."""
    fp = fraction_paths(w)
    F = fp["weights"]
    n = w.config.n_ctx
    V = w.config.d_vocab
    one = np.array([[Fraction(1)]] * V, dtype=object)
    Eq1 = np.concatenate([F["W_E"] + F["W_pos"][n - 1][None, :], one], axis=1)
    Ek1 = np.concatenate([F["W_E"], one], axis=1)
    Wq1 = np.concatenate([F["W_Q"][0], F["b_Q"][0][None, :]], axis=0)
    Wk1 = np.concatenate([F["W_K"][0], F["b_K"][0][None, :]], axis=0)
    F_, G_ = Eq1, Ek1
    terms = []
    plan = peel_plan(handling)
    for side, (v, vt) in zip(plan, directions(ctx, plan)):
        v, vt = _frac(v), _frac(vt)
        if side == "m":
            terms.append((F_.dot(v), G_.dot(vt)))
            continue
        if side == "q":
            a = F_.dot(v)
            terms.append((a, G_.dot(Wk1.dot(Wq1.T.dot(vt)))))
            F_ = F_ - np.outer(a, vt)
        else:
            b = G_.dot(v)
            terms.append((F_.dot(Wq1.dot(Wk1.T.dot(vt))), b))
            G_ = G_ - np.outer(b, vt)
    return fp["EQKE"], terms


def _eps_models():
    return [
        ("random", random_weights(V=6, n=3, d=6, h=5, seed=11, biases=True, scale=2.0)),
        ("maxlike", maxlike_weights(V=6, n=3, d=6, h=6, seed=12, biases=True)),
        ("large", maxlike_weights(V=5, n=3, d=6, h=6, seed=13, strength=60)),
        ("bigbias", _bigbias(1)),
    ]


@pytest.mark.parametrize("handling", ERROR_HANDLINGS)
def test_eps_bounds_exact_residual_spread(handling):
    for name, w in _eps_models():
        ctx = Context(w)
        eq = eqke_bound(ctx, handling)
        EQKE, terms = _exact_terms(w, ctx, handling)
        if "full" in eq:
            E = eq["full"]
            ex = EQKE.astype(float)
            assert all(Fraction(float(E.lo[i, j])) <= EQKE[i, j] <= Fraction(float(E.hi[i, j]))
                       for i in range(ex.shape[0]) for j in range(ex.shape[1])), name
            continue
        assert len(terms) == len(eq["terms"]), (name, handling)
        Res = EQKE.copy()
        for (L, R), (Li, Ri) in zip(terms, eq["terms"]):
            for vec, iv in ((L, Li), (R, Ri)):
                assert all(Fraction(float(iv.lo[i])) <= vec[i] <= Fraction(float(iv.hi[i])) for i in range(len(vec))), \
                    f"{name} {handling}: rank-1 factor not enclosed"
            Res = Res - np.outer(L, R)
        for q in range(Res.shape[0]):
            spread = max(Res[q]) - min(Res[q])
            assert spread <= Fraction(float(eq["eps"][q])), f"{name} {handling}: eps[{q}] below the exact spread"


@pytest.mark.parametrize("handling", EUPU_HANDLINGS)
def test_eupu_delta_bounds_exact_spread(handling):
    for name, w in _eps_models():
        ctx = Context(w)
        mu, delta = eupu_bound(ctx, handling)
        fp = fraction_paths(w)
        F = fp["weights"]
        V, n = w.config.d_vocab, w.config.n_ctx
        Eq = F["W_E"] + F["W_pos"][n - 1][None, :]
        if handling == "mean_query+max_diff":
            e = Eq.sum(axis=0) / V
            mu_ex = e.dot(F["W_U"]) + F["b_U"]
        elif handling == "svd_query+max_diff":
            mu_ex = _frac(_svd_direction(ctx)).dot(F["W_U"]) + F["b_U"]
        elif handling == "max_diff":
            mu_ex = F["b_U"]
        else:
            mu_ex = np.array([Fraction(0)] * V, dtype=object)
        assert all(Fraction(float(mu.lo[y])) <= mu_ex[y] <= Fraction(float(mu.hi[y])) for y in range(V)), name
        R = fp["EUPU"] - mu_ex[None, :]
        for q in range(V):
            assert max(R[q]) - min(R[q]) <= Fraction(float(delta[q])), f"{name} {handling}: delta[{q}] too small"


def _sigma_cases():
    rng = np.random.default_rng(5)
    cases = [("gauss", rng.standard_normal((7, 4)), rng.standard_normal((4, 9))),
             ("large", 1e3 * rng.standard_normal((6, 5)), 1e2 * rng.standard_normal((5, 6))),
             ("tiny", 1e-5 * rng.standard_normal((5, 3)), rng.standard_normal((3, 5)))]
    u, v = rng.standard_normal((8, 1)), rng.standard_normal((1, 8))
    cases.append(("rank1", u @ np.ones((1, 3)), np.ones((3, 1)) @ v / 3))
    A = rng.standard_normal((6, 4))
    cases.append(("tie", A, np.linalg.qr(rng.standard_normal((4, 4)))[0]))  # equal-ish singular spread
    cases.append(("zero", np.zeros((4, 3)), rng.standard_normal((3, 4))))
    return cases


@pytest.mark.parametrize("case", _sigma_cases(), ids=lambda c: c[0])
def test_sigma1_bound_is_above_exact(case):
    _, L, R = case
    ub = sigma1_upper(Interval.exact(L), Interval.exact(R))
    mpmath.mp.prec = 200
    P = mpmath.matrix(L.shape[0], R.shape[1])
    for i in range(L.shape[0]):
        for j in range(R.shape[1]):
            P[i, j] = mpmath.fsum(mpmath.mpf(float(L[i, k])) * mpmath.mpf(float(R[k, j])) for k in range(L.shape[1]))
    s = max(mpmath.svd_r(P, compute_uv=False)) if L.any() else mpmath.mpf(0)
    assert mpmath.mpf(ub) >= s, f"sigma_1 bound {ub} below exact {s}"
    frob = float(mpmath.sqrt(mpmath.fsum(P[i, j] ** 2 for i in range(P.rows) for j in range(P.cols))))
    assert ub <= frob * (1 + 1e-9) + 1e-150, "bound should be no worse than the Frobenius norm (up to rounding)"


def test_sigma1_bound_on_the_eqke_residuals():
    """The certified sigma_1 of each zoo model's EQKE residual (svd handling) is >= its exact sigma_1."""
    from pipeline.strategies.subcubic.eqke_error import _decompose

    mpmath.mp.prec = 200
    for name, w in _eps_models():
        ctx = Context(w)
        EQKE, terms = _exact_terms(w, ctx, "svd")
        Res = EQKE.copy()
        for L, R in terms:
            Res = Res - np.outer(L, R)
        _, F, G, _ = _decompose(ctx, peel_plan("svd"))
        Wq1, Wk1 = ctx.factors()[2], ctx.factors()[3]
        ub = sigma1_upper(F @ Wq1, Wk1.T @ G.T)
        P = mpmath.matrix([[mpmath.mpf(x.numerator) / x.denominator for x in row] for row in Res])
        s = max(mpmath.svd_r(P, compute_uv=False))
        assert mpmath.mpf(ub) >= s, f"{name}: sigma_1 bound {ub} below the exact {s}"


def test_sigma1_bound_tight_for_rank_one():
    rng = np.random.default_rng(1)
    L = rng.standard_normal((9, 1)) @ rng.standard_normal((1, 4))
    R = rng.standard_normal((4, 7))
    ub = sigma1_upper(Interval.exact(L), Interval.exact(R))
    exact = np.linalg.svd(L @ R, compute_uv=False)[0]
    assert exact <= ub <= exact * (1 + 1e-6)


# ------------------------------------------------------------------ names, groups, non-vacuity, CLI
def test_names_and_groups():
    assert len(CONFIGS) == 100 and len({c.name for c in CONFIGS}) == 100
    counts = Counter(c.group for c in CONFIGS)
    assert counts == {"subcubic": 4, "attention-d_vocab·d_model²": 16, "direct-quadratic": 6,
                      "attention-d_vocab·d_model² + direct-quadratic": 24, "attention-quadratic": 12,
                      "attention-quadratic + direct-quadratic": 18, "attention-cubic-reference": 8,
                      "attention-cubic-reference + direct-quadratic": 12}
    assert SubcubicConfig().name == "EUPU-mean-query+max-diff--attn-mean-query+diff--attn-err-max-diff"
    with pytest.raises(ValueError):
        SubcubicConfig(eupu="nope")


def test_registry_default_config():
    w = maxlike_weights(V=5, n=3, seed=1)
    res = get_strategy("subcubic")(w)
    assert res.n_proved > 0 and res.flops > 0


def test_every_group_proves_something_on_the_shipped_model():
    from pipeline.model.checkpoint import load_weights

    w = load_weights("artifacts/models/max4-seed123.safetensors")
    ctx = Context(w)
    best = {}
    for c in CONFIGS:
        if c.attention != "mean_query+diff" or c.eupu not in ("max_diff_exact", "global_max_diff_exact"):
            if c.group not in ("direct-quadratic", "subcubic") or c.eupu not in ("mean_query+max_diff", "max_diff"):
                continue
        r = run_config(ctx, c)
        best[c.group] = max(best.get(c.group, 0), r.n_proved)
    for g in GROUPS:
        assert best.get(g, 0) > 0, f"group {g} proves nothing on the shipped model"


def test_every_group_proves_something_on_a_small_trained_model():
    w = _trained(8, 3, 1500, seed=700)
    ctx = Context(w)
    best = Counter()
    for c in CONFIGS:
        best[c.group] = max(best[c.group], run_config(ctx, c).n_proved)
    assert all(best[g] > 0 for g in GROUPS), best


def test_frontier_cli(tmp_path):
    from pipeline.cli import main
    from pipeline.model.checkpoint import save_weights

    paths = []
    for i in range(2):
        p = tmp_path / f"m{i}.safetensors"
        save_weights(maxlike_weights(V=5, n=3, seed=20 + i, strength=4), p)
        paths.append(str(p))
    out = tmp_path / "rep"
    assert main(["frontier", *paths, "--configs", "groups", "--out-dir", str(out), "--quiet"]) == 0
    recs = json.loads((out / "frontier.json").read_text())
    assert len(recs) == 2 * (50 + 3)
    keys = {"model_sha256", "config", "group", "n_inputs", "n_proved", "bound", "relative", "flops", "seconds"}
    assert all(keys <= set(r) for r in recs)
    # the exact certificate: its own record per model, cubic count <= lo <= hi
    for sha in {r["model_sha256"] for r in recs}:
        ex = next(r for r in recs if r["model_sha256"] == sha and r["config"] == "exact")
        bf = next(r for r in recs if r["model_sha256"] == sha and r["config"] == "brute-force")
        cu = next(r for r in recs if r["model_sha256"] == sha and r["config"] == "cubic")
        assert ex["group"] == "exact" and "unavailable" not in ex
        assert cu["n_proved"] <= ex["n_proved"] <= ex["n_upper"] <= ex["n_inputs"]
        assert bf["n_proved"] <= ex["n_upper"] and ex["flops"] > cu["flops"]  # two sound enclosures meet
    assert "exact" in {s["group"] for s in json.loads((out / "frontier.summary.json").read_text())}
    assert "## The exact certificate" in (out / "frontier.md").read_text()
    allowed = set(GROUPS) | {"cubic", "brute-force", "exact", "attention-cubic-reference",
                             "attention-cubic-reference + direct-quadratic"}
    assert {r["group"] for r in recs} <= allowed
    assert (out / "frontier.png").read_bytes()[:4] == b"\x89PNG"
    assert "best relative bound per group" in (out / "frontier.md").read_text().lower()
    assert main(["frontier", str(tmp_path / "missing.safetensors"), "--out-dir", str(tmp_path / "x")]) == 2
    assert not (tmp_path / "x").exists()
    # --replot: frontier.png again from frontier.json alone, the same bytes; no strategy runs
    png = (out / "frontier.png").read_bytes()
    (out / "frontier.png").unlink()
    assert main(["frontier", "--replot", "--out-dir", str(out)]) == 0
    assert (out / "frontier.png").read_bytes() == png
    assert main(["frontier", "--replot"]) == 2 and main(["frontier", "--replot", *paths, "--out-dir", str(out)]) == 2
    assert main(["frontier", "--replot", "--out-dir", str(tmp_path / "x")]) == 2


def test_frontier_exact_over_budget_is_unavailable(tmp_path, monkeypatch):
    """An exact certificate over the replay's residual budget: an "unavailable" record with the
    reason (no numbers), not a crash; the table, summary, plot and --replot still work."""
    from pipeline.certificate import certify as C
    from pipeline.cli import main
    from pipeline.model.checkpoint import save_weights

    monkeypatch.setattr(C, "MAX_RESIDUAL_WORK", 0)
    p = tmp_path / "m.safetensors"
    save_weights(maxlike_weights(V=5, n=3, seed=20, strength=4), p)
    out = tmp_path / "rep"
    assert main(["frontier", str(p), "--configs", "groups", "--out-dir", str(out), "--quiet"]) == 0
    recs = json.loads((out / "frontier.json").read_text())
    ex = next(r for r in recs if r["config"] == "exact")
    assert "over the replay's budget" in ex["unavailable"]
    assert ex["n_proved"] is None and ex["bound"] is None and ex["flops"] is None and ex["relative"] is None
    assert "exact" not in {s["group"] for s in json.loads((out / "frontier.summary.json").read_text())}
    assert "| m.safetensors | unavailable: " in (out / "frontier.md").read_text()
    assert main(["frontier", "--replot", "--out-dir", str(out)]) == 0
