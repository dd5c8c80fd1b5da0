"""`maxk report SWEEP_DIR`: a sweep's results as markdown, JSON and PNG plots (returns paths; the CLI prints).

    maxk report artifacts/sweeps/max4-paper-seeds      # -> report.md, report.json, plots/*.png there

Statistics (per strategy, over the seeds that have the result):
  * absolute bound = n_proved / V^K;
  * relative bound = n_proved / n_correct of the sound brute force (the number of inputs it proves
    correct), the paper's legend statistic; for the brute force itself this is 1 by definition, so
    its line shows the accuracy instead;
  * mean ± std with the sample standard deviation (ddof = 1; 0 for a single seed).
"certificate" is the count the cubic certificate claims (certify), "replay" whether the exact
replay of that certificate passes.  Nothing is dropped: every failed step, replay FAIL, count
mismatch and corrupt result file is listed in the report's Failures section; every step that did
not run (no result file: not requested with --steps or not finished yet; "unavailable": the
strategy is not registered or over its budget; blocked by a failed training) is listed, with its
reason, under "Not run", which is not a failure.  The plots draw only what exists.
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


NO_RESULT = "no result file: not requested (--steps) or not finished yet"
BLOCKED = "blocked: the training of this seed failed"


def failures(data: dict, rows: list) -> list[tuple]:
    """(where, step, problem) for every failed step, replay FAIL, replayed count that differs from
    certify's, and corrupt or conflicting result file.  Steps that did not run are not failures
    (not_run)."""
    out = []
    for seed in sorted(data["seeds"]):
        recs = data["seeds"][seed]["records"]
        for step in STEPS:
            r = recs.get(step)
            if r is not None and r["status"] not in ("ok", "unavailable"):
                out.append((f"seed {seed}", step, f"{r['status']}: {r['error']}"))
        rp = _ok(recs, "replay")
        if rp and rp["verdict"] != "PASS":
            out.append((f"seed {seed}", "replay", f"FAIL: {rp['detail']}"))
        if rp and rp.get("matches_certify") is False:
            out.append((f"seed {seed}", "replay", "replayed count differs from certify's claimed count"))
    for where, problem in data["problems"]:
        out.append((where, "-", problem))
    return out


def not_run(data: dict) -> list[tuple]:
    """(seed, step, reason) for every step of every seed that has no result: an "unavailable"
    record (its error is the reason), no result file (NO_RESULT), or a failed training (BLOCKED)."""
    out = []
    for seed in sorted(data["seeds"]):
        recs = data["seeds"][seed]["records"]
        trained = recs.get("train", {}).get("status") == "ok"
        for step in STEPS:
            r = recs.get(step)
            if r is not None and r["status"] == "unavailable":
                out.append((seed, step, f"unavailable: {r['error']}"))
            elif r is None and step != "train":
                out.append((seed, step, NO_RESULT if trained else BLOCKED))
    return out


def not_run_groups(items: list, n_seeds: int) -> list[tuple]:
    """not_run() grouped for reading: (seeds, steps, reason), seeds "all N seeds" or a list."""
    by_seed: dict = {}
    for seed, step, reason in items:
        by_seed.setdefault((seed, reason), []).append(step)
    groups: dict = {}
    for (seed, reason), steps in by_seed.items():
        groups.setdefault((", ".join(steps), reason), []).append(seed)
    out = []
    for (steps, reason), seeds in groups.items():
        where = f"all {n_seeds} seeds" if len(seeds) == n_seeds and n_seeds > 1 else \
            ("seed " if len(seeds) == 1 else "seeds ") + ", ".join(str(x) for x in sorted(seeds))
        out.append((where, steps, reason))
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


def markdown(data: dict, rows: list, table: list, timings: list, fails: list, plots: list, skipped=()) -> str:
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
        if not t["seeds"]:
            lines.append(f"| {t['strategy']} | 0 | not run | – | – | – |")
            continue
        rel = "1 (by definition)" if t["strategy"] == "brute-force" else _pm(t["relative_mean"], t["relative_std"])
        lines.append(f"| {t['strategy']} | {t['seeds']} | {_pm(t['mean'], t['std'])} | {rel} | "
                     f"{_f(t['relative_min'])} | {_f(t['flops_mean'], '.3g')} |")
    if rows and not any(r["brute-force"] is not None for r in rows):
        lines += ["", "No relative bounds: they divide by the sound brute force's count, which was not run "
                  "(see Not run)."]
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
    elif skipped:
        lines.append("None: every step that ran finished and every certificate replays (the steps that did not "
                     "run are listed under Not run).")
    else:
        lines.append("None: every step of every seed finished and every certificate replays.")
    lines += ["", f"## Not run ({len(skipped)})", ""]
    if skipped:
        lines += [f"{len(skipped)} (seed, step) pairs have no result.  This is not a failure; each has its reason.", "",
                  "| seeds | steps | reason |", "|---|---|---|"]
        lines += [f"| {w} | {s} | {r.replace('|', '/')} |" for w, s, r in not_run_groups(list(skipped), len(rows))]
    else:
        lines.append("None: every step of every seed has a result.")
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


def _no_data(ax, what: str) -> None:
    """An axis that says plainly that it has nothing to show (never an empty frame with 0..1 ticks)."""
    ax.text(0.5, 0.5, f"no data: {what}", ha="center", va="center", transform=ax.transAxes, fontsize=11, color="0.35")
    ax.set_xticks([])
    ax.set_yticks([])


def plot(rows: list, out_dir: Path, title: str, contents: dict | None = None) -> list[Path]:
    """Three PNGs: histograms, the bound-vs-FLOPs frontier over seeds, per-seed bounds with replay status.

    Only what exists is drawn: relative bounds when the brute force ran, absolute bounds otherwise
    (the axis label says which); a panel without data is left out, or says "no data" when nothing is
    left.  Every mark has one meaning, named in the legend; the certificate is drawn as its own
    series only if its count differs from the cubic's for some seed (otherwise the cubic's legend
    entry says they are equal), and a seed without a certificate is a tick on the x axis, not a 0.
    `contents`, if given, receives {png name: [every title, legend entry and text drawn]} (for tests).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter
    from matplotlib.transforms import blended_transform_factory

    out_dir.mkdir(parents=True, exist_ok=True)
    colors = {"brute-force": "tab:blue", "cubic": "tab:orange", "subcubic": "tab:green", "certificate": "tab:red"}
    paths = []
    have_rel = any(r.get(f"{k} relative") is not None for r in rows for k in ("cubic", "subcubic", "certificate"))
    sfx = " relative" if have_rel else ""
    what = ("relative bound (n_proved / brute-force n_correct)" if have_rel
            else "certified accuracy bound (n_proved / all inputs)")
    certs = [r for r in rows if r["certificate"] is not None]
    cert_same = bool(certs) and all(r["cubic"] is not None and r["certificate"] == r["cubic"] for r in certs)
    n_pass = sum(1 for r in certs if r["replay"] == "PASS")
    cubic_label = f"cubic = its certificate ({n_pass}/{len(certs)} replay PASS)" if cert_same else "cubic"
    note = f"; not run: {', '.join(n for n in STRATEGY_STEPS if all(r[n] is None for r in rows))}" \
        if any(all(r[n] is None for r in rows) for n in STRATEGY_STEPS) else ""

    def series(name):
        return [r[f"{name}{sfx}"] for r in rows if r.get(f"{name}{sfx}") is not None]

    def save(fig, name):
        if contents is not None:
            said = [t.get_text() for t in fig.texts]
            for ax in fig.axes:
                said += [ax.get_title()] + [t.get_text() for t in ax.texts]
                if ax.get_legend() is not None:
                    said += [t.get_text() for t in ax.get_legend().get_texts()]
            contents[name] = [x for x in said if x]
        fig.tight_layout()
        paths.append(out_dir / name)
        fig.savefig(paths[-1], dpi=110)
        plt.close(fig)

    # 1. histograms: brute-force accuracy (if it ran), bounds (relative if possible)
    bf = [r["brute-force"] for r in rows if r["brute-force"] is not None]
    bounds = [(n, series(n)) for n in ("cubic", "subcubic", "certificate") if not (n == "certificate" and cert_same)]
    bounds = [(n, xs) for n, xs in bounds if xs]
    panels = (["bf"] if bf else []) + (["bounds"] if bounds else [])
    fig, axes = plt.subplots(1, max(1, len(panels)), figsize=(6.5 * max(1, len(panels)), 4.2), squeeze=False)
    axes = list(axes[0])
    if not panels:
        _no_data(axes[0], "no strategy produced a bound")
    if "bf" in panels:
        ax = axes[panels.index("bf")]
        ax.hist(bf, bins=min(30, max(5, len(bf) // 3)), color=colors["brute-force"],
                label=f"brute force: mean {statistics.fmean(bf):.4f}, {len(bf)} seeds")
        ax.set(title="sound brute force: accuracy (lower end)", xlabel="accuracy", ylabel="seeds")
        ax.legend(fontsize=8)
    if "bounds" in panels:
        ax = axes[panels.index("bounds")]
        for name, xs in bounds:
            m, s = _mean_std(xs)
            label = cubic_label if name == "cubic" else name
            style = {"histtype": "step", "lw": 2} if name == "certificate" else {"alpha": 0.6}
            ax.hist(xs, bins=min(30, max(5, len(xs) // 3)), color=colors[name],
                    label=f"{label}: {m:.4f} ± {s:.4f}, {len(xs)} seeds", **style)
        ax.set(title=what, xlabel=what.split(" (")[0], ylabel="seeds")
        ax.set_ylim(0, ax.get_ylim()[1] * 1.3)  # room for the legend above the bars
        ax.legend(fontsize=8, loc="upper left")
    fig.suptitle(title + note)
    save(fig, "histograms.png")

    # 2. frontier: absolute bound vs verification FLOPs, every seed, every strategy that ran
    fig, ax = plt.subplots(figsize=(7, 5))
    pts, drawn = [], []
    for name in STRATEGY_STEPS:
        xy = [(r[f"{name} flops"], r[name]) for r in rows if r[name] is not None and r[f"{name} flops"]]
        if xy:
            ax.scatter([x for x, _ in xy], [y for _, y in xy], s=12, alpha=0.6, color=colors[name],
                       label=f"{cubic_label if name == 'cubic' else name}, {len(xy)} seeds")
            ax.scatter([statistics.fmean(x for x, _ in xy)], [statistics.fmean(y for _, y in xy)], s=110,
                       marker="*", color=colors[name], edgecolor="k", zorder=3)
            pts += xy
            drawn.append(name)
    if pts:
        ax.scatter([], [], s=110, marker="*", color="white", edgecolor="k", label="mean of each strategy")
        if len(drawn) > 1:
            pts.sort(key=lambda p: (p[0], -p[1]))
            front, best = [], -math.inf
            for x, y in pts:  # Pareto frontier: the best bound reachable with at most x FLOPs
                if y > best:
                    front.append((x, y))
                    best = y
            front.append((pts[-1][0] * 1.05, best))
            ax.step([x for x, _ in front], [y for _, y in front], where="post", color="k", lw=1,
                    label="frontier over seeds (best bound within x FLOPs)")
        ax.set_xscale("log")
        lo, hi = min(x for x, _ in pts), max(x for x, _ in pts)
        if hi < 10 * lo:  # less than a decade: widen so that a labelled power of ten shows
            ax.set_xlim(lo / 3, hi * 3)
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.legend(fontsize=8, loc="lower right")
    else:
        _no_data(ax, "no strategy recorded FLOPs")
    ax.set(title=f"{title}: bound vs proof cost{note}", xlabel="verification FLOPs (log scale)",
           ylabel="certified accuracy bound (n_proved / all inputs)")
    save(fig, "frontier.png")

    # 3. per seed: bounds, and each certificate marked by its replay verdict
    fig, ax = plt.subplots(figsize=(min(14, max(7, 0.06 * len(rows) + 5)), 4.8))
    idx = list(range(len(rows)))
    any_data = False
    for name in ("cubic", "subcubic"):
        sel = [(i, r[f"{name}{sfx}"]) for i, r in zip(idx, rows) if r.get(f"{name}{sfx}") is not None]
        if sel:
            any_data = True
            ax.plot([i for i, _ in sel], [y for _, y in sel], "o", ms=3.5, color=colors[name],
                    label=f"{cubic_label if name == 'cubic' else name}, {len(sel)} seeds")
    for status, marker, color, verdict in (("PASS", "^", "tab:blue", "replay PASS"), ("FAIL", "x", "tab:red", "replay FAIL"),
                                           (None, "v", "tab:gray", "not replayed")):
        if cert_same and status == "PASS":
            continue  # said by the cubic's legend entry: one mark per meaning
        sel = [(i, r[f"certificate{sfx}"]) for i, r in zip(idx, rows)
               if r["certificate"] is not None and r["replay"] == status and r.get(f"certificate{sfx}") is not None]
        if sel:
            any_data = True
            ax.plot([i for i, _ in sel], [y for _, y in sel], marker, ms=6, color=color, mfc="none",
                    label=f"certificate, {verdict} ({len(sel)})")
    missing = [i for i, r in zip(idx, rows) if r["certificate"] is None]
    if missing and any_data:
        ax.plot(missing, [0.0] * len(missing), "|", ms=14, mew=2, color="tab:red", clip_on=False,
                transform=blended_transform_factory(ax.transData, ax.transAxes), label=f"no certificate ({len(missing)})")
    if not any_data:
        _no_data(ax, "no seed has a bound or a certificate")
    else:
        ax.legend(fontsize=8, loc="best")
        if len(rows) <= 40:
            ax.set_xticks(idx, [str(r["seed"]) for r in rows], rotation=90, fontsize=7)
    ax.set(title=f"{title}: per seed{note}", ylabel=what.split(" (")[0],
           xlabel="seed" if len(rows) <= 40 else "seed (index in sorted order; the table gives the numbers)")
    save(fig, "seeds.png")
    return paths


def write_report(sweep_dir, out_dir=None) -> dict:
    """Write report.md, report.json and plots/*.png into out_dir (default: the sweep folder).
    Returns {"markdown": path, "json": path, "plots": [paths], "table": ..., "failures": ..., "not_run": ...,
    "plot_contents": {png name: [titles, legend entries, texts]}}."""
    from .fileio import atomic_write_bytes, atomic_write_json

    sweep_dir = Path(sweep_dir)
    data = collect(sweep_dir)
    out_dir = Path(out_dir) if out_dir is not None else sweep_dir
    rows = seed_rows(data)
    table = summary_table(rows)
    timings = timing_table(data)
    fails = failures(data, rows)
    skipped = not_run(data)
    st = data["settings"]
    contents: dict = {}
    plots = plot(rows, out_dir / "plots", f"Max-of-{st['k']} ({len(rows)} seed{'' if len(rows) == 1 else 's'})", contents)
    rel_plots = [str(p.relative_to(out_dir)) for p in plots]
    md = markdown(data, rows, table, timings, fails, rel_plots, skipped)
    md_path, json_path = out_dir / "report.md", out_dir / "report.json"
    atomic_write_bytes(md_path, md.encode())
    atomic_write_json(json_path, {"settings": st, "summary": table, "timings": timings,
                                  "failures": [list(f) for f in fails], "not_run": [list(x) for x in skipped],
                                  "seeds": rows}, sort_keys=False)
    return {"markdown": md_path, "json": json_path, "plots": plots, "table": table, "failures": fails,
            "not_run": skipped, "n_seeds": len(rows), "plot_contents": contents}
