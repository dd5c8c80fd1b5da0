"""The one result type shared by every strategy."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction


@dataclass
class BoundResult:
    """A certified lower bound: at least `n_proved` of the `n_inputs` inputs are correct.

    `extra` holds strategy-specific fields that go into the JSON report (e.g. the brute force's
    counts of certified-wrong and undecided inputs); `diagnostics` holds large data (S sets, per-cell
    tables) that is not printed.
    """

    strategy: str
    model_sha256: str
    n_inputs: int
    n_proved: int
    flops: int
    seconds: float
    extra: dict = field(default_factory=dict)
    diagnostics: dict = field(default_factory=dict, repr=False)
    report_keys: tuple | None = None  # if set, the JSON report has exactly these keys, in this order

    @property
    def bound(self) -> Fraction:
        return Fraction(self.n_proved, self.n_inputs)

    def to_json(self) -> dict:
        out = {
            "strategy": self.strategy,
            "model_sha256": self.model_sha256,
            "n_inputs": self.n_inputs,
            "n_proved": self.n_proved,
            "bound": float(self.bound),
            "flops": self.flops,
            "seconds": round(self.seconds, 4),
        }
        out.update(self.extra)
        if self.report_keys is not None:
            out = {k: out[k] for k in self.report_keys}
        return out
