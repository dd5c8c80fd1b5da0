"""Proof strategies: one per file, one registry, one result type.

    maxk bound brute-force MODEL      # pipeline/strategies/brute_force.py
    maxk bound cubic MODEL            # pipeline/strategies/cubic.py
    maxk bound subcubic MODEL         # pipeline/strategies/subcubic/ (100 configurations; maxk frontier)

Each strategy is a function `run(weights, progress=False) -> BoundResult` (result.py).
Strategies and numerics never import torch.
"""

from __future__ import annotations

from importlib import import_module

# name on the command line -> module implementing `run`
REGISTRY = {
    "brute-force": "pipeline.strategies.brute_force",
    "cubic": "pipeline.strategies.cubic",
    "subcubic": "pipeline.strategies.subcubic",  # default configuration; all 100 via subcubic.run_config
}


def get_strategy(name: str):
    if name not in REGISTRY:
        raise KeyError(f"unknown strategy {name!r}; choose from {sorted(REGISTRY)}")
    return import_module(REGISTRY[name]).run
