"""Certified upper bounds on the largest singular value sigma_1 of a factored product P = L R.

Used by the "svd" EQKE error handling: the within-row spread of a matrix P is at most
sqrt(2) sigma_1(P), because P[q,i] - P[q,j] = P[q,:] . (e_i - e_j) <= |P[q,:]| sqrt(2) and every row
norm is at most sigma_1.  No float SVD value is trusted: the bound is computed in intervals.

Argument.  With G = L^T L and H = R R^T (both r x r, positive semidefinite), P^T P = R^T G R has the
same nonzero eigenvalues as G H (XY and YX share them), so sigma_1(P)^2 = rho(G H).  G H is similar
to G^(1/2) H G^(1/2) (when G is invertible; by continuity in general), so its eigenvalues are real
and >= 0; hence
  (a) rho(G H) <= trace(G H) = |P|_F^2                     (the exact Frobenius norm), and
  (b) rho(X) <= |X^N|_F^(1/N) for every N >= 1 and the submultiplicative Frobenius norm
      (rho(X)^N = rho(X^N) <= |X^N|), which tends to rho(X) as N grows (power iteration by squaring).
We evaluate X^(2^j) by repeated squaring in intervals, rescaling by exact powers of two (tracked as an
integer exponent E, X^(2^j) = 2^E Y), and take the 2^j-th root as j exact halvings of E and j outward-
rounded square roots.  The result is the minimum of (a) and (b) for j = 0..J.
"""

from __future__ import annotations

import math

import numpy as np

from ...flops import FlopCounter
from ...numerics import Interval


def _frob_hi(Y: Interval) -> float:
    """Upper bound on |Y|_F for every point Y in the interval matrix.

    Complexity: 2 size elementwise operations, one sum, one sqrt.
    Preconditions: Y an Interval matrix.  Postconditions: out >= sqrt(sum Y_ij^2) (rounded up).
    """
    A = Y.abs()
    S = (A * A).sum()  # >= 0 in exact arithmetic; outward rounding may put lo a hair below 0
    return float(Interval(np.maximum(S.lo, 0.0), S.hi).sqrt().hi)


def _root_pow2(E: int, F: float, j: int) -> float:
    """Upper bound on (2^E F)^(1/2^j).

    Complexity: j interval square roots.  Preconditions: F >= 0 a float, E an int, j >= 0.
    Postconditions: out >= (2^E F)^(1/2^j): each step halves an even exponent exactly and takes an
    outward-rounded sqrt; the final scaling by 2^max(E, -900) is exact or rounds upward.
    """
    val = Interval.exact(np.array(F))
    for _ in range(j):
        if E % 2:
            val = val * 2.0  # exact scaling (outward rounded anyway)
            E -= 1
        E //= 2
        val = val.sqrt()
    if E >= 1000:
        return math.inf
    # ldexp is exact for a normal result; below 2^-900 scaling could round DOWN, so scale less
    # (2^max(E, -900) >= 2^E keeps an upper bound)
    return math.ldexp(float(val.hi), max(E, -900))


def rho_upper_psd_product(G: Interval, H: Interval, squarings: int = 5, flops: FlopCounter | None = None) -> float:
    """Upper bound on rho(G H) for positive semidefinite G, H (module docstring (a), (b)).

    Complexity: (squarings + 1) r^3 interval multiply-adds.
    Preconditions: G, H [r, r] interval enclosures of symmetric PSD matrices.
    Postconditions: returned float >= the spectral radius of G H for every exact G, H enclosed.
    """
    r = G.shape[0]
    X = G @ H  # [r, r]
    if flops is not None:
        flops.matmul("sigma/GH", (r, r), r)
    trace = X[np.arange(r), np.arange(r)].sum()
    best = float(trace.hi)
    Y, E = X, 0
    for j in range(squarings + 1):
        F = _frob_hi(Y)
        if flops is not None:
            flops.elementwise("sigma/frob", (r, r), ops=2)
        if math.isfinite(F):
            best = min(best, _root_pow2(E, F, j))
        if j == squarings:
            break
        m = float(np.maximum(np.abs(Y.lo), np.abs(Y.hi)).max())
        if not (math.ldexp(1.0, -900) < m < math.ldexp(1.0, 900)):
            break  # (near) zero or huge: keep the bounds found so far (rescaling would leave the range)
        e = math.frexp(m)[1]
        Y = Y * math.ldexp(1.0, -e)  # exact power-of-two rescaling (outward rounded)
        E = 2 * (E + e)
        Y = Y @ Y
        if flops is not None:
            flops.matmul("sigma/square", (r, r), r)
    return max(best, 0.0)


def sigma1_upper(L: Interval, R: Interval, squarings: int = 5, flops: FlopCounter | None = None) -> float:
    """Certified upper bound on sigma_1(L R) (module docstring).

    Complexity: a r^2 + b r^2 + (squarings + 2) r^3 multiply-adds for L [a, r], R [r, b].
    Preconditions: L, R interval matrices with matching inner dimension r.
    Postconditions: returned float >= sigma_1(L R) for every exact L, R enclosed.
    """
    G = L.T @ L  # [r, r]
    H = R @ R.T  # [r, r]
    if flops is not None:
        flops.matmul("sigma/G", G.shape, L.shape[0])
        flops.matmul("sigma/H", H.shape, R.shape[1])
    rho = rho_upper_psd_product(G, H, squarings, flops)
    return float(Interval.exact(np.array(rho)).sqrt().hi)
