"""Teeth for the ground truth: near-tie models (tests/nearties.py) against exact Fraction evaluation.

Non-vacuity first: plain float64 evaluation without a rounding bound (the forward pass, and the brute
force's own summation of its table entries) puts some inputs on the wrong side of zero.  Then the
sound checks must never decide one of those inputs against the exact truth (undecided is fine):
  * the brute force, with its own (widened) tables and with the tightest valid tables (exact points:
    attention is exactly uniform, so w = 1 and T = L exactly, checked with Fractions).  The widened
    tables' ~20 ulps per entry happen to cover the summation error at small n; the exact tables do
    not, so only the brute force's rounding bound (`sum_rounding_bound`) stands between those float
    sums and a wrong certificate;
  * the cubic's c = 0 check and everything the cubic covers;
  * the exact replay of certificates built by the emitter and by the exhaustive test emitter.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import helpers
import nearties as N
from certgen import build_certificate
from pipeline.certificate import replay as R
from pipeline.certificate.certify import certify
from pipeline.numerics import Interval, sqrt_enclosure
from pipeline.paths import path_intervals
from pipeline.strategies import brute_force, cubic

FAMILY = N.family()
NAMES = [name for name, _ in FAMILY]


@pytest.fixture(scope="module")
def truth():
    """name -> (weights, inputs, exact status, float-forward status, disagreeing input set)."""
    out = {}
    for name, w in FAMILY:
        inputs, status = N.exact_status(w)
        fwd = np.where(N.float_margins(w, inputs) > 0, 1, -1).astype(np.int8)
        bad = {tuple(x) for x in inputs[fwd != status].tolist()}
        if name.startswith("lost"):
            sums = N.float_table_sums(N.point_tables(w), inputs)
            table = np.where(sums < 0, 1, -1).astype(np.int8)  # what the sums say without a bound
            bad |= {tuple(x) for x in inputs[table != status].tolist()}
        out[name] = (w, inputs, status, bad)
    return out


def _index(inputs, status):
    return {tuple(x): s for x, s in zip(inputs.tolist(), status.tolist())}


def test_float64_disagrees_with_exact(truth):
    """Non-vacuity: without a rounding bound, float64 gets the sign wrong on some inputs."""
    total = 0
    for name, w in FAMILY:
        _, inputs, status, _ = truth[name]
        fwd = np.where(N.float_margins(w, inputs) > 0, 1, -1)
        total += int(np.sum(fwd != status))
    assert total >= 20, total
    # the brute force's own summation without its bound certifies exactly-wrong inputs
    wrongly_correct = 0
    for name, w in FAMILY:
        if name.startswith("lost"):
            _, inputs, status, _ = truth[name]
            sums = N.float_table_sums(N.point_tables(w), inputs)
            wrongly_correct += int(np.sum((sums < 0) & (status == -1)))
    assert wrongly_correct >= 5, wrongly_correct
    # the constructed inputs: c = 0 sequences (m, m, 0) with n-margins of exactly -2^-60, 0, +2^-60,
    # all three seen by the float64 forward pass as exact ties (so (3, 3, 0) is wrongly called wrong)
    w = dict(FAMILY)["hair0"]
    x = np.array([(1, 1, 0), (2, 2, 0), (3, 3, 0)])
    _, inputs, _, _ = truth["hair0"]
    margins = dict(zip(map(tuple, inputs.tolist()), N.exact_margins(w)[1]))
    assert [margins[tuple(r)] for r in x.tolist()] == [0, -Fraction(N.EPS), Fraction(N.EPS)]
    assert np.all(N.float_margins(w, x) == 0)
    # the disagreements are spread over both families
    assert all(truth[name][3] for name in ("lost2", "lost3", "hair0", "hair1"))


def _assert_never_against(name, decided, exact, bad):
    """decided: {input: +1 correct / -1 wrong / 0 undecided}; nothing decided against the exact sign."""
    against = [x for x, s in decided.items() if s != 0 and s != exact[x]]
    assert not against, f"{name}: decided against the exact truth on {against[:5]} " \
                        f"({sum(x in bad for x in against)} of them float64-disagreeing)"


CASES = [(name, "widened") for name in NAMES] + [(name, "exact-points") for name in NAMES if name.startswith("lost")]


@pytest.mark.parametrize("name,tables", CASES, ids=[f"{a}-{b}" for a, b in CASES])
def test_brute_force_never_decides_a_near_tie_wrongly(truth, name, tables, monkeypatch):
    w, inputs, status, bad = truth[name]
    if tables == "exact-points":
        T = N.point_tables(w)  # asserts: every entry exactly w L (w = 1)
        monkeypatch.setattr(brute_force, "weighted_logit_tables", lambda *a, **k: Interval(T, T))
    r = brute_force.run(w, keep_status=True)
    got = r.diagnostics["status"][tuple(inputs.T)]
    _assert_never_against(name, _index(inputs, got), _index(inputs, status), bad)
    assert r.extra["n_correct"] <= int(np.sum(status == 1))
    assert r.extra["n_wrong"] <= int(np.sum(status == -1))


@pytest.mark.parametrize("name", NAMES)
def test_cubic_c0_and_cover_never_claim_a_wrong_input(truth, name):
    w, inputs, status, bad = truth[name]
    V, n = w.config.d_vocab, w.config.n_ctx
    exact = _index(inputs, status)
    P = path_intervals(w)
    e, p = cubic.exp_weights(P, sqrt_enclosure(w.config.d_head))
    ok = cubic._c0_proved(P, e, p, n, V)
    for q in range(V):
        for m in range(q, V):
            if ok[q, m] and (q == m or n >= 2):
                x = tuple([m] * (n - 1) + [q])
                assert exact[x] == 1, f"{name}: c = 0 check proves {x}, exactly wrong"
    if name == "position":  # non-vacuity: the check proves the one correct c = 0 sequence
        assert ok[0, 0] and exact[(0,) * n] == 1
    res = cubic.run(w)
    for x in helpers.covered_inputs(res.diagnostics["c0"], res.diagnostics["cells"], n):
        assert exact[x] == 1, f"{name}: cubic covers {x}, exactly wrong"


@pytest.mark.parametrize("name", NAMES)
def test_replay_never_accepts_a_wrong_input(truth, name):
    w, inputs, status, bad = truth[name]
    n = w.config.n_ctx
    exact = _index(inputs, status)
    for how, cert in (("certify", certify(w)[0]), ("certgen", build_certificate(w))):
        res = R.replay(cert)
        assert res.ok, (name, how, res.detail)
        covered = helpers.covered_inputs(cert["c0"], cert["cells"], n)
        for x in covered:
            assert exact[x] == 1, f"{name} ({how}): certificate covers {x}, exactly wrong"
        if how == "certgen" and name in ("hair0", "hair1"):  # non-vacuity: the exact replay decides near ties
            assert len(set(covered) & bad) >= 5, (name, len(set(covered) & bad))
