"""The subcubic proof family: 100 configurations of one parameterized strategy (paper's Figure 3).

    maxk bound subcubic artifacts/models/max4-seed123.safetensors        # the default configuration
    maxk frontier artifacts/models/max4-seed123.safetensors               # all 100 + cubic + brute force

One file per option axis or bounding method, on a shared path-matrix layer:
    layer.py       shared interval components (factors, OV bounds, positional weights) + FLOP memo
    eupu.py        EUPU (direct path) handling: 5 options
    eqke_error.py  EQKE approximation and residual-spread bound: 10 options
    sigma.py       certified sigma_1 upper bound (for the "svd" option)
    attention.py   attention handling: 2 options (per-slot logit bounds)
    gap.py         the minimum-gap sign test per (q, m, c) and the exact count
A configuration is named as in the paper's code:
    EUPU-<eupu>--attn-<attention>--attn-err-<error>      (underscores shown as hyphens)
and belongs to one of the paper's figure groups (its notebook's rule, restated):
    attention tag = "attention-quadratic" for the three *_subproduct_recursive error handlings,
                    "attention-d_vocab·d_model²" for max_diff, max_diff_subproduct, mean+max_diff,
                    mean+max_diff_subproduct; none for svd; the two exact ones are the paper's
                    "attention-cubic-reference" (20 configurations outside the six plotted groups);
    direct tag    = "direct-quadratic" unless the EUPU handling is max_diff or global_max_diff_exact.
    group         = "subcubic" if no tag, else the tags joined with " + " (six groups).
Soundness: every component states its Postconditions; gap.py assembles them.  FLOPs count the
verification only (directions and the gap search are untrusted search).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

from ...flops import FlopCounter
from ...model.weights import Weights
from ..result import BoundResult
from .attention import ATTENTION_HANDLINGS, slot_bounds
from .eqke_error import CUBIC_REFERENCE, ERROR_HANDLINGS, QUADRATIC, VOCAB_MODEL_SQUARED, eqke_bound, peel_plan
from .eupu import EUPU_HANDLINGS, eupu_bound
from .gap import prove_cells
from .layer import Context

GROUPS = (
    "subcubic",
    "attention-d_vocab·d_model²",
    "direct-quadratic",
    "attention-d_vocab·d_model² + direct-quadratic",
    "attention-quadratic",
    "attention-quadratic + direct-quadratic",
)
CUBIC_REFERENCE_GROUPS = ("attention-cubic-reference", "attention-cubic-reference + direct-quadratic")
DIRECT_QUADRATIC = ("mean_query+max_diff", "svd_query+max_diff", "max_diff_exact")


@dataclass(frozen=True)
class SubcubicConfig:
    """One point of the 5 x 2 x 10 option grid (defaults: the paper's defaults)."""

    eupu: str = "mean_query+max_diff"  # direct path: mean over queries + factored spread
    attention: str = "mean_query+diff"  # keep the direct path's query-mean joint with the max token's OV row
    error: str = "max_diff"  # EQKE residual: factored max_diff minimised over split points

    def __post_init__(self):
        for value, allowed, what in ((self.eupu, EUPU_HANDLINGS, "EUPU handling"),
                                     (self.attention, ATTENTION_HANDLINGS, "attention handling"),
                                     (self.error, ERROR_HANDLINGS, "EQKE error handling")):
            if value not in allowed:
                raise ValueError(f"unknown {what} {value!r}; choose from {allowed}")

    @property
    def name(self) -> str:
        t = lambda s: s.replace("_", "-")  # noqa: E731
        return f"EUPU-{t(self.eupu)}--attn-{t(self.attention)}--attn-err-{t(self.error)}"

    @property
    def group(self) -> str:
        tags = []
        if self.error in QUADRATIC:
            tags.append("attention-quadratic")
        elif self.error in VOCAB_MODEL_SQUARED:
            tags.append("attention-d_vocab·d_model²")
        elif self.error in CUBIC_REFERENCE:
            tags.append("attention-cubic-reference")
        if self.eupu in DIRECT_QUADRATIC:
            tags.append("direct-quadratic")
        return " + ".join(tags) if tags else "subcubic"


def all_configs() -> list[SubcubicConfig]:
    """The 100 configurations, in the paper's enumeration order (EUPU, attention, error)."""
    return [SubcubicConfig(e, a, r) for e, a, r in itertools.product(EUPU_HANDLINGS, ATTENTION_HANDLINGS, ERROR_HANDLINGS)]


def config_by_name(name: str) -> SubcubicConfig:
    for c in all_configs():
        if c.name == name:
            return c
    raise KeyError(f"unknown subcubic configuration {name!r}")


def run_config(ctx: Context, config: SubcubicConfig) -> BoundResult:
    """Run one configuration on a model context (components shared through ctx).

    Complexity: see the component modules; O(V^2 n) verification work plus the chosen components.
    Preconditions: ctx = Context(weights) for validated weights, d_vocab >= 2.
    Postconditions: n_proved <= number of inputs correct in exact real arithmetic (gap.py);
    flops = sum of the FLOPs of every component the configuration uses plus its own verification;
    seconds = wall time of this call (shared components are timed where first computed).
    """
    t0 = time.perf_counter()
    fc = FlopCounter()
    used = ["factors", "ov", "ov_bounds", "eqkp", "pos", f"eupu:{config.eupu}", f"eqke:{config.error}",
            f"gap:{config.error}"]
    mu, delta = eupu_bound(ctx, config.eupu)
    eq = eqke_bound(ctx, config.error)
    gm, Hk, gq = slot_bounds(ctx, mu, delta, config.attention, fc)
    n_proved, cells, c0 = prove_cells(ctx, eq, config.error, (gm, Hk, gq, delta), fc)
    if "terms" in eq:
        used.append(f"decomp:{peel_plan(config.error)}")
    steps = ctx.cost(used)
    for k, v in fc.by_step.items():
        steps[k] = steps.get(k, 0) + v
    V, n = ctx.V, ctx.n
    return BoundResult(
        strategy=f"subcubic:{config.name}",
        model_sha256=ctx.weights.sha256,
        n_inputs=V**n,
        n_proved=n_proved,
        flops=sum(steps.values()),
        seconds=time.perf_counter() - t0,
        extra={"config": config.name, "group": config.group, "n_cells": len(cells), "n_c0": len(c0)},
        diagnostics={"cells": cells, "c0": c0, "flops": steps, "eps": eq.get("eps")},
    )


def run(weights: Weights, progress: bool = False, config: SubcubicConfig | None = None) -> BoundResult:
    """The registry entry: one configuration (default: SubcubicConfig()) on a fresh context."""
    t0 = time.perf_counter()
    res = run_config(Context(weights), config or SubcubicConfig())
    res.seconds = time.perf_counter() - t0
    return res
