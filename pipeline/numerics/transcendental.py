"""Outward-rounded float64 enclosures of exp(x) and sqrt(n): the only place mpmath is used.

Owned here: turning exact float64 arguments (and exact integers) into float64 bounds
L <= f(x) <= U for f = exp and f = sqrt on positive integers.  Arrays are handled by `Interval`
(pipeline/numerics/interval.py); this module knows nothing of intervals and works on raw values.

Trust, stated once:
* exp: mpmath's `mpf_exp(x, 80)` returns a value within relative 2^-70 of the real exp(x)
  (mpmath evaluates with prec + 14 guard bits, plus as many extra bits as the argument's
  magnitude for the reduction by ln 2, so its error is about one unit in the 80th bit; we assume
  less than 2^10 such units).  Everything after that is
  exact or directed: the input float64 converts exactly (53 <= 80 bits); the margin multiply
  uses mpmath's correctly directed rounding (floor / ceiling); the float64 candidate is checked
  against the mpmath bound with exact dyadic comparisons and stepped outward until it holds.
  tests/test_numerics.py cross-checks the 80-bit values against 300-bit ones (worst seen: 2^-80).
* sqrt of an integer: no trust at all; the bounds are verified with exact integer arithmetic
  (L^2 <= n <= U^2 as rationals).
"""

from __future__ import annotations

import math
import struct
from fractions import Fraction

import numpy as np
from mpmath.libmp import from_float, from_man_exp, mpf_cmp, mpf_exp, mpf_mul, to_float

EXP_PREC = 80  # mpmath working precision in bits for exp (float64 has 53)
_MARGIN_BITS = 70  # assumed relative error of mpf_exp at EXP_PREC is < 2^-_MARGIN_BITS
_ONE_MINUS = from_man_exp((1 << _MARGIN_BITS) - 1, -_MARGIN_BITS)  # 1 - 2^-70, exact dyadic
_ONE_PLUS = from_man_exp((1 << _MARGIN_BITS) + 1, -_MARGIN_BITS)  # 1 + 2^-70, exact dyadic


def float_from_bits(bits: int) -> float:
    """The float64 with IEEE bit pattern `bits` (no arithmetic, so immune to flush-to-zero)."""
    return struct.unpack("<d", struct.pack("<Q", bits))[0]


F64_MAX = float_from_bits(0x7FEFFFFFFFFFFFFF)
F64_TINY = float_from_bits(1)  # 2^-1074, the smallest positive subnormal
# Beyond these arguments exp is decided without mpmath (checked in tests with mpmath):
# exp(710) > F64_MAX, so for x >= 710 the enclosure is [F64_MAX, inf];
# exp(-746) < 2^-1074, so for x <= -746 the enclosure is [0, 2^-1074].
EXP_OVERFLOW_X = 710.0
EXP_UNDERFLOW_X = -746.0


def _exp_lower_scalar(x: float) -> float:
    """Largest float64 found with L <= exp(x), L >= 0 (exact x; see the module trust note)."""
    if x == 0.0:
        return 1.0  # exp(0) = 1 exactly
    if x >= EXP_OVERFLOW_X:
        return F64_MAX  # exp(x) >= exp(710) > F64_MAX
    if x <= EXP_UNDERFLOW_X:
        return 0.0  # exp(x) > 0
    y = mpf_exp(from_float(x), EXP_PREC, "n")
    y_lo = mpf_mul(y, _ONE_MINUS, EXP_PREC, "f")  # <= exp(x): margin covers mpf_exp's error; rounded DOWN
    c = to_float(y_lo, rnd="f")  # candidate; may be off by one ulp in the subnormal range / overflow
    while mpf_cmp(from_float(c), y_lo) > 0:  # exact comparison; step DOWN until c <= y_lo
        c = math.nextafter(c, -math.inf)
    return max(c, 0.0)  # exp(x) > 0, so 0 is also a valid lower bound


def _exp_upper_scalar(x: float) -> float:
    """Smallest float64 found with U >= exp(x) (exact x; see the module trust note)."""
    if x == 0.0:
        return 1.0
    if x >= EXP_OVERFLOW_X:
        return math.inf
    if x <= EXP_UNDERFLOW_X:
        return F64_TINY  # exp(x) <= exp(-746) < 2^-1074
    y = mpf_exp(from_float(x), EXP_PREC, "n")
    y_hi = mpf_mul(y, _ONE_PLUS, EXP_PREC, "c")  # >= exp(x); rounded UP
    c = to_float(y_hi, rnd="c")
    while mpf_cmp(from_float(c), y_hi) < 0:  # exact comparison; step UP until c >= y_hi
        c = math.nextafter(c, math.inf)
    return c


def exp_lower(x: np.ndarray) -> np.ndarray:
    """Elementwise float64 L with 0 <= L <= exp(x) for exact float64 x (-inf allowed -> 0).

    Complexity: one mpmath exp per distinct value of x (about 5 microseconds each).
    Preconditions: x float64 array, no NaN, no +inf (a lower endpoint).
    Postconditions: out.shape == x.shape; 0 <= out <= exp(x) elementwise (real exp).
    """
    x = np.asarray(x, dtype=np.float64)
    vals, inv = np.unique(x.ravel(), return_inverse=True)  # vals sorted, distinct
    out = np.array([0.0 if v == -math.inf else _exp_lower_scalar(float(v)) for v in vals], dtype=np.float64)
    return out[inv].reshape(x.shape)


def exp_upper(x: np.ndarray) -> np.ndarray:
    """Elementwise float64 U >= exp(x) for exact float64 x (+inf allowed -> inf).

    Complexity: one mpmath exp per distinct value of x.
    Preconditions: x float64 array, no NaN, no -inf (an upper endpoint).
    Postconditions: out.shape == x.shape; out >= exp(x) elementwise (real exp).
    """
    x = np.asarray(x, dtype=np.float64)
    vals, inv = np.unique(x.ravel(), return_inverse=True)
    out = np.array([math.inf if v == math.inf else _exp_upper_scalar(float(v)) for v in vals], dtype=np.float64)
    return out[inv].reshape(x.shape)


def sqrt_int_bounds(n: int) -> tuple[float, float]:
    """float64 (L, U) with L <= sqrt(n) <= U, verified exactly; L == U when sqrt(n) is a float64.

    Complexity: O(1) big-integer operations.
    Preconditions: n a Python int (or numpy integer), 0 <= n < 2^1000.
    Postconditions: 0 <= L, L^2 <= n <= U^2 as exact rationals, U == nextafter(L, inf) or U == L.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"sqrt_enclosure needs an integer, got {type(n).__name__}")
    n = int(n)
    if not 0 <= n < 2**1000:
        raise ValueError(f"sqrt_enclosure needs 0 <= n < 2**1000, got {n}")
    c = math.sqrt(n)  # candidate (float(n) may round for large n; verified below)
    lo = c
    while Fraction(lo) ** 2 > n:  # exact; step DOWN until lo^2 <= n
        lo = math.nextafter(lo, -math.inf)
    while Fraction(math.nextafter(lo, math.inf)) ** 2 <= n:  # tighten: largest float with lo^2 <= n
        lo = math.nextafter(lo, math.inf)
    hi = lo if Fraction(lo) ** 2 == n else math.nextafter(lo, math.inf)  # ROUND UP: hi^2 > n
    assert Fraction(lo) ** 2 <= n <= Fraction(hi) ** 2, f"sqrt({n}) enclosure check failed"
    return lo, hi
