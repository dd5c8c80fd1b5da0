"""Run coqc on a Coq project, from copies of its sources in a fresh folder, under limits (trusted).

    maxk coq-check CERT          (pipeline/coq_export/check.py calls build())

What it guarantees, whatever the project's files say:
  - coqc sees only the .v files it is given, copied into a fresh build folder: no .vo, .v or
    plugin lying in the project folder can be loaded, and a file not given cannot be Required;
  - the command line is fixed here: `coqc -q -noglob -R <build folder> MaxK <file>`; nothing of
    _CoqProject's flags is used (a hostile `-R evil Coq` there changes nothing);
  - every source path is plain (letters, digits, `_`, `/`, ending in .v: no `..`, no absolute
    path, no second name), written as a fresh file, and re-read before and after its coqc: a
    file changed on disk (by an earlier coqc) fails the build; so does a change of a `pinned`
    compiled file (.vo) after it was compiled;
  - the compile order is coqdep's dependency order (ties: the order given), so the caller can
    put trusted files that depend only on the standard library before anything untrusted, and
    `after(file)` lets it read a file's outputs before any later coqc runs;
  - every coqc runs with an address-space limit (RLIMIT_AS) and inside one wall-time budget for
    the whole build; past either it is stopped (its process group killed) and the build fails
    with one line saying which limit;
  - a compiled file is reused from `cache_dir` only when its key matches: the sha256 of coqc's
    version, the flags, its path and bytes, and the keys of the files it depends on. The cache
    is the user's own folder (by default under ~/.cache), never the project's: a cached .vo is
    one this module compiled.  Files in `fresh` are always compiled (their printed output is
    needed).

Complexity: one coqc per file not in the cache; coqdep once.
"""

from __future__ import annotations

import hashlib
import os
import re
import resource
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

LOGICAL_ROOT = "MaxK"
FLAGS = ("-q", "-noglob")
DEFAULT_MEMORY_BYTES = 8 << 30   # per coqc process (the shipped certificate's module peaks at ~0.6 GB)
DEFAULT_TIMEOUT_S = 1800.0       # the whole build (the shipped certificate: ~2 min without a cache)


def find_coqc() -> str | None:
    return shutil.which("coqc")


def find_coqchk(coqc: str) -> str | None:
    """coqchk beside `coqc` (the same installation), else on PATH; None if there is none."""
    p = Path(coqc).with_name("coqchk")
    return str(p) if p.is_file() else shutil.which("coqchk")


# coqchk re-type-checks every compiled file it loads with its own checker (universes, guard and
# positivity included) and lists the axioms of the whole loaded environment.  `-bytecode-compiler
# yes`: the certificate's `vm_compute` proofs are re-checked on the same VM coqc used (the lazy
# machine coqchk uses otherwise would take hours); the VM is the part it does not make independent.
COQCHK_FLAGS = ("-silent", "-o", "-bytecode-compiler", "yes")


@dataclass
class CoqchkRun:
    ok: bool                # coqchk exited 0 within the limits
    why: str = ""           # "" | "coqchk" | "timeout" | "memory"
    output: str = ""        # what it printed (stdout, then stderr: the context summary goes to either)
    stderr: str = ""
    seconds: float = 0.0
    peak_kb: int = 0


def coqchk(build_dir: Path, coqchk_path: str, modules: list, *, memory_bytes: int = DEFAULT_MEMORY_BYTES,
           timeout: float = DEFAULT_TIMEOUT_S) -> CoqchkRun:
    """Run `coqchk -silent -o -bytecode-compiler yes -R <build_dir> MaxK MODULES` on the compiled
    files of a finished build, under the same memory and wall-time limits as coqc.
    Complexity: one re-check of every .vo the modules depend on (the shipped certificate and
    its 35 layers: ~67 s, 0.5 GB here).  Postconditions: ok only if coqchk exited 0; the caller
    judges the printed context (trusted.judge_coqchk)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    rc, out, err, dt = _run([coqchk_path, *COQCHK_FLAGS, "-R", ".", LOGICAL_ROOT, *modules], Path(build_dir),
                            memory_bytes, timeout)
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before)
    if rc == 0:
        return CoqchkRun(True, "", (out + "\n" + err).strip() + "\n", err, dt, peak)
    why = "timeout" if rc is None else "memory" if ("out of memory" in err.lower() or rc in (-signal.SIGSEGV, -signal.SIGKILL)) else "coqchk"
    return CoqchkRun(False, why, out, err, dt, peak)


def coqc_version(coqc: str) -> str:
    """"8.16.1" from `coqc --version` ("" if it cannot be read)."""
    try:
        out = subprocess.run([coqc, "--version"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    m = re.search(r"version (\S+)", out)
    return m.group(1) if m else ""


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "maxk" / "coq-build"


_SAFE_REL = re.compile(r"(?:[A-Za-z0-9_]+/)*[A-Za-z0-9_]+\.v")


def safe_rel(rel: str) -> bool:
    """A source path the build accepts: relative, folders and a file name of letters, digits and
    `_` only, ending in .v (so no `..`, no absolute path, no `.` component, no second name for a
    file; a Coq module name needs these characters anyway)."""
    return isinstance(rel, str) and _SAFE_REL.fullmatch(rel) is not None


@dataclass
class BuildResult:
    ok: bool
    failed: str = ""                  # the file that failed ("" if none)
    why: str = ""                     # "coqc" | "timeout" | "memory" | "coqdep"
    stdout: dict = field(default_factory=dict)   # file -> coqc's stdout (compiled files only)
    stderr: str = ""                  # the failing coqc's stderr
    compiled: list = field(default_factory=list)
    reused: list = field(default_factory=list)
    seconds: dict = field(default_factory=dict)  # file -> coqc wall seconds
    peak_kb: int = 0                  # the largest max-RSS of a coqc child, in KiB
    order: list = field(default_factory=list)    # the compile order


def _limit(memory_bytes: int):
    def set_limits():
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    return set_limits


def _run(cmd: list, cwd: Path, memory_bytes: int, timeout: float):
    """(returncode or None on timeout, stdout, stderr, seconds) of one limited child."""
    t0 = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k not in ("COQPATH", "COQLIB", "OCAMLRUNPARAM")}
    proc = subprocess.Popen(cmd, cwd=str(cwd), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=_limit(memory_bytes), env=env)
    try:
        out, err = proc.communicate(timeout=max(timeout, 0.1))
        return proc.returncode, out, err, time.perf_counter() - t0
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        out, err = proc.communicate()
        return None, out, err, time.perf_counter() - t0


_DEP_LINE = re.compile(r"^(\S+)\.vo\s.*?:\s*(.*)$")


def dependency_order(files: list, build_dir: Path, coqdep: str) -> tuple:
    """(order, deps): the files in dependency order (stable: the given order breaks ties) and
    {file: [project files it depends on]}, from coqdep; raises RuntimeError if coqdep fails or
    the dependencies have a cycle."""
    proc = subprocess.run([coqdep, "-R", ".", LOGICAL_ROOT] + list(files), cwd=str(build_dir),
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"coqdep failed: {proc.stderr.strip()[:500]}")
    known = set(files)
    deps = {f: [] for f in files}
    for ln in proc.stdout.splitlines():
        m = _DEP_LINE.match(ln)
        if not m:
            continue
        src = os.path.normpath(m.group(1)) + ".v"
        if src not in deps:
            continue
        for tok in m.group(2).split():
            if tok.endswith(".vo"):
                dep = os.path.normpath(tok[:-3]) + ".v"
                if dep in known and dep != src and dep not in deps[src]:
                    deps[src].append(dep)
    order, done = [], set()
    pending = list(files)
    while pending:
        ready = [f for f in pending if all(d in done for d in deps[f])]
        if not ready:
            raise RuntimeError("the Coq files depend on each other in a cycle: " + ", ".join(pending))
        f = ready[0]
        order.append(f)
        done.add(f)
        pending.remove(f)
    return order, deps


def build(sources: dict, build_dir: Path, coqc: str, *, cache_dir: Path | None = None, fresh=(),
          memory_bytes: int = DEFAULT_MEMORY_BYTES, timeout: float = DEFAULT_TIMEOUT_S,
          progress=None, after=None, pinned=()) -> BuildResult:
    """Compile `sources` ({relative .v path: bytes}) in `build_dir` (created; must not exist or be
    empty) with `coqc`.

    Preconditions: every Require of a project module names a file in `sources`.
    Postconditions: ok only if every file compiled (or was reused from the cache under its key);
    stdout holds the output of each file compiled now; on failure, `failed` names the file and
    `why` the reason ("coqc": an error, "timeout", "memory": the limit was hit, "tampered": a
    source or a `pinned` compiled file changed on disk while other files compiled).
    `progress(i, n, file, reused)` is called before each file, `after(file)` after each file
    compiled now (its outputs can be read before any later coqc runs).  `pinned`: files whose
    .vo must not change after they are compiled (checked after the last file)."""
    build_dir = Path(build_dir)
    bad = [rel for rel in sources if not safe_rel(rel)]
    if bad:
        raise ValueError(f"unsafe Coq source path {bad[0]!r}: expected letters, digits, _ and / only, ending in .v")
    build_dir.mkdir(parents=True, exist_ok=True)
    if any(build_dir.iterdir()):
        raise ValueError(f"{build_dir}: the build folder must be empty")
    for rel, data in sources.items():
        p = build_dir / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        with open(p, "xb") as f:  # a fresh file: never through a link or over another source
            f.write(data)
    coqdep = str(Path(coqc).with_name("coqdep"))
    if not Path(coqdep).exists():
        coqdep = shutil.which("coqdep") or "coqdep"
    res = BuildResult(ok=False)
    try:
        order, deps = dependency_order(list(sources), build_dir, coqdep)
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        res.why, res.stderr = "coqdep", str(e)
        return res
    res.order = order
    version = coqc_version(coqc)
    keys: dict = {}
    pinned_vo: dict = {}

    def unchanged(rel: str) -> bool:
        p = build_dir / rel
        return p.is_file() and not p.is_symlink() and p.read_bytes() == sources[rel]

    deadline = time.monotonic() + timeout
    for i, rel in enumerate(order):
        h = hashlib.sha256()
        for part in (version, " ".join(FLAGS), rel):
            h.update(part.encode() + b"\0")
        h.update(hashlib.sha256(sources[rel]).digest())
        for d in sorted(deps[rel]):
            h.update(keys[d].encode())
        keys[rel] = key = h.hexdigest()
        vo = (build_dir / rel).with_suffix(".vo")
        cached = cache_dir / key[:2] / (key + ".vo") if cache_dir is not None else None
        reuse = cached is not None and rel not in fresh and cached.is_file()
        if progress is not None:
            progress(i, len(order), rel, reuse)
        if not unchanged(rel):
            res.failed, res.why = rel, "tampered"
            return res
        if reuse:
            shutil.copyfile(cached, vo)
            res.reused.append(rel)
            continue
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        rc, out, err, dt = _run([coqc, *FLAGS, "-R", ".", LOGICAL_ROOT, rel], build_dir, memory_bytes,
                                deadline - time.monotonic())
        res.peak_kb = max(res.peak_kb, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before)
        res.seconds[rel] = dt
        res.stdout[rel] = out
        if rc != 0:
            res.failed, res.stderr = rel, err
            if rc is None:
                res.why = "timeout"
            elif "Out of memory" in err or "out of memory" in err or rc in (-signal.SIGSEGV, -signal.SIGKILL):
                res.why = "memory"
            else:
                res.why = "coqc"
            return res
        if not unchanged(rel):
            res.failed, res.why = rel, "tampered"
            return res
        res.compiled.append(rel)
        if rel in pinned:
            pinned_vo[rel] = hashlib.sha256(vo.read_bytes()).hexdigest()
        if after is not None:
            after(rel)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_name(cached.name + f".{os.getpid()}.tmp")
            shutil.copyfile(vo, tmp)
            os.replace(tmp, cached)
    for rel, digest in pinned_vo.items():
        vo = (build_dir / rel).with_suffix(".vo")
        if vo.is_symlink() or not vo.is_file() or hashlib.sha256(vo.read_bytes()).hexdigest() != digest:
            res.failed, res.why = rel, "tampered"
            return res
    res.ok = True
    return res
