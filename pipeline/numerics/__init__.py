"""Sound numerics: float64 interval arrays with outward rounding, and exp / sqrt enclosures.

This package is the only rounding-aware code of the project and knows nothing of models.
The interval contract (every result contains the exact real result for every choice of points in
the inputs; not necessarily the tightest) is stated in `interval.py`; the mpmath trust note for
exp is in `transcendental.py`.
"""

from .interval import (
    F64_MAX,
    U_ROUNDOFF,
    Interval,
    check_ieee_environment,
    concatenate,
    matmul,
    maximum,
    minimum,
    round_down,
    round_up,
    sqrt_enclosure,
    stack,
    sum_rounding_bound,
    where,
)

__all__ = [
    "F64_MAX",
    "U_ROUNDOFF",
    "Interval",
    "check_ieee_environment",
    "concatenate",
    "matmul",
    "maximum",
    "minimum",
    "round_down",
    "round_up",
    "sqrt_enclosure",
    "stack",
    "sum_rounding_bound",
    "where",
]
