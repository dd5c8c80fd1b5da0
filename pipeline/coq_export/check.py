"""`maxk coq-check`: prove a certificate's accuracy theorem with coqc, and judge what was proved.

    maxk coq-check artifacts/certs/max4-seed123.cert.json

Steps, each of which can only end in FAIL (exit 1), never in a PASS it did not earn:
  1. the replay's header, float32 and sha256 checks bind the integers to model_sha256 (Python:
     Coq does no hashing), and a negative claimed_count is refused;
  2. the Coq budget (COQ_BUDGET, FORMAT.md "Coq budget") refuses a certificate whose coqc run
     would be too large, before anything is rendered;
  3. render: the trusted statement and check files (trusted.py), the untrusted proof module
     (render.py);
  4. lint every untrusted file that will be compiled (render.static_checks);
  5. build.build: coqc on copies of the sources in a fresh folder, under memory and wall-time
     limits, reusing cached compiled layers by content key;
  6. trusted.judge: the claim and model coqc elaborated, the type of the checked definition,
     and every assumption by full path and type.
The PASS lines are made from what coqc printed (the count parsed from the elaborated claim),
and name the sha256 of every trusted file, coqc's path and version.

Library code: returns a CoqCheck (exit code and lines); the CLI prints them.
"""

from __future__ import annotations

import hashlib
import math
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import resources
from pipeline.certificate import replay as R
from pipeline.certificate.schema import load_certificate

from . import build as B
from . import lint as L
from . import render as C
from . import trusted as T

PROJECT_DIR = C.PROJECT_DIR
REPO = T.REPO

# The Coq budget: what coqc is asked to do is bounded before it starts.  Calibrated on this
# machine (2 cores, Coq 8.16.1): the shipped K = 4 certificate (0.63 MB, exp work 1.7e6, cells
# work 7.0e5) takes ~60 s and 0.6 GB in its module; coqc's memory grows ~0.7-1 GB per MB of
# certificate (an all-zero d = h = 1024 certificate of 8 MB: 5.3 GB); the exp-table check costs
# ~3.5e-7 s per unit of exp work (V = 15, n = 2, F = 4096, N_T = 1024: 1.1e9 units, 401 s).
COQ_BUDGET = {
    "cert_bytes": 4 << 20,        # the certificate file
    "d_model_x_d_head": 1 << 16,  # d_model * d_head (W_Q, W_K, W_V, W_O literals)
    "exp_work": 1 << 27,          # V (V + n) N_T ceil(F / 63)^2: the exp tables' Taylor checks
    "cells_work": 1 << 24,        # n * sum over cells of popcount(mask): the arrangements checked
    # exact certificates: n V |R| words (replay.residual_work: |R| = V^n - the cubic count, words the
    # integers' size; the unit of MAX_RESIDUAL_WORK), CheckerExact's per-input sums.  With the fast
    # verdict (rounded ~60-bit tiers first, CheckerExact.verdict_fast) the shipped exact certificate
    # (1.51e9 units, 589,348 inputs) takes ~61 s per vm_compute, ~0.04 us per unit, so ~90 s per pass
    # at the limit; an input the rounded tiers do not decide still costs the exact ~1.7 ms (~1 us
    # per unit), so a model whose residual is mostly undecided may take up to ~25x longer.
    "residual_work": 1 << 31,
}


@dataclass
class CoqCheck:
    code: int                      # 0 PASS, 1 FAIL, 3 no coqc
    lines: list = field(default_factory=list)
    claimed: int | None = None
    upper: int | None = None       # hi of an exact certificate, as coqc elaborated it
    seconds: float = 0.0
    trusted_sha256: dict = field(default_factory=dict)
    coqc: str = ""
    coqc_version: str = ""
    assumptions: list = field(default_factory=list)
    readback: dict = field(default_factory=dict)   # {Redirect target: what coqc printed}
    assumptions_text: str = ""     # Print Assumptions of the checked definition, as coqc printed it
    statement: str = ""            # the theorem, as coqc elaborated it (notations off)
    coqchk: dict | None = None     # {"ok", "seconds", "peak_kb", "axioms", "problem", "output"} when run
    compiled: int = 0
    reused: int = 0
    peak_kb: int = 0

    @property
    def ok(self) -> bool:
        return self.code == 0


def coq_budget_problem(cert: dict, cert_bytes: int) -> str | None:
    """The first limit of COQ_BUDGET that `cert` exceeds, as one sentence; None if within.
    Preconditions: the replay's check_header passed (shapes and sizes are sane)."""
    cfg = cert["config"]
    V, n, d, h = cfg["d_vocab"], cfg["n_ctx"], cfg["d_model"], cfg["d_head"]
    F, NT = cert["frac_bits"], cert["taylor_terms"]
    work = {
        "cert_bytes": cert_bytes,
        "d_model_x_d_head": d * h,
        "exp_work": V * (V + n) * NT * (-(-F // 63)) ** 2,
        "cells_work": n * sum(bin(c[4]).count("1") for c in cert["cells"] if type(c[4]) is int and c[4] > 0),
        "residual_work": 0,
    }
    if cert.get("strategy") == "exact":
        cubic = len(cert["c0"]) + sum(math.comb(n - 1, c[2]) * bin(c[4]).count("1") ** c[2] for c in cert["cells"]
                                      if type(c[2]) is int and 0 <= c[2] < n and type(c[4]) is int and c[4] > 0)
        z, T = R.align_weights(cert["weights"], V, n, cfg["d_model"], cfg["d_head"])
        paths = R.compute_paths(T, z, n)
        words = R.residual_words(paths, cert["exp_eqke"]["lo"], cert["exp_eqke"]["hi"],
                                 cert["exp_eqkp"]["lo"], cert["exp_eqkp"]["hi"])
        work["residual_work"] = R.residual_work(V, n, max(V**n - cubic, 0), words)
    for k, limit in COQ_BUDGET.items():
        if work[k] > limit:
            return f"{k} = {work[k]} is over the Coq budget of {limit} (FORMAT.md \"Coq budget\")"
    return None


def trusted_files(project_dir: Path) -> dict:
    """{label: path} of the trusted base whose sha256 every PASS prints."""
    out = {f"coq/{rel}": Path(project_dir) / rel for rel in T.TRUSTED_SOURCES}
    for rel in T.TRUSTED_TEMPLATES:
        out[rel] = resources.source_path(rel)   # the templates actually rendered (checkout or package)
    for rel in T.TRUSTED_PYTHON:
        out[rel] = REPO / rel
    return out


def hand_written_sources(project_dir: Path) -> dict:
    """{relative path: bytes} of what is compiled before a certificate: the trusted sources, then
    every other .v file that _CoqProject lists except the audit file.

    Every listed path must be plain (build.safe_rel: no `..`, no absolute path), listed once,
    and a regular file reached through no symbolic link anywhere under the project folder (so
    no listed name can be a second name of Spec.v, ModelOf.v or any file outside the folder).
    Raises FileNotFoundError naming a missing file, ValueError naming an unsafe one."""
    root = Path(project_dir)
    listed = [f for f in C.project_sources(root) if f != C.AUDIT_SOURCE]
    out = {}
    for rel in list(T.TRUSTED_SOURCES) + listed:
        if rel in out and rel in T.TRUSTED_SOURCES:
            continue
        if not B.safe_rel(rel) or rel in out or rel.startswith(T.CERTS_DIR + "/"):
            raise ValueError(f"{root / '_CoqProject'}: unsafe or repeated Coq source {rel!r}")
        q = root
        for part in rel.split("/"):
            q = q / part
            if q.is_symlink():
                raise ValueError(f"{q}: a Coq source reached through a symbolic link")
        if not q.is_file():
            raise FileNotFoundError(f"{q}: the hand-written Coq file is missing")
        out[rel] = q.read_bytes()
    return out


def proof_digest(files: dict) -> str:
    """sha256 over the sorted (path, sha256) of the untrusted hand-written files compiled."""
    h = hashlib.sha256()
    for rel in sorted(files):
        h.update(f"{rel}\0{hashlib.sha256(files[rel]).hexdigest()}\n".encode())
    return h.hexdigest()


def package_digest() -> str:
    """sha256 over the sorted (path, sha256) of every .py and .json file of the running package."""
    h = hashlib.sha256()
    pkg = REPO / "pipeline"
    for p in sorted(pkg.rglob("*")):
        if p.suffix in (".py", ".json") and p.is_file() and "__pycache__" not in p.parts:
            rel = p.relative_to(REPO).as_posix()
            h.update(f"{rel}\0{hashlib.sha256(p.read_bytes()).hexdigest()}\n".encode())
    return h.hexdigest()


def coq_check(cert_path, name: str | None = None, project_dir: Path = PROJECT_DIR, *,
              build_dir: Path | None = None, cache_dir: Path | None = None, use_cache: bool = True,
              memory_bytes: int = B.DEFAULT_MEMORY_BYTES, timeout: float = B.DEFAULT_TIMEOUT_S,
              lint: bool = True, proof_files: dict | None = None, progress=None,
              run_coqchk: bool = False) -> CoqCheck:
    """Prove and judge the certificate at `cert_path` (see the module docstring).

    `proof_files` replaces the rendered untrusted proof module(s) ({path: bytes}; the tests use it
    to play a hostile template).  `lint=False` skips step 4 (the tests use it to show that the
    structural checks alone hold).  `run_coqchk`: step 7, coqchk re-checks the check module's
    compiled file and everything it loads (build.coqchk), and trusted.judge_coqchk judges its
    context summary; a coqchk failure or a foreign axiom is a FAIL; no coqchk installed is a FAIL
    too (it was asked for).  Raises ValueError / OSError for bad input (the CLI turns
    them into one error line)."""
    coqc = B.find_coqc()
    if coqc is None:
        return CoqCheck(3, [C.COQ_MISSING])
    cert_path = Path(cert_path)
    name = name or cert_path.name.removesuffix(".json").removesuffix(".cert")
    project_dir = Path(project_dir)
    res = CoqCheck(1, coqc=coqc, coqc_version=B.coqc_version(coqc))
    say = res.lines.append
    cert = load_certificate(cert_path)
    problem = R.check_header(cert) or R.check_float32(cert["weights"])
    digest = R.weights_sha256(cert["weights"]) if problem is None else None
    if problem is None and digest != cert["model_sha256"]:
        problem = f"weights hash to {digest}, certificate says {cert['model_sha256']}"
    if problem is not None:
        say(f"FAIL {cert_path}: the weights are not bound to model_sha256 (checked in Python): {problem}")
        return res
    if cert["claimed_count"] < 0:
        say(f"FAIL {cert_path}: claimed_count is negative")
        return res
    if cert["strategy"] == "exact" and cert["claimed_upper"] < cert["claimed_count"]:
        say(f"FAIL {cert_path}: claimed_upper is below claimed_count (the replay's check 12 fails too)")
        return res
    problem = coq_budget_problem(cert, cert_path.stat().st_size)
    if problem is not None:
        say(f"FAIL {cert_path}: not run: {problem}")
        return res
    say(f"model binding (checked in Python, not in Coq): the weights hash to model_sha256 {digest}")
    hand = hand_written_sources(project_dir)
    rendered = T.render(cert, name)
    stmt, chk = T.statement_path(name), T.check_path(name)
    proof = proof_files if proof_files is not None else C.render_proof(cert, name)
    if any(rel in hand or rel in rendered for rel in proof):
        raise ValueError("a proof module would replace a hand-written or trusted file")
    # the order coqdep keeps among independent files: the trusted statement right after Spec.v
    # and ModelOf.v, before any untrusted file; the check file last
    sources = {rel: hand[rel] for rel in T.TRUSTED_SOURCES}
    sources[stmt] = rendered[stmt]
    sources.update((rel, data) for rel, data in hand.items() if rel not in T.TRUSTED_SOURCES)
    sources.update(proof)
    sources[chk] = rendered[chk]
    untrusted = {rel: data for rel, data in sources.items() if rel not in T.TRUSTED_SOURCES and rel not in rendered}
    if lint:
        problems = L.static_checks(untrusted)
        if problems:
            say(f"FAIL {cert_path}: forbidden Coq constructs: " + "; ".join(problems))
            return res
    for rel in T.TRUSTED_SOURCES:  # the trusted .v files compiled are the ones hashed below
        if sources[rel] != (project_dir / rel).read_bytes():
            say(f"FAIL {cert_path}: {project_dir / rel} changed while it was read")
            return res
    res.trusted_sha256 = {label: T.sha256_file(p) for label, p in trusted_files(project_dir).items()}
    for rel, data in rendered.items():
        res.trusted_sha256[f"rendered {rel}"] = hashlib.sha256(data).hexdigest()
    for rel, data in proof.items():
        res.trusted_sha256[f"rendered {rel} (the proof module, from the pinned templates)"] = hashlib.sha256(data).hexdigest()
    res.trusted_sha256["pipeline/ (every .py and .json file of the running package)"] = package_digest()
    hand_untrusted = {rel: data for rel, data in hand.items() if rel not in T.TRUSTED_SOURCES}
    cache = (cache_dir or B.default_cache_dir()) if use_cache else None
    tmp = None
    if build_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="maxk-coq-")
        build_dir = Path(tmp.name) / "build"
    texts: dict = {}

    def take(rel):
        if rel == stmt:
            texts.update(T.take_outputs(Path(build_dir), T.statement_targets(name)))
        elif rel == chk:
            texts.update(T.take_outputs(Path(build_dir), T.check_targets(name)))

    try:
        t0 = time.perf_counter()
        b = B.build(sources, Path(build_dir), coqc, cache_dir=cache, fresh={stmt, chk} | set(proof),
                    memory_bytes=memory_bytes, timeout=timeout, progress=progress, after=take,
                    pinned=set(T.TRUSTED_SOURCES) | {stmt})
        res.seconds = time.perf_counter() - t0
        if b.ok and (b.order[:3] != [*T.TRUSTED_SOURCES, stmt] or b.order[-1] != chk):
            b.ok, b.why, b.failed = False, "order", chk
        if not b.ok:
            if b.why == "timeout":
                why = f"coqc stopped at the wall-time limit ({timeout:.0f} s) while compiling {b.failed}"
            elif b.why == "memory":
                why = f"coqc stopped at the memory limit ({memory_bytes / 2**30:.1f} GiB) while compiling {b.failed}"
            elif b.why == "coqdep":
                why = f"coqdep could not order the files: {b.stderr[:300]}"
            elif b.why == "tampered":
                why = f"{b.failed} (or its compiled file) changed on disk during the build"
            elif b.why == "order":
                why = "the trusted files were not compiled first (statement) and last (check)"
            elif b.failed in proof and C.is_computation_failure(b.stderr):
                why = "the checker rejected the certificate (vm_compute gave false)"
            else:
                last = [ln for ln in b.stderr.strip().splitlines() if ln.strip()][-3:]
                why = f"coqc failed on {b.failed}: " + " ".join(x.strip() for x in last)[:400]
            say(f"FAIL {cert_path}: {why} ({res.seconds:.1f} s)")
            return res
        res.readback = texts
        j = T.judge(texts, cert, name, res.coqc_version)
        if j.ok and run_coqchk:
            res.coqchk = _coqchk_step(Path(build_dir), coqc, name, memory_bytes,
                                      max(timeout - (time.perf_counter() - t0), 1.0))
    finally:
        if tmp is not None:
            tmp.cleanup()
    res.claimed = j.claimed
    if not j.ok:
        say(f"FAIL {cert_path}: {j.problem}")
        return res
    res.assumptions = j.assumptions
    res.assumptions_text = texts.get(T.outputs(name)["assumptions"], "")
    res.compiled, res.reused, res.peak_kb = len(b.compiled), len(b.reused), b.peak_kb
    if res.coqchk is not None and not res.coqchk["ok"]:
        say(f"FAIL {cert_path}: {res.coqchk['problem']}")
        return res
    kinds = {"reals": 0, "PrimInt63": 0, "Uint63": 0}
    for path, _ in j.assumptions:
        kinds["PrimInt63" if ".PrimInt63." in path else "Uint63" if ".Uint63." in path else "reals"] += 1
    n_inputs = cert["config"]["d_vocab"] ** cert["config"]["n_ctx"]
    res.upper = j.upper
    x = f"Z.of_nat (Spec.count_correct {T.model_name(name)})"
    body = (f"({j.claimed} <= {x})%Z" if j.upper is None else f"({x} = {j.claimed})%Z" if j.upper == j.claimed
            else f"({j.claimed} <= {x} <= {j.upper})%Z")
    res.statement = f"{j.final}, where claim := {body}"
    say(f"coqc proved {j.final}, where (as coqc elaborated it, notations off) claim := {body}, "
        f"and {T.model_name(name)} is the certificate's model ({n_inputs} inputs), read back exactly")
    say(f"compiled {len(b.compiled)} files, reused {len(b.reused)} from the cache ({res.seconds:.1f} s, "
        f"peak {b.peak_kb / 2**20:.2f} GB); {res.coqc} (Coq {res.coqc_version})")
    for label, digest in res.trusted_sha256.items():
        say(f"SHA256 coq-trusted: {digest}  {label}")
    say(f"SHA256 coq-proof: {proof_digest(hand_untrusted)}  the {len(hand_untrusted)} untrusted hand-written "
        "files compiled (checker and proof layers; equal to the published digest unless one was edited)")
    if res.coqchk is not None:
        c = res.coqchk
        say(f"coqchk re-checked the compiled check module and every file it loads ({c['seconds']:.1f} s, peak "
            f"{c['peak_kb'] / 2**20:.2f} GB): no type-in-type, no unsafe fixpoints, no assumed positivity; its "
            f"{len(c['axioms'])} environment axioms are all on the allowlist")
    cp = project_dir / "_CoqProject"
    if cp.is_file():
        say(f"SHA256 coq-untrusted: {T.sha256_file(cp)}  coq/_CoqProject (file list only; its flags are not used)")
    what = (f"{j.claimed} of {n_inputs} inputs proved correct" if j.upper is None else
            f"exactly {j.claimed} of {n_inputs} inputs proved correct" if j.upper == j.claimed else
            f"{j.claimed} <= correct <= {j.upper} of {n_inputs} inputs proved")
    say(f"PASS {cert_path}: {what} in Coq "
        f"({res.seconds:.1f} s); Print Assumptions {T.final_name(name)}: {kinds['reals']} axioms of the reals, "
        f"{kinds['PrimInt63']} primitive integer names, {kinds['Uint63']} specifications of them "
        f"(each identified by full path and type), nothing else"
        + ("; coqchk PASS" if res.coqchk is not None else ""))
    res.code = 0
    return res


def _coqchk_step(build_dir: Path, coqc: str, name: str, memory_bytes: int, timeout: float) -> dict:
    """Step 7: coqchk on MaxK.Certs.<Ident>_Check (which loads the statement, the proof module and
    every layer) in the finished build folder; judged by trusted.judge_coqchk."""
    chk = B.find_coqchk(coqc)
    if chk is None:
        return {"ok": False, "seconds": 0.0, "peak_kb": 0, "axioms": [], "output": "",
                "problem": "coqchk was asked for but is not installed beside coqc (it ships with the coq package)"}
    run = B.coqchk(build_dir, chk, [f"{B.LOGICAL_ROOT}.{T.CERTS_DIR}.{T.coq_ident(name)}_Check"],
                   memory_bytes=memory_bytes, timeout=timeout)
    out = {"ok": False, "seconds": run.seconds, "peak_kb": run.peak_kb, "axioms": [], "output": run.output,
           "problem": ""}
    if not run.ok:
        last = [ln for ln in (run.stderr + run.output).strip().splitlines() if ln.strip()][-3:]
        out["problem"] = (f"coqchk stopped at the {'wall-time' if run.why == 'timeout' else 'memory'} limit"
                          if run.why in ("timeout", "memory") else
                          "coqchk rejected the compiled files: " + " ".join(x.strip() for x in last)[:400])
        return out
    ok, problem, axioms = T.judge_coqchk(run.output)
    out.update(ok=ok, problem=problem and f"coqchk: {problem}", axioms=axioms)
    return out


def prove_layers(project_dir: Path = PROJECT_DIR, *, cache_dir: Path | None = None, use_cache: bool = True,
                 memory_bytes: int = B.DEFAULT_MEMORY_BYTES, timeout: float = B.DEFAULT_TIMEOUT_S,
                 progress=None) -> CoqCheck:
    """`maxk coq-proof`: compile every hand-written file of _CoqProject (the checker, Spec.v,
    ModelOf.v, the proof of checker_sound) and the audit file Proof/Audit.v, in a fresh folder in
    coqdep's order, and return the audit's output (Print Assumptions of each layer's main lemmas)
    as the lines.  No certificate: nothing is judged here (tests/test_coq_proof.py checks the
    audit's assumptions)."""
    coqc = B.find_coqc()
    if coqc is None:
        return CoqCheck(3, [C.COQ_MISSING])
    project_dir = Path(project_dir)
    res = CoqCheck(1, coqc=coqc, coqc_version=B.coqc_version(coqc))
    sources = hand_written_sources(project_dir)
    audit = project_dir / C.AUDIT_SOURCE
    if not audit.is_file() or audit.is_symlink():
        raise FileNotFoundError(f"{audit}: the hand-written Coq file is missing")
    sources[C.AUDIT_SOURCE] = audit.read_bytes()
    problems = L.static_checks({rel: data for rel, data in sources.items() if rel not in T.TRUSTED_SOURCES})
    if problems:
        res.lines.append("FAIL: forbidden Coq constructs: " + "; ".join(problems))
        return res
    with tempfile.TemporaryDirectory(prefix="maxk-coq-") as tmp:
        t0 = time.perf_counter()
        b = B.build(sources, Path(tmp) / "build", coqc, fresh={C.AUDIT_SOURCE},
                    cache_dir=(cache_dir or B.default_cache_dir()) if use_cache else None,
                    memory_bytes=memory_bytes, timeout=timeout, progress=progress)
        res.seconds = time.perf_counter() - t0
    if not b.ok:
        last = [ln for ln in b.stderr.strip().splitlines() if ln.strip()][-3:]
        res.lines.append(f"FAIL: coqc on {b.failed} ({b.why}): " + " ".join(x.strip() for x in last)[:400])
        return res
    res.lines += b.stdout[C.AUDIT_SOURCE].rstrip().splitlines()
    res.lines.append(f"compiled {len(b.compiled)} files, reused {len(b.reused)} from the cache ({res.seconds:.1f} s); "
                     f"{coqc} (Coq {res.coqc_version})")
    res.code = 0
    return res
