"""Sound interval arithmetic on numpy float64 arrays: the only rounding-aware code of the project.

CONTRACT.  An `Interval` holds float64 arrays `lo`, `hi` of one shape and stands for the set of
real arrays X with lo <= X <= hi elementwise.  Every operation returns an interval that contains
the exact real result for every choice of real points in its inputs (elementwise, with numpy
broadcasting).  It is not necessarily the tightest such interval.  Float arrays given as operands
are exact points: a float64 is an exact dyadic rational; conversions that are not exact (an int
above 2^53 that is not a float64, a long double) raise ValueError.  A decimal literal such as 0.1
is NOT the real 1/10: Python already rounded it to a float64, and that float64 is what is used.

Invariants (checked by `Interval(lo, hi)`): no NaN; lo <= hi; lo < +inf and hi > -inf, so every
interval contains at least one real.  An infinite endpoint means "unbounded on that side".

ROUNDING.  numpy has no rounding-mode control, so we assume (and `check_ieee_environment` tests,
at import and at the start of matmul/sum/exp) IEEE 754 binary64 round-to-nearest with gradual
underflow: no flush-to-zero / denormals-are-zero.  Then each basic operation
(+, -, *, /, sqrt, all correctly rounded in IEEE 754) returns s = RN(x) for the exact real x, and:

  (1) If s is finite, pred(s) <= x <= succ(s).  The rounding cell of s is bounded by the
      midpoints (pred(s)+s)/2 and (s+succ(s))/2, so x lies strictly between pred(s) and succ(s).
      This holds in the subnormal range too (there the grid is uniform, spacing 2^-1074, and
      RN(x) = 0 means |x| <= 2^-1075 >= pred(0) = -2^-1074), and at powers of two (where the
      spacing below is half the spacing above, the cell is correspondingly narrower).
  (2) If s = +inf (overflow), x >= MAX + ulp(MAX)/2 > MAX, so MAX is a valid LOWER bound and
      +inf a valid upper bound; symmetrically for -inf.  If s is NaN (0*inf, inf-inf after an
      earlier overflow) we raise ValueError: NaN never turns into a number.

Public `round_down` / `round_up` are exactly np.nextafter toward -inf / +inf, i.e. pred / succ.
The hot paths use the cheaper widening of Rump, Zimmermann, Boldo and Melquiond ("Computing
predecessor and successor in rounding to nearest", BIT 2009): with phi = u (1 + 2u), u = 2^-53,
eta = 2^-1074,
    _widen_down(s) = RN(s - e),  _widen_up(s) = RN(s + e),  e = RN(RN(|s| phi) + eta),
four vector passes instead of one slow libm call per element (about 10x cheaper), and usually
equal to pred(s) / succ(s).  Proof that RN(s - e) <= pred(s) for finite s (the upper case is the
mirror image).  Let d = s - pred(s) > 0.  It suffices that e > d/2: then s - e lies strictly below
the midpoint of pred(s) and s, and RN of such a real is <= pred(s) (RN is monotone).
  * s normal, 2^E <= |s| < 2^(E+1): d <= 2^(E-52).  If t = |s| 2^-53 is normal, t is a float
    (power-of-two scaling) and |s| phi = t + t 2^-52 >= t + ulp(t), so RN(|s| phi) > t >=
    2^(E-53) >= d/2, and adding eta cannot round below a float it exceeds (monotone).  If t is
    subnormal: always e >= RN(0 + eta) = eta (monotone), which settles d = eta.  Otherwise d/2
    is a power of two in [eta, 2^-1022), a multiple of eta; RN(|s| phi) >= |s| phi - eta/2, so
    the sum before the last rounding is >= |s| phi + eta/2 > d/2 + eta/2, and on the grid of
    multiples of eta (all floats below 2^-1021) that rounds to at least d/2 + eta > d/2 (or, if
    the sum is >= 2^-1021, to at least 2^-1021 > d/2).
  * s subnormal or zero: d = eta and e >= RN(0 + eta) = eta > d/2.
  * Infinities and overflow: s = -MAX gives -inf (a valid lower bound); s = -inf gives -inf;
    s = +inf gives NaN and is mapped to MAX by (2); NaN in s raises.
Tests check _widen_down(s) <= pred(s) and _widen_up(s) >= succ(s) on edge cases and random s.
For interval products we take min/max of the four rounded-to-nearest products and widen once:
RN and the widening are monotone, so this equals "round each product outward, then min/max".

Every endpoint computation below says which way it rounds: DOWN for lower ends, UP for upper ends.
Exact operations (negation, max, min, selection) need no rounding and say so.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from .transcendental import F64_MAX, F64_TINY, exp_lower, exp_upper, sqrt_int_bounds

_ETA = F64_TINY  # 2^-1074, smallest positive subnormal, the spacing of the subnormal grid
_PHI = math.ldexp(1.0, -53) + math.ldexp(1.0, -105)  # u (1 + 2u), u = 2^-53: exact float64
U_ROUNDOFF = math.ldexp(1.0, -53)
# Matmul block size: products of one block are materialised as [..., m, kb, n] arrays of at most
# this many elements (per endpoint), then summed pairwise over kb.
_MATMUL_BLOCK_ELEMS = 1 << 20


# ----------------------------------------------------------------------------------------------
# Environment and rounding primitives


def check_ieee_environment() -> None:
    """Raise RuntimeError unless numpy float64 arithmetic rounds to nearest with gradual underflow.

    Checks (through numpy ufuncs on small arrays, which use the same SSE/AVX control register as
    the bulk operations): 1 + 2^-54 == 1 and 1 - 2^-55 == 1 and their negatives (rules out the
    directed and toward-zero modes), 2^-1022 / 4 == 2^-1024 (no flush-to-zero of results) and
    2^-1074 * 2 == 2^-1073 (no denormals-are-zero on inputs).  Results are compared by their bit
    patterns: under denormals-are-zero a float comparison would itself see 2^-1024 as 0.
    """
    one = np.ones(16)
    got = np.stack([
        one + math.ldexp(1.0, -54),
        one - math.ldexp(1.0, -55),
        -one - math.ldexp(1.0, -54),
        -one + math.ldexp(1.0, -55),
        one * math.ldexp(1.0, -1022) / 4.0,
        one * _ETA * 2.0,
    ])  # [6, 16]
    # expected bit patterns as integers (a float constant could itself have been flushed)
    want = np.array([0x3FF0000000000000, 0x3FF0000000000000, 0xBFF0000000000000, 0xBFF0000000000000,
                     1 << 50, 2], dtype=np.uint64)  # 1, 1, -1, -1, 2^-1024, 2^-1073
    if not np.array_equal(got.view(np.uint64), np.repeat(want[:, None], 16, axis=1)):
        raise RuntimeError(
            "float64 environment is not IEEE round-to-nearest with subnormals (flush-to-zero or a "
            "directed rounding mode is on, e.g. torch.set_flush_denormal(True)); interval bounds "
            "would be unsound. Turn it off before using pipeline.numerics."
        )


def round_down(x):
    """pred(x) = np.nextafter(x, -inf), elementwise: the largest float64 below x (ROUND DOWN)."""
    with np.errstate(over="ignore"):  # pred(-MAX) = -inf is a valid lower bound
        return np.nextafter(np.asarray(x, dtype=np.float64), -np.inf)


def round_up(x):
    """succ(x) = np.nextafter(x, +inf), elementwise: the smallest float64 above x (ROUND UP)."""
    with np.errstate(over="ignore"):  # succ(MAX) = inf is a valid upper bound
        return np.nextafter(np.asarray(x, dtype=np.float64), np.inf)


def _widen_down(s, scratch=None) -> np.ndarray:
    """A float64 array <= pred(s) elementwise (module docstring); s = RN results, may hold inf/NaN.

    Maps s = +inf (a lower end that overflowed: exact >= MAX) to F64_MAX; raises ValueError on NaN.
    The result is written into `scratch` (a writable float64 array of s's shape that the caller
    no longer needs; a new array when None).  s itself is not modified.
    """
    s = np.asarray(s, dtype=np.float64)
    e = np.abs(s, out=np.empty(s.shape) if scratch is None else scratch)
    np.multiply(e, _PHI, out=e)
    np.add(e, _ETA, out=e)  # e > (s - pred(s)) / 2
    with np.errstate(over="ignore", invalid="ignore"):  # overflow and inf-inf are handled below
        np.subtract(s, e, out=e)  # ROUND DOWN: RN(s - e) <= pred(s)
    if np.isnan(e).any():
        _fix_overflow(s, e, np.inf, F64_MAX)
    return e


def _widen_up(s, scratch=None) -> np.ndarray:
    """A float64 array >= succ(s) elementwise; maps s = -inf to -F64_MAX; raises on NaN (see _widen_down)."""
    s = np.asarray(s, dtype=np.float64)
    e = np.abs(s, out=np.empty(s.shape) if scratch is None else scratch)
    np.multiply(e, _PHI, out=e)
    np.add(e, _ETA, out=e)  # e > (succ(s) - s) / 2
    with np.errstate(over="ignore", invalid="ignore"):  # overflow and inf-inf are handled below
        np.add(s, e, out=e)  # ROUND UP: RN(s + e) >= succ(s)
    if np.isnan(e).any():
        _fix_overflow(s, e, -np.inf, -F64_MAX)
    return e


def _fix_overflow(s: np.ndarray, w: np.ndarray, inf: float, finite: float) -> None:
    """Slow path of the widenings: NaN in s raises; where s == inf (an overflowed end), w = finite."""
    if np.isnan(s).any():
        raise ValueError(
            f"interval arithmetic produced NaN in {int(np.isnan(s).sum())} element(s) "
            "(0*inf or inf-inf after an overflow); refusing to continue"
        )
    w[s == inf] = finite  # lower end overflowed to +inf: exact >= MAX (upper end to -inf: exact <= -MAX)


# ----------------------------------------------------------------------------------------------
# Exact conversions


def _to_float64_exact(x, *, allow_inf: bool, what: str) -> np.ndarray:
    """float64 array equal to x exactly, or ValueError/TypeError.  Always a new array."""
    if isinstance(x, Interval):
        raise TypeError(f"{what}: expected a number or array, got an Interval")
    if isinstance(x, bool):
        x = int(x)
    if isinstance(x, int):  # Python int of any size
        try:
            f = float(x)
        except OverflowError:
            raise ValueError(f"{what}: integer {x} is too large for float64") from None
        if int(f) != x:
            raise ValueError(f"{what}: integer {x} is not exactly representable in float64")
        return np.array(f, dtype=np.float64)
    a = np.asarray(x)
    kind = a.dtype.kind
    if kind == "f":
        f = a.astype(np.float64)  # float16/32/64 -> float64 is exact (a new array)
        if a.dtype.itemsize > 8:  # long double: check the round trip
            with np.errstate(over="ignore"):
                bad = (f.astype(a.dtype) != a) & ~np.isnan(a)
            if bad.any():
                raise ValueError(f"{what}: {int(bad.sum())} long-double value(s) are not float64 values")
    elif kind == "b":
        f = a.astype(np.float64)
    elif kind in "iu":
        f = a.astype(np.float64)
        big = (a > 2**53) if kind == "u" else ((a > 2**53) | (a < -(2**53)))
        if big.any():  # only these can be inexact; check them with Python ints
            for v, fv in zip(a[big].tolist(), f[big].tolist()):
                if int(fv) != int(v):
                    raise ValueError(f"{what}: integer {v} is not exactly representable in float64")
    elif kind == "O":
        f = np.empty(a.shape, dtype=np.float64)
        flat = f.reshape(-1)  # [size]
        for i, v in enumerate(a.reshape(-1).tolist()):
            if isinstance(v, Fraction):
                fv = float(v)
                if Fraction(fv) != v:
                    raise ValueError(f"{what}: {v} is not exactly representable in float64")
            else:
                fv = _to_float64_exact(v, allow_inf=allow_inf, what=what).item()
            flat[i] = fv
    else:
        raise TypeError(f"{what}: cannot use dtype {a.dtype} as exact real numbers")
    if np.isnan(f).any():
        raise ValueError(f"{what}: NaN is not a real number ({int(np.isnan(f).sum())} NaN value(s))")
    if not allow_inf and np.isinf(f).any():
        raise ValueError(f"{what}: infinite value(s) are not exact real numbers")
    return f


def _as_point(x) -> np.ndarray:
    """An exact finite float64 point operand (no copy when x is already a finite float64 array)."""
    if isinstance(x, np.ndarray) and x.dtype == np.float64:
        if not np.isfinite(x).all():
            raise ValueError("point operand contains NaN or inf; only finite floats are exact reals")
        return x
    return _to_float64_exact(x, allow_inf=False, what="point operand")


# ----------------------------------------------------------------------------------------------
# The Interval type


class Interval:
    """Elementwise real intervals [lo, hi] over float64 arrays (module docstring: CONTRACT)."""

    __slots__ = ("lo", "hi")
    __array_ufunc__ = None  # make `ndarray + Interval` defer to Interval.__radd__ etc.
    __hash__ = None

    def __init__(self, lo, hi):
        """Validate and store copies: no NaN, lo <= hi, lo < +inf, hi > -inf; shapes broadcast.

        Raises ValueError naming the first offending element.
        """
        lo = _to_float64_exact(lo, allow_inf=True, what="Interval lower endpoint")
        hi = _to_float64_exact(hi, allow_inf=True, what="Interval upper endpoint")
        if lo.shape != hi.shape:
            lo, hi = (np.array(a) for a in np.broadcast_arrays(lo, hi))  # materialise, writable copies
        bad = ~(lo <= hi)
        if bad.any():
            i = tuple(int(j) for j in np.unravel_index(int(np.argmax(bad)), lo.shape))
            raise ValueError(
                f"Interval needs lo <= hi; at index {i}: lo={float(lo[i])!r} > hi={float(hi[i])!r} "
                f"({int(bad.sum())} element(s))"
            )
        if (lo == np.inf).any() or (hi == -np.inf).any():
            raise ValueError("Interval with lo = +inf or hi = -inf contains no real number")
        self._set(lo, hi)

    def _set(self, lo: np.ndarray, hi: np.ndarray) -> None:
        lo.flags.writeable = False  # intervals are immutable values
        hi.flags.writeable = False
        self.lo = lo
        self.hi = hi

    @classmethod
    def _trusted(cls, lo, hi) -> "Interval":
        """Internal constructor: lo, hi already satisfy the invariants (fresh or read-only arrays)."""
        self = object.__new__(cls)
        # read-only views: our buffers become immutable, and a caller's array flags are never touched
        self._set(np.asarray(lo, dtype=np.float64).view(), np.asarray(hi, dtype=np.float64).view())
        return self

    @classmethod
    def exact(cls, x) -> "Interval":
        """The point interval [x, x] of an exact float16/32/64 array, Python float or int.

        Raises ValueError for NaN, +-inf, and ints/long doubles that float64 does not represent
        exactly (e.g. 2**53 + 1; 2**60 is fine, it is a float64).
        """
        f = _to_float64_exact(x, allow_inf=False, what="Interval.exact")
        return cls._trusted(f, f)

    # -- array protocol -------------------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self.lo.shape

    @property
    def ndim(self) -> int:
        return self.lo.ndim

    @property
    def size(self) -> int:
        return self.lo.size

    def __len__(self) -> int:
        return len(self.lo)

    def __getitem__(self, idx) -> "Interval":
        return Interval._trusted(self.lo[idx], self.hi[idx])

    def reshape(self, *shape) -> "Interval":
        return Interval._trusted(self.lo.reshape(*shape), self.hi.reshape(*shape))

    def transpose(self, *axes) -> "Interval":
        return Interval._trusted(self.lo.transpose(*axes), self.hi.transpose(*axes))

    @property
    def T(self) -> "Interval":
        return self.transpose()

    def broadcast_to(self, shape) -> "Interval":
        return Interval._trusted(np.broadcast_to(self.lo, shape), np.broadcast_to(self.hi, shape))

    def __repr__(self) -> str:
        if self.ndim == 0:
            return f"Interval([{float(self.lo)!r}, {float(self.hi)!r}])"
        if self.size == 0:
            return f"Interval(shape={self.shape}, empty)"
        if self.size <= 8:  # Python float repr: the printed endpoints are exactly the stored floats
            return f"Interval(lo={self.lo.tolist()!r}, hi={self.hi.tolist()!r})"
        with np.errstate(over="ignore", invalid="ignore"):
            width = float(np.max(self.hi - self.lo))
        return (
            f"Interval(shape={self.shape}, lo in [{float(self.lo.min())!r}, {float(self.lo.max())!r}], "
            f"hi in [{float(self.hi.min())!r}, {float(self.hi.max())!r}], max width ~{width!r})"
        )

    # -- no plain-bool comparisons: use the three-valued predicates ----------------------------
    def _no_compare(self, other):
        raise TypeError("Interval comparisons are three-valued: use sign3() / certainly_*() instead")

    __lt__ = __le__ = __gt__ = __ge__ = __eq__ = __ne__ = _no_compare

    def __bool__(self):
        raise TypeError("the truth value of an Interval is unknown; use certainly_*()")

    # -- arithmetic -----------------------------------------------------------------------------
    def __neg__(self) -> "Interval":
        return Interval._trusted(-self.hi, -self.lo)  # exact: negation needs no rounding

    def __pos__(self) -> "Interval":
        return self

    def __add__(self, other) -> "Interval":
        # no NaN possible: lower ends are < +inf on both sides, upper ends > -inf
        with np.errstate(over="ignore", invalid="ignore"):
            if isinstance(other, Interval):
                return Interval._trusted(*_add_ends(self.lo, other.lo, self.hi, other.hi))  # DOWN, UP
            p = _as_point(other)
            return Interval._trusted(*_add_ends(self.lo, p, self.hi, p))  # DOWN, UP

    __radd__ = __add__

    def __sub__(self, other) -> "Interval":
        with np.errstate(over="ignore", invalid="ignore"):
            if isinstance(other, Interval):
                return Interval._trusted(*_sub_ends(self.lo, other.hi, self.hi, other.lo))  # DOWN, UP
            p = _as_point(other)
            return Interval._trusted(*_sub_ends(self.lo, p, self.hi, p))  # DOWN, UP

    def __rsub__(self, other) -> "Interval":
        p = _as_point(other)
        with np.errstate(over="ignore", invalid="ignore"):
            return Interval._trusted(*_sub_ends(p, self.hi, p, self.lo))  # DOWN, UP

    def __mul__(self, other) -> "Interval":
        if isinstance(other, Interval):
            return Interval._trusted(*_mul_ii(self.lo, self.hi, other.lo, other.hi))
        return Interval._trusted(*_mul_pi(_as_point(other), self.lo, self.hi))

    __rmul__ = __mul__

    def __truediv__(self, other):
        raise TypeError("general interval division is not provided; use div_pos() for a positive divisor")

    def __matmul__(self, other) -> "Interval":
        return matmul(self, other)

    def __rmatmul__(self, other) -> "Interval":
        return matmul(other, self)

    def div_pos(self, b) -> "Interval":
        """self / b for a divisor b (Interval or exact array) that is certainly > 0.

        Complexity: 2 divisions + 2 selections per element.
        Preconditions: b.lo > 0 everywhere (else ValueError).
        Postconditions: for all x in self, y in b: lo <= x / y <= hi (real division).
        """
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            if isinstance(b, Interval):
                if not (b.lo > 0).all():
                    raise ValueError("div_pos: divisor is not certainly positive (some b.lo <= 0)")
                # x/y increases in x; in y it decreases if x >= 0 and increases if x < 0.
                den_lo = np.where(self.lo >= 0, b.hi, b.lo)  # minimiser of lo/y over y in b
                den_hi = np.where(self.hi >= 0, b.lo, b.hi)  # maximiser of hi/y over y in b
                # no NaN: an infinite numerator is always divided by the finite b.lo
                return Interval._trusted(_widen_down(self.lo / den_lo), _widen_up(self.hi / den_hi))  # DOWN, UP
            p = _as_point(b)
            if not (p > 0).all():
                raise ValueError("div_pos: divisor is not positive everywhere")
            return Interval._trusted(_widen_down(self.lo / p), _widen_up(self.hi / p))  # DOWN, UP

    def sqrt(self) -> "Interval":
        """Elementwise sqrt.  Preconditions: lo >= 0 (else ValueError).

        Postconditions: lo_out <= sqrt(x) <= hi_out for all x in self; lo_out >= 0.
        """
        if not (self.lo >= 0).all():
            raise ValueError("sqrt: interval not certainly >= 0 (some lo < 0)")
        lo = np.maximum(_widen_down(np.sqrt(self.lo)), 0.0)  # ROUND DOWN (IEEE sqrt is correctly rounded); sqrt >= 0
        hi = _widen_up(np.sqrt(self.hi))  # ROUND UP
        return Interval._trusted(lo, hi)

    def exp(self) -> "Interval":
        """Elementwise exp via mpmath at 80 bits, endpoints rounded outward to float64.

        Complexity: one mpmath exp per distinct endpoint value (~7 us each; Python loop).
        Preconditions: none (exp is increasing; -inf -> 0, large -> [MAX, inf]).
        Postconditions: 0 <= lo_out <= exp(x) <= hi_out for all x in self (transcendental.py trust note).
        """
        check_ieee_environment()
        return Interval._trusted(exp_lower(self.lo), exp_upper(self.hi))  # monotone: DOWN at lo, UP at hi

    def abs(self) -> "Interval":
        """Elementwise |x| (exact: no rounding)."""
        alo, ahi = np.abs(self.lo), np.abs(self.hi)
        lo = np.where((self.lo <= 0) & (self.hi >= 0), 0.0, np.minimum(alo, ahi))
        return Interval._trusted(lo, np.maximum(alo, ahi))

    # -- reductions -----------------------------------------------------------------------------
    def sum(self, axis=None, keepdims: bool = False) -> "Interval":
        """Sum over `axis` (int or None = all) by pairwise halving, widening after every addition.

        Complexity: n - 1 interval additions per output, in ceil(log2 n) vectorized rounds.
        Preconditions: none.
        Postconditions: lo <= sum of any points of the inputs <= hi.
        """
        check_ieee_environment()
        lo, hi = self.lo, self.hi
        if axis is None:
            lo, hi = lo.reshape(-1), hi.reshape(-1)  # [size]
            out = Interval._trusted(*_tree_sum(lo, hi, 0))
            return out.reshape((1,) * self.ndim) if keepdims else out
        axis = axis + self.ndim if axis < 0 else axis
        out = Interval._trusted(*_tree_sum(lo, hi, axis))
        return Interval._trusted(np.expand_dims(out.lo, axis), np.expand_dims(out.hi, axis)) if keepdims else out

    def max(self, axis=None) -> "Interval":
        """Elementwise-max reduction: [max lo, max hi] (exact: no rounding)."""
        return Interval._trusted(np.max(self.lo, axis=axis), np.max(self.hi, axis=axis))

    def min(self, axis=None) -> "Interval":
        """Elementwise-min reduction: [min lo, min hi] (exact: no rounding)."""
        return Interval._trusted(np.min(self.lo, axis=axis), np.min(self.hi, axis=axis))

    # -- diagnostics (NOT sound) ---------------------------------------------------------------
    def mid(self) -> np.ndarray:
        """Approximate midpoint (float, for diagnostics only)."""
        with np.errstate(invalid="ignore"):
            return 0.5 * self.lo + 0.5 * self.hi

    def rad(self) -> np.ndarray:
        """Approximate radius (float, for diagnostics only)."""
        with np.errstate(over="ignore", invalid="ignore"):
            return 0.5 * (self.hi - self.lo)

    # -- three-valued predicates ----------------------------------------------------------------
    def sign3(self) -> np.ndarray:
        """int8 array: +1 certainly > 0, -1 certainly < 0, 0 unknown (or certainly exactly 0)."""
        return (self.lo > 0).astype(np.int8) - (self.hi < 0).astype(np.int8)

    def certainly_neg(self) -> np.ndarray:
        """bool: True = every point is < 0; False = unknown."""
        return self.hi < 0

    def certainly_pos(self) -> np.ndarray:
        """bool: True = every point is > 0; False = unknown."""
        return self.lo > 0

    def certainly_nonneg(self) -> np.ndarray:
        """bool: True = every point is >= 0; False = unknown."""
        return self.lo >= 0


# ----------------------------------------------------------------------------------------------
# Kernels on raw endpoint arrays


def _empty(*arrays) -> np.ndarray:
    """A new float64 array of the broadcast shape of `arrays` (a fresh buffer for out=)."""
    return np.empty(np.broadcast_shapes(*(np.shape(x) for x in arrays)))


def _add_ends(x_lo, y_lo, x_hi, y_hi):
    """(RN(x_lo + y_lo) widened DOWN, RN(x_hi + y_hi) widened UP): 3 buffers."""
    s = np.add(x_lo, y_lo, out=_empty(x_lo, y_lo, x_hi, y_hi))
    lo = _widen_down(s)  # ROUND DOWN
    np.add(x_hi, y_hi, out=s)
    return lo, _widen_up(s)  # ROUND UP


def _sub_ends(x_lo, y_hi, x_hi, y_lo):
    """(RN(x_lo - y_hi) widened DOWN, RN(x_hi - y_lo) widened UP)."""
    s = np.subtract(x_lo, y_hi, out=_empty(x_lo, y_hi, x_hi, y_lo))
    lo = _widen_down(s)  # ROUND DOWN
    np.subtract(x_hi, y_lo, out=s)
    return lo, _widen_up(s)  # ROUND UP


def _mul_ii(alo, ahi, blo, bhi):
    """Endpoints of [alo, ahi] * [blo, bhi]: min/max of the 4 RN products, then widened (3 buffers)."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        p1 = np.multiply(alo, blo, out=_empty(alo, ahi, blo, bhi))
        p2 = np.multiply(alo, bhi, out=np.empty_like(p1))
        lo = np.minimum(p1, p2, out=np.empty_like(p1))  # NaN (0*inf) propagates into the widening check
        hi = np.maximum(p1, p2, out=p1)
        p = np.multiply(ahi, blo, out=p2)
        np.minimum(lo, p, out=lo)
        np.maximum(hi, p, out=hi)
        np.multiply(ahi, bhi, out=p)
        np.minimum(lo, p, out=lo)
        np.maximum(hi, p, out=hi)
        lo_w = _widen_down(lo, scratch=p)  # ROUND DOWN the min (result in buffer p)
        hi_w = _widen_up(hi, scratch=lo)  # ROUND UP the max (result in buffer lo)
        return lo_w, hi_w


def _mul_pi(p, lo, hi):
    """Endpoints of (exact point p) * [lo, hi]: the two RN products ordered, then widened (3 buffers)."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        q1 = np.multiply(p, lo, out=_empty(p, lo, hi))
        q2 = np.multiply(p, hi, out=np.empty_like(q1))
        qlo = np.minimum(q1, q2, out=np.empty_like(q1))  # p >= 0: (q1, q2); p < 0: (q2, q1)
        qhi = np.maximum(q1, q2, out=q1)
        lo_w = _widen_down(qlo, scratch=q2)  # ROUND DOWN
        hi_w = _widen_up(qhi, scratch=qlo)  # ROUND UP
        return lo_w, hi_w


def _mul_any(a, b):
    """Endpoints of a * b for a, b each an Interval or an exact point array (not both points)."""
    if isinstance(a, Interval) and isinstance(b, Interval):
        return _mul_ii(a.lo, a.hi, b.lo, b.hi)
    if isinstance(a, Interval):
        return _mul_pi(b, a.lo, a.hi)
    assert isinstance(b, Interval), "_mul_any: at least one operand must be an Interval"
    return _mul_pi(a, b.lo, b.hi)


def _tree_sum(lo: np.ndarray, hi: np.ndarray, axis: int):
    """Pairwise sum of intervals along `axis`; every addition widened.  Returns (lo, hi)."""
    with np.errstate(over="ignore", invalid="ignore"):
        lo = np.moveaxis(lo, axis, 0)  # [n, ...rest]
        hi = np.moveaxis(hi, axis, 0)  # [n, ...rest]
        n = lo.shape[0]
        if n == 0:
            z = np.zeros(lo.shape[1:])
            return z, z.copy()  # empty sum = 0 exactly
        while n > 1:
            h = n // 2
            slo, shi = _add_ends(lo[:h], lo[h : 2 * h], hi[:h], hi[h : 2 * h])  # ROUND DOWN, ROUND UP
            if n % 2:  # carry the odd element to the next round
                slo = np.concatenate([slo, lo[2 * h :]], axis=0)  # [h + 1, ...rest]
                shi = np.concatenate([shi, hi[2 * h :]], axis=0)
            lo, hi = slo, shi
            n = lo.shape[0]
        return np.array(lo[0]), np.array(hi[0])


# ----------------------------------------------------------------------------------------------
# Module functions


def matmul(a, b) -> Interval:
    """a @ b with numpy matmul semantics (1-D operands, batched broadcast leading dims).

    Each of a, b is an Interval or an exact float array (points).  Every product a[i,j] b[j,c] is
    enclosed with outward rounding (interval * interval: 4-product min/max; point * interval:
    2 products), the k terms are summed pairwise within blocks of k, and the blocks are
    accumulated left to right, every addition widened.

    Complexity: batch*m*n*k interval products and about as many widened additions; memory
    O(batch*m*n*kb) with kb chosen so a block holds <= 2^20 products.
    Preconditions: a.shape[-1] == b.shape[-2] (or b.shape[0] for 1-D b).
    Postconditions: lo <= (A @ B) <= hi for every real A in a and B in b (elementwise).
    """
    check_ieee_environment()
    if not isinstance(a, Interval) and not isinstance(b, Interval):
        a = Interval.exact(a)
    a = a if isinstance(a, Interval) else _as_point(a)
    b = b if isinstance(b, Interval) else _as_point(b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError("matmul: operands must be at least 1-D (use * for scalars)")
    squeeze_m, squeeze_n = a.ndim == 1, b.ndim == 1
    a2 = a[None, :] if squeeze_m else a  # [..., m, k]
    b2 = b[:, None] if squeeze_n else b  # [..., k, n]
    k = a2.shape[-1]
    if b2.shape[-2] != k:
        raise ValueError(f"matmul: shapes {a.shape} and {b.shape} do not align (k = {k} vs {b2.shape[-2]})")
    batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
    m, n = a2.shape[-2], b2.shape[-1]
    per_k = max(1, math.prod(batch) * m * n)
    if k == 0:
        z = np.zeros(batch + (m, n))
        out = Interval._trusted(z, z.copy())
    else:
        kb = max(1, min(k, _MATMUL_BLOCK_ELEMS // per_k))
        acc = None
        for j0 in range(0, k, kb):
            j1 = min(k, j0 + kb)
            ablk = a2[..., :, j0:j1, None]  # [..., m, kb, 1]
            bblk = b2[..., None, j0:j1, :]  # [..., 1, kb, n]
            plo, phi = _mul_any(ablk, bblk)  # [..., m, kb, n], outward rounded
            slo, shi = _tree_sum(plo, phi, plo.ndim - 2)  # [..., m, n]
            part = Interval._trusted(slo, shi)
            acc = part if acc is None else acc + part  # widened addition
        out = acc
    if squeeze_n:
        out = out[..., 0]  # [..., m]
    if squeeze_m:
        out = out[..., 0, :] if not squeeze_n else out[..., 0]  # [..., n] or [...]
    return out


def maximum(a, b) -> Interval:
    """Elementwise max of two intervals (or exact points): [max lo, max hi] (exact: no rounding)."""
    a, b = _as_interval(a), _as_interval(b)
    return Interval._trusted(np.maximum(a.lo, b.lo), np.maximum(a.hi, b.hi))


def minimum(a, b) -> Interval:
    """Elementwise min of two intervals (or exact points): [min lo, min hi] (exact: no rounding)."""
    a, b = _as_interval(a), _as_interval(b)
    return Interval._trusted(np.minimum(a.lo, b.lo), np.minimum(a.hi, b.hi))


def where(cond, a, b) -> Interval:
    """Elementwise selection a if cond else b (cond a plain bool array; exact: no rounding)."""
    a, b = _as_interval(a), _as_interval(b)
    cond = np.asarray(cond, dtype=bool)
    return Interval._trusted(np.where(cond, a.lo, b.lo), np.where(cond, a.hi, b.hi))


def concatenate(items, axis: int = 0) -> Interval:
    """np.concatenate of intervals (or exact points) along `axis` (exact: no rounding)."""
    items = [_as_interval(x) for x in items]
    return Interval._trusted(np.concatenate([x.lo for x in items], axis), np.concatenate([x.hi for x in items], axis))


def stack(items, axis: int = 0) -> Interval:
    """np.stack of intervals (or exact points) along a new `axis` (exact: no rounding)."""
    items = [_as_interval(x) for x in items]
    return Interval._trusted(np.stack([x.lo for x in items], axis), np.stack([x.hi for x in items], axis))


def _as_interval(x) -> Interval:
    return x if isinstance(x, Interval) else Interval.exact(x)


def sqrt_enclosure(n: int) -> Interval:
    """0-d Interval [L, U] around sqrt(n) for an integer 0 <= n < 2^1000 (e.g. sqrt(32)).

    Postconditions: L^2 <= n <= U^2 exactly (verified with rationals); L == U iff sqrt(n) is a
    float64; otherwise U = succ(L).
    """
    lo, hi = sqrt_int_bounds(n)
    return Interval._trusted(np.array(lo), np.array(hi))


def sum_rounding_bound(n_terms: int, abs_sum):
    """Upper bound on |fl(sum) - exact sum| for any float64 summation of n_terms terms.

    Returns round_up(abs_sum * g), g = gamma_{n-1} = (n-1)u / (1 - (n-1)u) rounded up, u = 2^-53.

    Why it holds (Higham, Accuracy and Stability, section 4.2): any summation order (left to
    right, numpy's pairwise/unrolled/SIMD reduction, any binary tree) performs n - 1 additions
    fl(a + b) = (a + b)(1 + d) with |d| <= u, and each term passes through at most n - 1 of them,
    so |fl(sum) - sum| <= gamma_{n-1} * sum |x_i|.  The model fl(a + b) = (a + b)(1 + d) needs no
    underflow term: if |a + b| < 2^-1022 then a + b, a sum of two multiples of 2^-1074 below the
    normal range, is itself a float64 (d = 0), and adding an exact 0 is also exact.  Overflow is
    excluded by the precondition: once a partial sum is +-inf the result stays inf or NaN, so a
    finite final result means no partial sum overflowed.  The bound is computed with upward
    rounding: g is rounded up from the exact rational, and the product with one succ().

    Complexity: O(1) (elementwise over abs_sum if it is an array).
    Preconditions: the float sum being bounded is finite; abs_sum >= sum_i |x_i| (an upper bound),
    abs_sum >= 0 without NaN; (n_terms - 1) u < 1.
    Postconditions: |fl(sum x_i) - sum x_i| <= returned value (float64, possibly +inf).
    """
    n_terms = int(n_terms)
    if n_terms < 0:
        raise ValueError("sum_rounding_bound: n_terms must be >= 0")
    s = np.asarray(abs_sum, dtype=np.float64)
    if np.isnan(s).any() or (s < 0).any():
        raise ValueError("sum_rounding_bound: abs_sum must be >= 0 and not NaN")
    if n_terms <= 1:
        return np.zeros_like(s)[()]  # no addition happens: the sum is exact
    nu = Fraction(n_terms - 1, 2**53)
    if nu >= 1:
        raise ValueError(f"sum_rounding_bound: (n-1)u >= 1 for n = {n_terms}")
    gamma = nu / (1 - nu)
    g = float(gamma)
    if Fraction(g) < gamma:
        g = math.nextafter(g, math.inf)  # ROUND UP gamma
    with np.errstate(over="ignore"):
        return round_up(s * g)[()]  # ROUND UP the product (succ of the RN product >= exact)


check_ieee_environment()
