"""Tests of the Lean side without a Lean toolchain: lean/ package files, the renderer, the templates.

    .venv/bin/pytest tests/test_lean_export.py

No `lean` or `lake` exists here, so the rendered Lean is judged as text:
* every number is parsed back out of the rendered modules and compared with the certificate and
  with path matrices recomputed here (exact integers, own loops);
* re-rendering is byte-identical; stale chunk modules disappear; the root imports every module;
* a forbidden-construct lint (native_decide, sorry, termination_by, partial, Float, ...) runs over
  every .lean file under lean/ and over the rendered output, and is shown to fire on bad snippets;
* structural sanity: balanced namespace/section/end, every referenced theorem defined once, every
  per-index theorem proved `by decide +kernel`, `#print axioms` in the final module;
* `lean_model` below is a Python transliteration of lean/MaxKCert/Checker.lean (same names, same
  list semantics: truncating zips, `nth` defaults, Nat subtraction and division).  Run on the data
  parsed back from the Lean text, it must accept every certificate the replay accepts and reject
  every mutation the replay rejects (bar check 2, the hash, which is Python only), and reject a
  tampered path witness.  It tests the Lean design (witness, grouping by m, the CertOk split),
  not the Lean compiler: the Lean file itself still needs its one `lake build` by a user.
"""

from __future__ import annotations

import copy
import json
import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from certgen import build_certificate  # noqa: E402

from pipeline.certificate import replay as R  # noqa: E402
from pipeline.certificate import schema as S  # noqa: E402
from pipeline.certificate.schema import PARAM_NAMES, CertificateError  # noqa: E402
from pipeline.lean_export import render as L  # noqa: E402
from pipeline.model.config import ModelConfig, param_shapes  # noqa: E402
from pipeline.model.weights import make_weights  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LEAN = ROOT / "lean"
CHECKER = LEAN / "MaxKCert" / "Checker.lean"


# ----------------------------------------------------------------- models and certificates


def copy_model(V: int, n: int, seed: int, noise: float = 0.03, bias: float = 0.0, sharp: float = 2.5):
    """A small model that solves Max-of-K well (d = 2V, h = V): attention prefers large tokens,
    OV copies the attended token, W_U reads it; Gaussian noise (and biases) on top."""
    rng = np.random.default_rng(seed)
    d, h = 2 * V, V
    cfg = ModelConfig(d_vocab=V, n_ctx=n, d_model=d, d_head=h)
    t = {k: rng.normal(size=s) * (bias if k.startswith("b_") else noise) for k, s in param_shapes(cfg).items()}
    t["W_E"][:, :V] += np.eye(V)
    t["W_Q"][0, :V, 0] += 1.0
    t["W_K"][0, :V, 0] += sharp * math.sqrt(h) * np.arange(V)
    t["W_V"][0, :V, :V] += np.eye(V)
    t["W_O"][0, :, V:] += np.eye(V)
    t["W_U"][V:, :] += np.eye(V)
    return make_weights({k: v.astype(np.float32) for k, v in t.items()}, cfg)


_CERTS: dict = {}


def cert_of(key: str) -> dict:
    """Cached exact certificates of small models (deep copies handed out)."""
    specs = {  # name: (model, certgen options)
        "plain": (dict(V=5, n=3, seed=0), {}),
        "bias": (dict(V=4, n=4, seed=2, bias=0.2), {}),
        "bigbias": (dict(V=5, n=3, seed=4, noise=0.05, bias=1.0), {}),  # several shift vectors used
        "pl1": (dict(V=4, n=4, seed=2, bias=0.2), {"placements": (1,)}),  # forced shift 1 (the zero vector)
        "mean": (dict(V=5, n=3, seed=4, noise=0.05, bias=1.0), {"placements": (4,)}),  # the query-mean shift
        "n1": (dict(V=4, n=1, seed=3), {}),  # only c0 entries, q == m
        "f192": (dict(V=5, n=3, seed=5, sharp=6.0), {"frac_bits": 192}),  # exp cap at F > 128
    }
    if key not in _CERTS:
        model, opts = specs[key]
        _CERTS[key] = build_certificate(copy_model(**model), **opts)
    return copy.deepcopy(_CERTS[key])


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The "plain" certificate rendered with chunk_size 2: (cert, out_dir, written paths)."""
    out = tmp_path_factory.mktemp("lean")
    cert = cert_of("plain")
    assert R.replay(cert).ok
    assert cert["cells"] and cert["c0"], "the test certificate must exercise cells and c0"
    paths = L.render_certificate(cert, out, "plain-test", chunk_size=2)
    return cert, out, paths


# ----------------------------------------------------------------- parsing the Lean text back


DEF_RE = re.compile(r"noncomputable def (\w+) : ([^\n]*?) :=\n(.*?)(?=\n\n|\n/--|\nend )", re.S)


def lean_literal(text: str):
    """A Lean list / tuple / anonymous-constructor literal of integers -> nested Python lists."""
    t = re.sub(r"\(\[", "[", text)  # typed rows ([...] : List Int) -> [...]
    t = re.sub(r"\] : List [A-Za-z]+\)", "]", t)
    t = t.replace("⟨", "[").replace("⟩", "]").replace("(", "[").replace(")", "]")
    return json.loads(t)


def parse_defs(text: str) -> dict:
    """{name: (type, body text)} of every `noncomputable def` in a generated module."""
    return {m.group(1): (m.group(2), m.group(3).strip()) for m in DEF_RE.finditer(text)}


def struct_fields(body: str) -> dict:
    """`{ a := x, b := y }` -> {"a": "x", "b": "y"} (values are single tokens or literals)."""
    inner = body.strip()
    assert inner.startswith("{") and inner.endswith("}"), inner[:80]
    out = {}
    for m in re.finditer(r"(\w+) := (\[[^\]]*\]|[^,}\s]+)", inner[1:-1]):
        out[m.group(1)] = m.group(2)
    return out


def load_rendered(out: Path, ident: str) -> dict:
    """Everything the rendered modules of certificate `ident` say, as Python data."""
    base = out / "MaxKCert" / "Certs" / ident
    defs = {}
    for f in ("Weights", "Tables", "Cases", "Paths", "Data"):
        defs.update(parse_defs((base / f"{f}.lean").read_text()))
    tensors = {}
    for name in PARAM_NAMES:
        typ, body = defs[name]
        assert typ == "Tensor"
        e = int(re.search(r"exponent := (-?\d+),", body).group(1))
        rows = lean_literal(body[body.index("rows := ") + len("rows := "):].rstrip("} \n"))
        tensors[name] = {"exponent": e, "rows": rows}
    cert_f = struct_fields(defs["cert"][1])
    paths_f = struct_fields(defs["paths"][1])
    weights_f = struct_fields(defs["weights_data"][1])

    def val(name):
        return lean_literal(defs[name][1])

    c = {k: int(cert_f[k]) for k in ("schemaVersion", "dVocab", "nCtx", "dModel", "dHead", "nInputs",
                                      "claimedCount", "fracBits", "taylorTerms", "sqrtLo", "sqrtHi",
                                      "nCellParts")}
    fields = {"wE": "W_E", "wPos": "W_pos", "wQ": "W_Q", "wK": "W_K", "wV": "W_V", "wO": "W_O",
              "wU": "W_U", "bQ": "b_Q", "bK": "b_K", "bV": "b_V", "bO": "b_O", "bU": "b_U"}
    c["weights"] = {f: tensors[weights_f[f]] for f in fields}
    for f in ("eqkeLo", "eqkeHi", "eqkpLo", "eqkpHi", "orders", "shifts"):
        c[f] = val(cert_f[f])
    c["c0"] = [val(g) for g in lean_literal(re.sub(r"(\w+)", r'"\1"', cert_f["c0"]))]
    c["cells"] = [val(g) for g in lean_literal(re.sub(r"(\w+)", r'"\1"', cert_f["cells"]))]
    P = {f: val(paths_f[f]) for f in ("eupu0", "bU", "bOV", "vou", "evou0", "pvou", "kt", "kp",
                                       "eqke", "eqkp")}
    return {"cert": c, "paths": P, "weights_fields": weights_f}


# ----------------------------------------------------------------- independent path matrices


def mm(A, B):
    """Exact integer matrix product (own loops, not the replay's)."""
    return [[sum(a * B[k][j] for k, a in enumerate(row)) for j in range(len(B[0]))] for row in A]


def expected_witness(cert: dict) -> dict:
    cfg = cert["config"]
    V, n, d, h = cfg["d_vocab"], cfg["n_ctx"], cfg["d_model"], cfg["d_head"]
    e0 = min([0] + [cert["weights"][k]["exponent"] for k in PARAM_NAMES])
    z = -e0

    def mat(name, rows, cols):
        w = cert["weights"][name]
        flat = [m * 2 ** (w["exponent"] - e0) for m in w["mantissas"]]
        return [flat[r * cols:(r + 1) * cols] for r in range(rows)]

    WE, Wp, WQ, WK = mat("W_E", V, d), mat("W_pos", n, d), mat("W_Q", d, h), mat("W_K", d, h)
    WV, WO, WU = mat("W_V", d, h), mat("W_O", h, d), mat("W_U", d, V)
    bQ, bK, bV = mat("b_Q", 1, h)[0], mat("b_K", 1, h)[0], mat("b_V", 1, h)[0]
    bO, bU = mat("b_O", 1, d)[0], mat("b_U", 1, V)[0]
    Eq = [[WE[q][i] + Wp[n - 1][i] for i in range(d)] for q in range(V)]
    VOU = mm(mm(WV, WO), WU)
    Qv = [[x + bQ[i] * 2 ** z for i, x in enumerate(r)] for r in mm(Eq, WQ)]
    Kt = [[x + bK[i] * 2 ** z for i, x in enumerate(r)] for r in mm(WE, WK)]
    Kp = mm(Wp, WK)
    bsum = [x + bO[i] * 2 ** z for i, x in enumerate(mm([bV], WO)[0])]
    return {
        "eupu0": [[x * 4 ** z for x in r] for r in mm(Eq, WU)],
        "bU": [x * 8 ** z for x in bU],
        "bOV": [x * 2 ** z for x in mm([bsum], WU)[0]],
        "vou": VOU, "evou0": mm(WE, VOU), "pvou": mm(Wp, VOU), "kt": Kt, "kp": Kp,
        "eqke": [[sum(a * b for a, b in zip(Qv[q], Kt[t])) for t in range(V)] for q in range(V)],
        "eqkp": [[sum(a * b for a, b in zip(Qv[q], Kp[p])) for p in range(n)] for q in range(V)],
    }


# ----------------------------------------------------------------- the Lean checker, in Python

# Transliteration of lean/MaxKCert/Checker.lean; each function carries the Lean name.  Lean Nat
# subtraction truncates at 0 and Nat division by 0 is 0; list functions defined by pattern
# matching on several lists stop at the shortest unless the Lean code says otherwise.


def nsub(a, b):
    return max(a - b, 0)


def ndiv(a, b):
    return a // b if b else 0


def ceilDiv(a, b):
    return ndiv(nsub(a + b, 1), b)


def nth(d, xs, k):
    return xs[k] if k < len(xs) else d


def isShape(rows, cols, M):
    return len(M) == rows and all(len(r) == cols for r in M)


def vadd(a, b):
    return [x + y for x, y in zip(a, b)]


def vshl(k, xs):
    return [x * 2 ** k for x in xs]


def vecMat(cols, v, M):
    acc = [0] * cols
    for a, r in zip(v, M):
        acc = [x + a * y for x, y in zip(acc, r)]
    return acc


def dots(v, M):
    return [sum(x * y for x, y in zip(v, r)) for r in M]


def rowMax(xs):
    return max(xs) if xs else 0


def popcount(fuel, x):
    s = 0
    for _ in range(fuel):
        s += x % 2
        x //= 2
    return s


def choose(n, k):
    r = 1
    for j in range(k):
        r = ndiv(r * nsub(n, j), j + 1)
    return r


def checkHeader(c):
    V, n, d, h, w = c["dVocab"], c["nCtx"], c["dModel"], c["dHead"], c["weights"]
    shapes = {"wE": (V, d), "wPos": (n, d), "wQ": (d, h), "wK": (d, h), "wV": (d, h), "wO": (h, d),
              "wU": (d, V), "bQ": (1, h), "bK": (1, h), "bV": (1, h), "bO": (1, d), "bU": (1, V)}
    zs = c["shifts"]
    return (c["schemaVersion"] == 2 and V >= 2 and n >= 1 and d >= 1 and h >= 1
            and d <= 1024 and h <= 1024 and V ** n < 2 ** 14000
            and c["nInputs"] == V ** n and 1 <= c["fracBits"] <= 4096 and 1 <= c["taylorTerms"] <= 1024
            and V * (V + n) * c["fracBits"] * c["taylorTerms"] <= 2 ** 30
            and 1 <= len(zs) <= 16 and all(len(z) == V and all(abs(x) < 2 ** 2048 for x in z) for z in zs)
            and all(isShape(r, k, w[f]["rows"]) for f, (r, k) in shapes.items())
            and isShape(V, V, c["eqkeLo"]) and isShape(V, V, c["eqkeHi"])
            and isShape(V, n, c["eqkpLo"]) and isShape(V, n, c["eqkpHi"])
            and isShape(V, nsub(n, 1), c["orders"]) and len(c["c0"]) == V
            and len(c["cells"]) == c["nCellParts"])


def checkExponentRange(w):
    return all(-149 <= t["exponent"] <= 127 for t in w.values())


def alignWeights(w):
    e0 = 0
    for f in ("wE", "wPos", "wQ", "wK", "wV", "wO", "wU", "bQ", "bK", "bV", "bO", "bU"):
        e0 = min(e0, w[f]["exponent"])
    A = {"z": max(0 - e0, 0)}
    for f, t in w.items():
        rows = [vshl(max(t["exponent"] - e0, 0), r) for r in t["rows"]]
        A[f] = nth([], rows, 0) if f.startswith("b") else rows
    return A


def eqRow(A, n, q):
    return vadd(nth([], A["wE"], q), nth([], A["wPos"], nsub(n, 1)))


def qvRow(A, h, eqq):
    return vadd(vecMat(h, eqq, A["wQ"]), vshl(A["z"], A["bQ"]))


def checkPathShapes(c, P):
    V, n, d, h = c["dVocab"], c["nCtx"], c["dModel"], c["dHead"]
    return (isShape(V, V, P["eupu0"]) and len(P["bU"]) == V and len(P["bOV"]) == V
            and isShape(d, V, P["vou"]) and isShape(V, V, P["evou0"]) and isShape(n, V, P["pvou"])
            and isShape(V, h, P["kt"]) and isShape(n, h, P["kp"]) and isShape(V, V, P["eqke"])
            and isShape(V, n, P["eqkp"]))


def checkPathsGlobal(c, P):
    A = alignWeights(c["weights"])
    bVO = vecMat(c["dModel"], A["bV"], A["wO"])
    return (P["bU"] == vshl(3 * A["z"], A["bU"])
            and P["bOV"] == vshl(A["z"], vecMat(c["dVocab"], vadd(bVO, vshl(A["z"], A["bO"])), A["wU"])))


def checkPathsV(c, P, k):
    A = alignWeights(c["weights"])
    eqk = eqRow(A, c["nCtx"], k)
    qvk = qvRow(A, c["dHead"], eqk)
    return (nth([], P["eupu0"], k) == vshl(2 * A["z"], vecMat(c["dVocab"], eqk, A["wU"]))
            and nth([], P["evou0"], k) == vecMat(c["dVocab"], nth([], A["wE"], k), P["vou"])
            and nth([], P["kt"], k) == vadd(vecMat(c["dHead"], nth([], A["wE"], k), A["wK"]),
                                            vshl(A["z"], A["bK"]))
            and nth([], P["eqke"], k) == dots(qvk, P["kt"])
            and nth([], P["eqkp"], k) == dots(qvk, P["kp"]))


def checkPathsD(c, P, i):
    A = alignWeights(c["weights"])
    return nth([], P["vou"], i) == vecMat(c["dVocab"], vecMat(c["dModel"], nth([], A["wV"], i), A["wO"]),
                                          A["wU"])


def checkPathsN(c, P, p):
    A = alignWeights(c["weights"])
    return (nth([], P["pvou"], p) == vecMat(c["dVocab"], nth([], A["wPos"], p), P["vou"])
            and nth([], P["kp"], p) == vecMat(c["dHead"], nth([], A["wPos"], p), A["wK"]))


def checkSqrt(sLo, sHi, h, F):
    return 1 <= sLo <= sHi and sLo * sLo <= h * 2 ** (2 * F) <= sHi * sHi


def expReduction(num, den):
    if den == 0:
        return None
    for j in range(12 + 1):
        if num <= den * 2 ** j:
            return j
    return None


def expLower(num, den, F, NT):
    j = expReduction(num, den)
    if j is None:
        return None
    r = ndiv(num * 2 ** F, den * 2 ** j)
    t = total = 2 ** F
    i = 1
    for _ in range(nsub(NT, 1)):
        t = ndiv(t * r, i * 2 ** F)
        total += t
        i += 1
    for _ in range(j):
        total = ndiv(total * total, 2 ** F)
    return total


def expUpper(num, den, F, NT):
    j = expReduction(num, den)
    if j is None:
        return None
    r = ceilDiv(num * 2 ** F, den * 2 ** j)
    t = total = 2 ** F
    i = 1
    for _ in range(NT):
        t = ceilDiv(t * r, i * 2 ** F)
        total = total + 2 * t if i == NT else total + t
        i += 1
    for _ in range(j):
        total = ceilDiv(total * total, 2 ** F)
    return total


def checkExpNeg(lo, hi, yA, yB, F, NT):
    ya = yA if yA[0] <= F * yA[1] else (F, 1)
    up = lo == 0 or (yB[0] <= F * yB[1] and (lambda H: H is not None and lo * H <= 2 ** (2 * F))(
        expUpper(yB[0], yB[1], F, NT)))
    L = expLower(ya[0], ya[1], F, NT)
    return yA[1] >= 1 and yB[1] >= 1 and up and L is not None and 2 ** (2 * F) <= hi * L


def expEntriesOk(mx, sLo, sHi, z, F, NT, xs, los, his):
    if not (len(xs) == len(los) == len(his)):
        return False  # Lean walks the three lists together: false unless all end together
    for x, lo, hi in zip(xs, los, his):
        negx = max(mx - x, 0)
        if not checkExpNeg(lo, hi, (negx * 2 ** F, sHi * 2 ** (4 * z)), (negx * 2 ** F, sLo * 2 ** (4 * z)),
                           F, NT):
            return False
    return True


def checkExpRow(c, P, q):
    z = alignWeights(c["weights"])["z"]
    er, pr = nth([], P["eqke"], q), nth([], P["eqkp"], q)
    args = (c["sqrtLo"], c["sqrtHi"], z, c["fracBits"], c["taylorTerms"])
    return (expEntriesOk(rowMax(er), *args, er, nth([], c["eqkeLo"], q), nth([], c["eqkeHi"], q))
            and expEntriesOk(rowMax(pr), *args, pr, nth([], c["eqkpLo"], q), nth([], c["eqkpHi"], q)))


def orderRowOk(n, o, row):
    return (len(o) == nsub(n, 1) and all(p + 1 <= nsub(n, 1) for p in o) and len(set(o)) == len(o)
            and all(nth(0, row, a) <= nth(0, row, b) for a, b in zip(o, o[1:])))


def checkOrders(c, P):
    return len(c["orders"]) == len(P["eqkp"]) and all(
        orderRowOk(c["nCtx"], o, r) for o, r in zip(c["orders"], P["eqkp"]))


def ub(wlo, whi, z):
    return whi * z if z >= 0 else wlo * z


def centre(row, m):
    c = nth(0, row, m)
    return [x - c for x in row]


def c0EntryOk(m, q, P, elo, ehi, plo, phi, n):
    eloq, ehiq = nth([], elo, q), nth([], ehi, q)
    ws = []
    for i, (pl, ph) in enumerate(zip(nth([], plo, q), nth([], phi, q))):
        ws.append((nth(0, eloq, q) * pl, nth(0, ehiq, q) * ph) if i + 1 == n
                  else (nth(0, eloq, m) * pl, nth(0, ehiq, m) * ph))
    du = centre(vadd(nth([], P["eupu0"], q), P["bU"]), m)
    vm = centre(vadd(nth([], P["evou0"], m), P["bOV"]), m)
    vq = centre(vadd(nth([], P["evou0"], q), P["bOV"]), m)
    dps = [centre(r, m) for r in P["pvou"]]
    if not (len(du) == len(vm) == len(vq)):
        return False  # c0Loop's last alternative: the three rows must end together
    for y in range(len(du)):
        heads = [r[y] if y < len(r) else 0 for r in dps]
        s = 0
        for i, (w, dp) in enumerate(zip(ws, heads)):
            s += ub(w[0], w[1], du[y] + (vq[y] if i + 1 == n else vm[y]) + dp)
        if not (y == m or s < 0):
            return False
    return True


def checkC0At(c, P, m):
    g = nth([], c["c0"], m)
    V = c["dVocab"]
    inc = all(a[0] < b[0] or (a[0] == b[0] and a[1] < b[1]) for a, b in zip(g, g[1:]))
    return (inc and all(
        e[0] == m and e[1] <= e[0] and e[0] < V and (e[1] == e[0] or c["nCtx"] >= 2)
        and c0EntryOk(e[0], e[1], P, c["eqkeLo"], c["eqkeHi"], c["eqkpLo"], c["eqkpHi"], c["nCtx"])
        for e in g))


def maxExcept(m, row):
    vals = [x for y, x in enumerate(row) if y != m]
    return max(vals) if vals else 0


def splitMaxima(P, Zs, m):
    pc = [centre(r, m) for r in P["pvou"]]
    Pm = [max(col) for col in zip(*pc)] if pc else []
    U = [maxExcept(m, centre([x + a + z for x, a, z in zip(r, P["bU"], Zs)], m)) for r in P["eupu0"]]
    E = [maxExcept(m, vadd(centre([x + b - z for x, b, z in zip(r, P["bOV"], Zs)], m), Pm))
         for r in P["evou0"]]
    return U, E


def arrangementSlots(o, c, high):
    r = nsub(len(o), c)
    return (o[c:], o[:c]) if high else (o[:r], o[r:])


def slotsSum(eloT, ehiT, plo, phi, g, slots):
    return sum(ub(eloT * nth(0, plo, i), ehiT * nth(0, phi, i), g) for i in slots)


def cellKOk(c, n, o, plo, phi, em, ek, eq, gm, gk, gq):
    for high in (False, True):
        sl = arrangementSlots(o, c, high)
        s = (slotsSum(em[0], em[1], plo, phi, gm, sl[0]) + slotsSum(ek[0], ek[1], plo, phi, gk, sl[1])
             + slotsSum(eq[0], eq[1], plo, phi, gq, [nsub(n, 1)]))
        if not s < 0:
            return False
    return True


def checkCellsAt(c, P, j):
    g = nth([], c["cells"], j)
    n, V = c["nCtx"], c["dVocab"]
    if not g:
        return False
    m = g[0][0]
    if j > 0:
        prev = nth([], c["cells"], j - 1)
        last = prev[-1] if prev else g[0]
        if not (last[0], last[1], last[2]) < (g[0][0], g[0][1], g[0][2]):
            return False
    if not all((a[0], a[1], a[2]) < (b[0], b[1], b[2]) for a, b in zip(g, g[1:])):
        return False
    maxima = [splitMaxima(P, Zs, m) for Zs in c["shifts"]]
    for x in g:
        xm, q, cc, sh, mask = x
        cmax = nsub(n, 2) if q < xm else nsub(n, 1)
        if not (xm == m and q <= xm and xm < V and 1 <= cc <= cmax and sh < len(c["shifts"])
                and 1 <= mask < 2 ** xm):
            return False
        U, E = nth(([], []), maxima, sh)
        uq = nth(0, U, q)
        elo, ehi = nth([], c["eqkeLo"], q), nth([], c["eqkeHi"], q)
        o, plo, phi = nth([], c["orders"], q), nth([], c["eqkpLo"], q), nth([], c["eqkpHi"], q)
        em, eq = (nth(0, elo, m), nth(0, ehi, m)), (nth(0, elo, q), nth(0, ehi, q))
        gm, gq = uq + nth(0, E, m), uq + nth(0, E, q)
        bits = mask
        for e, lo, hi in zip(E, elo, ehi):
            if bits % 2 != 0 and not cellKOk(cc, n, o, plo, phi, em, (lo, hi), eq, gm, uq + e, gq):
                return False
            bits //= 2
    return True


def checkCount(c):
    n = c["nCtx"]
    total = sum(len(g) for g in c["c0"])
    for g in c["cells"]:
        for x in g:
            total += choose(nsub(n, 1), x[2]) * popcount(x[0], x[4]) ** x[2]
    return c["claimedCount"] == total


def lean_model(c, P) -> list:
    """CertOk's conjuncts in order, as (name, bool); Every blocks expanded per index."""
    V, d, n = c["dVocab"], c["dModel"], c["nCtx"]
    return ([("checkHeader", checkHeader(c)), ("checkExponentRange", checkExponentRange(c["weights"])),
             ("checkPathShapes", checkPathShapes(c, P)), ("checkPathsGlobal", checkPathsGlobal(c, P))]
            + [(f"checkPathsV {k}", checkPathsV(c, P, k)) for k in range(V)]
            + [(f"checkPathsD {i}", checkPathsD(c, P, i)) for i in range(d)]
            + [(f"checkPathsN {p}", checkPathsN(c, P, p)) for p in range(n)]
            + [("checkSqrt", checkSqrt(c["sqrtLo"], c["sqrtHi"], c["dHead"], c["fracBits"]))]
            + [(f"checkExpRow {q}", checkExpRow(c, P, q)) for q in range(V)]
            + [("checkOrders", checkOrders(c, P))]
            + [(f"checkC0At {m}", checkC0At(c, P, m)) for m in range(V)]
            + [(f"checkCellsAt {j}", checkCellsAt(c, P, j)) for j in range(c["nCellParts"])]
            + [("checkCount", checkCount(c))])


def lean_accepts(cert: dict, tmp: Path, max_arrangements: int = 7) -> tuple[bool, list]:
    """Render (small parts by default: the cells of one m are cut into several theorems), parse
    back, run the Lean model."""
    L.render_certificate(cert, tmp, "model-run", max_arrangements=max_arrangements)
    data = load_rendered(tmp, "ModelRun")
    res = lean_model(data["cert"], data["paths"])
    return all(ok for _, ok in res), [name for name, ok in res if not ok]


def replay_without_hash(cert: dict) -> bool:
    """The replay's checks 1 and 3..10 (check 2's exponent range kept, its hash dropped): what
    Checker.lean is the twin of."""
    if R.check_header(cert) is not None:
        return False
    cfg = cert["config"]
    V, n, d, h = cfg["d_vocab"], cfg["n_ctx"], cfg["d_model"], cfg["d_head"]
    F, NT = cert["frac_bits"], cert["taylor_terms"]
    for name in PARAM_NAMES:
        if not (R.F32_MIN_EXPONENT <= cert["weights"][name]["exponent"] <= R.F32_MAX_EXPONENT):
            return False
    z, T = R.align_weights(cert["weights"], V, n, d, h)
    P = R.compute_paths(T, z, n)
    s_lo, s_hi = cert["sqrt_d_head"]["lo"], cert["sqrt_d_head"]["hi"]
    elo, ehi = cert["exp_eqke"]["lo"], cert["exp_eqke"]["hi"]
    plo, phi = cert["exp_eqkp"]["lo"], cert["exp_eqkp"]["hi"]
    return (R.check_sqrt(s_lo, s_hi, h, F) is None
            and R.check_exp_tables(P["EQKE"], P["EQKP"], cert["exp_eqke"], cert["exp_eqkp"],
                                   s_lo, s_hi, z, F, NT) is None
            and R.check_orders(cert["orders"], P["EQKP"], n) is None
            and R.check_c0(cert["c0"], P, elo, ehi, plo, phi, V, n) is None
            and R.check_cells(cert["cells"], cert["shifts"], P, elo, ehi, plo, phi, cert["orders"], V, n) is None
            and R.check_count(cert["claimed_count"], cert["c0"], cert["cells"], n) is None)


# ----------------------------------------------------------------- lint and structure


from pipeline.lean_export.face import FORBIDDEN  # one list: the lint of archives and of lean/


def lint_lean(text: str) -> list[str]:
    """Names of the forbidden constructs found in a Lean source text (comments included: the
    files must not even mention them)."""
    return [name for name, pat in FORBIDDEN.items() if re.search(pat, text)]


def structure_problems(text: str) -> list[str]:
    """Unbalanced namespace/section/end, imports after the first command, duplicate theorems."""
    problems, stack, seen_command = [], [], False
    body = re.sub(r"/-.*?-/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)  # comments
    body = re.sub(r"--[^\n]*", "", body)
    for ln, line in enumerate(body.splitlines(), 1):
        s = line.strip()
        if not s:
            continue
        if s.startswith("import "):
            if seen_command:
                problems.append(f"line {ln}: import after a command")
            continue
        seen_command = True
        m = re.match(r"^namespace\s+([\w.]+)$", s)
        if m:
            stack.append(("namespace", m.group(1)))
        elif re.match(r"^(noncomputable\s+)?section(\s+[\w.]+)?$", s):
            stack.append(("section", s.split()[-1] if s.split()[-1] != "section" else ""))
        elif re.match(r"^end(\s+[\w.]+)?$", s):
            name = s[3:].strip()
            if not stack:
                problems.append(f"line {ln}: `end` without an open namespace/section")
                continue
            kind, top = stack.pop()
            if name != top:
                problems.append(f"line {ln}: `end {name}` closes {kind} `{top}`")
    if stack:
        problems.append(f"unclosed {stack}")
    names = re.findall(r"(?m)^theorem\s+(\w+)", body)
    dups = sorted({x for x in names if names.count(x) > 1})
    if dups:
        problems.append(f"duplicate theorems {dups}")
    return problems


def all_lean_files(*dirs: Path) -> list[Path]:
    out = []
    for d in dirs:
        out += sorted(p for p in Path(d).rglob("*.lean") if ".lake" not in p.parts)
    return out


# ----------------------------------------------------------------- tests: package files


def test_lean_toolchain_exact():
    assert (LEAN / "lean-toolchain").read_text() == "leanprover/lean4:v4.32.1\n"


def test_lakefile_one_lib_no_mathlib():
    text = (LEAN / "lakefile.toml").read_text()
    assert re.search(r'(?m)^name = "\w+"$', text)
    assert re.search(r'(?m)^defaultTargets = \["MaxKCert"\]$', text)
    assert text.count("[[lean_lib]]") == 1 and 'name = "MaxKCert"' in text
    assert "mathlib" not in text.lower() and "require" not in text


def test_checker_header_and_core_only():
    text = CHECKER.read_text()
    first_cmd = [ln for ln in re.sub(r"/-.*?-/", "", text, flags=re.S).splitlines() if ln.strip()][0]
    assert first_cmd == "set_option autoImplicit false"
    assert "import" not in re.sub(r"/-.*?-/", "", text, flags=re.S).split("namespace")[0], "core only"
    assert not lint_lean(text), lint_lean(text)
    assert not structure_problems(text), structure_problems(text)
    # no Option.get!/panic!, no `if h :` in the checker, no well-founded recursion helpers
    for bad in ("get!", "panic!", "if h", "Classical", "Rat", "Fin ", "Nat.log2", "decide"):
        assert bad not in text.replace("decide +kernel", ""), bad


def test_checker_is_the_replays_twin_in_order():
    """Each replay function has its camelCase twin in Checker.lean, defined in the same order."""
    text = CHECKER.read_text()
    twins = [  # replay.py name -> Checker.lean name (renamed ones say why in Checker.lean)
        ("ceil_div", "ceilDiv"), ("popcount", "popcount"), ("check_header", "checkHeader"),
        ("align_weights", "alignWeights"), ("compute_paths", "checkPathsV"), ("check_sqrt", "checkSqrt"),
        ("exp_reduction", "expReduction"), ("exp_lower", "expLower"), ("exp_upper", "expUpper"),
        ("check_exp_neg", "checkExpNeg"), ("check_exp_tables", "checkExpRow"),
        ("check_orders", "checkOrders"), ("ub", "ub"), ("c0_entry_ok", "c0EntryOk"),
        ("check_c0", "checkC0At"), ("shift_matrices", "shiftDir"),
        ("split_maxima", "splitMaxima"), ("arrangement_slots", "arrangementSlots"),
        ("slots_sum", "slotsSum"), ("cell_k_ok", "cellKOk"), ("check_cells", "checkCellsAt"),
        ("check_count", "checkCount"),
    ]
    py = (ROOT / "pipeline" / "certificate" / "replay.py").read_text()
    py_pos = [py.index(f"\ndef {p}(") for p, _ in twins]
    assert py_pos == sorted(py_pos), "twin table out of replay order"
    lean_pos = []
    for _, name in twins:
        m = re.search(rf"(?m)^def {name}\b", text)
        assert m, f"Checker.lean lacks def {name}"
        lean_pos.append(m.start())
    assert lean_pos == sorted(lean_pos), "Checker.lean defines the twins in another order"
    # CertOk lists the checks in FORMAT.md order
    certok = text[text.index("def CertOk"):]
    order = ["checkHeader", "checkExponentRange", "checkPathShapes", "checkPathsGlobal", "checkPathsV",
             "checkPathsD", "checkPathsN", "checkSqrt", "checkExpRow", "checkOrders", "checkC0At",
             "checkCellsAt", "checkCount"]
    pos = [certok.index(x) for x in order]
    assert pos == sorted(pos)


def test_format_table_names_exist_in_checker():
    """Every Lean name in FORMAT.md's "Names in the three checkers" table is a def of Checker.lean
    (a renamed or removed function leaves a stale row; `a/B/C` abbreviates aB, aC: only `a` is
    checked)."""
    text = CHECKER.read_text()
    fmt = (ROOT / "pipeline" / "certificate" / "FORMAT.md").read_text()
    table = fmt[fmt.index("## Names in the three checkers"):]
    table = table[:table.index("\n## ", 1)]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert len(rows) >= 20
    names = []
    for row in rows:
        cols = [c.strip() for c in row.strip("|").split("|")]
        assert len(cols) == 3, row
        names += [tok.split("/")[0] for tok in re.findall(r"`([^`]+)`", cols[2])]
    for name in names:
        assert re.search(rf"(?m)^def {re.escape(name)}\b", text), f"FORMAT.md names {name}, Checker.lean lacks it"
    assert "shiftDir" in names and "checkCellsAt" in names


def test_checker_constants_match_the_replay():
    """The replay's constants, read from Checker.lean's defs (drift between the twins fails here)."""
    text = CHECKER.read_text()

    def lean_const(name):
        return int(re.search(rf"(?m)^def {name} : (?:Nat|Int) := (-?\d+)$", text).group(1))

    assert lean_const("maxSquarings") == R.MAX_SQUARINGS
    assert lean_const("maxFracBits") == R.MAX_FRAC_BITS
    assert lean_const("maxTaylorTerms") == R.MAX_TAYLOR_TERMS
    assert lean_const("f32MinExponent") == R.F32_MIN_EXPONENT
    assert lean_const("f32MaxExponent") == R.F32_MAX_EXPONENT
    assert lean_const("maxDModel") == S.MAX_D_MODEL and lean_const("maxDHead") == S.MAX_D_HEAD
    assert lean_const("maxNInputsBits") == S.MAX_N_INPUTS_BITS
    assert lean_const("maxExpWork") == S.MAX_EXP_WORK
    assert lean_const("maxShifts") == S.MAX_SHIFTS and lean_const("maxShiftBits") == S.MAX_SHIFT_BITS
    assert 2 ** R.MAX_SQUARINGS >= R.MAX_FRAC_BITS  # the exp cap F is always reachable by squaring


def test_every_lean_file_passes_the_lint():
    files = all_lean_files(LEAN)
    assert CHECKER in files and (LEAN / "MaxKCert.lean") in files
    for f in files:
        assert not lint_lean(f.read_text()), (f, lint_lean(f.read_text()))
        assert not structure_problems(f.read_text()), (f, structure_problems(f.read_text()))


@pytest.mark.parametrize("snippet,name", [
    ("theorem x : 1 = 1 := by native_decide", "native_decide"),
    ("theorem x : 1 = 1 := by sorry", "sorry"),
    ("theorem x : 1 = 1 := by admit", "admit"),
    ("def f (n : Nat) : Nat := f n\ntermination_by n", "termination_by"),
    ("decreasing_by simp", "decreasing_by"),
    ("partial def f : Nat → Nat := f", "partial"),
    ("unsafe def f : Nat := 0", "unsafe"),
    ("def x : Float := 1.0", "Float"),
    ("def x : Array Nat := #[]", "Array"),
    ("def q := Int.div 3 2", "Int.div"),
    ("module\n\nimport X", "module header"),
    ("open Classical in\ntheorem t : True := trivial", "open Classical"),
    ("@[implemented_by g] def f : Nat := 0", "implemented_by"),
    ("opaque f : Nat", "opaque"),
    ("axiom bad : False", "axiom"),
    ("def s : String := \"\"", "String"),
])
def test_lint_fires_on_bad_snippets(snippet, name):
    assert name in lint_lean(snippet)


def test_lint_does_not_fire_on_lookalikes():
    ok = "-- a module docstring\ndef partialSum := 0\ndef floatish := 0\n#print axioms t\n"
    assert lint_lean(ok) == []


def test_structure_check_fires():
    assert structure_problems("namespace A\nend B\n")
    assert structure_problems("namespace A\n")
    assert structure_problems("def x := 1\nimport Foo\n")
    assert structure_problems("theorem a : True := trivial\ntheorem a : True := trivial\n")
    assert not structure_problems("import X\nnamespace A.B\nnoncomputable section\nend\nend A.B\n")


# ----------------------------------------------------------------- tests: rendering


def test_render_round_trip_exact(rendered):
    cert, out, _ = rendered
    data = load_rendered(out, "PlainTest")
    c, P = data["cert"], data["paths"]
    cfg = cert["config"]
    V, n = cfg["d_vocab"], cfg["n_ctx"]
    for name in PARAM_NAMES:
        w = cert["weights"][name]
        t = c["weights"][{"W_E": "wE", "W_pos": "wPos", "W_Q": "wQ", "W_K": "wK", "W_V": "wV",
                          "W_O": "wO", "W_U": "wU", "b_Q": "bQ", "b_K": "bK", "b_V": "bV",
                          "b_O": "bO", "b_U": "bU"}[name]]
        assert t["exponent"] == w["exponent"], name
        assert [x for r in t["rows"] for x in r] == w["mantissas"], name
        assert all(len(r) == w["shape"][-1] for r in t["rows"]), name
    assert (c["schemaVersion"], c["dVocab"], c["nCtx"], c["dModel"], c["dHead"]) == (
        cert["schema_version"], V, n, cfg["d_model"], cfg["d_head"])
    assert (c["nInputs"], c["claimedCount"], c["fracBits"], c["taylorTerms"]) == (
        cert["n_inputs"], cert["claimed_count"], cert["frac_bits"], cert["taylor_terms"])
    assert (c["sqrtLo"], c["sqrtHi"]) == (cert["sqrt_d_head"]["lo"], cert["sqrt_d_head"]["hi"])
    assert c["eqkeLo"] == cert["exp_eqke"]["lo"] and c["eqkeHi"] == cert["exp_eqke"]["hi"]
    assert c["eqkpLo"] == cert["exp_eqkp"]["lo"] and c["eqkpHi"] == cert["exp_eqkp"]["hi"]
    assert c["orders"] == cert["orders"]
    assert len(c["c0"]) == V and len(c["cells"]) == c["nCellParts"] >= 1
    assert c["shifts"] == cert["shifts"]
    assert [e for g in c["c0"] for e in g] == cert["c0"]
    assert [e for g in c["cells"] for e in g] == cert["cells"]
    assert all(g and all(e[0] == g[0][0] for e in g) for g in c["cells"])  # one m per part
    assert P == expected_witness(cert)
    # and the replay's own matrices, for the ones it returns
    z, T = R.align_weights(cert["weights"], V, n, cfg["d_model"], cfg["d_head"])
    RP = R.compute_paths(T, z, n)
    for lean_key, key in (("eupu0", "EUPU0"), ("bU", "bU"), ("bOV", "bOV"), ("evou0", "EVOU0"),
                          ("pvou", "PVOU"), ("eqke", "EQKE"), ("eqkp", "EQKP")):
        assert P[lean_key] == RP[key], key


def test_rerender_is_byte_identical_and_removes_stale_chunks(rendered, tmp_path):
    cert, out, paths = rendered
    before = {p: p.read_bytes() for p in paths}
    again = L.render_certificate(copy.deepcopy(cert), out, "plain-test", chunk_size=2)
    assert again == paths
    assert {p: p.read_bytes() for p in again} == before
    # a different chunk size in a fresh directory: old chunk modules must not survive
    L.render_certificate(cert, tmp_path, "plain-test", chunk_size=1)
    n1 = sorted(p.name for p in (tmp_path / "MaxKCert/Certs/PlainTest").glob("Chunk*.lean"))
    L.render_certificate(cert, tmp_path, "plain-test", chunk_size=3)
    n3 = sorted(p.name for p in (tmp_path / "MaxKCert/Certs/PlainTest").glob("Chunk*.lean"))
    R_idx = max(cert["config"]["d_vocab"], cert["config"]["d_model"], cert["config"]["n_ctx"])
    assert len(n1) == R_idx and len(n3) == math.ceil(R_idx / 3)
    root = (tmp_path / "MaxKCert.lean").read_text()
    for name in n1[len(n3):]:
        assert name[:-5] not in root
    assert not list(tmp_path.rglob("*.tmp")), "temporary files left behind"


def test_root_imports_every_generated_module(rendered, tmp_path):
    cert, out, _ = rendered
    L.render_certificate(cert_of("bias"), out, "second", chunk_size=4)
    root = (out / "MaxKCert.lean").read_text()
    imports = re.findall(r"(?m)^import ([\w.]+)$", root)
    assert imports[0] == "MaxKCert.Checker"
    files = sorted((out / "MaxKCert" / "Certs").rglob("*.lean"))
    mods = {"MaxKCert." + ".".join(f.relative_to(out / "MaxKCert").with_suffix("").parts) for f in files}
    assert set(imports[1:]) == mods
    for m in imports[1:]:
        assert (out / (m.replace(".", "/") + ".lean")).is_file()
    # every import inside a generated module resolves to a generated module or the checker
    for f in files:
        for m in re.findall(r"(?m)^import ([\w.]+)$", f.read_text()):
            assert m == "MaxKCert.Checker" or m in mods, (f, m)


def test_generated_modules_structure(rendered):
    cert, out, paths = rendered
    base = out / "MaxKCert" / "Certs" / "PlainTest"
    texts = {p.name: p.read_text() for p in base.glob("*.lean")}
    defined = {}
    for fname, text in texts.items():
        assert not lint_lean(text), (fname, lint_lean(text))
        assert not structure_problems(text), (fname, structure_problems(text))
        for t in re.findall(r"(?m)^theorem\s+(\w+)", text):
            assert t not in defined, f"theorem {t} in {fname} and {defined[t]}"
            defined[t] = fname
    # every theorem outside Main is a kernel computation, preceded by the options of LEAN.md
    for fname in ("Weights.lean", "Tables.lean", "Cases.lean", "Paths.lean", "Data.lean"):
        assert "\nset_option maxHeartbeats 0\n" in texts[fname], fname  # data modules: no heartbeat cap
    for fname in ("Weights.lean", "Tables.lean", "Paths.lean"):  # every row literal carries its type
        rows = re.findall(r"^\s*\[?(\(?)\[", texts[fname], re.M)
        assert rows and all(r == "(" for r in rows), fname
        assert re.search(r"\] : List (Int|Nat)\)", texts[fname]), fname
    for fname, text in texts.items():
        if fname == "Main.lean":
            continue
        for m in re.finditer(r"(?m)^theorem (\w+) : ([^\n]*) := (.*)$", text):
            assert m.group(3) == "by decide +kernel", (fname, m.group(1))
            head = text[:m.start()].rstrip().splitlines()
            assert "set_option maxHeartbeats 0 in" in head[-3:], (fname, m.group(1))
        assert "set_option autoImplicit false" in text
    main = texts["Main.lean"]
    assert "#print axioms certificate_ok" in main
    assert re.search(r"(?m)^theorem certificate_ok : CertOk cert paths :=$", main)
    # Main references only theorems defined elsewhere (or in Main), each exactly once per block
    body = main.split("theorem certificate_ok")[1]
    refs = re.findall(r"\b(\w+_(?:ok|all))\b", body.split("#print")[0])
    assert refs == [t if t.endswith("_ok") else f"{t}_all" for t in L.CERTOK_ORDER]
    cfg = cert["config"]
    bounds = {"V": cfg["d_vocab"], "d": cfg["d_model"], "n": cfg["n_ctx"],
              "P": len(L.cell_parts(cert["cells"], L.MAX_ARRANGEMENTS))}
    for kind, _, fn, bound, var in L.INDEX_KINDS:
        block = re.search(rf"theorem {kind}_all : Every (\d+) \(fun (\w) => (\w+) cert paths \w = true\) :=\n"
                          r"(.*?)\n\n", main, re.S)
        assert block, kind
        assert int(block.group(1)) == bounds[bound] and block.group(3) == fn and block.group(2) == var
        used = re.findall(r"\b\w+_\d+\b", block.group(4))
        assert used == [f"{kind}_{i:03d}" for i in range(bounds[bound])], kind
        assert block.group(4).count("⟨") == block.group(4).count("⟩") == bounds[bound]
        for u in used:
            assert defined.get(u, "Main.lean") != "Main.lean", u
            stmt = re.search(rf"(?m)^theorem {u} : (.*) := by decide \+kernel$", texts[defined[u]]).group(1)
            assert stmt == f"{fn} cert paths {int(u.rsplit('_', 1)[1])} = true", stmt
    for name, _, stmt in L.GLOBAL_THEOREMS:
        assert re.search(rf"(?m)^theorem {name} : {re.escape(stmt)} := by decide \+kernel$", texts["Global.lean"])
    # the CertOk conjuncts in Checker.lean are exactly these statements, with c := cert, P := paths
    certok = CHECKER.read_text().split("def CertOk")[1].split("end MaxKCert")[0]
    conj = [s.strip().rstrip("∧").strip() for s in certok.split(":=", 1)[1].strip().split("∧\n")]
    glob = {name: stmt for name, _, stmt in L.GLOBAL_THEOREMS}
    blocks = {kind: (fn, bound, var) for kind, _, fn, bound, var in L.INDEX_KINDS}
    cert_bound = {"V": "c.dVocab", "d": "c.dModel", "n": "c.nCtx", "P": "c.nCellParts"}
    assert len(conj) == len(L.CERTOK_ORDER)
    for term, c_text in zip(L.CERTOK_ORDER, conj):
        if term in glob:
            assert re.sub(r"\bP\b", "paths", re.sub(r"\bc\b", "cert", c_text)) == glob[term], c_text
        else:
            fn, bound, var = blocks[term]
            assert c_text == f"Every {cert_bound[bound]} (fun {var} => {fn} c P {var} = true)", c_text


def test_chunk_size_groups_indices(tmp_path):
    cert = cert_of("plain")
    cfg = cert["config"]
    R_idx = max(cfg["d_vocab"], cfg["d_model"], cfg["n_ctx"], len(L.cell_parts(cert["cells"], L.MAX_ARRANGEMENTS)))
    L.render_certificate(cert, tmp_path, "c", chunk_size=4)
    base = tmp_path / "MaxKCert/Certs/C"
    chunks = sorted(base.glob("Chunk*.lean"))
    assert len(chunks) == math.ceil(R_idx / 4)
    first = chunks[0].read_text()
    assert "checkCellsAt cert paths 3 = true" in first and "checkCellsAt cert paths 4 = true" not in first
    with pytest.raises(ValueError):
        L.render_certificate(cert, tmp_path, "c", chunk_size=0)
    with pytest.raises(ValueError):
        L.render_certificate(cert, tmp_path, "c", max_arrangements=0)


def test_cell_parts_cap_arrangements_and_keep_order():
    """Parts: consecutive, one m each, whole (m, q) groups unless a group alone is over the cap,
    never over the cap unless one cell alone is; the cap is what the chunk theorems check."""
    rng = np.random.default_rng(0)
    cells = []
    for m in range(1, 9):
        for q in range(m + 1):
            for c in range(1, 4):
                if rng.random() < 0.8:
                    cells.append([m, q, c, 0, int(rng.integers(1, 1 << m))])
    for cap in (1, 2, 5, 13, 40, 2000):
        parts = L.cell_parts(cells, cap)
        assert [x for p in parts for x in p] == cells
        for p in parts:
            assert p and len({x[0] for x in p}) == 1
            cost = sum(L.arrangements(x) for x in p)
            assert cost <= cap or len(p) == 1, (cap, cost)
            qs = [x[1] for x in p]
            groups = [(x[0], x[1]) for x in cells if (x[0], x[1]) == (p[0][0], p[0][1])]
            if sum(L.arrangements(x) for x in cells if (x[0], x[1]) == (p[0][0], p[0][1])) <= cap:
                # a part starts at the start of its first (m, q) group when that group fits
                assert cells.index(p[0]) == min(i for i, x in enumerate(cells) if (x[0], x[1]) == (p[0][0], p[0][1]))
            assert qs == sorted(qs) and groups
    assert len(L.cell_parts(cells, 2000)) == 8  # one part per m when the cap is generous


def test_render_refuses_what_lean_cannot_hold(tmp_path):
    cert = cert_of("plain")
    bad = copy.deepcopy(cert)
    bad["exp_eqke"]["lo"][0][0] = -1
    with pytest.raises(ValueError, match="exp_eqke.lo"):
        L.render_certificate(bad, tmp_path, "x")
    bad = copy.deepcopy(cert)
    bad["cells"] = list(reversed(bad["cells"]))
    with pytest.raises(ValueError, match="cells"):
        L.render_certificate(bad, tmp_path, "x")
    bad = copy.deepcopy(cert)
    bad["weights"]["W_E"]["exponent"] = 500
    with pytest.raises(ValueError, match="exponent"):
        L.render_certificate(bad, tmp_path, "x")
    assert not (tmp_path / "MaxKCert" / "Certs").exists(), "nothing written for a refused certificate"


def test_lean_module_name():
    assert L.lean_module_name("max4-seed123") == "Max4Seed123"
    assert L.lean_module_name("123") == "C123"
    assert L.lean_module_name("type") == "TypeCert"
    with pytest.raises(ValueError):
        L.lean_module_name("--")


def test_render_bench(tmp_path):
    p = L.render_bench(12345, tmp_path)
    text = p.read_text()
    assert p == tmp_path / "MaxKCert" / "Bench.lean"
    # one flat `&&` chain: whnf evaluates `and true y` iteratively, so no block layout is needed
    assert "theorem bench_ok : benchChain 12345 = true := by decide +kernel" in text
    assert "stack frame" not in text
    assert not lint_lean(text) and not structure_problems(text)
    assert L.render_bench(12345, tmp_path).read_bytes() == text.encode()
    with pytest.raises(ValueError):
        L.render_bench(0, tmp_path)


# ----------------------------------------------------------------- tests: the Lean design


@pytest.mark.parametrize("key", ["plain", "bias", "bigbias", "pl1", "mean", "n1", "f192"])
def test_lean_model_accepts_replayed_certificates(key, tmp_path):
    cert = cert_of(key)
    assert R.replay(cert).ok
    ok, failed = lean_accepts(cert, tmp_path)
    assert ok, failed


def test_lean_model_covers_several_shifts():
    used = {tuple(cert_of(key)["shifts"][cell[3]]) for key in ("plain", "bias", "bigbias", "pl1", "mean")
            for cell in cert_of(key)["cells"]}
    assert len(used) >= 3 and any(any(z) for z in used), used  # zero and non-zero shift vectors


def _mutations(cert: dict):
    """(label, mutated certificate) pairs touching every check the Lean side owns."""
    V = cert["config"]["d_vocab"]
    out = []

    def mut(label, f):
        c = copy.deepcopy(cert)
        f(c)
        out.append((label, c))

    def recount(c):
        c["claimed_count"] = len(c["c0"]) + sum(math.comb(c["config"]["n_ctx"] - 1, x[2]) * bin(x[4]).count("1") ** x[2]
                                                for x in c["cells"])

    mut("count+1", lambda c: c.__setitem__("claimed_count", c["claimed_count"] + 1))
    mut("n_inputs", lambda c: c.__setitem__("n_inputs", c["n_inputs"] + 1))
    mut("sqrt lo up", lambda c: c["sqrt_d_head"].__setitem__("lo", c["sqrt_d_head"]["lo"] + 2 ** 40))
    mut("sqrt hi down", lambda c: c["sqrt_d_head"].__setitem__("hi", c["sqrt_d_head"]["hi"] - 2 ** 40))
    mut("eqke lo up", lambda c: c["exp_eqke"]["lo"][1].__setitem__(2, c["exp_eqke"]["lo"][1][2] * 2 + 1))
    mut("eqke hi down", lambda c: c["exp_eqke"]["hi"][2].__setitem__(0, c["exp_eqke"]["hi"][2][0] // 2))
    mut("eqkp hi down", lambda c: c["exp_eqkp"]["hi"][0].__setitem__(0, c["exp_eqkp"]["hi"][0][0] // 3))
    mut("eqkp lo zero", lambda c: c["exp_eqkp"]["lo"][0].__setitem__(0, 0))  # still an enclosure
    mut("orders swap", lambda c: c["orders"][V - 1].reverse())
    mut("frac_bits 0", lambda c: c.__setitem__("frac_bits", 0))
    mut("taylor 1", lambda c: c.__setitem__("taylor_terms", 1))
    mut("weight", lambda c: c["weights"]["W_U"]["mantissas"].__setitem__(3, c["weights"]["W_U"]["mantissas"][3] + 1))
    mut("bias", lambda c: c["weights"]["b_U"]["mantissas"].__setitem__(0, 12345))
    mut("exponent", lambda c: c["weights"]["W_K"].__setitem__("exponent", c["weights"]["W_K"]["exponent"] + 1))
    if cert["cells"]:
        last = len(cert["cells"]) - 1
        mut("mask all bits", lambda c: c["cells"][last].__setitem__(4, (1 << c["cells"][last][0]) - 1))
        mut("mask too big", lambda c: c["cells"][0].__setitem__(4, 1 << c["cells"][0][0]))
        mut("shift index", lambda c: c["cells"][last].__setitem__(3, (c["cells"][last][3] + 1) % len(c["shifts"])))
        mut("shift index out of range", lambda c: c["cells"][0].__setitem__(3, len(c["shifts"])))
        mut("empty mask", lambda c: (c["cells"][0].__setitem__(4, 0), recount(c)))
        mut("shift entry", lambda c: c["shifts"][c["cells"][last][3]].__setitem__(0, c["shifts"][c["cells"][last][3]][0] + 2 ** 90))
        mut("shift entry too big", lambda c: c["shifts"][0].__setitem__(0, 2 ** 2048))
        mut("no shifts", lambda c: c.__setitem__("shifts", []))
        mut("shift too short", lambda c: c["shifts"][0].pop())
        mut("c too big", lambda c: c["cells"][last].__setitem__(2, c["config"]["n_ctx"]))
        mut("duplicate cell", lambda c: c["cells"].insert(0, list(c["cells"][0])))
        mut("drop a cell", lambda c: c["cells"].pop())


    def add_bits(c):  # every k < m into every mask, count fixed: only the cell checks can object
        for x in c["cells"]:
            x[4] = (1 << x[0]) - 1
        recount(c)

    def add_c0(c):  # every (m, q) as a c = 0 entry, count fixed: only check_c0 can object
        c["c0"] = [[m, q] for m in range(V) for q in range(m + 1)]
        recount(c)

    mut("full masks, count fixed", add_bits)
    mut("full c0, count fixed", add_c0)
    mut("c0 extra", lambda c: c["c0"].append([V - 1, V - 1]) if [V - 1, V - 1] not in c["c0"] else
        c["c0"].__setitem__(0, [c["c0"][0][0], c["c0"][0][0] + 1]))
    mut("c0 q > m", lambda c: c["c0"].__setitem__(0, [c["c0"][0][0], c["c0"][0][0] + 1]))
    mut("c0 duplicate", lambda c: c["c0"].insert(0, list(c["c0"][0])))
    mut("c0 q < m", lambda c: (c["c0"].append([V - 1, 0]) if [V - 1, 0] not in c["c0"] else None,
                               c["c0"].sort(), recount(c)))
    mut("V = 1", lambda c: (c["config"].__setitem__("d_vocab", 1), c.__setitem__("n_inputs", 1)))
    return out


@pytest.mark.parametrize("key", ["plain", "bias", "bigbias", "n1", "f192"])
def test_lean_model_agrees_with_replay_on_mutations(key, tmp_path):
    """For every mutation: the Lean model (on the rendered data) accepts iff the replay's checks
    1, 3..10 accept; renderer refusals count as rejections (they fail the replay)."""
    agree = 0
    for label, c in _mutations(cert_of(key)):
        expected = replay_without_hash(c)
        try:
            got, failed = lean_accepts(c, tmp_path)
        except (ValueError, CertificateError):
            got, failed = False, ["refused by the renderer"]
        assert got == expected, (label, expected, failed)
        agree += 1
    assert agree >= 20


def test_lean_model_rejects_a_tampered_witness(rendered, tmp_path):
    cert, out, _ = rendered
    data = load_rendered(out, "PlainTest")
    for field, i, j in (("eqke", 1, 2), ("evou0", 0, 3), ("vou", 2, 1), ("kt", 3, 0), ("kp", 0, 0),
                        ("pvou", 1, 1), ("eupu0", 4, 4)):
        P = copy.deepcopy(data["paths"])
        P[field][i][j] += 1
        res = lean_model(data["cert"], P)
        assert not all(ok for _, ok in res), field
        assert any(name.startswith("checkPaths") and not ok for name, ok in res), field
    P = copy.deepcopy(data["paths"])
    P["bOV"][0] -= 1
    assert not checkPathsGlobal(data["cert"], P)
    P = copy.deepcopy(data["paths"])
    P["eqke"][0].append(0)  # a longer row
    assert not checkPathShapes(data["cert"], P)


def test_lean_model_rejects_extra_groups_and_misfiled_cells(rendered):
    cert, out, _ = rendered
    data = load_rendered(out, "PlainTest")
    c = copy.deepcopy(data["cert"])
    c["cells"].append([])  # one part more than nCellParts: header must fail (else it escapes CertOk)
    assert not checkHeader(c)
    c = copy.deepcopy(data["cert"])
    c["cells"].append([])
    c["nCellParts"] += 1  # an empty part is rejected by its own check
    assert checkHeader(c) and not checkCellsAt(c, data["paths"], c["nCellParts"] - 1)
    c = copy.deepcopy(data["cert"])
    j = next(j for j, g in enumerate(c["cells"]) if len(g) >= 1 and j + 1 < len(c["cells"]))
    cell = c["cells"][j + 1].pop(0)
    c["cells"][j].append(cell)  # a cell of another m filed into a part
    assert not all(checkCellsAt(c, data["paths"], k) for k in range(c["nCellParts"]))
    c = copy.deepcopy(data["cert"])
    c["cells"][0], c["cells"][1] = c["cells"][1], c["cells"][0]  # parts out of order
    assert not all(checkCellsAt(c, data["paths"], k) for k in range(c["nCellParts"]))


LEAN_MODEL_FUNCTIONS = (
    "ceilDiv", "nth", "isShape", "vadd", "vshl", "vecMat", "dots", "rowMax", "popcount", "choose",
    "checkHeader", "checkExponentRange", "alignWeights", "eqRow", "qvRow", "checkPathShapes",
    "checkPathsGlobal", "checkPathsV", "checkPathsD", "checkPathsN", "checkSqrt", "expReduction",
    "expLower", "expUpper", "checkExpNeg", "expEntriesOk", "checkExpRow", "orderRowOk",
    "checkOrders", "ub", "centre", "c0EntryOk", "checkC0At", "maxExcept", "splitMaxima",
    "arrangementSlots", "slotsSum", "cellKOk", "checkCellsAt", "checkCount",
)


def test_lean_model_names_exist_in_checker():
    """Every function of the Python transliteration above is a def of Checker.lean."""
    text = CHECKER.read_text()
    for name in LEAN_MODEL_FUNCTIONS:
        assert callable(globals()[name]), name
        assert re.search(rf"(?m)^def {name}\b", text), f"Checker.lean has no def {name}"


SHIPPED = ROOT / "artifacts" / "certs" / "max4-seed123.cert.json"


@pytest.mark.skipif(not SHIPPED.is_file(), reason="no shipped certificate")
def test_lean_model_accepts_the_shipped_certificate(tmp_path):
    """The V = 64, n = 4 default certificate: rendered, parsed back exactly, accepted (~4 s)."""
    from pipeline.certificate.schema import load_certificate

    cert = load_certificate(SHIPPED)
    assert R.replay(cert).ok
    L.render_certificate(cert, tmp_path, "shipped")
    data = load_rendered(tmp_path, "Shipped")
    assert data["paths"] == expected_witness(cert)
    assert [e for g in data["cert"]["cells"] for e in g] == cert["cells"]
    res = lean_model(data["cert"], data["paths"])
    assert all(ok for _, ok in res), [name for name, ok in res if not ok]
    for f in (tmp_path / "MaxKCert").rglob("*.lean"):
        text = f.read_text()
        assert not lint_lean(text) and not structure_problems(text), f
