"""The exact certificate (strategy "exact", issue 20; FORMAT.md "The exact certificate"):
lo = claimed_count <= #correct <= claimed_upper = hi.

    .venv/bin/python -m pytest tests/test_exact.py

Judged independently of the replay's code:
  * the truth: exact Fractions for the near-tie family (uniform attention, tests/nearties.py) and an
    mpmath forward pass (tests/oracles.py) for the zoo; the sound brute force
    (pipeline/strategies/brute_force.py: float intervals, no code of the replay);
  * the claims: `oracle_claims` recomputes lo and hi from the certificate's tables with its own
    path matrices (helpers.fraction_paths, exact Fractions brought to one integer scale), its own
    cover enumeration (helpers.covered_inputs) and its own verdict (max / min of the two endpoint
    products instead of the replay's ub / lb), over every input in lexicographic order;
  * the residual's order: a literal recursive transcription of FORMAT.md's gen / out.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import helpers
import nearties as N
from oracles import mp_truth
from pipeline.certificate import replay as R
from pipeline.certificate import schema as S
from pipeline.certificate.certify import certify
from pipeline.errors import PipelineError
from pipeline.model.checkpoint import save_weights
from pipeline.strategies import brute_force
from test_cubic import MODELS

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CERT = ROOT / "artifacts" / "certs" / "max4-seed123.cert.json"


# ----------------------------------------------------------------- independent oracles


def int_paths(w) -> dict:
    """EUPU, EVOU, PVOU as exact integers at one common scale 2^s (independent of the replay:
    helpers.fraction_paths evaluates the paths with its own formulas, in Fractions)."""
    P = helpers.fraction_paths(w)
    mats = {k: P[k] for k in ("EUPU", "EVOU", "PVOU")}
    D = max(x.denominator for M in mats.values() for x in M.reshape(-1))  # powers of two: the lcm
    out = {}
    for k, M in mats.items():
        out[k] = [[int(x * D) for x in row] for row in M]
        assert all(x * D == int(x * D) for x in M.reshape(-1))
    return out


def oracle_verdict(x, P, elo, ehi, plo, phi, V) -> int:
    """FORMAT.md's verdict, written independently: +1 every y != m has an upper sum < 0, -1 some
    y != m has a lower sum >= 0, else 0 (sums over i of the max / min of wlo z and whi z)."""
    q, m = x[-1], max(x)
    all_neg, some_nonneg = True, False
    for y in range(V):
        if y == m:
            continue
        up = low = 0
        for i, t in enumerate(x):
            z = (P["EUPU"][q][y] - P["EUPU"][q][m]) + (P["EVOU"][t][y] - P["EVOU"][t][m]) \
                + (P["PVOU"][i][y] - P["PVOU"][i][m])
            a, b = elo[q][t] * plo[q][i] * z, ehi[q][t] * phi[q][i] * z
            up += max(a, b)
            low += min(a, b)
        all_neg = all_neg and up < 0
        some_nonneg = some_nonneg or low >= 0
    return 1 if all_neg else (-1 if some_nonneg else 0)


def oracle_claims(cert, w) -> tuple:
    """(lo, hi, covered set, {x in R: verdict}) recomputed from the certificate's tables and lists."""
    V, n = cert["config"]["d_vocab"], cert["config"]["n_ctx"]
    cov_list = helpers.covered_inputs(cert["c0"], cert["cells"], n)
    covered = set(cov_list)
    assert len(covered) == len(cov_list), "the cubic part counts an input twice"
    P = int_paths(w)
    elo, ehi = cert["exp_eqke"]["lo"], cert["exp_eqke"]["hi"]
    plo, phi = cert["exp_eqkp"]["lo"], cert["exp_eqkp"]["hi"]
    verdicts = {x: oracle_verdict(x, P, elo, ehi, plo, phi, V)
                for x in itertools.product(range(V), repeat=n) if x not in covered}
    ok = sum(1 for v in verdicts.values() if v == 1)
    wrong = sum(1 for v in verdicts.values() if v == -1)
    return len(covered) + ok, V**n - wrong, covered, verdicts


def truth_of(name, w) -> dict:
    """input -> +1 correct / -1 wrong / 0 unsure (mpmath near tie): exact Fractions for the near-tie
    family, mpmath (50 digits) otherwise."""
    if name.startswith("nt-"):
        inputs, status = N.exact_status(w)
    else:
        inputs, status = mp_truth(w)
    return {tuple(x): int(s) for x, s in zip(inputs.tolist(), status.tolist())}


def replay_verdicts(cert) -> dict:
    """x -> the replay's verdict, for every x in its residual (its own enumeration)."""
    V, n = cert["config"]["d_vocab"], cert["config"]["n_ctx"]
    cfg = cert["config"]
    z, T = R.align_weights(cert["weights"], V, n, cfg["d_model"], cfg["d_head"])
    paths = R.compute_paths(T, z, n)
    elo, ehi = cert["exp_eqke"]["lo"], cert["exp_eqke"]["hi"]
    plo, phi = cert["exp_eqkp"]["lo"], cert["exp_eqkp"]["hi"]
    out = {}
    for x, v in R.residual_verdicts(cert["c0"], cert["cells"], paths, elo, ehi, plo, phi, V, n):
        assert x not in out, f"{x} enumerated twice"
        out[x] = v
    return out


# ----------------------------------------------------------------- the models


def _zoo():
    pick = {"maxlike0", "maxlike1", "maxlike2", "maxlike4", "maxlike8", "maxlike14", "random1", "random2",
            "random4", "bigbias0", "neartie0", "neartie1", "wrong0", "large2", "splitbias0"}
    out = [(name, make) for name, make in MODELS if name in pick]
    assert len(out) == len(pick)
    out += [(f"nt-{name}", (lambda w=w: w)) for name, w in N.family()]
    out += [("zeros", lambda: helpers.random_weights(V=4, n=3, scale=0.0))]
    return out


ZOO = _zoo()
_CACHE = {}


def model_and_cert(name, frac_bits=None):
    key = (name, frac_bits)
    if key not in _CACHE:
        w = dict(ZOO)[name]()
        cert, info = certify(w, frac_bits=frac_bits, exact=True)
        _CACHE[key] = (w, cert, info)
    w, cert, info = _CACHE[key]
    return w, copy.deepcopy(cert), info


# ----------------------------------------------------------------- lo <= truth <= hi


@pytest.mark.parametrize("name", [nm for nm, _ in ZOO])
def test_exact_claims_bracket_the_truth_and_match_the_oracle(name):
    w, cert, info = model_and_cert(name)
    res = R.replay(cert)
    assert res.ok, res.detail
    lo, hi = cert["claimed_count"], cert["claimed_upper"]
    assert (res.count, res.upper, res.n_inputs) == (lo, hi, w.config.n_inputs)
    # the independent recomputation gives exactly the claims, input by input
    olo, ohi, covered, overd = oracle_claims(cert, w)
    assert (lo, hi) == (olo, ohi)
    assert replay_verdicts(cert) == overd
    # the truth: nothing decided against it, and lo <= #correct <= hi
    truth = truth_of(name, w)
    assert all(truth[x] == 1 or (truth[x] == 0 and not name.startswith("nt-")) for x in covered)
    against = [x for x, v in overd.items() if v != 0 and truth[x] == -v]
    assert not against, f"{name}: verdicts against the truth on {against[:5]}"
    sure = sum(1 for s in truth.values() if s == 1)
    unsure = sum(1 for s in truth.values() if s == 0)
    assert lo <= sure + unsure and sure <= hi
    # the sound brute force (float intervals; no code of the replay): consistent input by input
    bf = brute_force.run(w, keep_status=True)
    st = bf.diagnostics["status"]
    for x in itertools.product(range(w.config.d_vocab), repeat=w.config.n_ctx):
        ours = 1 if x in covered else overd[x]
        assert not (st[x] == 1 and ours == -1) and not (st[x] == -1 and ours == 1), (name, x, st[x], ours)
    assert bf.extra["n_correct"] <= hi and lo <= w.config.n_inputs - bf.extra["n_wrong"]


def test_zoo_is_nontrivial():
    """The zoo has residuals with correct, wrong and (wide enclosures) undecided inputs, and lo = hi
    where every input is decided."""
    seen = {"ok": 0, "wrong": 0, "lo==hi<NI": 0, "cubic<lo": 0}
    for name, _ in ZOO:
        w, cert, info = model_and_cert(name)
        seen["ok"] += info["residual_ok"]
        seen["wrong"] += info["residual_wrong"]
        seen["lo==hi<NI"] += cert["claimed_count"] == cert["claimed_upper"] < cert["n_inputs"]
        seen["cubic<lo"] += info["cubic_count"] < cert["claimed_count"]
    assert min(seen.values()) >= 3, seen


def test_truly_wrong_inputs_give_hi_below_all():
    for name in ("wrong0", "random2", "nt-position"):
        w, cert, info = model_and_cert(name)
        truth = truth_of(name, w)
        n_wrong = sum(1 for s in truth.values() if s == -1)
        assert n_wrong > 0 and cert["claimed_upper"] < cert["n_inputs"], name
        assert cert["n_inputs"] - cert["claimed_upper"] <= n_wrong
    # exact ties are errors: all-zero weights make every logit equal, every input is proved wrong
    w, cert, _ = model_and_cert("zeros")
    assert cert["claimed_count"] == cert["claimed_upper"] == 0 and R.replay(cert).ok
    # two equal unembedding columns: every input whose max is one of them is a tie, proved wrong
    w, cert, _ = model_and_cert("neartie0")
    _, _, covered, overd = oracle_claims(cert, w)
    tied = [x for x in itertools.product(range(5), repeat=3) if max(x) in (3, 4)]
    assert all(overd.get(x) == -1 for x in tied)


@pytest.mark.parametrize("name,F", [("maxlike2", 3), ("maxlike8", 2), ("bigbias0", 4), ("large2", 6)])
def test_undecided_inputs_give_lo_below_hi(name, F):
    """Tiny frac_bits: the exp enclosures are so wide that some inputs are neither proved correct
    nor proved wrong; lo < hi, both still bracket the truth, and the oracle agrees."""
    w, cert, info = model_and_cert(name, frac_bits=F)
    res = R.replay(cert)
    assert res.ok, res.detail
    assert info["residual_undecided"] > 0 and cert["claimed_count"] < cert["claimed_upper"]
    assert cert["claimed_upper"] - cert["claimed_count"] == info["residual_undecided"]
    olo, ohi, _, overd = oracle_claims(cert, w)
    assert (olo, ohi) == (cert["claimed_count"], cert["claimed_upper"])
    truth = truth_of(name, w)
    assert not [x for x, v in overd.items() if v != 0 and truth[x] == -v]
    sure = sum(1 for s in truth.values() if s == 1)
    assert cert["claimed_count"] <= sure + sum(1 for s in truth.values() if s == 0) and sure <= cert["claimed_upper"]


# ----------------------------------------------------------------- the residual's order and cost


def fmt_gen(L, c, m, A):
    """FORMAT.md's gen(L, c), literally (recursive)."""
    if L == 0:
        return [[]] if c == 0 else []
    out = [[m] + p for p in fmt_gen(L - 1, c, m, A)]
    if c >= 1:
        out += [[s] + p for s in A for p in fmt_gen(L - 1, c - 1, m, A)]
    return out


def fmt_out(L, c, m, S_, A):
    """FORMAT.md's out(L, c), literally (recursive)."""
    if L == 0:
        return []
    out = [[m] + p for p in fmt_out(L - 1, c, m, S_, A)]
    if c >= 1:
        out += [[s] + p for s in S_ for p in fmt_out(L - 1, c - 1, m, S_, A)]
        out += [[s] + p for s in A if s not in S_ for p in fmt_gen(L - 1, c - 1, m, A)]
    return out


def fmt_residual(c0, cells, V, n):
    c0s = {tuple(e) for e in c0}
    masks = {tuple(cell[:3]): cell[4] for cell in cells}
    out = []
    for m in range(V):
        A = list(range(m))
        for q in range(m + 1):
            for c in range((n - 1 if q == m else n - 2) + 1):
                if c == 0:
                    if (m, q) not in c0s:
                        out.append(tuple([m] * (n - 1) + [q]))
                    continue
                S_ = [k for k in A if masks.get((m, q, c), 0) >> k & 1]
                out += [tuple(p + [q]) for p in fmt_out(n - 1, c, m, S_, A)]
    return out


def random_cover(rng, V, n, density):
    c0 = [[m, q] for m in range(V) for q in range(m + 1) if (q == m or n >= 2) and rng.random() < density]
    cells = []
    for m in range(1, V):
        for q in range(m + 1):
            for c in range(1, (n - 1 if q == m else n - 2) + 1):
                if rng.random() < density:
                    mask = int(rng.integers(1, 1 << m))
                    if rng.random() < 0.2:
                        mask = (1 << m) - 1  # S = A: the cell covers its whole key
                    cells.append([m, q, c, 0, mask])
    return c0, cells


def test_residual_order_is_formats_and_complements_the_cover():
    rng = np.random.default_rng(5)
    cases = 0
    for V in (2, 3, 4, 5):
        for n in (1, 2, 3, 4):
            if V**n > 700:
                continue
            for density in (0.0, 0.4, 0.8, 1.0):
                c0, cells = random_cover(rng, V, n, density)
                got = [x for _m, x in R.residual_inputs(c0, cells, V, n)]
                assert got == fmt_residual(c0, cells, V, n), (V, n, density)
                assert all(m == max(x) for m, x in R.residual_inputs(c0, cells, V, n))
                cov = helpers.covered_inputs(c0, cells, n)
                assert len(set(cov)) == len(cov) == R.cubic_count(c0, cells, n)
                allx = set(itertools.product(range(V), repeat=n))
                assert len(set(got)) == len(got) and set(got) == allx - set(cov)
                cases += 1
    assert cases >= 40


def test_residual_walk_is_pruned_and_not_recursive():
    """A cover that leaves nothing costs nothing, however many inputs it covers (V = 2, n = 60:
    2^60 inputs); n beyond Python's recursion limit works (n = 1200, one cell left out: 1199 inputs)."""
    V = 2
    for n, missing in ((60, None), (1200, 1)):
        c0 = [[0, 0], [1, 0], [1, 1]]
        cells = [[1, 0, c, 0, 1] for c in range(1, n - 1) if c != missing] + [[1, 1, c, 0, 1] for c in range(1, n)]
        t0 = time.perf_counter()
        got = [x for _m, x in R.residual_inputs(c0, cells, V, n)]
        assert time.perf_counter() - t0 < 5
        if missing is None:
            assert got == [] and R.cubic_count(c0, cells, n) == V**n
        else:
            assert len(got) == n - 1 and all(x[-1] == 0 and sum(x) == n - 2 for x in got)
            assert R.cubic_count(c0, cells, n) + len(got) == V**n


def test_c0_entry_ok_keeps_the_cubic_behaviour():
    """c0_entry_ok (now input_ok on (m, ..., m, q), with the row-top shortcut) against a literal
    transcription of the v2 code (a y-loop of ub sums), on every (m, q) of several models."""
    def old_c0_entry_ok(m, q, paths, elo, ehi, plo, phi, V, n):
        EUPU, EVOU, PVOU = paths["EUPU"], paths["EVOU"], paths["PVOU"]
        for y in range(V):
            if y == m:
                continue
            s = 0
            for i in range(n):
                t = m if i < n - 1 else q
                Z = (EUPU[q][y] - EUPU[q][m]) + (EVOU[t][y] - EVOU[t][m]) + (PVOU[i][y] - PVOU[i][m])
                s += R.ub(elo[q][t] * plo[q][i], ehi[q][t] * phi[q][i], Z)
            if s >= 0:
                return False
        return True

    both = [0, 0]
    for name in ("maxlike2", "maxlike4", "random4", "neartie1", "nt-hair0", "nt-position"):
        w, cert, _ = model_and_cert(name)
        V, n = w.config.d_vocab, w.config.n_ctx
        z, T = R.align_weights(cert["weights"], V, n, w.config.d_model, w.config.d_head)
        paths = R.compute_paths(T, z, n)
        tabs = (cert["exp_eqke"]["lo"], cert["exp_eqke"]["hi"], cert["exp_eqkp"]["lo"], cert["exp_eqkp"]["hi"])
        for m in range(V):
            for q in range(m + 1):
                new = R.c0_entry_ok(m, q, paths, *tabs, V, n)
                assert new == old_c0_entry_ok(m, q, paths, *tabs, V, n), (name, m, q)
                both[new] += 1
    assert min(both) > 5, both


# ----------------------------------------------------------------- tampering, judged by the oracle


def _fails(cert, check):
    res = R.replay(cert)
    assert not res.ok and res.failed_check == check, res
    assert res.detail.startswith(check + ":") and "\n" not in res.detail and len(res.detail) < 400
    assert res.count == 0 and res.upper is None
    return res


def _rejected(obj):
    with pytest.raises(S.CertificateError):
        S.validate_certificate(obj, None)
    res = R.replay(obj)
    assert not res.ok and res.failed_check == "check_header"


def tamper_base():
    """A model whose exact certificate has c0 entries, several cells and a residual with correct and
    wrong inputs."""
    for name in ("maxlike2", "maxlike8", "maxlike14", "bigbias0"):
        w, cert, info = model_and_cert(name)
        if len(cert["cells"]) >= 3 and cert["c0"] and info["residual_ok"] and info["residual_wrong"]:
            return name, w, cert
    raise AssertionError("no tamper base in the zoo")


def test_claims_off_by_one():
    _, _, cert = tamper_base()
    for key in ("claimed_count", "claimed_upper"):
        for delta in (1, -1):
            bad = copy.deepcopy(cert)
            bad[key] += delta
            _fails(bad, "check_exact_claim")
    for key, value in (("claimed_upper", -1), ("claimed_upper", 10**4000), ("claimed_count", -(10**4000))):
        bad = copy.deepcopy(cert)
        bad[key] = value
        res = _fails(bad, "check_exact_claim")
        assert "not in 0..n_inputs" in res.detail


def test_strategy_and_key_tampering():
    name, w, cert = tamper_base()
    for strategy in ("cubic", "Exact", "exact ", "", "brute-force", 1, None, ["exact"]):
        bad = copy.deepcopy(cert)
        bad["strategy"] = strategy
        _rejected(bad)  # cubic: claimed_upper is an unknown key; anything else: an unknown strategy
    bad = copy.deepcopy(cert)
    del bad["claimed_upper"]
    _rejected(bad)
    for value in (True, "5", 5.0, None, [5]):
        bad = copy.deepcopy(cert)
        bad["claimed_upper"] = value
        _rejected(bad)
    # claimed_upper on a cubic certificate is rejected; the cubic certificate itself replays as before
    cubic, _ = certify(w)
    assert cubic["strategy"] == "cubic" and "claimed_upper" not in cubic
    res = R.replay(cubic)
    assert res.ok and res.upper is None and res.count == cubic["claimed_count"]
    bad = copy.deepcopy(cubic)
    bad["claimed_upper"] = cert["claimed_upper"]
    _rejected(bad)
    # the exact certificate with the cubic's claim (lo = cubic count) fails: the residual proves more
    bad = copy.deepcopy(cert)
    bad["claimed_count"] = cubic["claimed_count"]
    assert cubic["claimed_count"] < cert["claimed_count"]
    _fails(bad, "check_exact_claim")


def _judge(bad, w, truth):
    """The independent verdict on a certificate whose cover is a sub-cover of a valid one: PASS
    exactly when its claims are the oracle's, and then they bracket the truth."""
    olo, ohi, _, _ = oracle_claims(bad, w)
    res = R.replay(bad)
    if (bad["claimed_count"], bad["claimed_upper"]) == (olo, ohi):
        assert res.ok, res.detail
        sure = sum(1 for s in truth.values() if s == 1)
        assert olo <= sure + sum(1 for s in truth.values() if s == 0) and sure <= ohi
    else:
        assert not res.ok and res.failed_check == "check_exact_claim", res
    return olo, ohi


def test_removed_cells_c0_and_mask_bits_are_recounted():
    """R grows when the cubic part shrinks: the old claims pass only if the oracle's recount gives
    them again; the recounted claims always pass; a naive recount (lo minus what the cell covered)
    fails whenever the residual proves some of those inputs again."""
    name, w, cert = tamper_base()
    truth = truth_of(name, w)
    n = cert["config"]["n_ctx"]
    rng = np.random.default_rng(1)
    naive_failed = 0
    variants = []
    for j in rng.permutation(len(cert["cells"]))[:6]:
        bad = copy.deepcopy(cert)
        cell = bad["cells"].pop(int(j))
        variants.append((bad, math.comb(n - 1, cell[2]) * bin(cell[4]).count("1") ** cell[2]))
    for j in rng.permutation(len(cert["c0"]))[:4]:
        bad = copy.deepcopy(cert)
        bad["c0"].pop(int(j))
        variants.append((bad, 1))
    for j in range(len(cert["cells"])):
        if bin(cert["cells"][j][4]).count("1") >= 2:
            bad = copy.deepcopy(cert)
            mask = bad["cells"][j][4]
            bad["cells"][j][4] = mask & (mask - 1)  # drop the lowest k of S
            c = bad["cells"][j][2]
            variants.append((bad, math.comb(n - 1, c) * (bin(mask).count("1") ** c - bin(mask & (mask - 1)).count("1") ** c)))
            break
    assert len(variants) >= 8
    for bad, moved in variants:
        olo, ohi = _judge(bad, w, truth)  # the old claims
        fixed = copy.deepcopy(bad)
        fixed["claimed_count"], fixed["claimed_upper"] = olo, ohi
        assert R.replay(fixed).ok
        naive = copy.deepcopy(bad)
        naive["claimed_count"] -= moved
        if (naive["claimed_count"], naive["claimed_upper"]) != (olo, ohi):
            _fails(naive, "check_exact_claim")
            naive_failed += 1
    assert naive_failed >= 1


def test_unproved_c0_entry_or_mask_bit_fails():
    """A flipped c0 entry naming a truly wrong input, or a mask bit for a truly wrong k, fails its
    check (the exact kind keeps checks 8-9)."""
    name, w, cert = tamper_base()
    truth = truth_of(name, w)
    V, n = cert["config"]["d_vocab"], cert["config"]["n_ctx"]
    have = {tuple(e) for e in cert["c0"]}
    flips = 0
    for m in range(V):
        for q in range(m + 1):
            x = tuple([m] * (n - 1) + [q])
            if (m, q) not in have and truth[x] == -1 and flips < 3:
                bad = copy.deepcopy(cert)
                bad["c0"] = sorted(bad["c0"] + [[m, q]])
                _fails(bad, "check_c0")
                flips += 1
    assert flips >= 1
    bad = copy.deepcopy(cert)
    bad["c0"][0] = list(bad["c0"][1]) if len(bad["c0"]) > 1 else [V, 0]  # a duplicate or out of range
    _fails(bad, "check_c0")
    # a mask bit added: FAIL at check_cells whenever the grown cell covers a truly wrong input;
    # a PASS (the exact check proves the new k) must come with the oracle's recount
    outcomes = {"check_cells": 0, "pass": 0, "wrong_covered": 0}
    for other in ("maxlike2", "maxlike8", "random2", "bigbias0", "large2", "nt-lost0", "nt-hair1"):
        w, cert, _ = model_and_cert(other)
        truth = truth_of(other, w)
        for j, (m, q, c, sh, mask) in enumerate(cert["cells"][:12]):
            for k in range(m):
                if mask >> k & 1:
                    continue
                bad = copy.deepcopy(cert)
                bad["cells"][j][4] = mask | (1 << k)
                grown = helpers.covered_inputs([], [bad["cells"][j]], cert["config"]["n_ctx"])
                res = R.replay(bad)
                if any(truth[x] == -1 for x in grown):
                    assert not res.ok and res.failed_check == "check_cells", (other, j, k)
                    outcomes["wrong_covered"] += 1
                elif res.ok:
                    olo, ohi, _, _ = oracle_claims(bad, w)
                    assert (res.count, res.upper) == (olo, ohi) and all(truth[x] != -1 for x in grown)
                    outcomes["pass"] += 1
                else:
                    assert res.failed_check in ("check_cells", "check_exact_claim"), res
                outcomes["check_cells"] += res.failed_check == "check_cells"
    assert outcomes["check_cells"] >= 5, outcomes


# ----------------------------------------------------------------- budget


def test_residual_budget_refusal(monkeypatch):
    """Over MAX_RESIDUAL_WORK: FAIL at check_residual before any verdict; certify --exact refuses."""
    name, w, cert = tamper_base()
    cfg = cert["config"]
    V, n = cfg["d_vocab"], cfg["n_ctx"]
    z, T = R.align_weights(cert["weights"], V, n, cfg["d_model"], cfg["d_head"])
    paths = R.compute_paths(T, z, n)
    words = R.residual_words(paths, cert["exp_eqke"]["lo"], cert["exp_eqke"]["hi"],
                             cert["exp_eqkp"]["lo"], cert["exp_eqkp"]["hi"])
    size = cert["n_inputs"] - R.cubic_count(cert["c0"], cert["cells"], n)
    work = R.residual_work(V, n, size, words)
    assert work == n * V * size * words > 0
    monkeypatch.setattr(R, "MAX_RESIDUAL_WORK", work)
    assert R.replay(cert).ok
    monkeypatch.setattr(R, "MAX_RESIDUAL_WORK", work - 1)
    calls = []
    monkeypatch.setattr(R, "check_residual", lambda *a: calls.append(a))
    res = _fails(cert, "check_residual")
    assert "resource limit" in res.detail and not calls
    import pipeline.certificate.certify as C

    monkeypatch.setattr(C, "MAX_RESIDUAL_WORK", work - 1)
    with pytest.raises(PipelineError, match="budget"):
        certify(w, exact=True)
    # the words count the integers' size: a huge hi table entry (a valid, loose enclosure) raises it
    big = copy.deepcopy(cert)
    big["exp_eqke"]["hi"][0][0] <<= 4000
    assert R.residual_words(paths, big["exp_eqke"]["lo"], big["exp_eqke"]["hi"],
                            big["exp_eqkp"]["lo"], big["exp_eqkp"]["hi"]) >= words + 60


@pytest.mark.skipif(not SHIPPED_CERT.is_file(), reason="shipped certificate not present")
def test_empty_cover_on_the_shipped_model_is_refused_fast():
    """The shipped weights with no c0 and no cells: R is all 64^4 inputs, n V |R| words > 2^32;
    refused at check_residual after checks 1-9 (about a second), never enumerated."""
    cert = S.load_certificate(SHIPPED_CERT)
    cert["strategy"] = "exact"
    cert["c0"], cert["cells"] = [], []
    cert["claimed_count"], cert["claimed_upper"] = 0, cert["n_inputs"]
    t0 = time.perf_counter()
    res = _fails(cert, "check_residual")
    assert time.perf_counter() - t0 < 30 and "resource limit" in res.detail


# ----------------------------------------------------------------- the command line


def test_cli_certify_exact_and_replay(tmp_path):
    w, cert, _ = model_and_cert("maxlike2")
    model = tmp_path / "m.safetensors"
    save_weights(w, model)
    out = tmp_path / "m.exact.cert.json"
    maxk = [sys.executable, "-m", "pipeline.cli"]
    r = subprocess.run(maxk + ["certify", str(model), "--exact", "--out", str(out), "--quiet"],
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stderr
    lo, hi = cert["claimed_count"], cert["claimed_upper"]
    assert f"{lo} <= correct <= {hi}" in r.stdout
    written = S.load_certificate(out)
    assert written["strategy"] == "exact" and (written["claimed_count"], written["claimed_upper"]) == (lo, hi)
    assert S.dump_certificate(written) == S.dump_certificate(cert)
    r = subprocess.run(maxk + ["replay", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 0 and r.stdout.startswith("PASS") and f"{lo} <= correct <= {hi}" in r.stdout
    r = subprocess.run(maxk + ["replay", str(out), "--json"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    doc = json.loads(r.stdout)
    assert r.returncode == 0 and doc["ok"] and (doc["count"], doc["upper"]) == (lo, hi)
    bad = json.loads(out.read_text())
    bad["claimed_upper"] += 1
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    r = subprocess.run(maxk + ["replay", str(tmp_path / "bad.json"), "--json"], capture_output=True, text=True,
                       cwd=ROOT, timeout=300)
    doc = json.loads(r.stdout)
    assert r.returncode == 1 and not doc["ok"] and doc["upper"] is None and doc["failed_check"] == "check_exact_claim"


# ----------------------------------------------------------------- the shipped exact certificate

SHIPPED_EXACT = ROOT / "artifacts" / "certs" / "max4-seed123.exact.cert.json"
SHIPPED_BOUNDS = ROOT / "artifacts" / "reports" / "max4-seed123.bounds.json"


@pytest.mark.skipif(not SHIPPED_EXACT.is_file(), reason="no shipped exact certificate")
def test_shipped_exact_certificate_agrees_and_altered_copies_are_caught(tmp_path):
    """artifacts_check.exact_cert_problems (run by tests/test_artifacts_agree.py): the shipped exact
    certificate is the shipped cubic one plus strategy and claims, and meets the brute force."""
    from pipeline.artifacts_check import exact_cert_problems

    exact = json.loads(SHIPPED_EXACT.read_text())
    rows = {r["strategy"]: r for r in json.loads(SHIPPED_BOUNDS.read_text())}
    bounds = {exact["model_sha256"]: rows}
    paths = {"max4-seed123": SHIPPED_CERT}
    assert exact_cert_problems(SHIPPED_EXACT, exact, paths, bounds) == []
    bf = rows["brute-force"]
    assert exact["claimed_count"] == exact["claimed_upper"] == bf["n_correct"] == bf["n_inputs"] - bf["n_wrong"]
    for alter, what in ((lambda c: c["c0"].pop(), "stale"), (lambda c: c.update(strategy="cubic"), "strategy"),
                        (lambda c: c.update(claimed_upper=c["claimed_count"] - 1), "claims"),
                        (lambda c: c.update(claimed_count=c["claimed_count"] + 1, claimed_upper=c["n_inputs"]),
                         "brute force")):
        bad = copy.deepcopy(exact)
        alter(bad)
        got = exact_cert_problems(SHIPPED_EXACT, bad, paths, bounds)
        assert len(got) >= 1 and what in " ".join(got), (what, got)


@pytest.mark.skipif(not SHIPPED_EXACT.is_file(), reason="no shipped exact certificate")
def test_shipped_exact_certificate_replays():
    """The shipped exact certificate: lo = hi = the brute force's n_correct (16,771,732 of 64^4),
    0 undecided; about 5 s (589,348 residual inputs)."""
    rows = {r["strategy"]: r for r in json.loads(SHIPPED_BOUNDS.read_text())}
    res = R.replay_file(SHIPPED_EXACT)
    assert res.ok, res.detail
    assert res.count == res.upper == rows["brute-force"]["n_correct"]
    assert "0 undecided" in res.detail


def test_exact_certificates_are_refused_by_archive(tmp_path):
    """archive takes cubic certificates only (it regenerates the certificate from the model and
    carries its Lean rendering): an exact one gets one line naming the file and the strategy, and
    nothing is written.  (export-lean renders exact certificates: tests/test_lean_exact.py;
    coq-check proves them: tests/test_coq_exact.py.)"""
    w, cert, _ = model_and_cert("maxlike2")
    model = tmp_path / "m.safetensors"
    save_weights(w, model)
    path = tmp_path / "m.exact.cert.json"
    path.write_text(S.dump_certificate(cert))
    maxk = [sys.executable, "-m", "pipeline.cli"]
    r = subprocess.run(maxk + ["archive", "--model", str(model), "--cert", str(path), "--out", str(tmp_path / "a.tar.gz")],
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "'exact'" in r.stderr, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["m.exact.cert.json", "m.safetensors", "m.json"])


# ----------------------------------------------------------------- verification FLOPs (frontier)


def test_exact_flops_are_counted_from_the_sizes():
    """certificate/exact_flops.py against a literal loop over FORMAT.md's work: per (q, t, i) the
    weight product and L (2 per y), per (m, q <= m) and row the V - 1 differences Z, per input of R
    2n (V - 1) for the ub sums, their max and sign, the same for lb on the inputs not proved correct."""
    from pipeline.certificate.exact_flops import exact_flops, exact_residual_flops

    for V, n in ((2, 1), (3, 2), (5, 3), (64, 4)):
        rows = sum((m + 1) * (n - 1) + 1 for m in range(V) for q in range(m + 1))
        pre = V * (V * (n - 1) + 1) * (1 + 2 * V) + rows * (V - 1)
        assert exact_residual_flops(V, n, 100, 7).total == pre + (100 + 7) * 2 * n * (V - 1)
        assert exact_residual_flops(V, n, 100).total == pre + 200 * 2 * n * (V - 1)  # None: all of R
    if SHIPPED_EXACT.is_file():  # |R| = 589,348, not proved correct 5,484: about 3.2e8 beyond the cubic part
        cert = json.loads(SHIPPED_EXACT.read_bytes())
        cu = next(r["flops"] for r in json.loads(SHIPPED_BOUNDS.read_text()) if r["strategy"] == "cubic")
        assert exact_flops(cert, cu) == cu + exact_residual_flops(64, 4, 589348, 5484).total == cu + 318423936
