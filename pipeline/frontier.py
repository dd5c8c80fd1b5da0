"""The proof-length frontier (the paper's Figure 3, made sound): bound against FLOPs per strategy.

    maxk frontier artifacts/models/max4-seed123.safetensors --out-dir artifacts/reports
    make frontier        # the six shipped seeds -> artifacts/reports/frontier.{md,json,png}
    maxk frontier --replot --out-dir artifacts/reports   # redraw frontier.png from frontier.json only

For each model: the sound brute force (ground truth: relative = bound / its certified accuracy_lo),
the exact certificate (`certify --exact`: lo <= #correct <= hi at its verification FLOPs, or an
"unavailable" record over the replay's residual budget), the cubic proof (through the strategy
registry) and the subcubic configurations.  Returns records
and renders the table, the per-group summary and the plot; only the CLI writes and prints.
"""

from __future__ import annotations

import time
from pathlib import Path
from statistics import mean, pstdev

from .strategies.subcubic import GROUPS, all_configs, run_config
from .strategies.subcubic.layer import Context

# the paper's best relative bound per group (151 seeds, float32), for the side-by-side table
PAPER_GROUP_BEST = {
    "subcubic": 0.700,
    "attention-d_vocab·d_model²": 0.675,
    "direct-quadratic": 0.633,
    "attention-d_vocab·d_model² + direct-quadratic": 0.610,
    "attention-quadratic": 0.316,
    "attention-quadratic + direct-quadratic": 0.283,
}
CONFIG_SETS = ("all", "groups")


def select_configs(which: str):
    """'all' = the 100 configurations; 'groups' = the 50 with the default attention handling."""
    if which not in CONFIG_SETS:
        raise ValueError(f"--configs must be one of {CONFIG_SETS}, got {which!r}")
    cs = all_configs()
    return cs if which == "all" else [c for c in cs if c.attention == "mean_query+diff"]


def _record(weights, path, config, group, res, acc_lo, seconds):
    bound = res.n_proved / res.n_inputs
    return {
        "model": str(path),
        "model_sha256": weights.sha256,
        "config": config,
        "group": group,
        "n_inputs": res.n_inputs,
        "n_proved": res.n_proved,
        "bound": bound,
        "relative": bound / acc_lo if acc_lo else None,
        "flops": res.flops,
        "seconds": round(seconds, 4),
    }


EXACT = "exact"  # the exact certificate's strategy and group (its own point, next to the brute force)


def exact_record(weights, path, acc_lo) -> dict:
    """The exact certificate's point (issue 20): `certify(weights, exact=True)`, which proves
    lo <= #correct <= hi.  n_proved = lo, bound = lo / V^n, n_upper = hi, upper = hi / V^n,
    relative = bound / acc_lo, flops = its verification FLOPs (certificate/exact_flops.py: the cubic
    strategy's count plus checks 10x-12's, from the certificate's sizes), seconds = certify --exact's
    wall time (the cubic strategy again, the exact data, the residual), plus the residual's counts.
    Over the replay's budget (MAX_RESIDUAL_WORK, or any other limit certify enforces) the record is
    "unavailable": that key holds the one-line reason, and n_proved, bound, relative, flops (and
    the upper pair) are None; nothing is raised."""
    from .certificate.certify import certify
    from .errors import PipelineError

    cfg = weights.config
    NI = cfg.d_vocab**cfg.n_ctx
    rec = {"model": str(path), "model_sha256": weights.sha256, "config": EXACT, "group": EXACT, "n_inputs": NI}
    t = time.perf_counter()
    try:
        cert, info = certify(weights, exact=True)
    except PipelineError as e:
        return {**rec, "n_proved": None, "bound": None, "relative": None, "flops": None,
                "seconds": round(time.perf_counter() - t, 4), "n_upper": None, "upper": None,
                "unavailable": e.problem}
    lo, hi = cert["claimed_count"], cert["claimed_upper"]
    return {**rec, "n_proved": lo, "bound": lo / NI, "relative": lo / NI / acc_lo if acc_lo else None,
            "flops": info["exact_flops"], "seconds": round(time.perf_counter() - t, 4),
            "n_upper": hi, "upper": hi / NI, "cubic_flops": info["cubic_flops"], "residual": info["residual"],
            "residual_ok": info["residual_ok"], "residual_wrong": info["residual_wrong"],
            "residual_undecided": info["residual_undecided"]}


def available(r: dict) -> bool:
    """False for an exact record over its budget (exact_record: no numbers, a reason)."""
    return r.get("unavailable") is None


def frontier_model(weights, path, configs, pbar=None) -> list[dict]:
    """Records for one model: brute force, the exact certificate, cubic, then every subcubic
    configuration.

    Postconditions: one record per strategy; relative = bound / brute-force accuracy_lo; the exact
    record may be unavailable (exact_record).
    """
    from .strategies import get_strategy

    t = time.perf_counter()
    bf = get_strategy("brute-force")(weights)
    bf_s = time.perf_counter() - t
    acc_lo = bf.n_proved / bf.n_inputs
    out = [_record(weights, path, "brute-force", "brute-force", bf, acc_lo, bf_s)]
    if pbar is not None:
        pbar.update(1)
    out.append(exact_record(weights, path, acc_lo))
    if pbar is not None:
        pbar.update(1)
    t = time.perf_counter()
    cu = get_strategy("cubic")(weights)
    out.append(_record(weights, path, "cubic", "cubic", cu, acc_lo, time.perf_counter() - t))
    if pbar is not None:
        pbar.update(1)
    ctx = Context(weights)
    for c in configs:
        t = time.perf_counter()
        r = run_config(ctx, c)
        out.append(_record(weights, path, c.name, c.group, r, acc_lo, time.perf_counter() - t))
        if pbar is not None:
            pbar.update(1)
    return out


def group_summary(records: list[dict]) -> list[dict]:
    """Per group: the best relative bound per model, mean and std over models, FLOPs of the best.
    The exact certificate is its own group ("exact"); its unavailable records are left out."""
    models = sorted({r["model_sha256"] for r in records})
    groups = ["brute-force", EXACT, "cubic", *GROUPS, "any subcubic (six groups)",
              "attention-cubic-reference", "attention-cubic-reference + direct-quadratic"]
    rows = []
    for g in groups:
        best = []
        for m in models:
            rs = [r for r in records if r["model_sha256"] == m and available(r) and
                  (r["group"] in GROUPS if g.startswith("any subcubic") else r["group"] == g)]
            if rs:
                best.append(max(rs, key=lambda r: (r["relative"] or 0.0, -r["flops"])))
        if not best:
            continue
        rel = [b["relative"] for b in best]
        rows.append({
            "group": g,
            "n_models": len(best),
            "best_relative_per_model": rel,
            "mean": mean(rel),
            "std": pstdev(rel) if len(rel) > 1 else 0.0,
            "paper": PAPER_GROUP_BEST.get(g),
            "flops_of_best_mean": mean(b["flops"] for b in best),
            "best_configs": sorted({b["config"] for b in best}),
        })
    return rows


def render_markdown(records: list[dict], summary: list[dict]) -> str:
    models = []
    for r in records:
        if r["model"] not in models:
            models.append(r["model"])
    secs = {m: sum(r["seconds"] for r in records if r["model"] == m) for m in models}
    sub_secs = {m: sum(r["seconds"] for r in records if r["model"] == m and r["group"] not in ("brute-force", EXACT, "cubic"))
                for m in models}
    lines = ["# Proof-length frontier (sound: every bound is a certified lower bound)", "",
             "relative = bound / accuracy_lo of the sound brute force.  FLOPs count the verification only.", "",
             "## Best relative bound per group (mean ± std over models) beside the paper's (151 seeds, float32)", "",
             "| group | ours (mean ± std) | paper | models | mean FLOPs of the best | best configuration(s) |",
             "|---|---|---|---|---|---|"]
    for s in summary:
        paper = "" if s["paper"] is None else f"{s['paper']:.3f}"
        cfgs = ", ".join(s["best_configs"][:2]) + (" …" if len(s["best_configs"]) > 2 else "")
        lines.append(f"| {s['group']} | {s['mean']:.4f} ± {s['std']:.4f} | {paper} | {s['n_models']} | "
                     f"{s['flops_of_best_mean']:.3g} | {cfgs} |")
    lines += ["", "## Seconds per model", "", "| model | all strategies | subcubic configurations only |", "|---|---|---|"]
    for m in models:
        lines.append(f"| {m} | {secs[m]:.1f} | {sub_secs[m]:.1f} |")
    exact = [r for r in records if r["group"] == EXACT]
    if exact:
        lines += ["", "## The exact certificate (`maxk certify --exact`): lo <= correct <= hi", "",
                  "FLOPs: the cubic strategy's plus the residual's (pipeline/certificate/exact_flops.py, from the "
                  "certificate's sizes); seconds: certify --exact.", "",
                  "| model | lo | hi | lo / V^n | hi / V^n | relative | residual (ok, wrong, undecided) | FLOPs | "
                  "brute-force FLOPs | seconds |", "|---|---|---|---|---|---|---|---|---|---|"]
        bf = {r["model_sha256"]: r for r in records if r["group"] == "brute-force"}
        for r in exact:
            b = bf.get(r["model_sha256"])
            bflops = "" if b is None else f"{b['flops']:.3g}"
            name = r["model"].split("/")[-1]
            if not available(r):
                why = r["unavailable"].replace("|", "\u2223")  # |R| would split the table's cells
                lines.append(f"| {name} | unavailable: {why} | | | | | | | {bflops} | {r['seconds']:.2f} |")
                continue
            rel = "" if r["relative"] is None else f"{r['relative']:.4f}"
            lines.append(f"| {name} | {r['n_proved']} | {r['n_upper']} | {r['bound']:.6f} | {r['upper']:.6f} | {rel} | "
                         f"{r['residual']} ({r['residual_ok']}, {r['residual_wrong']}, {r['residual_undecided']}) | "
                         f"{r['flops']:.3g} | {bflops} | {r['seconds']:.2f} |")
    lines += ["", "## Every strategy", "", "| model | strategy | group | bound | relative | FLOPs | seconds |",
              "|---|---|---|---|---|---|---|"]
    for r in records:
        rel = "" if r["relative"] is None else f"{r['relative']:.4f}"
        bound = "–" if r["bound"] is None else f"{r['bound']:.4f}"
        flops = "–" if r["flops"] is None else f"{r['flops']:.3g}"
        lines.append(f"| {r['model'].split('/')[-1]} | {r['config']} | {r['group']} | {bound} | {rel} | "
                     f"{flops} | {r['seconds']:.2f} |")
    return "\n".join(lines) + "\n"


def render_png(records: list[dict]) -> bytes:
    """Relative bound vs FLOPs (log x): one point per (model, strategy), group-best markers per model,
    and the paper's best relative bound of each group (PAPER_GROUP_BEST, 151 seeds, float32) as a
    dashed horizontal segment in the group's colour over the group's FLOPs range (the paper's
    per-group FLOPs are not known here, so its values are reference levels, not points).  The exact
    certificate is drawn next to the brute force with its own marker and legend entry: its lo per
    model at its verification FLOPs, and a vertical bar up to hi where hi > lo (unavailable records
    are not drawn)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    order = ["brute-force", "cubic", *GROUPS, "attention-cubic-reference", "attention-cubic-reference + direct-quadratic"]
    cmap = plt.get_cmap("tab10")
    fig, ax = plt.subplots(figsize=(10, 6.5))
    models = sorted({r["model_sha256"] for r in records})
    for i, g in enumerate(order):
        if g == "cubic":  # the exact certificate after the brute force (and so in the legend)
            _draw_exact(ax, records)
        rs = [r for r in records if r["group"] == g]
        if not rs:
            continue
        col = cmap(i % 10)
        ax.scatter([r["flops"] for r in rs], [r["relative"] for r in rs], s=10, alpha=0.35, color=col, label=g)
        bests = []
        for m in models:
            mr = [r for r in rs if r["model_sha256"] == m]
            if mr:
                bests.append(max(mr, key=lambda r: r["relative"]))
        ax.scatter([b["flops"] for b in bests], [b["relative"] for b in bests], s=90, marker="*",
                   color=col, edgecolor="black", linewidth=0.6)
        if g in PAPER_GROUP_BEST:
            xs = [r["flops"] for r in rs]
            ax.hlines(PAPER_GROUP_BEST[g], min(xs) / 1.2, max(xs) * 1.2, colors=[col], linestyles="--", lw=2, zorder=3)
            ax.text(max(xs) * 1.25, PAPER_GROUP_BEST[g], f"{PAPER_GROUP_BEST[g]:.3f}", color=col, fontsize=7,
                    va="center")
    ax.scatter([], [], s=90, marker="*", color="white", edgecolor="black", linewidth=0.6,
               label="best of its group, per model (ours)")
    if any(r["group"] in PAPER_GROUP_BEST for r in records):
        ax.plot([], [], ls="--", lw=2, color="0.35", label="paper (151 seeds, float32): best of the group, mean "
                "over seeds, dashed in the group's colour")
    ax.set_xscale("log")
    ax.set_xlabel("FLOPs to verify the proof (log scale)")
    ax.set_ylabel("relative accuracy bound (bound / brute-force accuracy)")
    ax.set_ylim(-0.02, 1.05)
    ax.set_title(f"Proof length vs bound, {len(models)} model(s), sound; paper's float32 group values dashed")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120)
    plt.close(fig)
    return buf.getvalue()


def _draw_exact(ax, records: list[dict]) -> None:
    """The exact certificates' points (render_png): a black-edged diamond at (FLOPs, lo / acc_lo)
    per model, a vertical bar to hi / acc_lo where hi > lo."""
    rs = [r for r in records if r["group"] == EXACT and available(r) and r["relative"] is not None]
    if not rs:
        return
    col = "crimson"
    ax.scatter([r["flops"] for r in rs], [r["relative"] for r in rs], s=70, marker="D", color=col,
               edgecolor="black", linewidth=0.8, zorder=4,
               label="exact certificate (certify --exact): lo, bar to hi where hi > lo")
    for r in rs:
        if r["n_upper"] > r["n_proved"] > 0:
            ax.vlines(r["flops"], r["relative"], r["relative"] * r["n_upper"] / r["n_proved"], colors=[col], lw=1.5,
                      zorder=4)


def replot(out_dir) -> Path:
    """Redraw OUT_DIR/frontier.png from OUT_DIR/frontier.json (the records of a previous `maxk
    frontier`); runs no strategy.  Returns the path written.  Raises PipelineError (one line) if
    frontier.json is missing, unreadable or not a list of frontier records."""
    import json

    from .errors import PipelineError
    from .fileio import atomic_write_bytes

    src = Path(out_dir) / "frontier.json"
    try:
        records = json.loads(src.read_bytes())
    except (OSError, ValueError) as e:
        raise PipelineError(src, f"cannot read the frontier records ({type(e).__name__}: "
                            f"{' '.join(str(e).split())[:120]})") from None
    keys = ("model_sha256", "group", "config", "flops", "relative")
    if not isinstance(records, list) or not all(isinstance(r, dict) and all(k in r for k in keys) for r in records):
        raise PipelineError(src, f"not a list of frontier records (objects with {', '.join(keys)})")
    atomic_write_bytes(src.with_name("frontier.png"), render_png(records))
    return src.with_name("frontier.png")

