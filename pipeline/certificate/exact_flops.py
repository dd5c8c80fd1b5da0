"""The verification FLOPs of an exact certificate (strategy "exact", FORMAT.md "The exact
certificate"; issue 20): the cubic certificate's count (its strategy's) plus checks 10x-12's,
counted from the certificate's sizes by pipeline/flops.py's conventions.  Standard library only
(pipeline/artifacts_check.py recomputes the frontier's exact FLOPs with it); certify(exact=True)
reports it as info["exact_flops"], `maxk frontier` as the exact record's flops.
"""

from __future__ import annotations

from ..flops import FlopCounter
from . import replay as R


def exact_residual_flops(V: int, n: int, residual: int, not_ok: int | None = None):
    """The verification FLOPs of an exact certificate beyond its cubic part (checks 10x-12, FORMAT.md
    "The exact certificate"), counted from the certificate's sizes by pipeline/flops.py's conventions
    (a product with inner length k is 2k - 1 per output, an interval operation counts as the point
    operation it encloses, a max over L values is L - 1).  Returns a FlopCounter (total, by_step).

    Complexity: O(1) (integer arithmetic on V, n, |R|, not_ok); nothing is enumerated or timed.
    residual = |R| = V^n - the cubic part's count (check 10x); not_ok = the inputs of R not proved
    correct = V^n - claimed_count (lo); None counts all of R (an upper estimate).
    What is counted (the work FORMAT.md's verdict specifies):
      * per (q, t, i), t a token at a non-query position i < n-1 or t = q at i = n-1:
        "exact/weights" the weight enclosure [elo plo, ehi phi] (one interval product: 1), and
        "exact/L" L[y] = EUPU[q,y] + EVOU[t,y] + PVOU[i,y] for every y (2 per y);
      * per (m, q) with q <= m (every one may hold inputs of R), per t <= m at the n-1 non-query
        positions and the query row: "exact/Z" Z[y] = L[y] - L[m] for y != m (V - 1 per row);
      * per input of R, "exact/ub": for every y != m the n multiply-adds of sum_i ub(w_i, Z_i[y])
        (n products, n - 1 additions: 2n - 1), then "exact/ub_max" the max over the V - 1 sums and
        "exact/ub_sign" its compare with 0 (V - 2 + 1): together 2n (V - 1) per input;
      * per input not proved correct (not_ok), the same with lb ("exact/lb", ...): proved wrong
        or undecided.
    Not counted: the enumeration of R (token comparisons, O(n) per input: bookkeeping, as the brute
    force's loop is) and checks 1-9 and the cubic count, which are the cubic certificate's own count
    (its strategy's FLOPs, added by exact_flops).
    The count is the specification's, not the replay's: replay.py reaches the same verdicts with
    less work.  input_ok first tries the scalar bound sum_i ub(w_i, max_y Z_i[y]) < 0 (per input
    n multiply-adds and one compare, 2n, plus a max over V - 1 per row), which decides 559,075 of
    the shipped model's 589,348 residual inputs; and the rows ub(w, Z[.]) and the partial sums of
    a shared prefix are cached per (m, q).  The shortcut depends on the data (not on the sizes), so
    it is left out; with it the shipped model's per-input work (ub, lb, their max and sign) would be
    about 2.3e7 FLOPs instead of 3.0e8, plus ~1.7e7 for the rows' maxima.
    """
    fc = FlopCounter()
    rows_per_q = V * (n - 1) + 1  # (t, i) pairs for one query q
    fc.elementwise("exact/weights", (V, rows_per_q))
    fc.elementwise("exact/L", (V, rows_per_q, V), ops=2)
    s1, s2 = V * (V + 1) // 2, V * (V + 1) * (2 * V + 1) // 6  # sums of k and k^2, k = m + 1 = 1..V
    fc.elementwise("exact/Z", ((n - 1) * s2 + s1, V - 1))  # sum over m of (m+1) q's x ((m+1)(n-1) + 1) rows
    for tag, inputs in (("ub", residual), ("lb", residual if not_ok is None else not_ok)):
        fc.matmul(f"exact/{tag}", (inputs, V - 1), n)
        fc.reduction(f"exact/{tag}_max", (inputs,), V - 1)
        fc.elementwise(f"exact/{tag}_sign", (inputs,))
    return fc


def exact_flops(cert: dict, cubic_flops: int) -> int:
    """The verification FLOPs of the exact certificate `cert` (strategy "exact"): `cubic_flops` (the
    cubic strategy's count, which is the cubic certificate's) plus exact_residual_flops from its
    sizes: |R| = V^n - cubic_count(c0, cells), not_ok = V^n - claimed_count.  Complexity: O(#cells)."""
    cfg = cert["config"]
    V, n = cfg["d_vocab"], cfg["n_ctx"]
    NI = V**n
    residual = NI - R.cubic_count(cert["c0"], cert["cells"], n)
    return cubic_flops + exact_residual_flops(V, n, residual, NI - cert["claimed_count"]).total
