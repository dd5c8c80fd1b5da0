"""The certificate JSON schema (version 2): loading, structural validation and canonical dumping.

Owns the *shape* of a certificate (pipeline/certificate/FORMAT.md): the exact key sets, the
types (every number is a JSON integer; a bool is not an integer), the list lengths implied by
`config`, `schema_version` and `strategy`.  It checks nothing numeric; that is the replay's job
(replay.py).  Standard library only: the replay imports it and an auditor must be able to read
both alone.  It also owns every resource limit of the trusted checker (the "Budget" section of
FORMAT.md), as the named constants below, so that the replay, the emitter and the tests share them.

    load_certificate(path) -> dict        parse + validate, or raise CertificateError
    validate_certificate(obj, path)       raise CertificateError naming the first problem
    dump_certificate(obj) -> str          canonical JSON text (deterministic bytes)
"""

from __future__ import annotations

import json

SCHEMA_VERSION = 2
STRATEGY = "cubic"
STRATEGY_EXACT = "exact"  # FORMAT.md "The exact certificate": a cubic certificate plus claimed_upper
STRATEGIES = (STRATEGY, STRATEGY_EXACT)
V1_REJECTED = "schema version 1: re-certify with this version"

# ---- Budget (FORMAT.md "Budget"): resource limits against hostile certificates.  A certificate
# beyond any of them is rejected before the work it would cause (check_header, or the loader).
MAX_CERT_BYTES = 64 << 20  # the loader reads at most this many bytes, from a regular file only
MAX_FRAC_BITS = 4096  # 1 <= frac_bits <= this
MAX_TAYLOR_TERMS = 1024  # 1 <= taylor_terms <= this
MAX_D_MODEL = 1024  # d_model <= this (compute_paths is linear in d, never quadratic)
MAX_D_HEAD = 1024  # d_head <= this
MAX_N_INPUTS_BITS = 14000  # V^n < 2^14000 (fewer than 4300 decimal digits, Python's int-to-str limit)
MAX_EXP_WORK = 1 << 30  # V (V + n) F N_T <= this: the size of the exp-table check (check 6), ~10 s here
MAX_SHIFTS = 16  # 1 <= len(shifts) <= this
MAX_SHIFT_BITS = 2048  # every shift entry has bit_length <= this
MAX_RESIDUAL_WORK = 1 << 32  # exact kind: n V |R| words <= this (replay.residual_work; |R| = V^n - cubic count)

# TransformerLens names in canonical order (hashing, io); twin of pipeline.model.config.PARAM_NAMES,
# duplicated here because the trusted base imports nothing outside the standard library.
PARAM_NAMES = ("W_E", "W_pos", "W_Q", "W_K", "W_V", "W_O", "W_U", "b_Q", "b_K", "b_V", "b_O", "b_U")

TOP_KEYS = (
    "schema_version", "strategy", "model_sha256", "config", "n_inputs", "claimed_count",
    "frac_bits", "taylor_terms", "weights", "sqrt_d_head", "exp_eqke", "exp_eqkp", "orders",
    "shifts", "c0", "cells",
)
EXACT_KEYS = TOP_KEYS + ("claimed_upper",)  # strategy "exact": one extra key
CONFIG_KEYS = ("d_vocab", "n_ctx", "d_model", "d_head")
TENSOR_KEYS = ("shape", "exponent", "mantissas")
LOHI_KEYS = ("lo", "hi")
HEX_DIGITS = "0123456789abcdef"


class CertificateError(Exception):
    """A malformed certificate file.  One line: '<path>: <problem>' (same attributes as
    pipeline.errors.PipelineError, which this module may not import)."""

    def __init__(self, path, problem: str):
        self.path = str(path) if path is not None else None
        self.problem = " ".join(str(problem).split())  # one line, whatever the cause said
        super().__init__(f"{self.path}: {self.problem}" if self.path else self.problem)


def param_shapes(V: int, n: int, d: int, h: int) -> dict:
    """Shapes of the twelve tensors (twin of pipeline.model.config.param_shapes)."""
    return {
        "W_E": [V, d], "W_pos": [n, d], "W_Q": [1, d, h], "W_K": [1, d, h], "W_V": [1, d, h],
        "W_O": [1, h, d], "W_U": [d, V], "b_Q": [1, h], "b_K": [1, h], "b_V": [1, h],
        "b_O": [d], "b_U": [V],
    }


def is_int(x) -> bool:
    """A JSON integer: a Python int and not a bool."""
    return type(x) is int


def _keys(obj, keys, where: str) -> None:
    if not isinstance(obj, dict):
        raise ValueError(f"{where}: expected an object, got {type(obj).__name__}")
    missing = [k for k in keys if k not in obj]
    extra = sorted(str(k) for k in obj if k not in keys)
    if missing:
        raise ValueError(f"{where}: missing keys {missing}")
    if extra:
        raise ValueError(f"{where}: unknown keys {extra}")


def _int(x, where: str, minimum=None) -> None:
    if not is_int(x):
        raise ValueError(f"{where}: expected an integer, got {type(x).__name__}")
    if minimum is not None and x < minimum:
        raise ValueError(f"{where}: expected an integer >= {minimum}, got {x}")


def _int_list(xs, length: int, where: str) -> None:
    if not isinstance(xs, list):
        raise ValueError(f"{where}: expected a list, got {type(xs).__name__}")
    if len(xs) != length:
        raise ValueError(f"{where}: expected {length} entries, got {len(xs)}")
    for i, x in enumerate(xs):
        if not is_int(x):
            raise ValueError(f"{where}[{i}]: expected an integer, got {type(x).__name__}")


def _int_matrix(xs, rows: int, cols: int, where: str) -> None:
    if not isinstance(xs, list):
        raise ValueError(f"{where}: expected a list, got {type(xs).__name__}")
    if len(xs) != rows:
        raise ValueError(f"{where}: expected {rows} rows, got {len(xs)}")
    for i, row in enumerate(xs):
        _int_list(row, cols, f"{where}[{i}]")


def _entries(xs, width: int, where: str) -> None:
    if not isinstance(xs, list):
        raise ValueError(f"{where}: expected a list, got {type(xs).__name__}")
    for i, row in enumerate(xs):
        _int_list(row, width, f"{where}[{i}]")


def _validate(obj) -> None:
    """Raise ValueError naming the first structural problem of a certificate object."""
    if isinstance(obj, dict) and obj.get("schema_version") == 1 and type(obj["schema_version"]) is int:
        raise ValueError(V1_REJECTED)
    exact = isinstance(obj, dict) and type(obj.get("strategy")) is str and obj["strategy"] == STRATEGY_EXACT
    _keys(obj, EXACT_KEYS if exact else TOP_KEYS, "certificate")
    _int(obj["schema_version"], "schema_version")
    if obj["schema_version"] != SCHEMA_VERSION:
        raise ValueError(f"schema_version is {obj['schema_version']}, this replay reads {SCHEMA_VERSION}")
    if not exact and obj["strategy"] != STRATEGY:
        shown = obj["strategy"] if type(obj["strategy"]) is str and len(obj["strategy"]) <= 40 else "not a short string"
        raise ValueError(f"strategy is {shown!r}, expected {STRATEGY!r} or {STRATEGY_EXACT!r}")
    sha = obj["model_sha256"]
    if not isinstance(sha, str) or len(sha) != 64 or any(ch not in HEX_DIGITS for ch in sha):
        raise ValueError("model_sha256: expected 64 lowercase hex digits")
    cfg = obj["config"]
    _keys(cfg, CONFIG_KEYS, "config")
    for k in CONFIG_KEYS:
        _int(cfg[k], f"config.{k}", minimum=1)
    if cfg["d_vocab"] < 2:
        raise ValueError("config.d_vocab must be >= 2 (Max-of-K needs a wrong answer to exist)")
    V, n, d, h = cfg["d_vocab"], cfg["n_ctx"], cfg["d_model"], cfg["d_head"]
    for k in ("n_inputs", "claimed_count", "frac_bits", "taylor_terms") + (("claimed_upper",) if exact else ()):
        _int(obj[k], k)
    _keys(obj["weights"], PARAM_NAMES, "weights")
    for name, shape in param_shapes(V, n, d, h).items():
        w = obj["weights"][name]
        _keys(w, TENSOR_KEYS, f"weights.{name}")
        _int_list(w["shape"], len(shape), f"weights.{name}.shape")
        if w["shape"] != shape:
            raise ValueError(f"weights.{name}.shape is {w['shape']}, config implies {shape}")
        _int(w["exponent"], f"weights.{name}.exponent")
        size = 1
        for s in shape:
            size *= s
        _int_list(w["mantissas"], size, f"weights.{name}.mantissas")
    _keys(obj["sqrt_d_head"], LOHI_KEYS, "sqrt_d_head")
    for k in LOHI_KEYS:
        _int(obj["sqrt_d_head"][k], f"sqrt_d_head.{k}")
    for table, cols in (("exp_eqke", V), ("exp_eqkp", n)):
        _keys(obj[table], LOHI_KEYS, table)
        for k in LOHI_KEYS:
            _int_matrix(obj[table][k], V, cols, f"{table}.{k}")
    _int_matrix(obj["orders"], V, n - 1, "orders")
    shifts = obj["shifts"]
    if not isinstance(shifts, list) or not 1 <= len(shifts) <= MAX_SHIFTS:
        raise ValueError(f"shifts: expected a list of 1..{MAX_SHIFTS} vectors")
    for j, Z in enumerate(shifts):
        _int_list(Z, V, f"shifts[{j}]")
        for y, x in enumerate(Z):
            if x.bit_length() > MAX_SHIFT_BITS:
                raise ValueError(f"shifts[{j}][{y}]: more than {MAX_SHIFT_BITS} bits")
    _entries(obj["c0"], 2, "c0")
    _entries(obj["cells"], 5, "cells")


def validate_certificate(obj, path) -> None:
    """Raise CertificateError(path, problem) unless `obj` has exactly the schema-v2 structure.

    Postconditions (when it returns): every key of FORMAT.md is present and no other; every
    number is an int (not a bool); config values are >= 1 and d_vocab >= 2; every list has the length its
    config implies; `shifts` holds 1..MAX_SHIFTS vectors of V entries of at most MAX_SHIFT_BITS bits;
    schema_version == 2 and strategy == "cubic", or strategy == "exact" with the one extra integer key
    claimed_upper (EXACT_KEYS).  A v1 certificate gets the one problem V1_REJECTED.
    Other values are not checked (the replay does).
    """
    try:
        _validate(obj)
    except ValueError as e:
        raise CertificateError(path, str(e)) from None


def _no_duplicate_keys(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"duplicate key {k!r}")
        out[k] = v
    return out


def _reject_constant(name):
    raise ValueError(f"non-finite number {name} is not allowed")


def read_regular_file(path, limit: int, what: str) -> bytes:
    """The bytes of `path` if it is a regular file of at most `limit` bytes; else CertificateError.

    Opened non-blocking (a FIFO opens at once instead of waiting for a writer), then fstat'ed:
    anything but a regular file is refused; then at most limit + 1 bytes are read.
    """
    import os
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as e:
        raise CertificateError(path, f"cannot read {what}: {e.strerror or e}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise CertificateError(path, f"{what} is not a regular file")
        if st.st_size > limit:
            raise CertificateError(path, f"{what} is larger than {limit} bytes")
        chunks, total = [], 0
        while total <= limit:
            b = os.read(fd, min(1 << 20, limit + 1 - total))
            if not b:
                break
            chunks.append(b)
            total += len(b)
    except OSError as e:
        raise CertificateError(path, f"cannot read {what}: {e.strerror or e}") from None
    finally:
        os.close(fd)
    if total > limit:
        raise CertificateError(path, f"{what} is larger than {limit} bytes")
    return b"".join(chunks)


def load_certificate(path) -> dict:
    """Read, parse and validate a certificate JSON file; raise CertificateError on any problem.

    Only a regular file is read (a FIFO, a device or a folder is refused without blocking), and at
    most MAX_CERT_BYTES of it: a larger file is refused before it is parsed.
    """
    raw = read_regular_file(path, MAX_CERT_BYTES, "certificate")
    try:
        text = raw.decode("utf-8")
        obj = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_reject_constant)
    except UnicodeDecodeError:
        raise CertificateError(path, "certificate is not UTF-8 text") from None
    except RecursionError:
        raise CertificateError(path, "malformed JSON: nested too deeply") from None
    except ValueError as e:  # json.JSONDecodeError is a ValueError; so are over-long ints
        raise CertificateError(path, f"malformed JSON: {e}") from None
    validate_certificate(obj, path)
    return obj


def dump_certificate(obj) -> str:
    """Canonical JSON text: sorted keys, compact separators, trailing newline (same bytes for
    the same certificate).  Big integers are written as plain JSON integers."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False) + "\n"
