"""The `maxk` command: every step of the pipeline, each with --help.  Nothing imports this module.

    maxk train --k 4 --seed 123 --out artifacts/models
    maxk sweep --k 4 --seeds paper --out artifacts/sweeps/max4-paper-seeds
    maxk report artifacts/sweeps/max4-paper-seeds
    maxk bound brute-force artifacts/models/max4-seed123.safetensors
    maxk bound cubic artifacts/models/max4-seed123.safetensors --out artifacts/cubic.json
    maxk bounds artifacts/models/max4-seed123.safetensors --out-dir artifacts/reports
    maxk certify artifacts/models/max4-seed123.safetensors --out artifacts/certs/max4-seed123.cert.json
    maxk replay artifacts/certs/max4-seed123.cert.json
    maxk export-lean artifacts/certs/max4-seed123.cert.json
    maxk archive --out artifacts/archives/max4-seed123.tar.gz
    maxk verify-archive artifacts/archives/max4-seed123.tar.gz
    maxk lean-bench --ops 10000

Exit codes: 0 success; 1 a check failed (replay FAIL, archive mismatch); 2 bad input (one line on
stderr naming the file and the problem, nothing written); 3 the Lean toolchain is missing.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

DEFAULT_MODEL = Path("artifacts/models/max4-seed123.safetensors")


class UserError(Exception):
    """Bad input: printed as one line, exit code 2."""


def _fail_line(e) -> str:
    path = getattr(e, "path", None)
    problem = getattr(e, "problem", None)
    if problem is not None:
        return f"error: {path}: {problem}" if path else f"error: {problem}"
    return f"error: {e}"


def _write_json(path, obj) -> None:
    from .model.checkpoint import atomic_write_json

    atomic_write_json(Path(path), obj, sort_keys=False)  # reports keep their documented key order


# ---------------------------------------------------------------- train
def cmd_train(args) -> int:
    from .model.config import ModelConfig
    from .model.train import TrainConfig, train_to_file

    mcfg = ModelConfig(d_vocab=args.vocab, n_ctx=args.k)
    tcfg = TrainConfig(seed=args.seed, steps=args.steps)
    path = train_to_file(mcfg, tcfg, Path(args.out))
    meta = json.loads(path.with_suffix(".json").read_text())
    print(f"wrote {path}  (final loss {meta.get('final_loss'):.4g}, {meta.get('wall_time_seconds', 0):.1f} s)")
    return 0


# ---------------------------------------------------------------- bound
def cmd_bound(args) -> int:
    from .model.checkpoint import load_weights
    from .report import run_bound

    weights = load_weights(args.model)
    res = run_bound(args.strategy, weights, progress=not args.quiet, with_float32=not args.no_float32)
    report = res.to_json()
    if args.out:
        _write_json(args.out, report)
    print(json.dumps(report, indent=1))
    return 0


def cmd_bounds(args) -> int:
    from .model.checkpoint import load_weights
    from .report import bounds_table

    weights = load_weights(args.model)
    text, rows = bounds_table(weights, progress=not args.quiet)
    out = Path(args.out_dir)
    stem = Path(args.model).stem
    _write_json(out / f"{stem}.bounds.json", rows)
    from .model.checkpoint import atomic_write_bytes

    atomic_write_bytes(out / f"{stem}.bounds.txt", text.encode())
    print(text, end="")
    print(f"wrote {out / (stem + '.bounds.json')} and .txt")
    return 0


# ---------------------------------------------------------------- certificates
def cmd_certify(args) -> int:
    from .certificate.certify import certify
    from .certificate.schema import dump_certificate
    from .model.checkpoint import atomic_write_bytes, load_weights

    weights = load_weights(args.model)
    cert, info = certify(weights, frac_bits=args.frac_bits, progress=not args.quiet)
    out = Path(args.out or f"artifacts/certs/{Path(args.model).stem}.cert.json")
    atomic_write_bytes(out, dump_certificate(cert).encode())
    print(f"wrote {out}: {cert['claimed_count']} of {cert['n_inputs']} inputs "
          f"({cert['claimed_count'] / cert['n_inputs']:.6f}), frac_bits {info['frac_bits']}, "
          f"{len(cert['cells'])} cells, {len(cert['c0'])} c0 sequences, {info['seconds']:.2f} s")
    if info["dropped_k"] or info["dropped_c0"]:
        print(f"note: the exact check rejected {info['dropped_k']} S-set members and {info['dropped_c0']} c0 "
              f"sequences that the interval strategy accepted (cubic count {info['cubic_count']})")
    return 0


def cmd_replay(args) -> int:
    import time

    from .certificate.replay import replay_file

    t0 = time.perf_counter()
    res = replay_file(args.cert)
    dt = time.perf_counter() - t0
    if res.ok:
        print(f"PASS {args.cert}: {res.count} / {res.n_inputs} = {res.count / res.n_inputs:.6f} "
              f"inputs certified correct (exact integer replay, {dt:.2f} s)")
        return 0
    print(f"FAIL {args.cert}: {res.detail}")
    return 1


# ---------------------------------------------------------------- Lean
def cmd_export_lean(args) -> int:
    from .certificate.replay import replay
    from .certificate.schema import load_certificate
    from .lean_export.render import render_certificate

    cert = load_certificate(args.cert)
    res = replay(cert)  # never render a certificate the exact replay rejects
    if not res.ok:
        print(f"FAIL {args.cert}: {res.detail} (nothing rendered)")
        return 1
    name = args.name or Path(args.cert).name.removesuffix(".json").removesuffix(".cert")
    paths = render_certificate(cert, Path(args.lean_dir), name, chunk_size=args.chunk_size)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} Lean files ({size / 1e6:.2f} MB) under {args.lean_dir}/ for {name}; "
          f"check them with: make lean-check  (or: cd {args.lean_dir} && lake build)")
    return 0


def cmd_lean_bench(args) -> int:
    from .lean_export.render import render_bench

    if args.ops < 1:
        raise UserError(f"--ops must be >= 1, got {args.ops}")
    path = render_bench(args.ops, Path(args.lean_dir))
    print(f"wrote {path} ({args.ops} Int multiply-compare steps, decide +kernel); measure with:\n"
          f"  cd {args.lean_dir} && time lake build +MaxKCert.Bench")
    return 0


LEAN_MISSING = "Lean toolchain not found: the Lean check was NOT run"


def cmd_lean_check(args) -> int:
    import shutil
    import subprocess

    lake = shutil.which("lake")
    if lake is None:
        print(LEAN_MISSING)
        return 3
    print(f"running {lake} build in {args.lean_dir}/ (the axioms report is printed at the end of each Main module)")
    return subprocess.call([lake, "build"], cwd=args.lean_dir)


# ---------------------------------------------------------------- archives
def cmd_archive(args) -> int:
    from .archive import create_archive

    stem = Path(args.model).stem
    cert = args.cert or f"artifacts/certs/{stem}.cert.json"
    out = args.out or f"artifacts/archives/{stem}.tar.gz"
    m = create_archive(args.model, cert, out, lean_dir=Path(args.lean_dir), reports=args.report or (),
                       name=args.name, chunk_size=args.chunk_size)
    print(f"wrote {out}: {len(m['files']) + 1} files, {m['claimed_count']} of {m['n_inputs']} inputs certified")
    return 0


def cmd_verify_archive(args) -> int:
    from .archive import verify_archive

    res = verify_archive(args.archive)
    print("\n".join(res.lines))
    return 0 if res.ok else 1


# ---------------------------------------------------------------- sweeps
def cmd_sweep(args) -> int:
    from .sweep import SweepSettings, parse_seeds, parse_steps, run_sweep

    try:
        seeds = parse_seeds(args.seeds)
        steps = parse_steps(args.steps)
        settings = SweepSettings(k=args.k, vocab=args.vocab, train_steps=args.train_steps)
    except ValueError as e:
        raise UserError(str(e)) from None
    if args.jobs is not None and args.jobs < 1:
        raise UserError(f"--jobs must be >= 1, got {args.jobs}")
    if args.ray_address and args.backend != "ray":
        raise UserError("--ray-address needs --backend ray")
    slug = "paper-seeds" if args.seeds == "paper" else "seeds-" + re.sub(r"[^A-Za-z0-9-]+", "_", args.seeds)
    out = args.out or f"artifacts/sweeps/max{args.k}-{slug}"
    s = run_sweep(out, settings, seeds, steps, jobs=args.jobs, backend=args.backend, ray_address=args.ray_address,
                  progress=not args.quiet)
    c = s.counts
    print(f"sweep {s.out}: {len(s.seeds)} seeds x {len(s.steps)} steps ({','.join(s.steps)}), backend {s.backend}, "
          f"{s.jobs} jobs, {s.seconds:.1f} s wall")
    print(f"  ran {c['ran']}, already finished (skipped) {c['skipped']}, failed {c['failed']}, "
          f"unavailable {c['unavailable']}, blocked by a failed training {c['blocked']}")
    if s.corrupt:
        print(f"  redid {len(s.corrupt)} corrupt or partial result files: "
              + "; ".join(f"{p} ({why})" for p, why in s.corrupt[:10]) + (" ..." if len(s.corrupt) > 10 else ""))
    for seed, step, err in s.failures:
        print(f"  {step} seed {seed}: {err}")
    for seed, detail in s.replay_fail:
        print(f"  replay FAIL seed {seed}: {detail}")
    print(f"report: maxk report {s.out}")
    return 1 if (c["failed"] or s.replay_fail) else 0


def cmd_report(args) -> int:
    from .sweep_report import write_report

    r = write_report(args.sweep_dir, args.out_dir)
    for t in r["table"]:
        if t["seeds"]:
            rel = "" if t["relative_mean"] is None else f", relative {t['relative_mean']:.4f} ± {t['relative_std']:.4f}"
            print(f"{t['strategy']:<12} {t['seeds']:>4} seeds: bound {t['mean']:.4f} ± {t['std']:.4f}{rel}")
    print(f"{len(r['failures'])} failures listed; wrote {r['markdown']}, {r['json']} and {len(r['plots'])} plots "
          f"for {r['n_seeds']} seeds")
    return 0


# ---------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="maxk",
        description="Certified accuracy lower bounds for Max-of-K transformers (interval arithmetic, "
        "exact replay, Lean 4 certificates).",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    t = sub.add_parser("train", help="train a Max-of-K model with the paper's recipe (deterministic)")
    t.add_argument("--k", type=int, default=4, help="sequence length K (n_ctx); default 4")
    t.add_argument("--seed", type=int, default=123, help="random seed (paper's main seed: 123)")
    t.add_argument("--vocab", type=int, default=64, help="vocabulary size d_vocab; default 64")
    t.add_argument("--steps", type=int, default=3000, help="optimizer steps; default 3000 (paper)")
    t.add_argument("--out", default="artifacts/models", help="output folder for NAME.safetensors + NAME.json")
    t.set_defaults(func=cmd_train)

    b = sub.add_parser("bound", help="compute a certified accuracy bound with one strategy")
    b.add_argument("strategy", choices=["brute-force", "cubic"], help="proof strategy")
    b.add_argument("model", help="checkpoint: .safetensors (with optional .json beside it) or TransformerLens .pt")
    b.add_argument("--out", help="also write the JSON report here (atomically)")
    b.add_argument("--no-float32", action="store_true", help="brute force: skip the float32 torch accuracy")
    b.add_argument("--quiet", action="store_true", help="no progress bars")
    b.set_defaults(func=cmd_bound)

    bb = sub.add_parser("bounds", help="brute force + cubic on one model: a table of bound, relative bound, FLOPs, seconds")
    bb.add_argument("model", nargs="?", default=str(DEFAULT_MODEL), help=f"checkpoint (default {DEFAULT_MODEL})")
    bb.add_argument("--out-dir", default="artifacts/reports", help="folder for MODEL.bounds.json and .txt")
    bb.add_argument("--quiet", action="store_true", help="no progress bars")
    bb.set_defaults(func=cmd_bounds)

    c = sub.add_parser("certify", help="cubic proof -> exact certificate JSON (schema v1)")
    c.add_argument("model", help="checkpoint (.safetensors or TransformerLens .pt)")
    c.add_argument("--out", help="certificate path (default artifacts/certs/MODEL.cert.json)")
    c.add_argument("--frac-bits", type=int, default=None,
                   help="fixed-point bits of the exp tables (default: chosen from the attention score range)")
    c.add_argument("--quiet", action="store_true", help="no progress bars")
    c.set_defaults(func=cmd_certify)

    r = sub.add_parser("replay", help="re-check a certificate with exact integer arithmetic (PASS/FAIL, exit 0/1)")
    r.add_argument("cert", help="certificate JSON")
    r.set_defaults(func=cmd_replay)

    from .sweep import STEPS as STEPS_ALL  # standard library only

    sw = sub.add_parser("sweep", help="train and certify many seeds (resumable; local process pool or Ray)",
                        description="Train, bound, certify and replay one model per seed; one JSON result per "
                        "(model, step) under OUT/results/.  Re-running skips finished steps; corrupt result files "
                        "are redone.  Exit 0 when everything finished (unavailable strategies included), 1 if a "
                        "step failed or a replay said FAIL, 2 on bad input.")
    sw.add_argument("--k", type=int, default=4, help="sequence length K of every model; default 4")
    sw.add_argument("--seeds", default="paper",
                    help="paper (the paper's 151 seeds), paper:N (the first N of them), S (one seed), A-B "
                    "(inclusive range), or a comma-separated list of these; default paper")
    sw.add_argument("--steps", default=",".join(STEPS_ALL),
                    help=f"comma-separated steps from {','.join(STEPS_ALL)}; train, and certify for replay, are "
                    "added when needed; default all")
    sw.add_argument("--jobs", type=int, default=None,
                    help="parallel tasks (default: the number of cores; on a Ray cluster, all its CPUs)")
    sw.add_argument("--backend", choices=["local", "ray"], default="local",
                    help="local process pool, or Ray (pip install -e '.[distributed]')")
    sw.add_argument("--ray-address", default=None,
                    help="HOST:PORT of an existing Ray cluster (or auto); default: start a local Ray")
    sw.add_argument("--out", default=None,
                    help="sweep folder (default artifacts/sweeps/max{K}-paper-seeds or max{K}-seeds-SPEC)")
    sw.add_argument("--vocab", type=int, default=64, help="vocabulary size d_vocab; default 64 (paper)")
    sw.add_argument("--train-steps", type=int, default=3000,
                    help="optimizer steps per model; default 3000 (paper); small values make quick test sweeps")
    sw.add_argument("--quiet", action="store_true", help="no progress bar")
    sw.set_defaults(func=cmd_sweep)

    rp = sub.add_parser("report", help="markdown + PNG report of a sweep folder: mean ± std, histograms, frontier, "
                        "per-seed certificate and replay status, failures")
    rp.add_argument("sweep_dir", help="the sweep folder (with sweep.json and results/)")
    rp.add_argument("--out-dir", default=None, help="where report.md, report.json and plots/ go (default SWEEP_DIR)")
    rp.set_defaults(func=cmd_report)

    el = sub.add_parser("export-lean", help="replay a certificate, then render it into Lean modules under lean/")
    el.add_argument("cert", help="certificate JSON")
    el.add_argument("--lean-dir", default="lean", help="the Lake package folder (default lean)")
    el.add_argument("--name", help="certificate name in Lean (default: from the file name)")
    el.add_argument("--chunk-size", type=int, default=1, help="max tokens per chunk module (default 1)")
    el.set_defaults(func=cmd_export_lean)

    lb = sub.add_parser("lean-bench", help="render a Lean kernel throughput probe (N Int multiply-compare steps)")
    lb.add_argument("--ops", type=int, default=10000, help="number of multiply-compare steps (default 10000)")
    lb.add_argument("--lean-dir", default="lean", help="the Lake package folder (default lean)")
    lb.set_defaults(func=cmd_lean_bench)

    lc = sub.add_parser("lean-check", help="lake build in lean/ if a Lean toolchain exists; else say so and exit 3")
    lc.add_argument("--lean-dir", default="lean", help="the Lake package folder (default lean)")
    lc.set_defaults(func=cmd_lean_check)

    a = sub.add_parser("archive", help="tar.gz of model + certificate + Lean modules + reports + MANIFEST.json")
    a.add_argument("--model", default=str(DEFAULT_MODEL), help=f"model .safetensors (default {DEFAULT_MODEL})")
    a.add_argument("--cert", help="certificate JSON (default artifacts/certs/MODEL.cert.json)")
    a.add_argument("--out", help="archive path (default artifacts/archives/MODEL.tar.gz)")
    a.add_argument("--report", action="append", help="a report file to include (repeatable)")
    a.add_argument("--name", help="name inside the archive (default: the model's file name)")
    a.add_argument("--lean-dir", default="lean", help="Lake package whose checker and lakefile are archived")
    a.add_argument("--chunk-size", type=int, default=1, help="max tokens per Lean chunk module (default 1)")
    a.set_defaults(func=cmd_archive)

    va = sub.add_parser("verify-archive", help="re-hash, replay, regenerate and re-render an archive; exit 0/1")
    va.add_argument("archive", help="archive .tar.gz made by maxk archive")
    va.set_defaults(func=cmd_verify_archive)

    return p


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from .errors import PipelineError

    try:
        from .certificate.schema import CertificateError
    except ImportError:  # pragma: no cover - during bring-up
        CertificateError = PipelineError
    try:
        return args.func(args)
    except (PipelineError, CertificateError, UserError) as e:
        print(_fail_line(e), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
