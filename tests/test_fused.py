"""The vectorised exp enclosure (pipeline.numerics.fused.py) against 200-bit mpmath, and its width."""

import math

import mpmath
import numpy as np
import pytest

from pipeline.numerics import Interval
from pipeline.numerics.fused import X_MAX, exp_interval


def _points():
    rng = np.random.default_rng(0)
    xs = [rng.uniform(-30, 30, 3000), rng.uniform(-745, 720, 2000), rng.standard_normal(1000) * 1e-3,
          np.array([0.0, -0.0, 1.0, -1.0, math.log(2), -math.log(2), X_MAX, -X_MAX, np.nextafter(X_MAX, 1e9),
                    -np.nextafter(X_MAX, 1e9), 709.7, 710.0, -745.0, -746.0, -1e300, 1e-300, 5e-324,
                    0.34657359027997264, -0.34657359027997264, 0.3465735902799727, 1e300])]
    k = np.arange(-1000, 1001)
    xs.append(k * math.log(2) + 0.5 * math.log(2))  # the reduction's boundaries
    xs.append(np.nextafter(k * math.log(2) + 0.5 * math.log(2), np.inf))
    return np.concatenate(xs)


def test_contains_exp():
    x = _points()
    lo_x, hi_x = np.minimum(x, np.roll(x, 1)), np.maximum(x, np.roll(x, 1))
    for a, b in ((x, x), (lo_x, hi_x)):
        r = exp_interval(Interval(a, b))
        mpmath.mp.prec = 200
        for i in range(len(a)):
            lo_true = mpmath.exp(mpmath.mpf(float(a[i])))
            hi_true = mpmath.exp(mpmath.mpf(float(b[i])))
            assert mpmath.mpf(float(r.lo[i])) <= lo_true, (a[i], r.lo[i])
            assert mpmath.mpf(float(r.hi[i])) >= hi_true, (b[i], r.hi[i])
            assert r.lo[i] >= 0


def test_tight_and_agrees_with_scalar():
    x = np.random.default_rng(1).uniform(-40, 5, 4000)
    r = exp_interval(Interval.exact(x))
    s = Interval.exact(x).exp()
    ok = s.lo > 1e-300
    rel = (r.hi - r.lo)[ok] / s.lo[ok]
    assert rel.max() < 1e-13, rel.max()
    assert np.all(r.lo <= s.hi) and np.all(s.lo <= r.hi)


def test_infinite_endpoints():
    r = exp_interval(Interval(np.array([-np.inf, -np.inf, 0.0]), np.array([0.0, np.inf, np.inf])))
    assert r.lo[0] == 0.0 and r.lo[1] == 0.0 and 1 - 1e-15 < r.lo[2] <= 1.0
    assert 1.0 <= r.hi[0] < 1 + 1e-15 and r.hi[1] == np.inf and r.hi[2] == np.inf


@pytest.mark.parametrize("x", [700.0, -700.0, 1e-320])
def test_edge_points(x):
    r = exp_interval(Interval.exact(np.array([x])))
    mpmath.mp.prec = 200
    v = mpmath.exp(mpmath.mpf(x))
    assert mpmath.mpf(float(r.lo[0])) <= v <= mpmath.mpf(float(r.hi[0]))

