"""Running strategies on a model and tabulating the results (returns text and rows; the CLI prints).

    make bounds      # brute force + cubic on the shipped model -> artifacts/reports/
"""

from __future__ import annotations


def run_bound(strategy: str, weights, progress=False, with_float32=True, force=False, subcubic_config=None):
    """Run one strategy; the brute force also gets the plain float32 torch accuracy for comparison.

    The brute force is refused before any work (PipelineError(None, why): the caller names the
    model) when its estimate is over the budget (strategies/brute_force.py `estimate`,
    `budget_problem`), unless `force`.  `subcubic_config`: a SubcubicConfig for "subcubic" (None:
    its default configuration).
    """
    from .strategies import get_strategy

    run = get_strategy(strategy)
    if strategy == "subcubic" and subcubic_config is not None:
        return run(weights, progress=progress, config=subcubic_config)
    if strategy == "brute-force":
        if not force:
            check_brute_force_budget(weights.config, float32=with_float32)
        f32 = None
        if with_float32:
            from .model.evaluate import float32_accuracy
            from .paths import path_matrices

            c, tot = float32_accuracy(weights, progress=progress, paths=path_matrices(weights))
            f32 = c / tot
        return run(weights, progress=progress, float32_accuracy=f32)
    return run(weights, progress=progress)


def check_brute_force_budget(config, float32=True) -> None:
    """Raise PipelineError(None, why) if the brute force on a model of `config` (with the float32
    accuracy if `float32`) is estimated over its budget (strategies/brute_force.py `estimate`)."""
    from .errors import PipelineError
    from .strategies.brute_force import budget_problem, estimate

    why = budget_problem(estimate(config, float32=float32))
    if why is not None:
        raise PipelineError(None, f"{why} (--force runs it anyway)")


def bounds_table(weights, progress=False, strategies=("brute-force", "cubic"), force=False):
    """Run each strategy on one model; return (text table, rows as dicts).

    relative = bound / accuracy_lo of the sound brute force (the ground truth's lower end).
    The brute force's budget is checked before any strategy runs (unless `force`).
    """
    if "brute-force" in strategies and not force:
        check_brute_force_budget(weights.config)
    results = {name: run_bound(name, weights, progress=progress, force=force) for name in strategies}
    bf = results.get("brute-force")
    acc_lo = bf.n_proved / bf.n_inputs if bf else None
    rows = []
    for name, r in results.items():
        row = r.to_json()
        row["bound"] = r.n_proved / r.n_inputs
        row["relative_bound"] = (row["bound"] / acc_lo) if acc_lo else None
        rows.append(row)
    lines = [f"model {weights.sha256[:16]}  V={weights.config.d_vocab} K={weights.config.n_ctx}"]
    if bf:
        lines.append(
            f"brute-force enclosure of the exact accuracy: [{bf.extra['accuracy_lo']:.6f}, "
            f"{bf.extra['accuracy_hi']:.6f}]  (undecided {bf.extra['n_undecided']}; "
            f"float32 torch accuracy {bf.extra['float32_accuracy']})"
        )
    lines.append(f"{'strategy':<12} {'bound':>9} {'relative':>9} {'FLOPs':>12} {'seconds':>8}")
    for row in rows:
        rel = "" if row["relative_bound"] is None else f"{row['relative_bound']:.4f}"
        lines.append(f"{row['strategy']:<12} {row['bound']:>9.6f} {rel:>9} {row['flops']:>12.3e} {row['seconds']:>8.2f}")
    return "\n".join(lines) + "\n", rows
