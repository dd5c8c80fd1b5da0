"""Tests added because a mutant of tests/mutants.py survived the rest of the suite.

  * replay-ub-endpoint: the replay's ub(wlo, whi, z) must bound w z from above for *every* w in
    [wlo, whi]; using whi for a negative z underestimates by (whi - wlo)|z|, which no certificate
    in the zoo exposes (the exp enclosures are ~2^-64 wide and no margin is that small).
  * replay-cmax, cubic-c-range: a cell (m, q < m, c = n-1) covers inputs without a copy of m; on
    the zoo's models its arithmetic fails anyway, so a model that always answers V-1 is needed.
  * cubic-sorted-sums-lo: enclosures of the positional sums that ignore the upper endpoints are
    off by ulps only, below every margin of the zoo; the postcondition is tested directly.
"""

from __future__ import annotations

import itertools
import math
import random
from fractions import Fraction

import numpy as np

from pipeline.certificate import replay as R


def test_ub_bounds_every_weight_in_the_enclosure():
    rng = random.Random(13)
    cases = list(itertools.product(range(0, 4), range(0, 4), range(-3, 4)))
    for _ in range(200):  # certificate-sized integers: weights ~2^128 (4^F), widths ~2^64, z ~2^100
        wlo = rng.randrange(2**128)
        cases.append((wlo, wlo + rng.randrange(2**64), rng.randrange(-2**100, 2**100)))
    checked = 0
    for wlo, whi, z in cases:
        if wlo > whi:
            continue
        u = R.ub(wlo, whi, z)
        for w in (wlo, whi, (wlo + whi) // 2):
            assert w * z <= u, (wlo, whi, z)
        checked += 1
    assert checked > 100


def _always_last_model(V=4, n=3):
    """Uniform attention, and b_U puts token V-1 ahead of every other logit by 1 on every input: the
    model answers V-1 whatever the input, so it is correct exactly on the inputs whose max is V-1."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import nearties as N
    from pipeline.model.weights import make_weights

    w = N.uniform_model(np.zeros((V, V)), np.zeros((n, V)))
    t = {k: np.array(v) for k, v in w.tensors.items()}
    t["b_U"][V - 1] = 1.0
    return make_weights(t, w.config)


def test_replay_rejects_a_cell_without_a_copy_of_its_max():
    """replay-cmax: a cell (m, q, c) with q < m and c = n-1 describes inputs with no copy of m at all,
    so their max is not m.  On a model that always answers V-1 the cell's arithmetic passes (every
    logit difference against V-1 is -1), yet every input it covers is wrong: only the c <= n-2 range
    check of check_cells stands in the way."""
    from certgen import build_certificate

    V, n = 4, 3
    w = _always_last_model(V, n)
    cert = build_certificate(w)
    assert R.replay(cert).ok
    m, q, c = V - 1, 0, n - 1
    assert all(tuple(cell[:3]) != (m, q, c) for cell in cert["cells"])
    cell = [m, q, c, 0, (1 << m) - 1]
    cert["cells"] = sorted(cert["cells"] + [cell])
    cert["claimed_count"] += math.comb(n - 1, c) * m**c
    res = R.replay(cert)
    assert not res.ok and res.failed_check == "check_cells" and "needs 1 <= c <=" in res.detail, res
    # and the cell's arithmetic alone passes: every k in S is accepted in both arrangements
    paths = _paths(cert, w)
    if hasattr(R, "placement_matrices"):  # schema v1: the cell's field 3 is a bias placement
        Dir, Ov = R.placement_matrices(paths, cell[3])
    else:  # schema v2: field 3 indexes the certificate's shift vectors
        Dir, Ov = R.shift_matrices(paths, cert["shifts"][cell[3]])
    U, E = R.split_maxima(Dir, Ov, paths["PVOU"], m, V, n)
    e, p = cert["exp_eqke"], cert["exp_eqkp"]
    for k in range(m):
        assert R.cell_k_ok(m, q, c, k, U, E, cert["orders"][q], e["lo"], e["hi"], p["lo"], p["hi"], n) is None


def _paths(cert, w):
    cfg = w.config
    z, T = R.align_weights(cert["weights"], cfg.d_vocab, cfg.n_ctx, cfg.d_model, cfg.d_head)
    return R.compute_paths(T, z, cfg.n_ctx)


def test_sorted_sums_enclose_the_sums_at_every_point():
    """cubic-sorted-sums-lo: _sorted_sums' postcondition at the extreme points (every p_i at its upper
    or its lower endpoint): the sums of the r smallest / largest lie in the returned enclosures."""
    from pipeline.numerics import Interval
    from pipeline.strategies.cubic import _sorted_sums

    rng = np.random.default_rng(5)
    for _ in range(20):
        k = int(rng.integers(2, 6))
        lo = rng.uniform(0.1, 1.0, size=(3, k))
        hi = lo + rng.uniform(0, 0.05, size=(3, k))
        p = Interval(lo, hi)
        for r in range(k + 1):
            a_low, b_low, a_high, b_high = _sorted_sums(p, r)
            for pts in (lo, hi):
                for row in range(3):
                    srt = sorted(Fraction(float(v)) for v in pts[row])  # exact
                    for enc, exact in ((a_low, sum(srt[:r])), (b_low, sum(srt[r:])),
                                       (a_high, sum(srt[k - r:])), (b_high, sum(srt[: k - r]))):
                        assert Fraction(float(enc.lo[row])) <= exact <= Fraction(float(enc.hi[row]))


def test_cubic_never_covers_an_input_without_its_max():
    """cubic-c-range: on the always-V-1 model every input whose max is V-1 is correct and every
    other input wrong; a cubic cell with q < m and c = n-1 (no copy of m) would cover wrong ones."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import helpers
    import nearties as N
    from pipeline.strategies import cubic

    V, n = 4, 3
    w = _always_last_model(V, n)
    inputs, status = N.exact_status(w)
    exact = {tuple(x): s for x, s in zip(inputs.tolist(), status.tolist())}
    assert sum(s == 1 for s in exact.values()) == V**n - (V - 1) ** n
    res = cubic.run(w)
    covered = helpers.covered_inputs(res.diagnostics["c0"], res.diagnostics["cells"], n)
    assert len(covered) == res.n_proved > 0
    assert all(exact[x] == 1 for x in covered), [x for x in covered if exact[x] != 1][:5]
