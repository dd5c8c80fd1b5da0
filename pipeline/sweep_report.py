"""`maxk report SWEEP_DIR`: a sweep's results as markdown, JSON and PNG plots (returns paths; the CLI prints).

    maxk report artifacts/sweeps/max4-paper-seeds      # -> report.md, report.json, plots/*.png there

Statistics (per strategy, over the seeds that have the result):
  * absolute bound = n_proved / V^K;
  * relative bound = n_proved / n_correct of the sound brute force (the number of inputs it proves
    correct), the paper's legend statistic; for the brute force itself this is 1 by definition, so
    its line shows the accuracy instead;
  * mean ± std with the sample standard deviation (ddof = 1; 0 for a single seed).
"certificate" is the count the cubic certificate claims (certify), "replay" whether the exact
replay of that certificate passes.  Every failed, unavailable, blocked or corrupt result is listed
in the report's Failures section; nothing is dropped.
"""

from __future__ import annotations

import json
import math
import statistics
from pathlib import Path

from .errors import PipelineError
from .sweep import STEPS, STRATEGY_STEPS, read_record

# The paper's Max-of-4 numbers over its 151 seeds (float32, unsound), for comparison.
PAPER_K4 = {"brute-force": ("accuracy", 0.9992, 0.0015), "cubic": ("relative", 0.9539, 0.0080)}
BOUND_ROWS = ("brute-force", "cubic", "subcubic", "certificate")


def _mean_std(xs: list) -> tuple:
    if not xs:
        return None, None
    return statistics.fmean(xs), (statistics.stdev(xs) if len(xs) > 1 else 0.0)


def collect(out) -> dict:
    """Read a sweep folder: {"settings", "seeds": {seed: {"shas": [...], "records": {step: rec}}},
    "problems": [(path, problem)]}.  Raises PipelineError if `out` is not a sweep folder."""
    out = Path(out)
    meta = out / "sweep.json"
    if not out.is_dir():
        raise PipelineError(out, "not a folder")
    if not meta.exists():
        raise PipelineError(out, "not a sweep folder (no sweep.json)")
    try:
        settings = json.loads(meta.read_text())
        k, vocab = int(settings["k"]), int(settings["vocab"])
    except (OSError, ValueError, KeyError, TypeError):
        raise PipelineError(meta, "not a valid sweep.json") from None
    seeds: dict = {}
    problems = []
    for p in sorted((out / "results").glob("*/*.json")):
        rec, problem = read_record(p)
        rel = str(p.relative_to(out))
        if problem is not None:
            problems.append((rel, problem))
            continue
        if rec["k"] != k or rec["vocab"] != vocab:
            problems.append((rel, f"record for k={rec['k']}, vocab={rec['vocab']} in a k={k}, vocab={vocab} sweep"))
            continue
        s = seeds.setdefault(rec["seed"], {"shas": [], "records": {}, "by_sha": {}})
        sha = rec["model_sha256"]
        if sha is not None and sha not in s["shas"]:
            s["shas"].append(sha)
        s["by_sha"].setdefault(sha, {})[rec["step"]] = rec
    for seed, s in seeds.items():
        # the seed's model: the one with an ok train record (the first, if a model was replaced)
        ok = [h for h in s["shas"] if s["by_sha"][h].get("train", {}).get("status") == "ok"]
        s["sha"] = ok[0] if ok else (s["shas"][0] if s["shas"] else None)
        s["records"] = dict(s["by_sha"].get(None, {}))  # a training failure (seed-S folder)
        if s["sha"] is not None:
            s["records"].update(s["by_sha"][s["sha"]])
        if len(s["shas"]) > 1:
            problems.append((f"seed {seed}", f"results for {len(s['shas'])} different models "
                                             f"({', '.join(h[:12] for h in s['shas'])}); the report uses {s['sha'][:12]}"))
    return {"settings": settings, "seeds": seeds, "problems": problems}


def _ok(recs: dict, step: str):
    r = recs.get(step)
    return r["result"] if r is not None and r["status"] == "ok" else None


def seed_rows(data: dict) -> list[dict]:
    """One row per seed: bounds, relative bounds, certificate and replay status."""
    rows = []
    for seed in sorted(data["seeds"]):
        s = data["seeds"][seed]
        recs = s["records"]
        bf = _ok(recs, "brute-force")
        denom = bf["n_proved"] if bf and bf["n_proved"] > 0 else None
        row = {"seed": seed, "model_sha256": s["sha"]}
        tr = _ok(recs, "train")
        row["final_loss"] = tr["final_loss"] if tr else None
        for name in STRATEGY_STEPS:
            r = _ok(recs, name)
            row[name] = r["bound"] if r else None
            row[f"{name} relative"] = (r["n_proved"] / denom) if (r and denom) else None
            row[f"{name} flops"] = r["flops"] if r else None
        row["brute-force accuracy_hi"] = bf.get("accuracy_hi") if bf else None
        row["brute-force undecided"] = bf.get("n_undecided") if bf else None
        c = _ok(recs, "certify")
        row["certificate"] = c["bound"] if c else None
        row["certificate relative"] = (c["claimed_count"] / denom) if (c and denom) else None
        rp = _ok(recs, "replay")
        row["replay"] = rp["verdict"] if rp else None
        row["replay matches certify"] = rp.get("matches_certify") if rp else None
        row["status"] = {st: recs[st]["status"] for st in STEPS if st in recs}
        rows.append(row)
    return rows


def failures(data: dict, rows: list) -> list[tuple]:
    """(where, step, problem) for every failed / unavailable / corrupt result and every replay FAIL."""
    out = []
    for seed in sorted(data["seeds"]):
        recs = data["seeds"][seed]["records"]
        for step in STEPS:
            r = recs.get(step)
            if r is not None and r["status"] != "ok":
                out.append((f"seed {seed}", step, f"{r['status']}: {r['error']}"))
        rp = _ok(recs, "replay")
        if rp and rp["verdict"] != "PASS":
            out.append((f"seed {seed}", "replay", f"FAIL: {rp['detail']}"))
        if rp and rp.get("matches_certify") is False:
            out.append((f"seed {seed}", "replay", "replayed count differs from certify's claimed count"))
        if "train" in recs and recs["train"]["status"] == "ok":
            missing = [st for st in STEPS if st not in recs]
            if missing:
                out.append((f"seed {seed}", ",".join(missing), "not run (no result file)"))
    for where, problem in data["problems"]:
        out.append((where, "-", problem))
    return out


def summary_table(rows: list) -> list[dict]:
    """Per strategy: seeds, mean ± std of the absolute and the relative bound, min, max, FLOPs."""
    table = []
    for name in BOUND_ROWS:
        absv = [r[name] for r in rows if r[name] is not None]
        rel = [r[f"{name} relative"] for r in rows if r.get(f"{name} relative") is not None]
        flops = [r[f"{name} flops"] for r in rows if r.get(f"{name} flops") is not None]
        m, sd = _mean_std(absv)
        rm, rsd = _mean_std(rel)
        table.append({"strategy": name, "seeds": len(absv), "mean": m, "std": sd,
                      "min": min(absv) if absv else None, "max": max(absv) if absv else None,
                      "relative_mean": rm, "relative_std": rsd,
                      "relative_min": min(rel) if rel else None,
                      "flops_mean": statistics.fmean(flops) if flops else None})
    return table


def timing_table(data: dict) -> list[dict]:
    """Per step: runs with a measured time, median / mean / total wall and CPU seconds (as recorded
    by the workers; a reused model reports its original training time)."""
    out = []
    for step in STEPS:
        secs, cpus = [], []
        for s in data["seeds"].values():
            r = s["records"].get(step)
            if r is not None and r["status"] == "ok" and not r["run"].get("reused_model"):
                if r["run"].get("seconds") is not None:
                    secs.append(r["run"]["seconds"])
                if r["run"].get("cpu_seconds") is not None:
                    cpus.append(r["run"]["cpu_seconds"])
        if secs:
            out.append({"step": step, "runs": len(secs), "median_s": statistics.median(secs),
                        "mean_s": statistics.fmean(secs), "total_s": sum(secs),
                        "median_cpu_s": statistics.median(cpus) if cpus else None,
                        "total_cpu_s": sum(cpus) if cpus else None})
    return out


def _f(x, fmt=".4f"):
    return "–" if x is None else format(x, fmt)


def _pm(m, s):
    return "–" if m is None else f"{m:.4f} ± {s:.4f}"


def markdown(data: dict, rows: list, table: list, timings: list, fails: list, plots: list) -> str:
    st = data["settings"]
    k, V = st["k"], st["vocab"]
    lines = [f"# Sweep report: Max-of-{k}, V = {V}, {st.get('train_steps')} training steps", "",
             f"{len(rows)} seeds.  Bounds are certified lower bounds on the accuracy over all {V}^{k} inputs, "
             "in exact real arithmetic on the float32 weights.  Relative = n_proved / the number of inputs the "
             "sound brute force proves correct (the paper's legend statistic).  ± is the sample standard "
             "deviation over seeds.", "",
             "## Bounds (mean ± std over seeds)", "",
             "| strategy | seeds | absolute bound | relative bound | min relative | mean FLOPs |",
             "|---|---|---|---|---|---|"]
    for t in table:
        rel = "1 (by definition)" if t["strategy"] == "brute-force" and t["seeds"] else _pm(t["relative_mean"], t["relative_std"])
        lines.append(f"| {t['strategy']} | {t['seeds']} | {_pm(t['mean'], t['std'])} | {rel} | "
                     f"{_f(t['relative_min'])} | {_f(t['flops_mean'], '.3g')} |")
    if k == 4 and V == 64:
        lines += ["", "The paper (Gross et al. 2024, 151 seeds, float32, unsound): brute-force accuracy "
                  f"{PAPER_K4['brute-force'][1]} ± {PAPER_K4['brute-force'][2]}, cubic relative "
                  f"{PAPER_K4['cubic'][1]} ± {PAPER_K4['cubic'][2]}.  Our seeds are the paper's seed numbers, "
                  "but our models are trained by this pipeline, so they are different models from the same recipe."]
    lines += ["", "## Plots", ""] + [f"![{Path(p).stem}]({p})" for p in plots]
    lines += ["", f"## Failures ({len(fails)})", ""]
    if fails:
        lines += ["| where | step | problem |", "|---|---|---|"]
        lines += [f"| {w} | {s} | {p.replace('|', '/')} |" for w, s, p in fails]
    else:
        lines.append("None: every step of every seed finished and every certificate replays.")
    lines += ["", "## Timings (as recorded by the workers; they depend on the machine and its load)", "",
              "| step | runs | median s | mean s | total s | median CPU s | total CPU s |",
              "|---|---|---|---|---|---|---|"]
    for t in timings:
        lines.append(f"| {t['step']} | {t['runs']} | {t['median_s']:.2f} | {t['mean_s']:.2f} | {t['total_s']:.1f} | "
                     f"{_f(t['median_cpu_s'], '.2f')} | {_f(t['total_cpu_s'], '.1f')} |")
    lines += ["", "## Per seed", "",
              "| seed | model | final loss | brute force acc_lo | acc_hi | cubic | cubic rel | "
              "subcubic rel | certificate | cert rel | replay |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        sha = r["model_sha256"][:12] if r["model_sha256"] else "–"
        rp = r["replay"] or "–"
        if r["replay"] == "PASS" and r["replay matches certify"] is False:
            rp = "PASS (count differs)"
        sub = r["subcubic relative"]
        sub_s = _f(sub) if sub is not None else r["status"].get("subcubic", "–")
        lines.append(f"| {r['seed']} | `{sha}` | {_f(r['final_loss'], '.4g')} | {_f(r['brute-force'], '.6f')} | "
                     f"{_f(r['brute-force accuracy_hi'], '.6f')} | {_f(r['cubic'])} | {_f(r['cubic relative'])} | {sub_s} | "
                     f"{_f(r['certificate'])} | {_f(r['certificate relative'])} | {rp} |")
    return "\n".join(lines) + "\n"


def plot(rows: list, out_dir: Path, title: str) -> list[Path]:
    """Three PNGs: histograms, the bound-vs-FLOPs frontier over seeds, per-seed bounds with replay status."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    colors = {"brute-force": "tab:blue", "cubic": "tab:orange", "subcubic": "tab:green", "certificate": "tab:red"}
    paths = []

    # 1. histograms: brute-force accuracy, relative bounds
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    bf = [r["brute-force"] for r in rows if r["brute-force"] is not None]
    if bf:
        axes[0].hist(bf, bins=min(30, max(5, len(bf) // 3)), color=colors["brute-force"])
    axes[0].set(title="sound brute force: accuracy lower end", xlabel="accuracy", ylabel="seeds")
    for name in ("cubic", "subcubic", "certificate"):
        xs = [r[f"{name} relative"] for r in rows if r.get(f"{name} relative") is not None]
        if xs:
            m, s = _mean_std(xs)
            style = {"histtype": "step", "lw": 2} if name == "certificate" else {"alpha": 0.55}
            axes[1].hist(xs, bins=min(30, max(5, len(xs) // 3)), color=colors[name], label=f"{name} {m:.4f} ± {s:.4f}",
                         **style)
    axes[1].set(title="relative bound (n_proved / brute-force n_correct)", xlabel="relative bound", ylabel="seeds")
    if axes[1].has_data():
        axes[1].legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    paths.append(out_dir / "histograms.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)

    # 2. frontier: bound vs verification FLOPs, every seed, every strategy
    fig, ax = plt.subplots(figsize=(7, 5))
    pts = []
    for name in STRATEGY_STEPS:
        xy = [(r[f"{name} flops"], r[name]) for r in rows if r[name] is not None and r[f"{name} flops"]]
        if xy:
            ax.scatter([x for x, _ in xy], [y for _, y in xy], s=12, alpha=0.6, color=colors[name],
                       label=f"{name} ({len(xy)} seeds)")
            ax.scatter([statistics.fmean(x for x, _ in xy)], [statistics.fmean(y for _, y in xy)], s=90,
                       marker="*", color=colors[name], edgecolor="k", zorder=3)
            pts += xy
    if pts:
        pts.sort(key=lambda p: (p[0], -p[1]))
        front, best = [], -math.inf
        for x, y in pts:  # Pareto frontier: the best bound reachable with at most x FLOPs
            if y > best:
                front.append((x, y))
                best = y
        front.append((pts[-1][0] * 1.05, best))
        ax.step([x for x, _ in front], [y for _, y in front], where="post", color="k", lw=1,
                label="frontier over seeds (best bound within x FLOPs); * = mean")
        ax.set_xscale("log")
        ax.legend(fontsize=8)
    ax.set(title=f"{title}: bound vs proof cost over seeds", xlabel="verification FLOPs", ylabel="certified accuracy bound")
    fig.tight_layout()
    paths.append(out_dir / "frontier.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)

    # 3. per seed: relative bounds, certificate replay status marked
    fig, ax = plt.subplots(figsize=(max(7, min(24, 0.12 * len(rows) + 5)), 4.5))
    idx = list(range(len(rows)))
    for name in ("cubic", "subcubic"):
        ys = [r[f"{name} relative"] for r in rows]
        if any(y is not None for y in ys):
            ax.plot([i for i, y in zip(idx, ys) if y is not None], [y for y in ys if y is not None], "o", ms=3,
                    color=colors[name], label=f"{name} relative")
    for status, marker, color in (("PASS", "^", "tab:green"), ("FAIL", "x", "tab:red"), (None, "v", "tab:gray")):
        sel = [(i, r["certificate relative"]) for i, r in zip(idx, rows)
               if r["replay"] == status and r["certificate relative"] is not None]
        if sel:
            ax.plot([i for i, _ in sel], [y for _, y in sel], marker, ms=5, color=color, mfc="none",
                    label=f"certificate, replay {status or 'not run'} ({len(sel)})")
    missing = [i for i, r in zip(idx, rows) if r["certificate relative"] is None]
    if missing:
        ax.plot(missing, [0] * len(missing), "s", ms=4, color="tab:red", label=f"no certificate ({len(missing)})")
    ax.set(title=f"{title}: per seed", xlabel="seed (sorted; see the table for numbers)", ylabel="relative bound")
    if len(rows) <= 30:
        ax.set_xticks(idx, [str(r["seed"]) for r in rows], rotation=90, fontsize=7)
    if ax.has_data():
        ax.legend(fontsize=8)
    fig.tight_layout()
    paths.append(out_dir / "seeds.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)
    return paths


def write_report(sweep_dir, out_dir=None) -> dict:
    """Write report.md, report.json and plots/*.png into out_dir (default: the sweep folder).
    Returns {"markdown": path, "json": path, "plots": [paths], "table": ..., "failures": ...}."""
    from .fileio import atomic_write_bytes, atomic_write_json

    sweep_dir = Path(sweep_dir)
    data = collect(sweep_dir)
    out_dir = Path(out_dir) if out_dir is not None else sweep_dir
    rows = seed_rows(data)
    table = summary_table(rows)
    timings = timing_table(data)
    fails = failures(data, rows)
    st = data["settings"]
    plots = plot(rows, out_dir / "plots", f"Max-of-{st['k']} ({len(rows)} seeds)")
    rel_plots = [str(p.relative_to(out_dir)) for p in plots]
    md = markdown(data, rows, table, timings, fails, rel_plots)
    md_path, json_path = out_dir / "report.md", out_dir / "report.json"
    atomic_write_bytes(md_path, md.encode())
    atomic_write_json(json_path, {"settings": st, "summary": table, "timings": timings,
                                  "failures": [list(f) for f in fails], "seeds": rows}, sort_keys=False)
    return {"markdown": md_path, "json": json_path, "plots": plots, "table": table, "failures": fails,
            "n_seeds": len(rows)}
