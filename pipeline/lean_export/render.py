"""Render a cubic certificate into Lean modules, and the Lean throughput probe (untrusted).

    maxk export-lean artifacts/certs/max4-seed123.cert.json
    maxk lean-bench --ops 100000

Owns the generated part of the Lake package under lean/: for a certificate named N (a Lean
identifier made from `name`) it writes, through the Jinja2 templates in templates/lean/,

    lean/MaxKCert/Certs/N/Weights.lean   the twelve tensors (mantissa rows, exponent)
    lean/MaxKCert/Certs/N/Tables.lean    exp_eqke, exp_eqkp (lo, hi) and orders
    lean/MaxKCert/Certs/N/Cases.lean     the shift vectors, the c0 entries (one list per max
                                         token m) and the cells, cut into parts of one max
                                         token m and at most `max_arrangements` arrangements
    lean/MaxKCert/Certs/N/Paths.lean     the path-matrix witness (EUPU0, bU, bOV, VOU, EVOU0,
                                         PVOU, Kt, Kp, EQKE, EQKP) as literal rows
    lean/MaxKCert/Certs/N/Data.lean      `cert : Cert` and `paths : Paths`
    lean/MaxKCert/Certs/N/Global.lean    the one-shot checks (header, sqrt, orders, count, ...)
    lean/MaxKCert/Certs/N/ChunkJJJ.lean  per-index checks for indices JJJ*chunk_size.. (path
                                         rows, exp rows, c0 of max token m, cells part j)
    lean/MaxKCert/Certs/N/Main.lean      `certificate_ok : CertOk cert paths`, assembled from the
                                         chunk theorems without recomputation, + #print axioms

and rewrites the root module lean/MaxKCert.lean to import the checker and every generated
module present.  Every theorem is proved `by decide +kernel`, except the assembling ones in
Main.lean, which are anonymous-constructor terms.  Nothing here is trusted: the witness paths
are computed with the replay's exact functions, and Lean re-verifies them row by row.

Writes are atomic (temporary file, then rename) and deterministic (re-rendering the same
certificate gives byte-identical files).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import jinja2

from pipeline import resources
from pipeline.certificate import replay as R
from pipeline.render_common import template_env, wrap_list
from pipeline.fileio import atomic_write_bytes
from pipeline.certificate.schema import PARAM_NAMES, CertificateError, validate_certificate

TEMPLATE_DIR = resources.templates_dir() / "lean"  # the checkout's templates/lean, or the packaged copy
MAX_ARRANGEMENTS = 2000  # default cap on the arrangements (k in S, low/high) one cells theorem checks
MAX_RESIDUAL_STEPS = 1_000_000  # exact kind: default cap on the multiplications one residual theorem does
CERTS_DIR = Path("MaxKCert") / "Certs"  # relative to the Lake package root (out_dir)
ROOT_MODULE = "MaxKCert"
WRAP = 100  # soft line width of the literal lists (cosmetic only)
LEAN_RESERVED = {"Type", "Prop", "Sort"}

# Lean field name and row/col meaning of each tensor (a bias is one row).
TENSOR_FIELDS = {
    "W_E": "wE", "W_pos": "wPos", "W_Q": "wQ", "W_K": "wK", "W_V": "wV", "W_O": "wO",
    "W_U": "wU", "b_Q": "bQ", "b_K": "bK", "b_V": "bV", "b_O": "bO", "b_U": "bU",
}

# The theorem kinds proved once per index (FORMAT.md check number, Checker.lean function,
# the Every bound it is indexed by in CertOk, binder name used in CertOk).
INDEX_KINDS = (
    ("pathsV", 4, "checkPathsV", "V", "k"),
    ("pathsD", 4, "checkPathsD", "d", "i"),
    ("pathsN", 4, "checkPathsN", "n", "p"),
    ("exp", 6, "checkExpRow", "V", "q"),
    ("c0", 8, "checkC0At", "V", "m"),
    ("cells", 9, "checkCellsAt", "P", "j"),
)

# The one-shot theorems, in CertOk order (name, check number, statement).
GLOBAL_THEOREMS = (
    ("header_ok", "1 (check_header)", "checkHeader cert = true"),
    ("exponents_ok", "2, exponent range of check_float32", "checkExponentRange cert.weights = true"),
    ("path_shapes_ok", "4 (compute_paths), witness shapes", "checkPathShapes cert paths = true"),
    ("paths_global_ok", "4 (compute_paths), bU and bOV", "checkPathsGlobal cert paths = true"),
    ("sqrt_ok", "5 (check_sqrt)", "checkSqrt cert.sqrtLo cert.sqrtHi cert.dHead cert.fracBits = true"),
    ("orders_ok", "7 (check_orders)", "checkOrders cert paths = true"),
    ("count_ok", "10 (check_count)", "checkCount cert = true"),
)

# CertOk's conjuncts in order: a global theorem name or an index kind (its `_all` block).
CERTOK_ORDER = ("header_ok", "exponents_ok", "path_shapes_ok", "paths_global_ok", "pathsV", "pathsD",
                "pathsN", "sqrt_ok", "exp", "orders_ok", "c0", "cells", "count_ok")


# ----------------------------------------------------------------- small helpers


def lean_module_name(name: str) -> str:
    """A Lean identifier (UpperCamelCase) for a certificate name: "max4-seed123" -> "Max4Seed123"."""
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", str(name)) if p]
    if not parts:
        raise ValueError(f"certificate name {name!r} has no letters or digits")
    ident = "".join(p[0].upper() + p[1:] for p in parts)
    if ident[0].isdigit():
        ident = "C" + ident
    if ident in LEAN_RESERVED:
        ident += "Cert"
    return ident


def _env() -> jinja2.Environment:
    return template_env(TEMPLATE_DIR)


def _write_atomic(path: Path, text: str) -> None:
    """Write `text` (UTF-8, LF) to `path` via a temporary file in the same directory and a rename."""
    atomic_write_bytes(path, text.encode("utf-8"))


def _wrap_items(items: list[str], indent: str) -> str:
    """`[a, b, ...]` with line breaks after WRAP characters (continuation lines get `indent`)."""
    return wrap_list(items, indent, ",", WRAP)


def lean_vec(xs: list[int], indent: str = "    ", elem: str | None = None) -> str:
    """A Lean list literal of integers (Nat or Int: negatives are written -k); with `elem`, the
    literal carries its type, `([...] : List elem)`, so no numeral waits for it (lean4 #5683)."""
    body = _wrap_items([str(int(x)) for x in xs], indent)
    return f"({body} : List {elem})" if elem else body


def lean_mat(rows: list[list[int]], indent: str = "    ", elem: str = "Int") -> str:
    """A Lean list of rows, one row per line, every row typed `([...] : List elem)`."""
    if not rows:
        return "[]"
    body = (",\n" + indent + " ").join(lean_vec(r, indent + "  ", elem) for r in rows)
    return "[" + body + "]"


def _nat(x, where: str) -> int:
    """A certificate integer that Lean stores as Nat.  A negative one fails the replay anyway;
    it cannot be rendered (the Lean type has no negative values)."""
    if type(x) is not int or x < 0:
        raise ValueError(f"cannot render {where} = {x!r}: expected a non-negative integer "
                         "(such a certificate fails the replay)")
    return x


# ----------------------------------------------------------------- the witness


def witness_paths(cert: dict) -> dict:
    """The path-matrix witness of Checker.lean's `Paths`, computed with the replay's functions.

    Keys: EUPU0 [V][V], bU [V], bOV [V], VOU [d][V] (= W_V W_O W_U, scale 3 e0),
    EVOU0 [V][V], PVOU [n][V], Kt [V][h] (= W_E W_K + (b_K << z), scale 2 e0),
    Kp [n][h] (= W_pos W_K), EQKE [V][V], EQKP [V][n].
    Precondition: the certificate's header is well formed (validate_certificate).
    """
    cfg = cert["config"]
    V, n, d, h = cfg["d_vocab"], cfg["n_ctx"], cfg["d_model"], cfg["d_head"]
    z, T = R.align_weights(cert["weights"], V, n, d, h)
    P = R.compute_paths(T, z, n)  # one implementation: the witness is the replay's own matrices
    return {key: P[key] for key in ("EUPU0", "bU", "bOV", "VOU", "EVOU0", "PVOU", "Kt", "Kp", "EQKE", "EQKP")}


# ----------------------------------------------------------------- rendering


def _tensor_rows(w: dict) -> list[list[int]]:
    """Row-major mantissas cut into rows of the last axis; a vector is one row."""
    shape, mants = w["shape"], w["mantissas"]
    cols = shape[-1]
    rows = [mants[i:i + cols] for i in range(0, len(mants), cols)] if cols > 0 else []
    return rows


def _group_by_m(entries: list, V: int, where: str) -> list[list]:
    """Group c0 / cells entries by their first component m (order kept).  Entries must come in
    non-decreasing m with 0 <= m < V, or the grouping would reorder them: refuse instead."""
    groups = [[] for _ in range(V)]
    last = -1
    for idx, e in enumerate(entries):
        m = _nat(e[0], f"{where}[{idx}][0]")
        if m >= V or m < last:
            raise ValueError(f"cannot render {where}[{idx}]: m = {m} out of order or not below V = {V} "
                             "(such a certificate fails the replay)")
        last = m
        groups[m].append(e)
    return groups


def _theorem_names(bounds: dict, width: int) -> dict:
    return {kind: [f"{kind}_{i:0{width}d}" for i in range(bounds[b])] for kind, _, _, b, _ in INDEX_KINDS}


def arrangements(cell) -> int:
    """What one cell costs check 9: both arrangements (low, high) for every k in S."""
    return 2 * bin(cell[4]).count("1")


def cell_parts(cells: list, max_arrangements: int) -> list[list]:
    """Cut the (m, q, c)-sorted cells into consecutive parts, each of one max token m and whole
    q-groups (all cells of one (m, q)), with at most `max_arrangements` arrangements per part; a
    single q-group above the cap is cut between its cells.  Concatenating the parts gives back
    the list; each part is non-empty."""
    groups = []  # runs of equal (m, q)
    for cell in cells:
        if groups and tuple(groups[-1][0][:2]) == tuple(cell[:2]):
            groups[-1].append(cell)
        else:
            groups.append([cell])
    parts, cur, cost = [], [], 0
    for g in groups:
        gcost = sum(arrangements(x) for x in g)
        if cur and (cur[0][0] != g[0][0] or cost + gcost > max_arrangements):
            parts.append(cur)
            cur, cost = [], 0
        if gcost <= max_arrangements:
            cur.extend(g)
            cost += gcost
            continue
        for x in g:  # one q-group alone is over the cap: cut it between cells
            if cur and cost + arrangements(x) > max_arrangements:
                parts.append(cur)
                cur, cost = [], 0
            cur.append(x)
            cost += arrangements(x)
    if cur:
        parts.append(cur)
    return parts


def residual_counts(cert: dict) -> dict:
    """{(m, q): [|R|, #ok, #wrong]} over the residual of an exact certificate, for every
    m < V and q <= m (zeros where nothing is left): replay.py's own verdicts
    (residual_verdicts), grouped by (m, q).  Precondition: the certificate passes the replay."""
    cfg = cert["config"]
    V, n, d, h = cfg["d_vocab"], cfg["n_ctx"], cfg["d_model"], cfg["d_head"]
    z, T = R.align_weights(cert["weights"], V, n, d, h)
    P = R.compute_paths(T, z, n)
    elo, ehi = cert["exp_eqke"]["lo"], cert["exp_eqke"]["hi"]
    plo, phi = cert["exp_eqkp"]["lo"], cert["exp_eqkp"]["hi"]
    counts = {(m, q): [0, 0, 0] for m in range(V) for q in range(m + 1)}
    for x, v in R.residual_verdicts(cert["c0"], cert["cells"], P, elo, ehi, plo, phi, V, n):
        e = counts[(max(x), x[-1])]
        e[0] += 1
        if v == 1:
            e[1] += 1
        elif v == -1:
            e[2] += 1
    return counts


def residual_steps(n: int, V: int, r: int, ok: int) -> int:
    """Multiplications of CheckerExact.lean's verdicts for r inputs of which ok are proved correct:
    n rows of V ub products each, and as many lb products for each input not proved correct."""
    return n * V * (r + (r - ok))


def residual_pieces(counts: dict, V: int, n: int, max_steps: int) -> list[dict]:
    """Cut the residual into CheckerExact.lean's pieces: for m = 0..V-1, consecutive ranges of
    q = 0..m (whole (m, q) classes, never two m), each of at most `max_steps` multiplications
    (residual_steps) unless one (m, q) alone is over the cap.  Each piece: m, q0, q1 (q0..q1-1),
    r, ok, wr (the replay's counts summed over its (m, q)) and steps."""
    pieces = []
    for m in range(V):
        cur = None
        for q in range(m + 1):
            r, ok, wr = counts[(m, q)]
            st = residual_steps(n, V, r, ok)
            if cur is not None and cur["steps"] + st > max_steps:
                pieces.append(cur)
                cur = None
            if cur is None:
                cur = {"m": m, "q0": q, "q1": q, "r": 0, "ok": 0, "wr": 0, "steps": 0}
            cur["q1"] = q + 1
            cur["r"] += r
            cur["ok"] += ok
            cur["wr"] += wr
            cur["steps"] += st
        pieces.append(cur)
    return pieces


def render_certificate(cert: dict, out_dir: Path, name: str, chunk_size: int = 1,
                       max_arrangements: int = MAX_ARRANGEMENTS,
                       max_residual_steps: int = MAX_RESIDUAL_STEPS,
                       residual_chunk_size: int = 1) -> list[Path]:
    """Write the Lean modules of `cert` under `out_dir` (the Lake package root, e.g. lean/).

    `cert` is a certificate dict as loaded by pipeline.certificate.schema.load_certificate.
    `chunk_size` = number of indices (rows / max tokens m / cell parts) per chunk module;
    `max_arrangements` = the most arrangements one cells theorem checks (parts: cell_parts).
    An exact certificate (strategy "exact") also gets ExactData.lean, ExactGlobal.lean and
    ResidualJJJ.lean (`residual_chunk_size` pieces each; pieces of at most `max_residual_steps`
    multiplications: residual_pieces), its Global.lean has no check 10, and its Main.lean proves
    `exact_ok : ExactOk ecert paths` (templates cert_exact_*.lean.j2, cert_residual.lean.j2).
    Returns the written paths (the certificate's modules, then the root module).  Stale modules
    of an earlier rendering of the same name are removed.  Raises ValueError (or
    CertificateError) for a certificate that cannot be rendered; nothing is half-written.
    """
    if type(chunk_size) is not int or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive int, got {chunk_size!r}")
    if type(max_arrangements) is not int or max_arrangements < 1:
        raise ValueError(f"max_arrangements must be a positive int, got {max_arrangements!r}")
    for key, val in (("max_residual_steps", max_residual_steps), ("residual_chunk_size", residual_chunk_size)):
        if type(val) is not int or val < 1:
            raise ValueError(f"{key} must be a positive int, got {val!r}")
    validate_certificate(cert, None)
    out_dir = Path(out_dir)
    ident = lean_module_name(name)
    cfg = cert["config"]
    V, n, d, h = cfg["d_vocab"], cfg["n_ctx"], cfg["d_model"], cfg["d_head"]
    ns = f"MaxKCert.Certs.{ident}"
    mod = f"MaxKCert.Certs.{ident}"

    # --- data (all checks of Nat-typed fields happen before anything is written)
    tensors = []
    for pname in PARAM_NAMES:
        w = cert["weights"][pname]
        tensors.append({"name": pname, "field": TENSOR_FIELDS[pname], "shape": w["shape"],
                        "exponent": w["exponent"], "rows": lean_mat(_tensor_rows(w), "    ", "Int")})
    tables = []
    for key, lean_name in (("exp_eqke", "exp_eqke"), ("exp_eqkp", "exp_eqkp")):
        for side in ("lo", "hi"):
            rows = cert[key][side]
            for q, row in enumerate(rows):
                for t, x in enumerate(row):
                    _nat(x, f"{key}.{side}[{q}][{t}]")
            tables.append({"name": f"{lean_name}_{side}", "key": f"{key}.{side}",
                           "rows": lean_mat(rows, "    ", "Nat")})
    for q, row in enumerate(cert["orders"]):
        for i, p in enumerate(row):
            _nat(p, f"orders[{q}][{i}]")
    orders = lean_mat(cert["orders"], "    ", "Nat")
    shifts = lean_mat(cert["shifts"], "    ", "Int")
    for idx, e in enumerate(cert["c0"]):
        _nat(e[1], f"c0[{idx}][1]")
    for idx, e in enumerate(cert["cells"]):
        for j in range(1, 5):
            _nat(e[j], f"cells[{idx}][{j}]")
    c0_groups = _group_by_m(cert["c0"], V, "c0")
    _group_by_m(cert["cells"], V, "cells")  # refuses out-of-order m before anything is written
    parts = cell_parts(cert["cells"], max_arrangements)
    P = len(parts)
    width = max(3, len(str(max(V, d, n, P) - 1)))
    c0_defs = []
    for m, g in enumerate(c0_groups):
        items = [f"({e[0]}, {e[1]})" for e in g]
        c0_defs.append({"name": f"c0_m{m:0{width}d}", "m": m, "body": _wrap_items(items, "    ")})
    cell_defs = []
    for j, g in enumerate(parts):
        items = ["⟨" + ", ".join(str(x) for x in e) + "⟩" for e in g]
        cell_defs.append({"name": f"cells_p{j:0{width}d}", "j": j, "m": g[0][0],
                          "q_first": g[0][1], "q_last": g[-1][1], "cost": sum(arrangements(x) for x in g),
                          "body": _wrap_items(items, "    ")})
    scalars = {}
    for key in ("n_inputs", "claimed_count", "frac_bits", "taylor_terms", "schema_version"):
        scalars[key] = _nat(cert[key], key)
    scalars["n_cell_parts"] = P
    scalars["s_lo"] = _nat(cert["sqrt_d_head"]["lo"], "sqrt_d_head.lo")
    scalars["s_hi"] = _nat(cert["sqrt_d_head"]["hi"], "sqrt_d_head.hi")
    for pname in PARAM_NAMES:  # Lean stores the exponent as Int; keep shifts sane before computing
        e = cert["weights"][pname]["exponent"]
        if e < R.F32_MIN_EXPONENT or e > R.F32_MAX_EXPONENT:
            raise ValueError(f"cannot render weights.{pname}.exponent = {e}: not a float32 exponent "
                             "(such a certificate fails the replay)")

    W = witness_paths(cert)
    path_defs = [
        {"name": "EUPU0", "field": "eupu0", "doc": "EUPU0 [V][V] = (Eq W_U) << 2z, scale 2^(4 e0)",
         "type": "List (List Int)", "body": lean_mat(W["EUPU0"])},
        {"name": "path_bU", "field": "bU", "doc": "bU [V] = b_U << 3z", "type": "List Int",
         "body": lean_vec(W["bU"], elem="Int")},
        {"name": "path_bOV", "field": "bOV", "doc": "bOV [V] = ((b_V W_O) + (b_O << z)) W_U << z",
         "type": "List Int", "body": lean_vec(W["bOV"], elem="Int")},
        {"name": "VOU", "field": "vou", "doc": "VOU [d][V] = W_V W_O W_U, scale 2^(3 e0)",
         "type": "List (List Int)", "body": lean_mat(W["VOU"])},
        {"name": "EVOU0", "field": "evou0", "doc": "EVOU0 [V][V] = W_E VOU", "type": "List (List Int)",
         "body": lean_mat(W["EVOU0"])},
        {"name": "PVOU", "field": "pvou", "doc": "PVOU [n][V] = W_pos VOU", "type": "List (List Int)",
         "body": lean_mat(W["PVOU"])},
        {"name": "Kt", "field": "kt", "doc": "Kt [V][h] = W_E W_K + (b_K << z), scale 2^(2 e0)",
         "type": "List (List Int)", "body": lean_mat(W["Kt"])},
        {"name": "Kp", "field": "kp", "doc": "Kp [n][h] = W_pos W_K", "type": "List (List Int)",
         "body": lean_mat(W["Kp"])},
        {"name": "EQKE", "field": "eqke", "doc": "EQKE [V][V] = Qv . Kt, scale 2^(4 e0)",
         "type": "List (List Int)", "body": lean_mat(W["EQKE"])},
        {"name": "EQKP", "field": "eqkp", "doc": "EQKP [V][n] = Qv . Kp", "type": "List (List Int)",
         "body": lean_mat(W["EQKP"])},
    ]

    # --- theorems and chunks
    bounds = {"V": V, "d": d, "n": n, "P": P}
    names = _theorem_names(bounds, width)
    R_idx = max(V, d, n, P)
    chunks = []
    for j, start in enumerate(range(0, R_idx, chunk_size)):
        thms = []
        for i in range(start, min(start + chunk_size, R_idx)):
            for kind, check, fn, bound, _ in INDEX_KINDS:
                if i < len(names[kind]):
                    where = f"index {i}"
                    if kind == "cells":
                        cd = cell_defs[i]
                        where = (f"part {i}: m = {cd['m']}, q = {cd['q_first']}..{cd['q_last']}, "
                                 f"{cd['cost']} arrangements")
                    thms.append({"name": names[kind][i], "check": check, "index": i, "where": where,
                                 "statement": f"{fn} cert paths {i} = true"})
        chunks.append({"module": f"{mod}.Chunk{j:0{width}d}", "file": f"Chunk{j:0{width}d}.lean",
                       "first": start, "last": min(start + chunk_size, R_idx) - 1, "theorems": thms})

    blocks = []
    for kind, check, fn, bound, var in INDEX_KINDS:
        count = bounds[bound]
        opening = "⟨" * count
        body = opening + "True.intro"
        for nm in names[kind]:
            body += ",\n    " + nm + "⟩"
        blocks.append({"name": f"{kind}_all", "kind": kind, "check": check, "count": count,
                       "statement": f"Every {count} (fun {var} => {fn} cert paths {var} = true)",
                       "body": body})
    certok_terms = [t if t.endswith("_ok") else f"{t}_all" for t in CERTOK_ORDER]
    exact = cert["strategy"] == R.STRATEGY_EXACT
    global_theorems = [g for g in GLOBAL_THEOREMS if not (exact and g[0] == "count_ok")]

    ctx = {
        "ident": ident, "ns": ns, "mod": mod, "V": V, "n": n, "d": d, "h": h,
        "model_sha256": cert["model_sha256"], "scalars": scalars, "tensors": tensors,
        "tables": tables, "orders": orders, "shifts": shifts, "c0_defs": c0_defs, "cell_defs": cell_defs,
        "path_defs": path_defs, "globals": [{"name": a, "check": b, "statement": c}
                                            for a, b, c in global_theorems],
        "chunks": chunks, "blocks": blocks, "certok_terms": certok_terms,
        "weights_fields": ",\n    ".join(f"{t['field']} := {t['name']}" for t in tensors),
        "paths_fields": ",\n    ".join(f"{p['field']} := {p['name']}" for p in path_defs),
        "c0_list": _wrap_items([g["name"] for g in c0_defs], "     "),
        "cells_list": _wrap_items([g["name"] for g in cell_defs], "     "),
    }
    env = _env()
    files = [
        ("Weights.lean", "cert_weights.lean.j2"),
        ("Tables.lean", "cert_tables.lean.j2"),
        ("Cases.lean", "cert_cases.lean.j2"),
        ("Paths.lean", "cert_paths.lean.j2"),
        ("Data.lean", "cert_data.lean.j2"),
        ("Global.lean", "cert_global.lean.j2"),
    ]
    rendered = []
    for fname, tmpl in files:
        rendered.append((fname, env.get_template(tmpl).render(**ctx)))
    chunk_tmpl = env.get_template("cert_chunk.lean.j2")
    for ch in chunks:
        rendered.append((ch["file"], chunk_tmpl.render(chunk=ch, **ctx)))
    if exact:
        rendered += _render_exact(cert, ctx, env, V, n, max_residual_steps, residual_chunk_size)
    else:
        rendered.append(("Main.lean", env.get_template("cert_main.lean.j2").render(**ctx)))

    cert_dir = out_dir / CERTS_DIR / ident
    written = []
    for fname, text in rendered:
        path = cert_dir / fname
        _write_atomic(path, text)
        written.append(path)
    keep = {fname for fname, _ in rendered}
    for old in sorted(cert_dir.glob("*.lean")):
        if old.name not in keep:
            old.unlink()
    written.append(write_root(out_dir))
    return written


def _render_exact(cert: dict, ctx: dict, env: jinja2.Environment, V: int, n: int, max_steps: int,
                  rchunk_size: int) -> list[tuple]:
    """The exact kind's modules: ExactData, ExactGlobal, ResidualJJJ and Main, as (file, text)."""
    hi = _nat(cert["claimed_upper"], "claimed_upper")
    pieces = residual_pieces(residual_counts(cert), V, n, max_steps)
    K = len(pieces)
    width = max(3, len(str(K - 1)))
    names = [f"residual_{j:0{width}d}" for j in range(K)]
    cubic = R.cubic_count(cert["c0"], cert["cells"], n)
    exact = {"hi": hi, "n_pieces": K, "cubic": cubic, "r": sum(p["r"] for p in pieces),
             "ok": sum(p["ok"] for p in pieces), "wr": sum(p["wr"] for p in pieces)}
    items = [f"Piece.mk {p['m']} {p['q0']} {p['q1']} {p['r']} {p['ok']} {p['wr']}" for p in pieces]
    rchunks = []
    for c, start in enumerate(range(0, K, rchunk_size)):
        thms = []
        for j in range(start, min(start + rchunk_size, K)):
            p = pieces[j]
            thms.append({"name": names[j], "j": j, "m": p["m"], "q0": p["q0"], "q_last": p["q1"] - 1,
                         "r": p["r"], "ok": p["ok"], "wr": p["wr"], "steps": p["steps"]})
        rchunks.append({"module": f"{ctx['mod']}.Residual{c:0{width}d}", "file": f"Residual{c:0{width}d}.lean",
                        "first": start, "last": min(start + rchunk_size, K) - 1, "theorems": thms})
    residual_body = "⟨" * K + "True.intro" + "".join(f",\n    {nm}⟩" for nm in names)
    cubic_terms = [t for t in ctx["certok_terms"] if t != "count_ok"]
    ectx = dict(ctx, exact=exact, pieces_list="([" + _wrap_items(items, "     ")[1:-1] + "] : List Piece)",
                rchunks=rchunks, residual_body=residual_body, cubic_terms=cubic_terms)
    out = [("ExactData.lean", env.get_template("cert_exact_data.lean.j2").render(**ectx)),
           ("ExactGlobal.lean", env.get_template("cert_exact_global.lean.j2").render(**ectx))]
    tmpl = env.get_template("cert_residual.lean.j2")
    for rc in rchunks:
        out.append((rc["file"], tmpl.render(rchunk=rc, **ectx)))
    out.append(("Main.lean", env.get_template("cert_exact_main.lean.j2").render(**ectx)))
    return out


def generated_modules(out_dir: Path) -> list[str]:
    """Module names of every generated certificate module present under out_dir, sorted."""
    base = Path(out_dir) / CERTS_DIR
    mods = []
    if base.is_dir():
        for f in sorted(base.glob("*/*.lean")):
            mods.append(f"MaxKCert.Certs.{f.parent.name}.{f.stem}")
    return mods


def write_skeleton(out_dir: Path, exact: bool = False) -> list[Path]:
    """Copy the Lean skeleton (pipeline/resources.py LEAN_SKELETON: MaxKCert/Checker.lean,
    lakefile.toml, lean-toolchain; the checkout's lean/ or the installed package's copy) into the
    Lake package folder `out_dir`, so that it is a whole Lake project wherever it is.  A file that
    already holds the same bytes is left alone (so the checkout's own lean/ is never rewritten).
    Returns the paths written.  With `exact`, also MaxKCert/CheckerExact.lean (exact certificates)."""
    written = []
    for rel, data in resources.lean_skeleton(exact).items():
        path = Path(out_dir) / rel
        if path.is_symlink() or not path.is_file() or path.read_bytes() != data:
            atomic_write_bytes(path, data)
            written.append(path)
    return written


def write_root(out_dir: Path) -> Path:
    """Rewrite lean/MaxKCert.lean: import the checker and every generated module present."""
    text = _env().get_template("root.lean.j2").render(modules=generated_modules(out_dir))
    path = Path(out_dir) / f"{ROOT_MODULE}.lean"
    _write_atomic(path, text)
    return path


def render_bench(n_ops: int, out_dir: Path) -> Path:
    """Write lean/MaxKCert/Bench.lean: `n_ops` kernel steps of Int multiply-and-compare on
    ~200-bit operands, proved by `decide +kernel` (run: cd lean && lake build +MaxKCert.Bench), as
    one flat `&&` chain (whnf evaluates `and true y` to `y` in its loop: a chain costs no kernel
    stack, so no block layout is needed).  Not imported by the root module (a probe, not a
    certificate)."""
    if type(n_ops) is not int or n_ops < 1:
        raise ValueError(f"n_ops must be a positive int, got {n_ops!r}")
    text = _env().get_template("bench.lean.j2").render(n_ops=n_ops)
    path = Path(out_dir) / "MaxKCert" / "Bench.lean"
    _write_atomic(path, text)
    return path


__all__ = ["render_certificate", "render_bench", "cell_parts", "write_root", "write_skeleton", "lean_module_name",
           "witness_paths", "generated_modules", "lean_vec", "lean_mat", "CertificateError"]
