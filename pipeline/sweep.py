"""Seed sweeps: train, bound, certify and replay many models; resumable; a local process pool or Ray.

    maxk sweep --k 4 --seeds paper --out artifacts/sweeps/max4-paper-seeds        # all cores
    maxk sweep --seeds 50-55 --backend ray --ray-address HEAD:6379 --out DIR       # a Ray cluster
    maxk report artifacts/sweeps/max4-paper-seeds                                  # pipeline/sweep_report.py

Steps, per seed (`STEPS`): train, brute-force, cubic, subcubic, certify, replay.  The strategy steps
call the strategy registry (pipeline/strategies/__init__.py) by name; a strategy that is not
registered gives an "unavailable" record (written by the driver: no worker, no model needed),
listed like any failure; so does a brute force estimated over its budget (strategies/brute_force.py
`budget_problem`: the record's error gives the estimate).  The brute-force step records the sound
enclosure only, not the float32 torch accuracy (a reference number that costs more CPU than the sound brute force).  certify and replay call the
public pipeline.certificate functions only (certify(weights), replay_file(path)).  Dependencies are
added automatically: every step needs the model (train), replay needs certify's certificate.

Layout of a sweep folder OUT:

    OUT/sweep.json                          settings (k, vocab, train steps); a re-run must match them
    OUT/models/max{K}-seed{S}.safetensors   trained models (+ .json metadata); reused when intact
    OUT/certs/max{K}-seed{S}.cert.json      the cubic certificates
    OUT/results/{model sha256}/{step}.json  one result per (model, step), written atomically
    OUT/results/seed-{S}/train.json         a training failure (no model, so no sha256 yet)

A result record (FORMAT) has the keys RECORD_KEYS.  Everything except `run` (wall and CPU seconds,
host, backend) is a deterministic function of (settings, seed, step): the local and Ray backends
write the same records up to `run` and `checksum`.  `checksum` is the sha256 of the canonical JSON
of the other keys; a record that does not parse, lacks a key, fails its checksum or sits under the
wrong path is "corrupt" and is redone.

Resume rule: a step is finished when its record is intact and has status "ok" (a replay that says
FAIL is a finished step with verdict FAIL).  Failed steps are retried on every run, unavailable
ones as soon as their strategy is registered.
A model is reused when its metadata matches the settings and both hashes check; otherwise it is
retrained (training is deterministic, pipeline/model/train.py).

Scheduling: the driver (this process) does all file I/O; the workers are pure functions of their
task (`run_task`: settings, seed, step, model bytes, certificate bytes) and return the result and
any file contents, so a Ray cluster needs no shared file system.  Ready tasks are submitted
seed by seed (lowest seed index first), at most `jobs` at a time, so an interrupted sweep leaves
whole seeds finished.  Every worker runs single-threaded (torch and BLAS), one task per core.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import heapq
import json
import os
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import PipelineError

STEPS = ("train", "brute-force", "cubic", "subcubic", "certify", "replay")
STRATEGY_STEPS = ("brute-force", "cubic", "subcubic")  # looked up in the strategy registry by name
FORMAT = "maxk-sweep-result/1"
SWEEP_FORMAT = "maxk-sweep/1"
RECORD_KEYS = ("format", "step", "seed", "k", "vocab", "model_sha256", "status", "result", "error", "run",
               "checksum")
STATUSES = ("ok", "failed", "unavailable")
THREAD_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
RAY_CONNECT_TIMEOUT = 5.0  # seconds to wait for a TCP connection to --ray-address
MAX_SEEDS = 100_000


# ----------------------------------------------------------------- parsing


def paper_seeds() -> list[int]:
    """The 151 Max-of-4 seeds of the paper's code (pipeline/data/paper_seeds.json says where from)."""
    from importlib.resources import files

    doc = json.loads(files("pipeline.data").joinpath("paper_seeds.json").read_text())
    return list(doc["seeds"])


def parse_seeds(spec: str) -> list[int]:
    """`paper` | `paper:N` (the first N paper seeds) | `S` (one seed) | `A-B` (A..B inclusive), or a
    comma-separated list of these.  Order kept, duplicates dropped.  Raises ValueError."""
    out: list[int] = []
    items = [s.strip() for s in str(spec).split(",")]
    if not items or any(not s for s in items):
        raise ValueError(f"bad seed list {spec!r}: empty item")
    for item in items:
        if item == "paper":
            out += paper_seeds()
        elif item.startswith("paper:"):
            n = _nonneg_int(item[6:], spec)
            ps = paper_seeds()
            if not 1 <= n <= len(ps):
                raise ValueError(f"bad seed list {spec!r}: paper:N needs 1 <= N <= {len(ps)}")
            out += ps[:n]
        elif "-" in item:
            a, _, b = item.partition("-")
            lo, hi = _nonneg_int(a, spec), _nonneg_int(b, spec)
            if lo > hi:
                raise ValueError(f"bad seed range {item!r}: start {lo} > end {hi}")
            if hi - lo + 1 > MAX_SEEDS:
                raise ValueError(f"bad seed range {item!r}: more than {MAX_SEEDS} seeds")
            out += range(lo, hi + 1)
        else:
            out.append(_nonneg_int(item, spec))
    seen, uniq = set(), []
    for s in out:
        if s not in seen:
            seen.add(s)
            uniq.append(s)
    if len(uniq) > MAX_SEEDS:
        raise ValueError(f"bad seed list {spec!r}: more than {MAX_SEEDS} seeds")
    return uniq


def _nonneg_int(text: str, spec: str) -> int:
    t = text.strip()
    if not t.isdigit() or not t.isascii():
        raise ValueError(f"bad seed list {spec!r}: {text!r} is not a non-negative integer")
    return int(t)


def parse_steps(spec: str) -> tuple[str, ...]:
    """Comma-separated step names -> the steps to run, in STEPS order, with their dependencies
    (train always; certify when replay is asked for).  Raises ValueError on an unknown name."""
    names = [s.strip() for s in str(spec).split(",")]
    for n in names:
        if n not in STEPS:
            raise ValueError(f"unknown step {n!r}; choose from {', '.join(STEPS)}")
    chosen = set(names) | {"train"}
    if "replay" in chosen:
        chosen.add("certify")
    return tuple(s for s in STEPS if s in chosen)


@dataclass(frozen=True)
class SweepSettings:
    """What every model of a sweep shares; stored in OUT/sweep.json."""

    k: int = 4  # sequence length n_ctx
    vocab: int = 64  # d_vocab
    train_steps: int = 3000  # optimizer steps (the paper's 3000)

    def __post_init__(self):
        from .model.config import ModelConfig

        for name in ("k", "vocab", "train_steps"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        if self.k < 2:
            raise ValueError(f"k must be >= 2, got {self.k}")
        ModelConfig(d_vocab=self.vocab, n_ctx=self.k)  # validates

    def to_dict(self) -> dict:
        return {"format": SWEEP_FORMAT, "k": self.k, "vocab": self.vocab, "train_steps": self.train_steps}


# ----------------------------------------------------------------- records


def canonical(obj) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def record_checksum(rec: dict) -> str:
    return hashlib.sha256(canonical({k: v for k, v in rec.items() if k != "checksum"})).hexdigest()


def check_record(rec, step: str | None = None, key: str | None = None) -> str | None:
    """None if `rec` is an intact record (for `step` under results/`key`), else the problem."""
    if not isinstance(rec, dict):
        return "not a JSON object"
    missing = [k for k in RECORD_KEYS if k not in rec]
    if missing:
        return f"missing keys {missing}"
    if set(rec) != set(RECORD_KEYS):
        return f"unexpected keys {sorted(set(rec) - set(RECORD_KEYS))}"
    if rec["format"] != FORMAT:
        return f"format {rec['format']!r}, expected {FORMAT!r}"
    if rec["status"] not in STATUSES:
        return f"bad status {rec['status']!r}"
    if not isinstance(rec["checksum"], str) or rec["checksum"] != record_checksum(rec):
        return "checksum mismatch"
    if step is not None and rec["step"] != step:
        return f"step {rec['step']!r} under {step}.json"
    if key is not None and key != (rec["model_sha256"] or f"seed-{rec['seed']}"):
        return "record is under the wrong folder"
    if rec["status"] == "ok" and not isinstance(rec["result"], dict):
        return "ok record without a result"
    return None


def read_record(path: Path):
    """(record, problem): problem is None for an intact record, "missing" for no file."""
    path = Path(path)
    if not path.exists():
        return None, "missing"
    try:
        rec = json.loads(path.read_bytes())
    except (OSError, ValueError) as e:
        return None, f"unreadable ({type(e).__name__})"
    return rec, check_record(rec, path.stem, path.parent.name)


def write_record(path: Path, rec: dict) -> dict:
    from .fileio import atomic_write_bytes

    rec = {k: rec[k] for k in RECORD_KEYS if k != "checksum"}
    rec["checksum"] = record_checksum(rec)
    atomic_write_bytes(path, json.dumps(rec, indent=1, sort_keys=True, allow_nan=False).encode() + b"\n")
    return rec


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class SweepDir:
    """The files of one sweep folder (see the module docstring)."""

    def __init__(self, out, settings: SweepSettings):
        self.root = Path(out)
        self.settings = settings
        self.models = self.root / "models"
        self.certs = self.root / "certs"
        self.results = self.root / "results"

    def model_path(self, seed: int) -> Path:
        return self.models / f"max{self.settings.k}-seed{seed}.safetensors"

    def cert_path(self, seed: int) -> Path:
        return self.certs / f"max{self.settings.k}-seed{seed}.cert.json"

    def record_path(self, key: str, step: str) -> Path:
        return self.results / key / f"{step}.json"

    def record(self, sha: str | None, step: str):
        """(record or None, problem or None) for (model sha, step)."""
        if sha is None:
            return None, "missing"
        return read_record(self.record_path(sha, step))

    def finished(self, sha: str | None, step: str) -> bool:
        rec, problem = self.record(sha, step)
        return problem is None and rec["status"] == "ok"

    def cert_intact(self, seed: int, sha: str) -> bool:
        """certify's record is ok and the certificate file on disk is the one it describes."""
        rec, problem = self.record(sha, "certify")
        if problem is not None or rec["status"] != "ok":
            return False
        p = self.cert_path(seed)
        return p.exists() and file_sha256(p) == rec["result"].get("cert_sha256")

    def check(self) -> None:
        """Read-only: raise PipelineError if OUT is not a folder or its sweep.json disagrees."""
        if self.root.exists() and not self.root.is_dir():
            raise PipelineError(self.root, "not a folder")
        meta = self.root / "sweep.json"
        if meta.exists():
            try:
                have = json.loads(meta.read_text())
            except (OSError, ValueError):
                raise PipelineError(meta, "not valid JSON") from None
            want = self.settings.to_dict()
            if have != want:
                raise PipelineError(meta, f"this sweep folder was made with {have}, not {want}; "
                                          "use another --out")

    def prepare(self) -> None:
        """check(), then create the folders, write sweep.json, remove our stale temp files."""
        from .fileio import atomic_write_json

        self.check()
        meta = self.root / "sweep.json"
        if not meta.exists():
            atomic_write_json(meta, self.settings.to_dict())
        for d in (self.models, self.certs, self.results):
            d.mkdir(parents=True, exist_ok=True)
            for tmp in d.rglob(".*.tmp"):  # left by an interrupted atomic write
                tmp.unlink()

    def seed_index(self) -> dict[int, str]:
        """seed -> model sha256, from the intact ok train records (first in sorted order)."""
        index: dict[int, str] = {}
        for p in sorted(self.results.glob("*/train.json")):
            rec, problem = read_record(p)
            if problem is None and rec["status"] == "ok" and rec["k"] == self.settings.k \
                    and rec["vocab"] == self.settings.vocab:
                index.setdefault(rec["seed"], rec["model_sha256"])
        return index

    def intact_model(self, seed: int):
        """(sha256, metadata) of the model file for `seed` if it matches the settings and both of
        its hashes check; else None."""
        from .model.checkpoint import load_weights
        from .model.config import ModelConfig

        path = self.model_path(seed)
        try:
            meta = json.loads(path.with_suffix(".json").read_text())
            s = self.settings
            if (meta.get("seed") != seed or meta.get("train_config", {}).get("steps") != s.train_steps
                    or meta.get("config") != ModelConfig(d_vocab=s.vocab, n_ctx=s.k).to_dict()
                    or meta.get("weights_file_sha256") != file_sha256(path)):
                return None
            sha = load_weights(path).sha256
        except (OSError, ValueError, PipelineError, AttributeError, TypeError):
            return None
        return (sha, meta) if sha == meta.get("model_sha256") else None


# ----------------------------------------------------------------- worker side


def _init_worker() -> None:
    """Process-pool initializer: one BLAS/OpenMP thread per worker (set before numpy is imported),
    then the heavy imports, so that the first task's time does not include them."""
    os.environ.update(THREAD_ENV)
    import numpy  # noqa: F401
    import torch

    torch.set_num_threads(1)


def _one_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0] if text else ''}".strip().rstrip(":")[:500]


def _json_scalars(d: dict) -> dict:
    """The JSON-scalar entries of a strategy's extra/info dict, without timings."""
    return {k: v for k, v in d.items()
            if "second" not in k and (v is None or isinstance(v, (bool, int, float, str)))}


def run_task(task: dict) -> dict:
    """Run one step for one seed.  A pure function of `task`; never raises for a failing step.

    task: {"step", "seed", "settings": SweepSettings.to_dict(), "model": {"safetensors": bytes,
    "json": bytes} (all steps but train), "cert": bytes (replay)}.
    Returns {"status", "result", "error", "blobs", "seconds", "cpu_seconds", "host"}; blobs holds
    file contents the driver writes (the model for train, the certificate for certify).
    """
    import tempfile

    os.environ.update(THREAD_ENV)
    t0, c0 = time.perf_counter(), time.process_time()
    out = {"status": "ok", "result": None, "error": None, "blobs": {}}
    try:
        s = task["settings"]
        settings = SweepSettings(k=s["k"], vocab=s["vocab"], train_steps=s["train_steps"])
        with tempfile.TemporaryDirectory(prefix="maxk-sweep-") as tmp:
            step = task["step"]
            if step == "train":
                out.update(_task_train(settings, task["seed"], Path(tmp)))
            else:
                weights = _weights_from_bytes(task["model"], Path(tmp))
                if step in STRATEGY_STEPS:
                    out.update(_task_strategy(step, weights))
                elif step == "certify":
                    out.update(_task_certify(weights))
                elif step == "replay":
                    out.update(_task_replay(task["cert"], Path(tmp)))
                else:
                    raise ValueError(f"unknown step {step!r}")
    except Exception as e:  # a failing step is a record, not a crash of the sweep
        out.update(status="failed", result=None, error=_one_line(e), blobs={})
    out["seconds"] = round(time.perf_counter() - t0, 3)
    out["cpu_seconds"] = round(time.process_time() - c0, 3)
    out["host"] = socket.gethostname()
    return out


def _single_thread_torch():
    import torch

    torch.set_num_threads(1)


def _weights_from_bytes(model: dict, tmp: Path):
    from .model.checkpoint import load_weights

    p = tmp / "model.safetensors"
    p.write_bytes(model["safetensors"])
    p.with_suffix(".json").write_bytes(model["json"])
    return load_weights(p)


def _task_train(settings: SweepSettings, seed: int, tmp: Path) -> dict:
    from .model.config import ModelConfig
    from .model.train import TrainConfig, train_to_file

    _single_thread_torch()
    path = train_to_file(ModelConfig(d_vocab=settings.vocab, n_ctx=settings.k),
                         TrainConfig(seed=seed, steps=settings.train_steps), tmp, progress=False)
    raw, meta_raw = path.read_bytes(), path.with_suffix(".json").read_bytes()
    meta = json.loads(meta_raw)
    return {"result": _train_result(meta), "blobs": {"safetensors": raw, "json": meta_raw},
            "train_seconds": meta.get("wall_time_seconds")}


def _train_result(meta: dict) -> dict:
    return {
        "model_sha256": meta["model_sha256"],
        "weights_file_sha256": meta["weights_file_sha256"],
        "train_steps": meta["steps"],
        "final_loss": meta["final_loss"],
        "final_loss_mean_100": meta["final_loss_mean_100"],
    }


def strategy_unavailable(name: str) -> str | None:
    """None if the registry has strategy `name` and its module imports; else the reason."""
    from .strategies import get_strategy

    try:
        get_strategy(name)
    except (KeyError, ImportError) as e:
        msg = e.args[0] if isinstance(e, KeyError) and e.args else _one_line(e)
        return f"strategy {name!r} is not available: {msg}"
    return None


def _task_strategy(name: str, weights) -> dict:
    from .report import run_bound

    why = strategy_unavailable(name)
    if why is None and name == "brute-force":  # refused before any work, like `maxk bound brute-force`
        from .strategies.brute_force import budget_problem, estimate

        why = budget_problem(estimate(weights.config, float32=False))
    if why is not None:
        return {"status": "unavailable", "error": why}
    # without the float32 torch accuracy (a reference number, not a bound): it would cost more CPU
    # than the sound brute force itself, whose enclosure [accuracy_lo, accuracy_hi] is recorded
    r = run_bound(name, weights, progress=False, with_float32=False)
    result = {"n_inputs": r.n_inputs, "n_proved": r.n_proved, "bound": r.n_proved / r.n_inputs, "flops": r.flops}
    result.update({k: v for k, v in _json_scalars(r.extra).items() if k not in result})
    return {"result": result}


def _task_certify(weights) -> dict:
    from .certificate.certify import certify
    from .certificate.schema import dump_certificate

    cert, info = certify(weights)
    text = dump_certificate(cert).encode()
    claimed = info["claimed_count"] if "claimed_count" in info else cert["claimed_count"]
    n_inputs = weights.config.n_inputs
    result = {"claimed_count": claimed, "n_inputs": n_inputs, "bound": claimed / n_inputs,
              "cert_sha256": hashlib.sha256(text).hexdigest(), "cert_bytes": len(text)}
    result.update({k: v for k, v in _json_scalars(info).items() if k not in result})
    return {"result": result, "blobs": {"cert": text}}


def _task_replay(cert: bytes, tmp: Path) -> dict:
    from .certificate.replay import replay_file
    from .certificate.schema import CertificateError

    p = tmp / "cert.json"
    p.write_bytes(cert)
    base = {"cert_sha256": hashlib.sha256(cert).hexdigest()}
    try:
        r = replay_file(p)
    except CertificateError as e:
        return {"result": {**base, "verdict": "FAIL", "count": 0, "n_inputs": 0, "failed_check": "load_certificate",
                           "detail": getattr(e, "problem", None) or _one_line(e)}}
    return {"result": {**base, "verdict": "PASS" if r.ok else "FAIL", "count": r.count, "n_inputs": r.n_inputs,
                       "failed_check": r.failed_check, "detail": r.detail}}


# ----------------------------------------------------------------- executors


class LocalExecutor:
    """A process pool of `jobs` workers (spawned, single-threaded)."""

    name = "local"

    def __init__(self, jobs: int | None):
        import multiprocessing as mp

        self.jobs = jobs or os.cpu_count() or 1
        self._ctx = mp.get_context("spawn")
        self._pool = self._new_pool()

    def _new_pool(self):
        return cf.ProcessPoolExecutor(max_workers=self.jobs, mp_context=self._ctx, initializer=_init_worker)

    def submit(self, task: dict):
        fut = self._pool.submit(run_task, task)
        fut.pool = self._pool
        return fut

    def wait(self, handles: list, timeout: float) -> list:
        done, _ = cf.wait(handles, timeout=timeout, return_when=cf.FIRST_COMPLETED)
        return list(done)

    def result(self, handle) -> dict:
        """The task's output; a dead worker process becomes a failed output (and a fresh pool)."""
        try:
            return handle.result()
        except (cf.process.BrokenProcessPool, cf.CancelledError) as e:
            if handle.pool is self._pool:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()
            return {"status": "failed", "result": None, "error": f"worker process died ({_one_line(e)})",
                    "blobs": {}, "seconds": None, "cpu_seconds": None, "host": socket.gethostname()}

    def close(self, cancel: bool = False) -> None:
        self._pool.shutdown(wait=not cancel, cancel_futures=cancel)


def check_ray_address(address: str, timeout: float = RAY_CONNECT_TIMEOUT) -> None:
    """Raise PipelineError unless a TCP connection to host:port opens within `timeout` seconds
    (ray.init itself would retry for minutes).  "auto" is left to Ray."""
    if address == "auto":
        return
    hostport = address.split("://", 1)[-1]
    host, sep, port = hostport.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise PipelineError(f"--ray-address {address}", "expected HOST:PORT, ray://HOST:PORT or auto")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as e:
        why = e.strerror or type(e).__name__
        raise PipelineError(f"--ray-address {address}",
                            f"cannot reach the Ray cluster ({why}; waited at most {timeout:g} s)") from None


class _captured_stderr:
    """Redirect file descriptor 2 to a temporary file for the duration; getvalue() is its text."""

    def __enter__(self):
        import sys
        import tempfile

        sys.stderr.flush()
        self._file = tempfile.TemporaryFile()
        self._saved = os.dup(2)
        os.dup2(self._file.fileno(), 2)
        self._text = ""
        return self

    def __exit__(self, *exc):
        import sys

        sys.stderr.flush()
        os.dup2(self._saved, 2)
        os.close(self._saved)
        self._file.seek(0)
        self._text = self._file.read().decode(errors="replace")
        self._file.close()
        return False

    def getvalue(self) -> str:
        return self._text


class RayExecutor:
    """The same tasks as Ray remote functions: an existing cluster (`address`) or a local Ray
    started with `jobs` CPUs.  One CPU per task."""

    name = "ray"

    def __init__(self, jobs: int | None, address: str | None = None):
        try:
            import ray
        except ImportError:
            raise PipelineError("--backend ray", "Ray is not installed; pip install -e '.[distributed]'") from None
        import logging

        self.ray = ray
        if address:
            check_ray_address(address)
        env = {"env_vars": dict(THREAD_ENV)}
        kw = {"runtime_env": env, "logging_level": logging.ERROR, "log_to_driver": False}
        try:
            with _captured_stderr() as err:  # Ray's C++ core logs retries straight to fd 2
                if address:
                    ray.init(address=address, **kw)
                else:
                    # "local": always a new local instance, never a cluster left over on this machine
                    ray.init(address="local", num_cpus=jobs or os.cpu_count() or 1, include_dashboard=False, **kw)
        except Exception as e:  # Ray raises many types (ConnectionError, RuntimeError, ...)
            hint = ""
            if "InvalidAuthToken" in err.getvalue():
                hint = ("; the cluster uses token authentication: set RAY_AUTH_MODE=token, and RAY_AUTH_TOKEN "
                        "or ~/.ray/auth_token to its token")
            raise PipelineError(f"--ray-address {address}" if address else "--backend ray",
                                f"cannot start Ray ({_one_line(e)}){hint}") from None
        self._remote = ray.remote(num_cpus=1, max_retries=0)(run_task)
        # tasks in flight: --jobs, else every CPU of the cluster (or of the local Ray)
        self.jobs = jobs or max(1, int(ray.cluster_resources().get("CPU", 1)))

    def submit(self, task: dict):
        return self._remote.remote(task)

    def wait(self, handles: list, timeout: float) -> list:
        done, _ = self.ray.wait(handles, num_returns=1, timeout=timeout)
        return done

    def result(self, handle) -> dict:
        try:
            return self.ray.get(handle)
        except Exception as e:  # a worker or node that died: a failed output, never a dropped one
            return {"status": "failed", "result": None, "error": f"ray task failed ({_one_line(e)})",
                    "blobs": {}, "seconds": None, "cpu_seconds": None, "host": None}

    def close(self, cancel: bool = False) -> None:
        self.ray.shutdown()


# ----------------------------------------------------------------- driver


@dataclass
class SweepSummary:
    """What a sweep did.  `counts[outcome]` counts (seed, step) pairs: skipped (already finished),
    ran, failed, unavailable, blocked (not run because training failed); `corrupt` lists result files that were found corrupt and redone."""

    out: str
    backend: str
    jobs: int
    seeds: list
    steps: tuple
    counts: dict = field(default_factory=lambda: {"skipped": 0, "ran": 0, "failed": 0, "unavailable": 0,
                                                  "blocked": 0})
    corrupt: list = field(default_factory=list)  # (path relative to out, problem)
    failures: list = field(default_factory=list)  # (seed, step, error)
    replay_fail: list = field(default_factory=list)  # (seed, detail)
    seconds: float = 0.0


class _Driver:
    def __init__(self, sd: SweepDir, seeds: list, steps: tuple, executor, bar, summary: SweepSummary):
        self.sd, self.seeds, self.steps, self.ex, self.bar, self.summary = sd, seeds, steps, executor, bar, summary
        self.order = {s: i for i, s in enumerate(seeds)}
        self.sha: dict[int, str] = {}
        self.waiting_replay: set[int] = set()
        self.ready: list = []  # heap of (seed index, step index, seed, step)
        self.inflight: dict = {}
        self._why: dict = {}  # strategy step -> None (available) or why it is not
        self.resolved: set = set()  # (seed, step) pairs already counted in this run

    # -- bookkeeping
    def _resolve(self, seed: int, step: str, outcome: str) -> None:
        assert (seed, step) not in self.resolved, f"seed {seed} step {step} resolved twice"
        self.resolved.add((seed, step))
        self.summary.counts[outcome] += 1
        self.bar.update(1)

    def _needed(self, seed: int, sha: str | None) -> list:
        todo = [s for s in self.steps if s != "train" and not self.sd.finished(sha, s)]
        if sha is not None and "replay" in todo and "certify" not in todo and not self.sd.cert_intact(seed, sha):
            todo.insert(todo.index("replay"), "certify")  # the certificate file is gone or changed
        return todo

    def _push(self, seed: int, step: str) -> None:
        heapq.heappush(self.ready, (self.order[seed], STEPS.index(step), seed, step))

    def _drop_unavailable(self, seed: int, sha: str, todo: list) -> list:
        """Record the strategy steps whose strategy is not registered (no worker, no model needed);
        return the rest of `todo`."""
        rest = []
        for step in todo:
            if step in STRATEGY_STEPS:
                if step not in self._why:
                    self._why[step] = strategy_unavailable(step)
                if self._why[step] is not None:
                    self._done(seed, step, {"status": "unavailable", "result": None, "error": self._why[step],
                                            "seconds": 0.0, "cpu_seconds": 0.0, "host": socket.gethostname()})
                    continue
            rest.append(step)
        return rest

    # -- planning
    def plan(self, seed: int, index: dict) -> None:
        sha = index.get(seed)
        todo = self._needed(seed, sha)
        if sha is not None:  # (the index only holds seeds whose train record is finished)
            self.sha[seed] = sha
            todo = self._drop_unavailable(seed, sha, todo)
            if not todo:
                for step in self.steps:
                    if (seed, step) not in self.resolved:
                        self._resolve(seed, step, "skipped")
                return
        found = self.sd.intact_model(seed)
        if found is None:
            self._push(seed, "train")
            return
        sha, meta = found
        if self.sd.finished(sha, "train"):
            self._resolve(seed, "train", "skipped")
        else:
            self._write(seed, sha, "train", {"status": "ok", "result": _train_result(meta), "error": None},
                        {"seconds": meta.get("wall_time_seconds"), "reused_model": True})
            self._resolve(seed, "train", "ran")
        self._schedule(seed, sha)

    def _schedule(self, seed: int, sha: str) -> None:
        self.sha[seed] = sha
        todo = [s for s in self._needed(seed, sha) if (seed, s) not in self.resolved]
        for step in self.steps:
            if step != "train" and step not in todo and (seed, step) not in self.resolved:
                self._resolve(seed, step, "skipped")
        for step in self._drop_unavailable(seed, sha, todo):
            if step == "replay" and "certify" in todo:
                self.waiting_replay.add(seed)
            else:
                self._push(seed, step)

    # -- running
    def _task(self, seed: int, step: str) -> dict:
        task = {"step": step, "seed": seed, "settings": self.sd.settings.to_dict()}
        if step != "train":
            p = self.sd.model_path(seed)
            task["model"] = {"safetensors": p.read_bytes(), "json": p.with_suffix(".json").read_bytes()}
        if step == "replay":
            task["cert"] = self.sd.cert_path(seed).read_bytes()
        return task

    def run(self) -> None:
        while self.ready or self.inflight:
            while self.ready and len(self.inflight) < self.ex.jobs:
                _, _, seed, step = heapq.heappop(self.ready)
                self.inflight[self.ex.submit(self._task(seed, step))] = (seed, step)
            for h in self.ex.wait(list(self.inflight), timeout=1.0):
                seed, step = self.inflight.pop(h)
                self._done(seed, step, self.ex.result(h))

    def _write(self, seed: int, sha: str | None, step: str, out: dict, run: dict) -> dict:
        s = self.sd.settings
        path = self.sd.record_path(sha or f"seed-{seed}", step)
        _, problem = read_record(path)
        if problem not in (None, "missing"):  # a corrupt or partial file: redone now, and reported
            self.summary.corrupt.append((str(path.relative_to(self.sd.root)), problem))
        rec = {"format": FORMAT, "step": step, "seed": seed, "k": s.k, "vocab": s.vocab, "model_sha256": sha,
               "status": out["status"], "result": out.get("result"), "error": out.get("error"),
               "run": {"backend": self.ex.name, **run}}
        return write_record(path, rec)

    def _done(self, seed: int, step: str, out: dict) -> None:
        from .fileio import atomic_write_bytes

        run = {"seconds": out.get("seconds"), "cpu_seconds": out.get("cpu_seconds"), "host": out.get("host")}
        if step == "train":
            if out["status"] != "ok":
                self._write(seed, None, "train", out, run)
                self._fail(seed, "train", out)
                self._resolve(seed, "train", "failed")
                for s in self.steps[1:]:  # nothing else can run without the model
                    self._resolve(seed, s, "blocked")
                return
            p = self.sd.model_path(seed)
            atomic_write_bytes(p, out["blobs"]["safetensors"])
            atomic_write_bytes(p.with_suffix(".json"), out["blobs"]["json"])
            stale = self.sd.record_path(f"seed-{seed}", "train")
            if stale.exists():
                stale.unlink()  # an earlier training failure no longer holds
            sha = out["result"]["model_sha256"]
            self._write(seed, sha, "train", out, {**run, "train_seconds": out.get("train_seconds"),
                                                  "reused_model": False})
            self._resolve(seed, "train", "ran")
            self._schedule(seed, sha)
            return
        sha = self.sha[seed]
        if step == "certify" and out["status"] == "ok":
            atomic_write_bytes(self.sd.cert_path(seed), out["blobs"]["cert"])
            out["result"]["cert_file"] = str(self.sd.cert_path(seed).relative_to(self.sd.root))
        if step == "replay" and out["status"] == "ok":
            crec, _ = self.sd.record(sha, "certify")
            claimed = (crec or {}).get("result", {}).get("claimed_count")
            out["result"]["matches_certify"] = out["result"]["count"] == claimed
            if out["result"]["verdict"] != "PASS":
                self.summary.replay_fail.append((seed, out["result"]["detail"]))
        self._write(seed, sha, step, out, run)
        outcome = {"ok": "ran", "failed": "failed", "unavailable": "unavailable"}[out["status"]]
        if out["status"] != "ok":
            self._fail(seed, step, out)
        self._resolve(seed, step, outcome)
        if step == "certify" and seed in self.waiting_replay:
            self.waiting_replay.discard(seed)
            if out["status"] == "ok":
                self._push(seed, "replay")
            else:
                msg = {"status": "failed", "result": None, "error": "no certificate: the certify step failed"}
                self._write(seed, sha, "replay", msg, {"seconds": 0.0})
                self._fail(seed, "replay", msg)
                self._resolve(seed, "replay", "failed")

    def _fail(self, seed: int, step: str, out: dict) -> None:
        self.summary.failures.append((seed, step, out.get("error")))


def run_sweep(out, settings: SweepSettings, seeds: list, steps: tuple, jobs: int | None = None,
              backend: str = "local", ray_address: str | None = None, progress: bool = True) -> SweepSummary:
    """Run (or resume) a sweep into folder `out`; returns a SweepSummary.

    Raises PipelineError for bad input (a settings mismatch with an existing sweep.json, another
    sweep holding the folder, Ray missing or unreachable).  Results are written as they arrive, so
    an interrupted sweep keeps everything finished so far.
    """
    import fcntl

    from .progress import progress_bar

    if jobs is not None and jobs < 1:
        raise PipelineError("--jobs", f"must be >= 1, got {jobs}")
    if backend not in ("local", "ray"):
        raise PipelineError("--backend", f"unknown backend {backend!r}; choose local or ray")
    t0 = time.perf_counter()
    sd = SweepDir(out, settings)
    sd.check()  # bad input is reported before anything is written or started
    executor = LocalExecutor(jobs) if backend == "local" else RayExecutor(jobs, ray_address)
    cancel, lock = True, None
    try:
        sd.prepare()
        lock = open(sd.root / ".lock", "w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise PipelineError(sd.root, "another sweep is running in this folder") from None
        summary = SweepSummary(out=str(sd.root), backend=backend, jobs=executor.jobs, seeds=list(seeds),
                               steps=tuple(steps))
        with progress_bar(total=len(seeds) * len(steps), desc=f"sweep max{settings.k}", unit="step",
                          disable=not progress, smoothing=0.05) as bar:
            driver = _Driver(sd, list(seeds), tuple(steps), executor, bar, summary)
            index = sd.seed_index()
            for seed in seeds:
                driver.plan(seed, index)
            driver.run()
        cancel = False
        summary.seconds = time.perf_counter() - t0
        return summary
    finally:
        executor.close(cancel=cancel)
        if lock is not None:
            lock.close()
