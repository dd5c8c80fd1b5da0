"""Vectorised enclosure of exp on intervals, built only from `Interval` operations.

`exp_interval(x)` returns the same kind of enclosure as `Interval.exp` (0 <= lo <= exp(X) <= hi for
every real X in x) without one mpmath call per distinct endpoint: thousands of endpoints cost a few
numpy passes.  Soundness rests only on the `Interval` contract (interval.py) plus two facts checked
exactly when this module is imported:

* LN2 = [L, H] with L <= ln 2 <= H: checked as exp(L) <= 2 <= exp(H) with the trusted scalar
  enclosures of transcendental.py (exp_upper(L) <= 2 and exp_lower(H) >= 2).
* TAIL >= R^(N+1) / (N+1)! * 2 >= the Taylor remainder of exp on [-R, R] (Lagrange form:
  |exp(r) - sum_{j<=N} r^j / j!| <= |r|^(N+1) / (N+1)! * exp(|r|), and exp(R) < 2 for R = 0.36),
  checked with Fractions.

For an exact float64 point x with |x| <= 700: k = rint(x / ln 2) is an exact integer float (any
integer would do: k only has to make r small), r = x - k ln 2 is enclosed by interval operations;
if r's enclosure lies in [-R, R], exp(r) is enclosed by the interval Horner scheme
1 + r (1 + r/2 (1 + ... (1 + r/N))) (every operation an interval operation, so it encloses the Taylor
polynomial at the true r) plus [-TAIL, TAIL]; multiplying by the exact float 2^k (|k| <= 1010, a
normal float64) gives exp(x).  Other points (|x| > 700, infinities, an r outside [-R, R]) use the
scalar mpmath enclosures of transcendental.py.  Lower ends are clipped at 0 (exp > 0).

Complexity: about 5 N interval operations per endpoint (N = 18), vectorised.
"""

from __future__ import annotations

from fractions import Fraction
from math import factorial

import numpy as np

from .interval import Interval, check_ieee_environment
from .transcendental import exp_lower, exp_upper

N_TERMS = 18
R_MAX = 0.36
_LN2_LO = float.fromhex("0x1.62e42fefa39efp-1")
_LN2_HI = float.fromhex("0x1.62e42fefa39f0p-1")
assert exp_upper(np.array([_LN2_LO]))[0] <= 2.0 <= exp_lower(np.array([_LN2_HI]))[0], "LN2 enclosure"
LN2 = Interval(np.array(_LN2_LO), np.array(_LN2_HI))
TAIL = 1e-24
assert Fraction(R_MAX) ** (N_TERMS + 1) / factorial(N_TERMS + 1) * 2 <= Fraction(TAIL), "Taylor tail bound"
assert 1 / (1 - Fraction(R_MAX)) < 2, "exp(R) < 2, since exp(r) <= 1 / (1 - r) for 0 <= r < 1"
X_MAX = 700.0


def _exp_points(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lo, hi) with 0 <= lo <= exp(x) <= hi for each exact float64 x (finite or infinite, no NaN)."""
    x = np.asarray(x, dtype=np.float64)
    lo = np.empty_like(x)
    hi = np.empty_like(x)
    fast = np.abs(x) <= X_MAX
    if fast.any():
        xf = x[fast]
        k = np.rint(xf / _LN2_LO)  # exact integer floats, |k| <= 1010
        r = Interval.exact(xf) - LN2 * k  # encloses x - k ln 2
        inside = (r.lo >= -R_MAX) & (r.hi <= R_MAX)
        rr = Interval(np.where(inside, r.lo, 0.0), np.where(inside, r.hi, 0.0))
        poly = Interval.exact(np.ones_like(xf))
        for j in range(N_TERMS, 0, -1):
            poly = (rr * poly).div_pos(float(j)) + 1.0
        ex = (poly + Interval(np.array(-TAIL), np.array(TAIL))) * np.ldexp(1.0, k.astype(np.int64))
        flo = np.maximum(ex.lo, 0.0)
        fhi = ex.hi
        idx = np.flatnonzero(fast)
        lo[idx[inside]] = flo[inside]
        hi[idx[inside]] = fhi[inside]
        fast[idx[~inside]] = False
    slow = ~fast
    if slow.any():
        lo[slow] = exp_lower(np.where(x[slow] == np.inf, 0.0, x[slow]))  # +inf never is a lower end
        hi[slow] = exp_upper(np.where(x[slow] == -np.inf, 0.0, x[slow]))
        lo[slow & (x == np.inf)] = np.inf  # unreachable for valid intervals; kept total
        hi[slow & (x == -np.inf)] = 0.0
    return lo, hi


def exp_interval(x: Interval) -> Interval:
    """Enclosure of exp over the interval x (same contract as Interval.exp), vectorised.

    Complexity: about 5 N_TERMS vectorised interval operations over the 2 x.size endpoints; the
    rare endpoints outside the fast range cost one mpmath call each.
    Preconditions: x an Interval.
    Postconditions: 0 <= lo <= exp(X) <= hi for every real X in x; lo, hi have x's shape.
    """
    check_ieee_environment()
    both = np.concatenate([x.lo.ravel(), x.hi.ravel()])
    lo, hi = _exp_points(both)
    size = x.lo.size
    return Interval(lo[:size].reshape(x.shape), hi[size:].reshape(x.shape))

