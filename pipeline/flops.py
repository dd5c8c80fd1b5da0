"""The one FLOP-counting mechanism for proof length (verification cost, not search cost).

Convention (the paper's): a matrix product with output size `out` and inner length k costs
out*(2k-1); an elementwise operation costs 1 per output element; a reduction (sum, max) over
`length` elements costs length-1 per output.  An interval operation is counted as the point
operation it encloses (interval arithmetic is a constant factor, the same for every strategy).

Strategies create one `FlopCounter`, call the three methods as they execute each step of the
verification, and report `counter.total` (plus `counter.by_step` for diagnostics).
"""

from __future__ import annotations

from collections import defaultdict
from math import prod


class FlopCounter:
    def __init__(self):
        self.total = 0
        self.by_step: dict[str, int] = defaultdict(int)

    def _add(self, step: str, n: int) -> None:
        n = int(n)
        assert n >= 0, f"negative FLOP count {n} at {step}"
        self.total += n
        self.by_step[step] += n

    def matmul(self, step: str, out_shape, k: int) -> None:
        """A product whose output has shape `out_shape`, inner dimension k: out*(2k-1)."""
        self._add(step, prod(out_shape) * (2 * k - 1) if k > 0 else 0)

    def elementwise(self, step: str, shape, ops: int = 1) -> None:
        """`ops` elementwise operations over an array of `shape`: 1 per element each."""
        self._add(step, prod(shape) * ops)

    def reduction(self, step: str, out_shape, length: int) -> None:
        """A sum or max over `length` elements for each output position: (length-1) per output."""
        self._add(step, prod(out_shape) * max(length - 1, 0))

    def as_dict(self) -> dict:
        return {"total": self.total, "by_step": dict(self.by_step)}
