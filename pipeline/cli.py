"""The `maxk` command: every step of the pipeline, each with --help.  Nothing imports this module.

    maxk train --k 4 --seed 123 --out artifacts/models
    maxk sweep --k 4 --seeds paper --out artifacts/sweeps/max4-paper-seeds
    maxk report artifacts/sweeps/max4-paper-seeds
    maxk bound brute-force artifacts/models/max4-seed123.safetensors
    maxk bound cubic artifacts/models/max4-seed123.safetensors --out artifacts/cubic.json
    maxk bounds artifacts/models/max4-seed123.safetensors --out-dir artifacts/reports
    maxk frontier artifacts/models/max4-seed123.safetensors --out-dir artifacts/reports
    maxk certify artifacts/models/max4-seed123.safetensors --out artifacts/certs/max4-seed123.cert.json
    maxk replay artifacts/certs/max4-seed123.cert.json
    maxk export-lean artifacts/certs/max4-seed123.cert.json
    maxk archive --out artifacts/archives/max4-seed123.tar.gz
    maxk verify-archive artifacts/archives/max4-seed123.tar.gz
    maxk lean-bench --ops 10000
    maxk coq-check artifacts/certs/max4-seed123.cert.json

Exit codes: 0 success; 1 a check failed (replay FAIL, archive mismatch); 2 bad input (one line on
stderr naming the file and the problem, nothing written); 3 the Lean toolchain (lean-check) or
coqc (coq-check) is missing.

No command writes into the repository's files unless told to: without an output flag, outputs go
under ./maxk-out/ in the current folder (pipeline/outputs.py lists the defaults).
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


class _Parser(argparse.ArgumentParser):
    """argparse with the bad-input contract: a usage error is one line on stderr, exit 2."""

    def error(self, message):
        self.exit(2, f"error: {self.prog}: {' '.join(str(message).split())} (see {self.prog} --help)\n")


# Sanity ranges of the training flags (beyond them a run exhausts memory or time, not a result).
TRAIN_LIMITS = {"k": (1, 512), "vocab": (2, 65536), "steps": (1, 10**7), "seed": (0, 2**64 - 1)}


def _int_in(lo: int, hi: int | None = None):
    """argparse type: an integer in lo..hi (hi None: no upper bound)."""
    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text[:40]!r}") from None
        if v < lo or (hi is not None and v > hi):
            raise argparse.ArgumentTypeError(f"{v} is not in {lo}..{hi}" if hi is not None else f"{v} is not >= {lo}")
        return v
    parse.__name__ = "integer"
    return parse


def _float_range(lo: float, hi: float):
    """argparse type: a finite number in [lo, hi]."""
    def parse(text: str) -> float:
        try:
            v = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text[:40]!r}") from None
        if not lo <= v <= hi:  # also refuses nan
            raise argparse.ArgumentTypeError(f"{v} is not in {lo}..{hi}")
        return v
    return parse


def _output_file(path) -> Path:
    """An output file path that can be written: not an existing folder, its parent not a file."""
    path = Path(path)
    if path.is_dir():
        raise UserError(f"{path}: is a folder; give a file name")
    for parent in path.parents:
        if parent.exists() and not parent.is_dir():
            raise UserError(f"{path}: {parent} is not a folder, so nothing can be written under it")
    return path


def _output_dir(path) -> Path:
    """An output folder path: an existing folder, or creatable (no file on its way)."""
    path = Path(path)
    for p in (path, *path.parents):
        if p.exists() and not p.is_dir():
            raise UserError(f"{path}: not a folder" if p == path else f"{path}: {p} is not a folder")
    return path


_NOTES_SHOWN: set[str] = set()  # every distinct note is printed once per command (main clears it)


def _note(text: str) -> None:
    """Print `note: TEXT` on stderr, unless this process has printed the same note before."""
    if text not in _NOTES_SHOWN:
        _NOTES_SHOWN.add(text)
        print(f"note: {text}", file=sys.stderr)


def _maxk_dir(path) -> Path:
    """An output folder maxk may write into (pipeline/outputs.py): new, empty or a previous maxk
    output (it holds .maxk-output), no file on its way; otherwise bad input.  Writes nothing."""
    from .outputs import check_output_dir

    return check_output_dir(path)


def _load_model(path, notes: list | None = None):
    """load_weights, printing its notes (e.g. an exact bfloat16 conversion) on stderr, each once
    per process; they are also appended to `notes` if given."""
    from .model.checkpoint import load_weights

    notes = [] if notes is None else notes
    weights = load_weights(path, notes)
    for note in notes:
        _note(note)
    return weights


# optional dependency -> (the extra that installs it, what needs it)
EXTRAS = {"matplotlib": "plots", "ray": "distributed", "lean_dojo": "replay"}


def _require(module: str, what: str) -> None:
    """Refuse, before any work, a command that needs an optional dependency that is not installed:
    one line naming the extra to install, exit 2 (bad input: the environment, fixed by pip; exit 3
    is kept for the Lean and Coq toolchains, which pip does not install)."""
    import importlib.util

    try:
        found = importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # sys.modules[module] = None, or a broken install
        found = False
    if not found:
        raise UserError(f"{what} needs {module}, which is not installed: pip install -e '.[{EXTRAS[module]}]'")


def _model_error(model, e):
    """A PipelineError without a file (a budget or flag problem) re-raised naming the model."""
    from .errors import PipelineError

    return PipelineError(model, e.problem) if e.path is None else e


def _fail_line(e) -> str:
    path = getattr(e, "path", None)
    problem = getattr(e, "problem", None)
    if problem is not None:
        return f"error: {path}: {problem}" if path else f"error: {problem}"
    return f"error: {e}"


def _write_json(path, obj) -> None:
    from .fileio import atomic_write_json

    atomic_write_json(Path(path), obj, sort_keys=False)  # reports keep their documented key order


# ---------------------------------------------------------------- train
def cmd_train(args) -> int:
    from .model.config import ModelConfig
    from .model.train import TrainConfig, train_to_file

    try:
        mcfg = ModelConfig(d_vocab=args.vocab, n_ctx=args.k)
        tcfg = TrainConfig(seed=args.seed, steps=args.steps)
    except ValueError as e:
        raise UserError(str(e)) from None
    from .outputs import default_dir

    path = train_to_file(mcfg, tcfg, _output_dir(args.out or default_dir("models")))
    meta = json.loads(path.with_suffix(".json").read_text())
    print(f"wrote {path}  (final loss {meta.get('final_loss'):.4g}, {meta.get('wall_time_seconds', 0):.1f} s)")
    return 0


# ---------------------------------------------------------------- bound
def _subcubic_config(name: str | None):
    """--config NAME -> SubcubicConfig (None: the default); a wrong name names the nearest ones."""
    if name is None:
        return None
    import difflib

    from .strategies.subcubic import all_configs, config_by_name

    try:
        return config_by_name(name)
    except KeyError:
        names = [c.name for c in all_configs()]
        near = [n for n in names if name.lower() in n.lower()][:3]  # a part of a name: the first matches
        near += [n for n in difflib.get_close_matches(name, names, n=3, cutoff=0.0) if n not in near][:3 - len(near)]
        raise UserError(f"--config: unknown subcubic configuration {name[:120]!r}; nearest: {', '.join(near)} "
                        "(`maxk bound subcubic --config list` lists all 100)") from None


def cmd_bound(args) -> int:
    from .errors import PipelineError
    from .report import run_bound

    if args.config is not None and args.strategy != "subcubic":
        raise UserError(f"--config chooses a subcubic configuration; it does not apply to {args.strategy}")
    if args.config == "list":
        from .strategies.subcubic import all_configs

        print("\n".join(f"{c.name}  ({c.group})" for c in all_configs()))
        return 0
    config = _subcubic_config(args.config)  # before loading anything
    if args.model is None:
        raise UserError("maxk bound: the following arguments are required: model (see maxk bound --help)")
    if args.out:
        _output_file(args.out)
    weights = _load_model(args.model)
    try:
        res = run_bound(args.strategy, weights, progress=not args.quiet, with_float32=not args.no_float32,
                        force=args.force, subcubic_config=config)
    except PipelineError as e:
        raise _model_error(args.model, e) from None
    report = res.to_json()
    if args.out:
        _write_json(args.out, report)
    print(json.dumps(report, indent=1))
    return 0


def cmd_frontier(args) -> int:
    from .errors import PipelineError
    from .fileio import atomic_write_bytes
    from .frontier import frontier_model, group_summary, render_markdown, render_png, select_configs
    from .progress import progress_bar
    from .report import check_brute_force_budget

    _require("matplotlib", "maxk frontier (frontier.png)")
    if args.replot or not args.models:
        if not args.replot or args.models or not args.out_dir:
            raise UserError("frontier needs MODEL..., or --replot --out-dir DIR without a MODEL")
        from .frontier import replot

        print(f"wrote {replot(args.out_dir)} from its frontier.json (no strategy run)")
        return 0
    try:
        configs = select_configs(args.configs)
    except ValueError as e:
        raise UserError(str(e)) from None
    from .outputs import claim_output_dir, default_dir, safe_stem

    one = safe_stem(Path(args.models[0]).stem) if len(args.models) == 1 else "frontier"
    out = _maxk_dir(args.out_dir or default_dir(one))
    models = [(path, _load_model(path)) for path in args.models]  # every file validated before any work
    for path, weights in models:  # and every brute force estimated within its budget
        try:
            if not args.force:
                check_brute_force_budget(weights.config, float32=False)
        except PipelineError as e:
            raise _model_error(path, e) from None
    records = []
    with progress_bar(total=len(models) * (len(configs) + 3), desc="frontier", unit="strategy",
                      disable=args.quiet) as bar:
        for path, weights in models:
            records += frontier_model(weights, path, configs, pbar=bar)
    summary = group_summary(records)
    claim_output_dir(out)
    md = render_markdown(records, summary)
    _write_json(out / "frontier.json", records)
    _write_json(out / "frontier.summary.json", summary)
    atomic_write_bytes(out / "frontier.md", md.encode())
    atomic_write_bytes(out / "frontier.png", render_png(records))
    print(md.split("## Every strategy")[0], end="")
    print(f"wrote {out / 'frontier.json'}, frontier.summary.json, frontier.md, frontier.png")
    return 0


def cmd_bounds(args) -> int:
    import time

    from .errors import PipelineError
    from .report import bounds_table

    t0 = time.perf_counter()
    from .outputs import claim_output_dir, default_dir, safe_stem

    out = _maxk_dir(args.out_dir or default_dir(safe_stem(Path(args.model).stem)))
    weights = _load_model(args.model)
    try:
        text, rows = bounds_table(weights, progress=not args.quiet, force=args.force)
    except PipelineError as e:
        raise _model_error(args.model, e) from None
    claim_output_dir(out)
    stem = Path(args.model).stem
    _write_json(out / f"{stem}.bounds.json", rows)
    from .fileio import atomic_write_bytes

    atomic_write_bytes(out / f"{stem}.bounds.txt", text.encode())
    if args.json:
        print(json.dumps({"command": "bounds", "ok": True, "model": str(args.model),
                          "model_sha256": weights.sha256, "n_inputs": weights.config.d_vocab ** weights.config.n_ctx,
                          "rows": rows, "json": str(out / f"{stem}.bounds.json"),
                          "txt": str(out / f"{stem}.bounds.txt"), "seconds": round(time.perf_counter() - t0, 3)},
                         indent=1))
        return 0
    print(text, end="")
    print(f"wrote {out / (stem + '.bounds.json')} and .txt")
    return 0


# ---------------------------------------------------------------- certificates
def cmd_certify(args) -> int:
    from .certificate.certify import certify
    from .certificate.schema import dump_certificate
    from .fileio import atomic_write_bytes

    from .certificate.certify import check_frac_bits
    from .errors import PipelineError

    try:
        check_frac_bits(args.frac_bits)  # before loading anything: the schema's range
        out_dir = None
        if args.out:
            out = _output_file(args.out)
        else:  # ./maxk-out/<stem>/<stem>.cert.json
            from .outputs import default_dir, safe_stem

            stem = Path(args.model).stem
            out_dir = _maxk_dir(default_dir(safe_stem(stem)))
            out = out_dir / (f"{stem}.exact.cert.json" if args.exact else f"{stem}.cert.json")
        weights = _load_model(args.model)
        cert, info = certify(weights, frac_bits=args.frac_bits, progress=not args.quiet, exact=args.exact)
    except PipelineError as e:
        if e.path is None:  # a flag or budget problem: name the model it was for
            raise PipelineError(args.model, e.problem) from None
        raise
    if out_dir is not None:
        from .outputs import claim_output_dir

        claim_output_dir(out_dir)
    atomic_write_bytes(out, dump_certificate(cert).encode())
    if args.json:
        print(json.dumps({"command": "certify", "ok": True, "model": str(args.model), "cert": str(out),
                          "model_sha256": cert["model_sha256"], "claimed_count": cert["claimed_count"],
                          "n_inputs": cert["n_inputs"], "bound": cert["claimed_count"] / cert["n_inputs"],
                          "frac_bits": info["frac_bits"], "cells": len(cert["cells"]), "c0": len(cert["c0"]),
                          "cubic_count": info["cubic_count"], "dropped_k": info["dropped_k"],
                          "dropped_c0": info["dropped_c0"], "strategy": cert["strategy"],
                          "upper": cert.get("claimed_upper"), "residual": info.get("residual"),
                          "residual_ok": info.get("residual_ok"), "residual_wrong": info.get("residual_wrong"),
                          "residual_undecided": info.get("residual_undecided"),
                          "seconds": round(info["seconds"], 3)}, indent=1))
        return 0
    if args.exact:
        print(f"wrote {out}: {cert['claimed_count']} <= correct <= {cert['claimed_upper']} of {cert['n_inputs']} "
              f"inputs ([{cert['claimed_count'] / cert['n_inputs']:.6f}, {cert['claimed_upper'] / cert['n_inputs']:.6f}]; "
              f"exact certificate: cubic part {info['claimed_count'] - info['residual_ok']}, residual "
              f"{info['residual']}: {info['residual_ok']} correct, {info['residual_wrong']} wrong, "
              f"{info['residual_undecided']} undecided), frac_bits {info['frac_bits']}, {info['seconds']:.2f} s")
    else:
        print(f"wrote {out}: {cert['claimed_count']} of {cert['n_inputs']} inputs "
              f"({cert['claimed_count'] / cert['n_inputs']:.6f}), frac_bits {info['frac_bits']}, "
              f"{len(cert['cells'])} cells, {len(cert['c0'])} c0 sequences, {info['seconds']:.2f} s")
    if info["dropped_k"] or info["dropped_c0"]:
        print(f"note: the exact check rejected {info['dropped_k']} S-set members and {info['dropped_c0']} c0 "
              f"sequences that the interval strategy accepted (cubic count {info['cubic_count']})")
    return 0


def _bind_model(model_path, cert: dict, cert_path) -> dict:
    """--model FILE: load the model file and compare its canonical weights hash with the
    certificate's model_sha256.  Returns {"model": path, "file_sha256", "model_sha256", "ok",
    "detail"}; a file that cannot be loaded is bad input (raises, one error line, exit 2).
    Complexity: one read and hash of the file and of its float32 values."""
    from .model.checkpoint import file_sha256

    weights = _load_model(model_path)
    digest = weights.sha256
    ok = digest == cert["model_sha256"]
    return {"model": str(model_path), "file_sha256": file_sha256(Path(model_path)), "model_sha256": digest,
            "ok": ok,
            "detail": (f"the weights of {model_path} hash to model_sha256 {digest}, as the certificate says" if ok
                       else f"the weights of {model_path} hash to {digest}, but {cert_path} is about "
                       f"model_sha256 {cert['model_sha256']}: the certificate is not about this model")}


def _print_json(obj) -> None:
    print(json.dumps(obj, indent=1))


def cmd_replay(args) -> int:
    import time

    from .certificate.replay import replay
    from .certificate.schema import load_certificate

    t0 = time.perf_counter()
    cert = load_certificate(args.cert)
    binding = _bind_model(args.model, cert, args.cert) if args.model else None
    res = replay(cert)
    dt = time.perf_counter() - t0
    ok = res.ok and (binding is None or binding["ok"])
    if args.json:
        _print_json({"command": "replay", "cert": str(args.cert), "ok": ok, "count": res.count if res.ok else None,
                     "upper": res.upper if res.ok else None,
                     "n_inputs": cert["n_inputs"] if isinstance(cert.get("n_inputs"), int) else None,
                     "model_sha256": cert.get("model_sha256"), "model_file": binding,
                     "failed_check": res.failed_check, "detail": res.detail, "seconds": round(dt, 3)})
        return 0 if ok else 1
    if binding is not None:
        print(("model: " if binding["ok"] else "FAIL ") + binding["detail"]
              + f" (file sha256 {binding['file_sha256']})")
    if res.ok and res.upper is not None:  # an exact certificate: lo <= #correct <= hi
        print(f"PASS {args.cert}: {res.count} <= correct <= {res.upper} of {res.n_inputs} inputs, accuracy in "
              f"[{res.count / res.n_inputs:.6f}, {res.upper / res.n_inputs:.6f}], for the model with model_sha256 "
              f"{cert['model_sha256']} (exact integer replay, {dt:.2f} s)")
    elif res.ok:
        print(f"PASS {args.cert}: {res.count} / {res.n_inputs} = {res.count / res.n_inputs:.6f} "
              f"inputs certified correct for the model with model_sha256 {cert['model_sha256']} "
              f"(exact integer replay, {dt:.2f} s)")
    else:
        print(f"FAIL {args.cert}: {res.detail}")
    return 0 if ok else 1


# ---------------------------------------------------------------- Lean
def cmd_export_lean(args) -> int:
    from .certificate.replay import replay
    from .certificate.schema import load_certificate
    from .lean_export.render import render_certificate

    for flag, value in (("--chunk-size", args.chunk_size), ("--max-arrangements", args.max_arrangements),
                        ("--max-residual-steps", args.max_residual_steps),
                        ("--residual-chunk-size", args.residual_chunk_size)):
        if value < 1:
            raise UserError(f"{args.cert}: {flag} must be a positive integer, got {value}")
    cert = load_certificate(args.cert)  # cubic or exact (the exact kind adds the residual modules)
    res = replay(cert)  # never render a certificate the exact replay rejects
    if not res.ok:
        print(f"FAIL {args.cert}: {res.detail} (nothing rendered)")
        return 1
    name = args.name or Path(args.cert).name.removesuffix(".json").removesuffix(".cert")
    if not any(ch.isascii() and ch.isalnum() for ch in name):
        raise UserError(f"certificate name {name[:80]!r} has no ASCII letter or digit (give --name)")
    from .lean_export.render import write_skeleton
    from .outputs import claim_output_dir, default_dir, safe_stem

    lean_dir = _maxk_dir(args.lean_dir or default_dir(safe_stem(name), "lean"))
    if (lean_dir / "lakefile.lean").exists():
        raise UserError(f"{lean_dir / 'lakefile.lean'}: a second Lake configuration (Lake would read it "
                        "instead of lakefile.toml); remove it")
    claim_output_dir(lean_dir)
    exact = cert["strategy"] == "exact"
    paths = write_skeleton(lean_dir, exact=exact)  # a whole Lake project: the skeleton + the rendered modules
    paths += render_certificate(cert, lean_dir, name, chunk_size=args.chunk_size,
                                max_arrangements=args.max_arrangements,
                                **({"max_residual_steps": args.max_residual_steps,
                                    "residual_chunk_size": args.residual_chunk_size} if exact else {}))
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} Lean files ({size / 1e6:.2f} MB) under {lean_dir}/ for {name}; "
          f"check them with: maxk lean-check --lean-dir {lean_dir}  (or: cd {lean_dir} && lake build)")
    return 0


def cmd_lean_bench(args) -> int:
    from .lean_export.render import render_bench

    if args.ops < 1:
        raise UserError(f"--ops must be >= 1, got {args.ops}")
    from .lean_export.render import ROOT_MODULE, write_root, write_skeleton
    from .outputs import claim_output_dir, default_dir

    lean_dir = _maxk_dir(args.lean_dir or default_dir("lean-bench", "lean"))
    claim_output_dir(lean_dir)
    write_skeleton(lean_dir)  # a whole Lake project
    if not (lean_dir / f"{ROOT_MODULE}.lean").exists():
        write_root(lean_dir)
    path = render_bench(args.ops, lean_dir)
    print(f"wrote {path} ({args.ops} Int multiply-compare steps, decide +kernel); measure with:\n"
          f"  cd {lean_dir} && time lake build +MaxKCert.Bench")
    return 0


LEAN_MISSING = "Lean toolchain not found: the Lean check was NOT run"


def cmd_lean_check(args) -> int:
    import shutil
    import subprocess

    if not Path(args.lean_dir).is_dir():
        raise UserError(f"{args.lean_dir}: not a folder (the Lake package to build)")
    lake = shutil.which("lake")
    if lake is None:
        print(LEAN_MISSING)
        return 3
    print(f"running {lake} build in {args.lean_dir}/ (the axioms report is printed at the end of each Main module)")
    return subprocess.call([lake, "build"], cwd=args.lean_dir)


# ---------------------------------------------------------------- Coq
def _coq_progress(verbose: bool, stream=None):
    """coqc progress on `stream` (default stdout): a line per file compiled now; files reused from
    the cache only with --verbose."""
    def progress(i, n, rel, reused):
        if verbose or not reused:
            print(f"[{i + 1}/{n}] {'cached' if reused else 'coqc  '} {rel}", file=stream or sys.stdout, flush=True)
    return progress


def cmd_coq_check(args) -> int:
    from .certificate.schema import load_certificate
    from .coq_export.check import PROJECT_DIR, coq_check
    from .coq_export.summary import coq_check_json, coq_check_log
    from .fileio import atomic_write_bytes

    if args.log:
        _output_file(args.log)
    binding = None
    if args.model:
        binding = _bind_model(args.model, load_certificate(args.cert), args.cert)
        if not binding["ok"]:
            if args.json:
                _print_json({"command": "coq-check", "cert": str(args.cert), "ok": False, "exit_code": 1,
                             "model_file": binding, "lines": [f"FAIL {binding['detail']}"]})
            else:
                print(f"FAIL {binding['detail']} (nothing compiled)")
            return 1
        if not args.json:
            print(f"model: {binding['detail']} (file sha256 {binding['file_sha256']})")
    try:
        res = coq_check(args.cert, args.name, Path(args.coq_dir) if args.coq_dir else PROJECT_DIR,
                        build_dir=Path(args.build_dir) if args.build_dir else None,
                        cache_dir=Path(args.cache_dir) if args.cache_dir else None, use_cache=not args.no_cache,
                        memory_bytes=int(args.memory_gib * 2**30), timeout=args.timeout,
                        progress=_coq_progress(args.verbose, sys.stderr if args.json else None),
                        run_coqchk=args.coqchk)
    except FileNotFoundError as e:
        raise UserError(str(e).strip("'\"")) from None
    except ValueError as e:
        raise UserError(f"{args.cert}: {e}") from None
    if args.log:
        atomic_write_bytes(Path(args.log), coq_check_log(res).encode())
    if args.json:
        _print_json(coq_check_json(res, args.cert, binding))
        return res.code
    print(coq_check_log(res).rstrip() if args.verbose else "\n".join(res.lines))
    if args.log:
        print(f"wrote {args.log} (Print Assumptions in full" + (", coqchk's summary)" if res.coqchk else ")"))
    return res.code


def cmd_coq_proof(args) -> int:
    from .coq_export.check import PROJECT_DIR, prove_layers

    try:
        res = prove_layers(Path(args.coq_dir) if args.coq_dir else PROJECT_DIR,
                           cache_dir=Path(args.cache_dir) if args.cache_dir else None, use_cache=not args.no_cache,
                           progress=_coq_progress(True))
    except FileNotFoundError as e:
        raise UserError(str(e).strip("'\"")) from None
    except ValueError as e:
        raise UserError(str(e)) from None
    print("\n".join(res.lines))
    return res.code


# ---------------------------------------------------------------- audit
def cmd_audit(args) -> int:
    from .audit import AuditOptions, run_audit
    from .outputs import default_dir, safe_stem

    out = Path(args.out) if args.out else default_dir(safe_stem(Path(args.model).stem), "audit")
    opt = AuditOptions(coq=not args.no_coq, coqchk=not args.no_coqchk, lean=not args.no_lean,
                       brute_force=not args.no_brute_force, force=args.force, progress=not args.quiet,
                       cache_dir=Path(args.cache_dir) if args.cache_dir else None)
    log = (lambda line: print(line, file=sys.stderr, flush=True)) if args.json else (lambda line: print(line, flush=True))
    r = run_audit(args.model, out, opt, log=log)
    if args.json:
        _print_json(r)
    else:
        print(f"{'PASS' if r['ok'] else 'FAIL'} audit of {args.model} in {r['seconds']:.1f} s: "
              f"{len(r['theorems'])} theorems ({'; '.join(t['checker'] for t in r['theorems']) or 'none'}); "
              f"not run: {', '.join(x['step'] for x in r['not_run']) or 'nothing'}")
        print(f"wrote {out / 'report.md'}, report.json, report.html")
    return 0 if r["ok"] else 1


# ---------------------------------------------------------------- archives
def cmd_archive(args) -> int:
    from .archive import create_archive

    from .outputs import claim_output_dir, default_dir, safe_stem

    stem = Path(args.model).stem
    mine = default_dir(safe_stem(stem))  # ./maxk-out/<stem>/: certify's default folder
    cert = args.cert or next((c for c in (mine / f"{stem}.cert.json", Path("artifacts/certs") / f"{stem}.cert.json")
                              if c.is_file()), mine / f"{stem}.cert.json")
    out_dir = None if args.out else _maxk_dir(mine)
    out = _output_file(args.out or mine / f"{stem}.tar.gz")
    options = {"lean": {"chunk_size": args.chunk_size}} if args.chunk_size is not None else {}
    m = create_archive(args.model, cert, out, reports=args.report or (), name=args.name, render_options=options)
    if out_dir is not None:
        claim_output_dir(out_dir)
    print(f"wrote {out}: {len(m['files']) + 1} files, {m['claimed_count']} of {m['n_inputs']} inputs certified")
    return 0


VERDICT_LINE = re.compile(r"(PASS|FAIL) ([^:]+): (.*)", re.S)


def cmd_verify_archive(args) -> int:
    import time

    from .archive import verify_archive

    t0 = time.perf_counter()
    res = verify_archive(args.archive)
    if args.json:
        checks = []
        for line in res.lines:
            m = VERDICT_LINE.fullmatch(line)
            checks.append({"verdict": m[1], "check": m[2], "detail": m[3]} if m else
                          {"verdict": None, "check": None, "detail": line})
        print(json.dumps({"command": "verify-archive", "archive": str(args.archive), "ok": res.ok,
                          "status": "PASS" if res.ok else "FAIL",
                          "n_pass": sum(c["verdict"] == "PASS" for c in checks),
                          "n_fail": sum(c["verdict"] == "FAIL" for c in checks), "checks": checks,
                          "seconds": round(time.perf_counter() - t0, 3)}, indent=1))
        return 0 if res.ok else 1
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
    if args.backend == "ray":
        _require("ray", "maxk sweep --backend ray")
    slug = "paper-seeds" if args.seeds == "paper" else "seeds-" + re.sub(r"[^A-Za-z0-9-]+", "_", args.seeds)
    from .outputs import default_dir

    out = args.out or str(default_dir("sweeps", f"max{args.k}-{slug}"))
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

    _require("matplotlib", "maxk report (its plots)")
    r = write_report(args.sweep_dir, args.out_dir)
    for t in r["table"]:
        if t["seeds"]:
            rel = "" if t["relative_mean"] is None else f", relative {t['relative_mean']:.4f} ± {t['relative_std']:.4f}"
            print(f"{t['strategy']:<12} {t['seeds']:>4} seeds: bound {t['mean']:.4f} ± {t['std']:.4f}{rel}")
    print(f"{len(r['failures'])} failures listed, {len(r['not_run'])} steps not run (not failures); wrote "
          f"{r['markdown']}, {r['json']} and {len(r['plots'])} plots for {r['n_seeds']} seeds")
    return 0


# ---------------------------------------------------------------- convert, summary, version
def cmd_convert(args) -> int:
    from .model.checkpoint import conversion_source, save_weights

    src = Path(args.model)
    out = _output_file(args.out)
    if out.suffix != ".safetensors":
        raise UserError(f"{out}: the output must be a .safetensors file (its metadata JSON goes beside it)")
    notes: list[str] = []
    weights = _load_model(src, notes)  # every check of a model file; nothing is unpickled
    save_weights(weights, out, {"converted_from": conversion_source(src, notes)})
    c = weights.config
    print(f"wrote {out} and {out.with_suffix('.json').name} (V={c.d_vocab}, K={c.n_ctx}, d_model={c.d_model}, "
          f"d_head={c.d_head}; model_sha256 {weights.sha256})")
    return 0


def _read_json_file(path: Path, what: str) -> dict:
    from .errors import PipelineError

    if not path.is_file():
        raise PipelineError(path, f"{what} not found (make demo writes it)")
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise PipelineError(path, f"{what} is not JSON ({' '.join(str(e).split())[:120]})") from None
    if not isinstance(obj, dict):
        raise PipelineError(path, f"{what}: expected a JSON object")
    return obj


def _check_status(code: int | None, name: str, what: str, missing: str) -> str:
    if code is None:
        return f"not run by the caller (run `maxk {name}`)"
    if code == 0:
        return f"PASS: {what}"
    if code == 3:
        return f"NOT run: {missing}"
    return f"FAIL: `maxk {name}` exited with {code} (see its output above)"


def cmd_summary(args) -> int:
    import time

    from .certificate.replay import replay
    from .certificate.schema import load_certificate
    from .lean_export.render import CERTS_DIR, lean_module_name

    model = Path(args.model)
    stem = model.stem
    reports = Path(args.reports_dir)
    bf_path = Path(args.brute_force or reports / f"{stem}.brute-force.json")
    cu_path = Path(args.cubic or reports / f"{stem}.cubic.json")
    cert_path = Path(args.cert or f"artifacts/certs/{stem}.cert.json")
    bf = _read_json_file(bf_path, "brute-force report")
    cu = _read_json_file(cu_path, "cubic report")
    cert = load_certificate(cert_path)
    t0 = time.perf_counter()
    res = replay(cert)
    dt = time.perf_counter() - t0
    try:
        n_inputs, lo, hi = bf["n_inputs"], bf["accuracy_lo"], bf["accuracy_hi"]
        cubic = cu["n_proved"] / cu["n_inputs"]
        f32 = bf.get("float32_accuracy")
        bf_line = (f"exact accuracy in [{lo:.6f}, {hi:.6f}] ({bf['n_undecided']} undecided"
                   + (f"; float32 torch accuracy {f32:.6f}" if isinstance(f32, (int, float)) else "")
                   + f"), {bf['flops']:.3g} FLOPs, {bf['seconds']:.1f} s")
        cu_line = (f"accuracy >= {cubic:.6f} ({cu['n_proved']:,} inputs; {cubic / lo:.4f} of the brute force's "
                   f"lower end), {cu['flops']:.3g} FLOPs, {cu['seconds']:.2f} s" if lo else
                   f"accuracy >= {cubic:.6f} ({cu['n_proved']:,} inputs), {cu['flops']:.3g} FLOPs")
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as e:
        raise UserError(f"{bf_path}: not a brute-force / cubic report of `maxk bound` ({type(e).__name__}: {e})") from None
    shas = {bf.get("model_sha256"), cu.get("model_sha256"), cert["model_sha256"]}
    name = args.name or cert_path.name.removesuffix(".json").removesuffix(".cert")
    lean_cert = Path(args.lean_dir) / CERTS_DIR / lean_module_name(name)
    lean_files = sorted(lean_cert.rglob("*.lean")) if lean_cert.is_dir() else []
    rows = [
        ("model", f"{model} (K={cert['config']['n_ctx']}, V={cert['config']['d_vocab']}: {n_inputs:,} inputs; "
                  f"model_sha256 {cert['model_sha256'][:16]}...)"),
        ("brute force", bf_line),
        ("cubic bound", cu_line),
        ("certificate", f"{cert['claimed_count']:,} of {cert['n_inputs']:,} inputs "
                        f"({cert['claimed_count'] / cert['n_inputs']:.6f}): exact replay "
                        + (f"PASS ({dt:.1f} s)" if res.ok else f"FAIL ({res.detail})")),
        ("Coq", _check_status(args.coq_exit, "coq-check", "coqc proved the accuracy theorem over the reals",
                              "coqc not installed")),
        ("Lean", _check_status(args.lean_exit, "lean-check", "lake build checked the Lean modules",
                               "no Lean toolchain installed")),
        ("files", f"{bf_path}, {cu_path}, {cert_path}, "
                  + (f"{lean_cert}/ ({len(lean_files)} Lean files)" if lean_files else f"no Lean modules in {lean_cert}/")),
    ]
    if len(shas) != 1:
        rows.append(("WARNING", "the reports and the certificate are about different models (model_sha256 "
                                + ", ".join(sorted(str(x)[:16] for x in shas)) + "): re-run make demo"))
    print("Summary")
    for k, v in rows:
        print(f"  {k:<12} {v}")
    return 0 if res.ok and len(shas) == 1 else 1


class _VersionAction(argparse.Action):
    """--version: `maxk <version>`, the installed distribution's version (importlib.metadata),
    else pipeline.__version__."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"maxk {package_version()}")
        parser.exit(0)


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("maxk-certify")
    except PackageNotFoundError:
        from . import __version__

        return __version__


# ---------------------------------------------------------------- parser
BRUTE_FORCE_BUDGET_HELP = (
    "run the brute force even when it is estimated over its budget: 1e11 FLOPs (~2.5 min) or 4 GiB of peak "
    "memory (with the float32 accuracy). Without --force such a model is refused before any work, with the "
    "estimate (V^n inputs, FLOPs, memory) and the alternative (maxk bound cubic, maxk certify). The shipped "
    "K = 4 model (64^4 inputs, 4.4e9 FLOPs, ~6 s) is within it; K = 5 and beyond at V = 64 are not")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="maxk",
        description="Certified accuracy lower bounds for Max-of-K transformers (interval arithmetic, "
        "exact replay, Coq and Lean 4 certificates).",
    )
    p.add_argument("--version", action=_VersionAction, help="print `maxk VERSION` (the installed package's) and exit")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    t = sub.add_parser("train", help="train a Max-of-K model with the paper's recipe (deterministic)")
    t.add_argument("--k", type=_int_in(*TRAIN_LIMITS["k"]), default=4,
                   help=f"sequence length K (n_ctx), {'..'.join(map(str, TRAIN_LIMITS['k']))}; default 4")
    t.add_argument("--seed", type=_int_in(*TRAIN_LIMITS["seed"]), default=123,
                   help="random seed, 0..2^64-1 (paper's main seed: 123)")
    t.add_argument("--vocab", type=_int_in(*TRAIN_LIMITS["vocab"]), default=64,
                   help=f"vocabulary size d_vocab, {'..'.join(map(str, TRAIN_LIMITS['vocab']))}; default 64")
    t.add_argument("--steps", type=_int_in(*TRAIN_LIMITS["steps"]), default=3000,
                   help=f"optimizer steps, {'..'.join(map(str, TRAIN_LIMITS['steps']))}; default 3000 (paper)")
    t.add_argument("--out", help="output folder for NAME.safetensors + NAME.json (default ./maxk-out/models)")
    t.set_defaults(func=cmd_train)

    b = sub.add_parser("bound", help="compute a certified accuracy bound with one strategy")
    b.add_argument("strategy", choices=["brute-force", "cubic", "subcubic"],
                   help="proof strategy (subcubic: its default configuration, or --config)")
    b.add_argument("model", nargs="?", help="checkpoint: .safetensors (with optional .json beside it) or "
                   "TransformerLens .pt")
    b.add_argument("--out", help="also write the JSON report here (atomically)")
    b.add_argument("--no-float32", action="store_true", help="brute force: skip the float32 torch accuracy")
    b.add_argument("--config", metavar="NAME", help="subcubic: the configuration to run, by name, e.g. "
                   "EUPU-mean-query+max-diff--attn-mean-query+diff--attn-err-max-diff (the default); "
                   "'--config list' prints the 100 names with their groups")
    b.add_argument("--force", action="store_true", help=BRUTE_FORCE_BUDGET_HELP)
    b.add_argument("--json", action="store_true", help="the report is always one JSON document on stdout "
                   "(accepted for symmetry with the other commands)")
    b.add_argument("--quiet", action="store_true", help="no progress bars")
    b.set_defaults(func=cmd_bound)

    bb = sub.add_parser("bounds", help="brute force + cubic on one model: a table of bound, relative bound, FLOPs, seconds")
    bb.add_argument("model", nargs="?", default=str(DEFAULT_MODEL), help=f"checkpoint (default {DEFAULT_MODEL})")
    bb.add_argument("--out-dir", help="folder for MODEL.bounds.json and .txt (default ./maxk-out/MODEL/; a "
                    "non-empty folder must be a previous maxk output, holding .maxk-output)")
    bb.add_argument("--force", action="store_true", help=BRUTE_FORCE_BUDGET_HELP)
    bb.add_argument("--json", action="store_true", help="print one JSON document (rows, paths, seconds) "
                    "instead of the table")
    bb.add_argument("--quiet", action="store_true", help="no progress bars")
    bb.set_defaults(func=cmd_bounds)

    c = sub.add_parser("certify", help="cubic proof -> exact certificate JSON (schema v2)")
    c.add_argument("model", help="checkpoint (.safetensors or TransformerLens .pt)")
    c.add_argument("--out", help="certificate path (default ./maxk-out/MODEL/MODEL.cert.json)")
    c.add_argument("--frac-bits", type=int, default=None,
                   help="fixed-point bits of the exp tables, 1..4096 (default: chosen from the attention score range)")
    c.add_argument("--exact", action="store_true",
                   help="write an exact certificate (strategy exact): the replay also classifies every input the "
                   "cubic part leaves, so it certifies lo <= #correct <= hi (lo = hi when every input is decided); "
                   "default output ./maxk-out/MODEL/MODEL.exact.cert.json")
    c.add_argument("--json", action="store_true", help="print one JSON document (cert path, counts, seconds) "
                   "instead of the summary lines")
    c.add_argument("--quiet", action="store_true", help="no progress bars")
    c.set_defaults(func=cmd_certify)

    r = sub.add_parser("replay", help="re-check a certificate with exact integer arithmetic (PASS/FAIL, exit 0/1)")
    r.add_argument("cert", help="certificate JSON")
    r.add_argument("--model", help="a model file (.safetensors or .pt): check that the certificate is about it "
                   "(its weights' canonical sha256 equals model_sha256; FAIL, exit 1, if not) and print its sha256")
    r.add_argument("--json", action="store_true", help="print one JSON document instead of the PASS/FAIL line")
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
                    help="sweep folder (default ./maxk-out/sweeps/max{K}-paper-seeds or max{K}-seeds-SPEC)")
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

    el = sub.add_parser("export-lean", help="replay a certificate, then render it into a whole Lake project "
                        "(the Lean skeleton + its modules)")
    el.add_argument("cert", help="certificate JSON")
    el.add_argument("--lean-dir", help="the Lake package folder (default ./maxk-out/NAME/lean/; a non-empty folder "
                    "must be a previous maxk output, holding .maxk-output, as the checkout's lean/ does)")
    el.add_argument("--name", help="certificate name in Lean (default: from the file name)")
    el.add_argument("--chunk-size", type=int, default=1, help="indices (rows, max tokens, cell parts) per chunk module (default 1)")
    el.add_argument("--max-arrangements", type=int, default=2000,
                    help="most arrangements one cells theorem checks; cells are cut into parts by (m, q-range) (default 2000)")
    el.add_argument("--max-residual-steps", type=int, default=1_000_000,
                    help="exact certificates: most multiplications one residual theorem does; the residual is cut into "
                    "pieces by (m, q-range), one (m, q) never cut (default 1000000)")
    el.add_argument("--residual-chunk-size", type=int, default=1,
                    help="exact certificates: residual pieces per module (default 1)")
    el.set_defaults(func=cmd_export_lean)

    lb = sub.add_parser("lean-bench", help="render a Lean kernel throughput probe (N Int multiply-compare steps)")
    lb.add_argument("--ops", type=_int_in(1), default=10000, help="number of multiply-compare steps, >= 1 (default 10000)")
    lb.add_argument("--lean-dir", help="the Lake package folder (default ./maxk-out/lean-bench/lean/; a non-empty "
                    "folder must be a previous maxk output)")
    lb.set_defaults(func=cmd_lean_bench)

    lc = sub.add_parser("lean-check", help="lake build in lean/ if a Lean toolchain exists; else say so and exit 3")
    lc.add_argument("--lean-dir", default="lean", help="the Lake package folder to build (default lean, the "
                    "checkout's; export-lean prints the folder it wrote)")
    lc.set_defaults(func=cmd_lean_check)

    cc = sub.add_parser("coq-check", help="prove with coqc that the model classifies >= claimed_count inputs "
                        "correctly (over the reals), in a fresh build folder, and judge what coqc proved "
                        "(statement read back, assumptions by full path); exit 3 if coqc is missing")
    cc.add_argument("cert", nargs="?", default="artifacts/certs/max4-seed123.cert.json",
                    help="certificate JSON (default artifacts/certs/max4-seed123.cert.json)")
    cc.add_argument("--coq-dir", help="the Coq project folder holding Checker.v, Spec.v, ModelOf.v and "
                    "_CoqProject (default: the installed pipeline's coq/, wherever you run it from)")
    cc.add_argument("--name", help="certificate name in Coq (default: from the file name)")
    cc.add_argument("--build-dir", help="an empty or new folder to build in and keep (default: a temporary "
                    "folder, removed afterwards)")
    cc.add_argument("--cache-dir", help="where compiled hand-written layers are kept and reused by content "
                    "hash (default ~/.cache/maxk/coq-build)")
    cc.add_argument("--no-cache", action="store_true", help="compile every file, reuse nothing")
    cc.add_argument("--timeout", type=_float_range(1, 86400), default=1800.0,
                    help="wall-time limit of the whole coqc build, seconds (1..86400, default 1800)")
    cc.add_argument("--memory-gib", type=_float_range(0.5, 1024), default=8.0,
                    help="address-space limit of each coqc, GiB (0.5..1024, default 8)")
    cc.add_argument("--coqchk", action="store_true",
                    help="also re-check the compiled files with coqchk, Coq's independent checker (~70 s on the "
                    "shipped certificate), and judge its axioms list; on by default in maxk audit")
    cc.add_argument("--model", help="a model file: check that the certificate is about it (canonical weights "
                    "sha256 = model_sha256) before compiling, and print its sha256")
    cc.add_argument("--log", help="write the full record here: the lines, Print Assumptions as coqc printed it, "
                    "coqchk's context summary")
    cc.add_argument("--verbose", action="store_true", help="print that full record, and every file reused from the cache")
    cc.add_argument("--json", action="store_true", help="print one JSON document (theorem, assumptions, sha256s, "
                    "seconds) instead of the lines; progress goes to stderr")
    cc.set_defaults(func=cmd_coq_check)

    cp = sub.add_parser("coq-proof", help="compile the hand-written Coq project (checker, Spec.v, ModelOf.v, "
                        "the proof of checker_sound) and print the axioms of each layer (Proof/Audit.v); "
                        "exit 3 if coqc is missing")
    cp.add_argument("--coq-dir", help="the Coq project folder (default: the installed pipeline's coq/)")
    cp.add_argument("--cache-dir", help="compiled-layer cache (default ~/.cache/maxk/coq-build)")
    cp.add_argument("--no-cache", action="store_true", help="compile every file, reuse nothing")
    cp.set_defaults(func=cmd_coq_proof)

    au = sub.add_parser("audit", help="the auditor's one command: load (and convert) a model, brute force when "
                        "feasible, certify, replay, Coq + coqchk, Lean when a toolchain exists, archive; "
                        "report.md/.json/.html in OUT",
                        description="Audit a Max-of-K model of your own (our safetensors, a bare safetensors, or a "
                        "TransformerLens .pt with or without its cfg).  Every step is recorded with its status and "
                        "seconds; the report names each theorem proved with its exact statement, its Print "
                        "Assumptions, the sha256 of the model and of every trusted file, the versions of the tools, "
                        "and what was not run and why.  Writes only into OUT.  Exit 0 if every step that ran "
                        "passed, 1 if one failed, 2 on bad input.")
    au.add_argument("model", help="checkpoint: .safetensors (with optional .json beside it) or TransformerLens .pt")
    au.add_argument("--out", help="output folder: new, empty, or a previous maxk output (default "
                    "maxk-out/<model stem>/audit)")
    au.add_argument("--no-coq", action="store_true", help="skip coq-check (and coqchk)")
    au.add_argument("--no-coqchk", action="store_true", help="skip coqchk (~70 s on a K = 4, V = 64 model)")
    au.add_argument("--no-lean", action="store_true", help="skip the Lean step")
    au.add_argument("--no-brute-force", action="store_true", help="skip the brute force")
    au.add_argument("--force", action="store_true", help="run the brute force even past its work budget")
    au.add_argument("--cache-dir", help="compiled Coq layers cache (default ~/.cache/maxk/coq-build)")
    au.add_argument("--json", action="store_true", help="print report.json on stdout (progress on stderr)")
    au.add_argument("--quiet", action="store_true", help="no progress bars")
    au.set_defaults(func=cmd_audit)

    a = sub.add_parser("archive", help="tar.gz of model + certificate + Lean modules + reports + MANIFEST.json")
    a.add_argument("--model", default=str(DEFAULT_MODEL), help=f"model .safetensors (default {DEFAULT_MODEL})")
    a.add_argument("--cert", help="certificate JSON (default ./maxk-out/MODEL/MODEL.cert.json, certify's default "
                   "output; if that does not exist, artifacts/certs/MODEL.cert.json)")
    a.add_argument("--out", help="archive path (default ./maxk-out/MODEL/MODEL.tar.gz)")
    a.add_argument("--report", action="append", help="a report file to include (repeatable)")
    a.add_argument("--name", help="name inside the archive (default: the model's file name)")
    a.add_argument("--chunk-size", type=_int_in(1), default=None,
                   help="max tokens per Lean chunk module, >= 1 (default: the Lean exporter's, 1)")
    a.set_defaults(func=cmd_archive)

    va = sub.add_parser("verify-archive", help="re-hash, replay, regenerate and re-render an archive; exit 0/1")
    va.add_argument("archive", help="archive .tar.gz made by maxk archive")
    va.add_argument("--json", action="store_true", help="print one JSON document (ok, status, one entry per "
                    "check with its verdict and detail, seconds) instead of the PASS/FAIL lines")
    va.set_defaults(func=cmd_verify_archive)

    fr = sub.add_parser("frontier", help="brute force, the exact certificate, cubic and the subcubic "
                        "configurations: bound vs FLOPs table, per-group summary and plot (the paper's Figure 3)")
    fr.add_argument("models", nargs="*", metavar="MODEL", help="checkpoints (.safetensors or TransformerLens .pt)")
    fr.add_argument("--replot", action="store_true", help="no MODEL: redraw OUT_DIR/frontier.png from "
                    "OUT_DIR/frontier.json (a previous run's records); runs no strategy")
    fr.add_argument("--configs", default="all", help="'all' = the 100 subcubic configurations; 'groups' = the 50 "
                    "with the default attention handling (every group represented)")
    fr.add_argument("--out-dir", help="folder for frontier.{md,json,png} and frontier.summary.json (default "
                    "./maxk-out/MODEL/ for one model, ./maxk-out/frontier/ for several; a non-empty folder must be "
                    "a previous maxk output, holding .maxk-output)")
    fr.add_argument("--force", action="store_true", help=BRUTE_FORCE_BUDGET_HELP.replace(" (with the float32 "
                    "accuracy)", ""))
    fr.add_argument("--quiet", action="store_true", help="no progress bar")
    fr.set_defaults(func=cmd_frontier)

    cv = sub.add_parser("convert", help="TransformerLens .pt state dict (with or without its <stem>.cfg.json) -> "
                        "our .safetensors + metadata JSON beside it",
                        description="Read a model through the same loader as every command (a .pt file with "
                        "torch.load(weights_only=True): nothing is unpickled; its TransformerLens config "
                        "<stem>.cfg.json, if present, is checked against the certified architecture; a state dict "
                        "saved alone under 'model' is read from there) and write it as NAME.safetensors + "
                        "NAME.json (config, hashes, the source file and its sha256), which `maxk archive` accepts.")
    cv.add_argument("model", help="the model file to convert (.pt, or .safetensors)")
    cv.add_argument("--out", required=True, help="output NAME.safetensors (NAME.json is written beside it)")
    cv.set_defaults(func=cmd_convert)

    sm = sub.add_parser("summary", help="the closing summary of make demo: bounds, certificate (re-replayed), Coq "
                        "and Lean status, where the files are",
                        description="Reads the files make demo wrote (the two `maxk bound` reports, the "
                        "certificate, the Lean modules), re-runs the exact replay of the certificate (~2 s) and "
                        "prints a short summary.  Exit 0; 1 if the replay FAILs or the files are about different "
                        "models; 2 if a file is missing or malformed.")
    sm.add_argument("model", nargs="?", default=str(DEFAULT_MODEL), help=f"the model (default {DEFAULT_MODEL})")
    sm.add_argument("--reports-dir", default="artifacts/reports",
                    help="folder of MODEL.brute-force.json and MODEL.cubic.json (default artifacts/reports)")
    sm.add_argument("--brute-force", help="the brute-force report (default REPORTS_DIR/MODEL.brute-force.json)")
    sm.add_argument("--cubic", help="the cubic report (default REPORTS_DIR/MODEL.cubic.json)")
    sm.add_argument("--cert", help="the certificate (default artifacts/certs/MODEL.cert.json)")
    sm.add_argument("--name", help="the certificate's name in Lean (default: from the file name)")
    sm.add_argument("--lean-dir", default="lean", help="the Lake package export-lean wrote into (default lean)")
    sm.add_argument("--coq-exit", type=_int_in(0, 255), default=None,
                    help="exit code of `maxk coq-check` (0 PASS, 3 coqc missing, else FAIL); absent: not run")
    sm.add_argument("--lean-exit", type=_int_in(0, 255), default=None,
                    help="exit code of `maxk lean-check` (0 PASS, 3 no toolchain, else FAIL); absent: not run")
    sm.set_defaults(func=cmd_summary)

    return p


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _NOTES_SHOWN.clear()  # each note once per command (also when main runs several times in one process)
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
    except OSError as e:  # a write or read the checks above could not foresee (disk full, permissions)
        where = e.filename if e.filename is not None else None
        what = e.strerror or " ".join(str(e).split()) or type(e).__name__
        print(f"error: {where}: {what}" if where else f"error: {what}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
