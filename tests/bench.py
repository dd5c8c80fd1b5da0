"""Benchmarks: prints medians and ratios; never passes or fails on absolute seconds.

    make bench                      # all of it (74 s on 2 idle cores; ~3 min on a loaded machine)
    .venv/bin/python tests/bench.py --replot   # redraw bench.png from bench.json, measuring nothing
    .venv/bin/python tests/bench.py --quick    # shipped model only

Writes OUT/bench.json and OUT/bench.png (bound vs proof length per seed), OUT = --out-dir
(default artifacts/reports).
Reference times of the paper's own float32 code on one core of this machine (from the issues):
brute force ~28 s, cubic ~14 s.

Speed is reported as ratios measured in one run (brute-force median / cubic median, and the cubic's
time against its FLOP count at 1 GFLOP/s); per shipped seed it prints the count with v1's four bias
placements only and with the shift vectors (v2), the relative bounds, a histogram of the shift
indices the cells use, and the brute-force / cubic time ratio of that seed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from oracles import float_cubic_count  # noqa: E402

from pipeline.certificate.certify import certify  # noqa: E402
from pipeline.certificate.replay import replay  # noqa: E402
from pipeline.certificate.schema import dump_certificate  # noqa: E402
from pipeline.fileio import atomic_write_bytes, atomic_write_json  # noqa: E402
from pipeline.model.checkpoint import load_weights  # noqa: E402
from pipeline.strategies import brute_force, cubic  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "artifacts" / "models"
PAPER_BRUTE_S, PAPER_CUBIC_S = 28.0, 14.0


def median_time(f, reps):
    times, out = [], None
    for _ in range(reps):
        t = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main(argv=None):
    ap = argparse.ArgumentParser(description="benchmarks: medians and ratios, no pass/fail")
    ap.add_argument("--quick", action="store_true", help="shipped model only (no seeds, no K=10/20)")
    ap.add_argument("--reps", type=int, default=3, help="repetitions for medians (default 3)")
    ap.add_argument("--no-cert", action="store_true", help="skip certify and replay (timings of the proof only)")
    ap.add_argument("--replot", action="store_true", help="redraw bench.png from bench.json (measures nothing)")
    ap.add_argument("--out-dir", type=Path, default=ROOT / "artifacts/reports",
                    help="folder of bench.json and bench.png (default artifacts/reports)")
    args = ap.parse_args(argv)
    out = args.out_dir
    if args.replot:
        import json

        _plot(json.loads((out / "bench.json").read_text()), out / "bench.png")
        print(f"wrote {out / 'bench.png'} from bench.json")
        return 0
    report = {}
    shipped = load_weights(MODELS / "max4-seed123.safetensors")

    print("== shipped model max4-seed123 ==")
    t_bf, bf = median_time(lambda: brute_force.run(shipped), args.reps)
    print(f"brute force: median {t_bf:.2f} s over {args.reps}  (paper's unsound float32: ~{PAPER_BRUTE_S:.0f} s, "
          f"ratio {PAPER_BRUTE_S / t_bf:.1f}x faster); enclosure [{bf.extra['accuracy_lo']:.6f}, "
          f"{bf.extra['accuracy_hi']:.6f}], undecided {bf.extra['n_undecided']}")
    t_cu, cu = median_time(lambda: cubic.run(shipped), max(args.reps, 5))
    t_v1, v1 = median_time(lambda: cubic.run(shipped, kinds={"v1"}), max(args.reps, 5))
    t_fl, fl = median_time(lambda: float_cubic_count(shipped), 1)
    ratio = t_bf / t_cu
    at_1g = cu.flops / 1e9
    print(f"cubic: median {t_cu:.3f} s over {max(args.reps, 5)}  (paper ~{PAPER_CUBIC_S:.0f} s: {PAPER_CUBIC_S / t_cu:.0f}x "
          f"faster); bound {cu.n_proved / cu.n_inputs:.6f}, relative {cu.n_proved / bf.n_proved:.4f}, "
          f"{len(cu.diagnostics['shifts'])} shifts")
    print(f"speed ratio brute force / cubic (this run, medians): {ratio:.1f}x  (v1-placements-only cubic: "
          f"{t_v1:.3f} s)")
    print(f"cubic FLOPs {cu.flops:.3e} -> {at_1g * 1e3:.1f} ms at 1 GFLOP/s; measured / that = {t_cu / at_1g:.1f}  "
          f"(phases of the last run, s: {', '.join(f'{k} {v:.3f}' for k, v in cu.diagnostics['clock'].items())})")
    print(f"sound v1-placements count / the same recipe in unsound float64: {v1.n_proved} / {fl} = "
          f"{v1.n_proved / fl:.6f}  (float64 oracle, loop-based, {t_fl:.2f} s); v2 count {cu.n_proved}")
    t_re = size = None
    if not args.no_cert:
        t_ce, (cert, info) = median_time(lambda: certify(shipped), 1)
        t_re, res = median_time(lambda: replay(cert), args.reps)
        size = len(dump_certificate(cert).encode())
        print(f"certify {t_ce:.2f} s; exact replay median {t_re:.2f} s ({'PASS' if res.ok else 'FAIL'}); "
              f"certificate {size / 1e6:.2f} MB, frac_bits {cert['frac_bits']}, {len(cert['cells'])} cells")
    report["shipped"] = {"brute_force_s": t_bf, "cubic_s": t_cu, "speed_ratio": ratio, "cubic_v1_s": t_v1,
                         "accuracy_lo": bf.extra["accuracy_lo"], "accuracy_hi": bf.extra["accuracy_hi"],
                         "cubic_bound": cu.n_proved / cu.n_inputs, "relative": cu.n_proved / bf.n_proved,
                         "v1_count": v1.n_proved, "v2_count": cu.n_proved, "v1_sound_over_float": v1.n_proved / fl,
                         "brute_flops": bf.flops, "cubic_flops": cu.flops, "cubic_s_at_1gflops": at_1g,
                         "replay_s": t_re, "cert_bytes": size}
    if args.quick:  # a separate file, so the full report and its plot stay consistent
        atomic_write_json(out / "bench-quick.json", report)
        return 0

    print("\n== tightness over seeds (K=4; every seed trained here, none picked) ==")
    rows = [("123", shipped, bf, cu, v1, t_bf, t_cu)]
    for p in sorted((MODELS / "seeds").glob("max4-seed*.safetensors")):
        w = load_weights(p)
        tb, b = median_time(lambda: brute_force.run(w), 1)
        tc, c = median_time(lambda: cubic.run(w), max(args.reps, 3))
        rows.append((p.stem.split("seed")[1], w, b, c, cubic.run(w, kinds={"v1"}), tb, tc))
    rels, rels_v1, ratios = [], [], []
    print(f"{'seed':>5} {'acc_lo':>9} {'v1 count':>9} {'v2 count':>9} {'rel v1':>7} {'rel v2':>7} {'bf/cubic':>8}  "
          f"shift usage (index:cells)")
    report["seeds"] = []
    for seed, w, b, c, c1, tb, tc in rows:
        rel, rel1 = c.n_proved / b.n_proved, c1.n_proved / b.n_proved
        rels.append(rel)
        rels_v1.append(rel1)
        ratios.append(tb / tc)
        usage = c.diagnostics["shift_usage"]
        hist = " ".join(f"{j}:{u}" for j, u in enumerate(usage))
        print(f"{seed:>5} {b.extra['accuracy_lo']:>9.6f} {c1.n_proved:>9} {c.n_proved:>9} {rel1:>7.4f} {rel:>7.4f} "
              f"{tb / tc:>7.1f}x  {hist}")
        report["seeds"].append({"seed": seed, "accuracy_lo": b.extra["accuracy_lo"], "cubic": c.n_proved / c.n_inputs,
                                "relative": rel, "relative_v1": rel1, "v1_count": c1.n_proved, "v2_count": c.n_proved,
                                "brute_count": b.n_proved, "brute_s": tb, "cubic_s": tc, "speed_ratio": tb / tc,
                                "shift_usage": usage, "shift_names": c.diagnostics["shift_names"],
                                "brute_flops": b.flops, "cubic_flops": c.flops})
    print(f"mean relative bound: v2 {statistics.mean(rels):.4f} (min {min(rels):.4f}), v1 placements only "
          f"{statistics.mean(rels_v1):.4f}; n={len(rels)}  (paper: 0.9539 +- 0.0080 over 151 seeds, float32, unsound)")
    print(f"speed ratio brute force / cubic per seed: median {statistics.median(ratios):.1f}x "
          f"(min {min(ratios):.1f}x, max {max(ratios):.1f}x)")
    report["mean_relative"] = {"v2": statistics.mean(rels), "v1": statistics.mean(rels_v1)}

    print("\n== longer sequences (cubic only; brute force is out of reach) ==")
    report["long"] = []
    for k in (10, 20):
        p = MODELS / f"max{k}-seed123.safetensors"
        if not p.exists():
            continue
        w = load_weights(p)
        t, c = median_time(lambda: cubic.run(w), args.reps)
        c1 = cubic.run(w, kinds={"v1"})
        print(f"K={k}: cubic median {t:.2f} s, bound {c.n_proved / c.n_inputs:.6f} (v1 placements only "
              f"{c1.n_proved / c1.n_inputs:.6f}), FLOPs {c.flops:.3e}, {len(c.diagnostics['shifts'])} shifts")
        report["long"].append({"k": k, "cubic_s": t, "bound": c.n_proved / c.n_inputs, "bound_v1": c1.n_proved / c1.n_inputs,
                               "flops": c.flops})

    atomic_write_json(out / "bench.json", report)
    _plot(report, out / "bench.png")
    print(f"\nwrote {out / 'bench.json'} and bench.png")
    return 0


def _plot(report, out):
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
    for r in report["seeds"]:
        a1.plot([r["cubic_flops"], r["brute_flops"]], [r["cubic"], r["accuracy_lo"]], "o-", alpha=0.7, label=f"seed {r['seed']}")
    a1.set_xscale("log")
    a1.set_ylim(0, 1.02)  # from 0: the bounds are fractions of all inputs
    a1.set_xlabel("verification FLOPs")
    a1.set_ylabel("certified accuracy bound")
    a1.set_title("bound vs proof length (cubic, brute force)")
    a1.legend(fontsize=7)
    a2.bar([r["seed"] for r in report["seeds"]], [r["relative"] for r in report["seeds"]])
    a2.axhline(0.9539, color="k", ls="--", lw=1, label="paper mean 0.9539 (151 seeds, float32)")
    a2.set_ylim(0, 1.02)  # from 0, so bar heights compare as ratios
    a2.set_title("cubic relative bound per seed")
    a2.set_xlabel("seed")
    a2.set_ylabel("cubic bound / brute-force accuracy_lo")
    a2.legend(fontsize=7)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
    atomic_write_bytes(out, buf.getvalue())


if __name__ == "__main__":
    sys.exit(main())
