"""Benchmarks: prints medians and ratios; never passes or fails on absolute seconds.

    make bench                      # all of it (~3 minutes on 2 cores)
    .venv/bin/python tests/bench.py --quick    # shipped model only

Writes artifacts/reports/bench.json and artifacts/reports/bench.png (bound vs proof length per seed).
Reference times of the paper's own float32 code on one core of this machine (from the issues):
brute force ~28 s, cubic ~14 s.
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
from pipeline.model.checkpoint import atomic_write_bytes, atomic_write_json, load_weights  # noqa: E402
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
    args = ap.parse_args(argv)
    report = {}
    shipped = load_weights(MODELS / "max4-seed123.safetensors")

    print("== shipped model max4-seed123 ==")
    t_bf, bf = median_time(lambda: brute_force.run(shipped), args.reps)
    print(f"brute force: median {t_bf:.2f} s over {args.reps}  (paper's unsound float32: ~{PAPER_BRUTE_S:.0f} s, "
          f"ratio {PAPER_BRUTE_S / t_bf:.1f}x faster); enclosure [{bf.extra['accuracy_lo']:.6f}, "
          f"{bf.extra['accuracy_hi']:.6f}], undecided {bf.extra['n_undecided']}")
    t_cu, cu = median_time(lambda: cubic.run(shipped), max(args.reps, 5))
    t_fl, fl = median_time(lambda: float_cubic_count(shipped), 1)
    print(f"cubic: median {t_cu:.3f} s over {max(args.reps, 5)}  (paper ~{PAPER_CUBIC_S:.0f} s: {PAPER_CUBIC_S / t_cu:.0f}x "
          f"faster); bound {cu.n_proved / cu.n_inputs:.6f}, relative {cu.n_proved / bf.n_proved:.4f}, FLOPs {cu.flops:.3e}")
    print(f"sound / unsound-float64 count: {cu.n_proved} / {fl} = {cu.n_proved / fl:.6f}  "
          f"(float64 oracle, loop-based, {t_fl:.2f} s)")
    t_ce, (cert, info) = median_time(lambda: certify(shipped), 1)
    t_re, res = median_time(lambda: replay(cert), args.reps)
    size = len(dump_certificate(cert).encode())
    print(f"certify {t_ce:.2f} s; exact replay median {t_re:.2f} s ({'PASS' if res.ok else 'FAIL'}); "
          f"certificate {size / 1e6:.2f} MB, frac_bits {cert['frac_bits']}, {len(cert['cells'])} cells")
    report["shipped"] = {"brute_force_s": t_bf, "cubic_s": t_cu, "accuracy_lo": bf.extra["accuracy_lo"],
                         "accuracy_hi": bf.extra["accuracy_hi"], "cubic_bound": cu.n_proved / cu.n_inputs,
                         "relative": cu.n_proved / bf.n_proved, "sound_over_float": cu.n_proved / fl,
                         "brute_flops": bf.flops, "cubic_flops": cu.flops, "replay_s": t_re, "cert_bytes": size}
    if args.quick:  # a separate file, so the full report and its plot stay consistent
        atomic_write_json(ROOT / "artifacts/reports/bench-quick.json", report)
        return 0

    print("\n== tightness over seeds (K=4; every seed trained here, none picked) ==")
    rows = [("123", shipped, bf, cu)]
    for p in sorted((MODELS / "seeds").glob("max4-seed*.safetensors")):
        w = load_weights(p)
        rows.append((p.stem.split("seed")[1], w, brute_force.run(w), cubic.run(w)))
    rels = []
    print(f"{'seed':>5} {'acc_lo':>9} {'cubic':>9} {'relative':>9}")
    for seed, w, b, c in rows:
        rel = c.n_proved / b.n_proved
        rels.append(rel)
        print(f"{seed:>5} {b.extra['accuracy_lo']:>9.6f} {c.n_proved / c.n_inputs:>9.6f} {rel:>9.4f}")
    print(f"mean relative bound {statistics.mean(rels):.4f} (min {min(rels):.4f}, n={len(rels)}; "
          f"paper: 0.9539 +- 0.0080 over 151 seeds, float32, unsound)")
    report["seeds"] = [{"seed": s, "accuracy_lo": b.extra["accuracy_lo"], "cubic": c.n_proved / c.n_inputs,
                        "relative": c.n_proved / b.n_proved, "brute_flops": b.flops, "cubic_flops": c.flops}
                       for s, w, b, c in rows]

    print("\n== longer sequences (cubic only; brute force is out of reach) ==")
    report["long"] = []
    for k in (10, 20):
        p = MODELS / f"max{k}-seed123.safetensors"
        if not p.exists():
            continue
        w = load_weights(p)
        t, c = median_time(lambda: cubic.run(w), args.reps)
        print(f"K={k}: cubic median {t:.2f} s, bound {c.n_proved / c.n_inputs:.6f}, FLOPs {c.flops:.3e}")
        report["long"].append({"k": k, "cubic_s": t, "bound": c.n_proved / c.n_inputs, "flops": c.flops})

    atomic_write_json(ROOT / "artifacts/reports/bench.json", report)
    _plot(report, ROOT / "artifacts/reports/bench.png")
    print("\nwrote artifacts/reports/bench.json and bench.png")
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
    a1.set_xlabel("verification FLOPs")
    a1.set_ylabel("certified accuracy bound")
    a1.set_title("bound vs proof length (cubic, brute force)")
    a1.legend(fontsize=7)
    a2.bar([r["seed"] for r in report["seeds"]], [r["relative"] for r in report["seeds"]])
    a2.axhline(0.9539, color="k", ls="--", lw=1, label="paper mean (float32)")
    a2.set_ylim(0.8, 1.0)
    a2.set_xlabel("seed")
    a2.set_ylabel("cubic bound / brute-force accuracy_lo")
    a2.legend(fontsize=7)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
    atomic_write_bytes(out, buf.getvalue())


if __name__ == "__main__":
    sys.exit(main())
