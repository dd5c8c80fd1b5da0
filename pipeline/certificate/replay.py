"""Exact-integer replay of a cubic or exact certificate (schema v2): the trusted base (standard library only).

    python -c "from pipeline.certificate.replay import replay_file; print(replay_file('cert.json'))"

Owns checks 1..10 of pipeline/certificate/FORMAT.md, in that order and under those names, and for
strategy "exact" checks 1..9, 10x, 11, 12 (FORMAT.md "The exact certificate"); the Lean checker
(lean/MaxKCert/Checker.lean) is its line-for-line twin for the cubic kind, coq/Checker.v for both.  Only ints and bools enter
the check: every weight is mantissa * 2^e, every rounded quantity is a certificate integer that
the replay verifies by multiplying and comparing.  Imports: the standard library and
pipeline.certificate.schema, nothing else (no numpy, no floats, no mpmath).

Trust argument: why passing checks 1..10 means at least `claimed_count` of the V^n inputs are
correct in exact real arithmetic on these weights (correct: logit[max x] > logit[y], all y != max x).

* Weights (checks 1-3).  Every mantissa*2^e is a float32 value and the canonical hash of those
  values equals `model_sha256`, so the integers are exactly the weights of the hashed model.
  After alignment every tensor is an integer matrix at the common scale 2^e0.
* Paths (check 4).  With Eq = W_E + W_pos[n-1], the last-position logits of the model are
  logit[y] = EUPU[q,y] + sum_i a_i (EVOU[t_i,y] + PVOU[i,y]),  a = softmax_i(score_i / sqrt h),
  score_i = EQKE[q,t_i] + EQKP[q,i]; b_O enters once outside the sum, and is booked inside it
  because sum_i a_i = 1.  compute_paths evaluates these matrices exactly (integers at scale
  2^(4 e0)); no rounding happens anywhere before the exponentials.
* Sign trick.  Put w_i = exp(score_i / sqrt h) > 0.  Since sum_i a_i = 1,
  logit[y] - logit[m] = sum_i a_i Z_i[y] with Z_i[y] = EUPU'[q,y] + EVOU'[t_i,y] + PVOU'[i,y]
  (X'[.,y] = X[.,y] - X[.,m]), and its sign is the sign of sum_i w_i Z_i[y] (multiply by
  sum_i w_i > 0).  Dividing every w_i by the positive constant exp((maxE[q] + maxP[q]) / sqrt h)
  changes no sign, so w_i = e(q,t_i) p(q,i) with e = exp((EQKE-maxE)/sqrt h) and
  p = exp((EQKP-maxP)/sqrt h).
* Exponentials (checks 5-6).  s_lo/2^F <= sqrt h <= s_hi/2^F with 0 < s_lo <= s_hi, so each
  exponent -y lies in [-yB, -yA]; exp_lower / exp_upper are Taylor sums rounded down / up
  (remainder of the series for r in [0,1] at most 2 r^N/N!) followed by j exact squarings
  rounded down / up, so L/2^F <= e^(num/den) <= H/2^F.  Hence lo <= e*2^F <= hi for every table
  entry, and the true w_i lies in [elo plo, ehi phi] / 4^F.  For any z, w z <= ub([wlo, whi], z)
  (whi z if z >= 0, else wlo z), so sum_i w_i z_i <= sum_i ub(w_i, z_i) (up to the factor 4^F).
* c = 0 (check 8).  Each listed (m, q) is one input (m, ..., m, q) with n-1 >= 1 copies of m
  when q < m (so its max is m; for n = 1 only q == m is allowed); check_c0 shows
  sum_i ub(w_i, Z_i[y]) < 0 for every y != m with the full logit difference, so it is correct.
* Shift vectors (check 9).  For ANY vector Zs over the vocabulary (the certificate's `shifts`,
  integers at scale 2^(4 e0)), put Dir = EUPU + Zs and Ov = EVOU - Zs (Zs added to every row).
  Since sum_i a_i = 1, sum_i a_i (Dir'[q,y] + Ov'[t_i,y] + PVOU'[i,y])
  = EUPU'[q,y] + Zs'[y] + sum_i a_i (EVOU'[t_i,y] - Zs'[y] + PVOU'[i,y]) = logit[y] - logit[m]:
  the shift cancels exactly, whatever Zs is, so every cell may pick any listed shift (v1's four
  bias placements are the shifts dO bOV - (1 - dU) bU).  The shift only moves mass between the
  two maxima below, which is why it changes what the cell can prove, never what it means.
* c >= 1 (check 9).  For a cell (q, m, c) with shift Zs, the split maxima bound every
  wrong-minus-right term: Dir'[q,y] + Ov'[t_i,y] + PVOU'[i,y] <= U[q] + E[t_i] = g(t_i), because
  Dir'[q,y] <= U[q] and Ov'[t,y] + PVOU'[i,y] <= Ov'[t,y] + P[y] <= E[t] for y != m.  So
  sum_i w_i Z_i[y] <= sum_i w_i g(t_i) for every y != m.
  - Pure inputs (every non-max non-query token equal to k): sum_i w_i g(t_i) =
    e(m) g(m) A + e(k) g(k) (T - A) + e(q) g(q) p(n-1), where A = total positional weight p of
    the m-slots and T the total over all non-query slots: linear in A, hence at most its value at
    the smallest or the largest A.  Those are the two sorted arrangements ("low": m on the r
    lowest-EQKP slots, "high": m on the r highest; check_orders proves orders[q] sorts EQKP[q,.],
    and exp is increasing, so they minimise / maximise A).  check_cells shows, for every k in S,
    that the ub-sums of both (upper bounds of their exact sums, previous bullets) are < 0, so
    every pure input with k in S is correct, in every arrangement.  (For q < m, c <= n-2 leaves
    r >= 1 slots of m, so m really is the max.)
  - Mixed inputs (non-max tokens k_1..k_c, all in S): each non-max slot contributes
    p(i) e(k_j) g(k_j) with p(i) > 0; replacing every k_j by k* = argmax_{k in S} e(k) g(k)
    (same slots) does not decrease the sum, and the result is the sum of a pure input with k* in
    S, already < 0.  So every input whose c non-max non-query tokens lie in S is correct.
* Count (check 10).  An input determines q = x[n-1], m = max x and c = #{i < n-1 : x_i != m};
  the cell (q, m, c) covers exactly C(n-1, c) |S|^c distinct inputs (choose the c slots, then
  their tokens in S, all < m, so c is exactly c), the c0 entry (q, m) covers one (its c is 0, so
  it is in no cell), and the strictly increasing lists contain each (m, q, c) / (m, q) once.  So
  the covered inputs are pairwise distinct, all correct, and number exactly claimed_count.
  (An empty mask would prove nothing yet cost a split-maxima computation: check_cells rejects it.)
(check_header demands V >= 2, so every max over y != m above is over a non-empty set.)

Exact kind (strategy "exact", checks 10x-12): claimed_count <= #correct <= claimed_upper.
* The residual (check 11).  residual_inputs enumerates, in FORMAT.md's order, for every key
  (m, q, c) the inputs of that key that the cubic part does not cover: (m, ..., m, q) when c = 0
  and (m, q) is not in c0; for c >= 1 the prefixes with exactly c entries below m of which at least
  one is outside the cell's S (out(n-1, c); S empty without a cell).  An input has exactly one key
  and the cubic part covers exactly the inputs of its keys with every non-max token in S (check
  10's bullet), so R is the complement of the cover, each input once; check 12 re-checks the
  arithmetic (cubic_count + |R| == V^n).
* Verdicts.  For x in R: sum_i w_i Z_i[y] has the sign of logit[y] - logit[m] (the sign trick
  above, any tokens).  ub(w, z) >= w z >= lb(w, z) for w in [wlo, whi], so every y != m with
  sum_i ub(w_i, Z_i[y]) < 0 has logit[y] < logit[m]: all of them -> x is correct (input_ok, the c0
  test for any tokens); some y != m with sum_i lb(w_i, Z_i[y]) >= 0 has logit[y] >= logit[m] ->
  x is not correct (a tie is an error).  Otherwise x is undecided and counted on neither side.
  The shortcut in input_ok (sum of the rows' tops) and the caches change no verdict.
* Claim (check 12).  The cubic part's inputs are correct (checks 8-9); so #correct >=
  cubic_count + n_ok = claimed_count, and the n_wrong inputs of R are not correct, so
  #correct <= V^n - n_wrong = claimed_upper.

Budget: check_header also bounds the work every later check can cause (d_model, d_head, V^n, the
exp-table work V (V + n) F N_T, the shifts), and the loader bounds the bytes read; the limits are
the named constants of schema.py, listed in FORMAT.md "Budget".  The exact kind's residual work
n V |R| words (residual_work) is bounded before check 11 starts (|R| is known after check 9).
"""

from __future__ import annotations

import hashlib
import math
import operator
import struct
from typing import NamedTuple

from pipeline.certificate.schema import (
    MAX_D_HEAD,
    MAX_D_MODEL,
    MAX_EXP_WORK,
    MAX_FRAC_BITS,
    MAX_N_INPUTS_BITS,
    MAX_RESIDUAL_WORK,
    MAX_SHIFT_BITS,
    MAX_SHIFTS,
    MAX_TAYLOR_TERMS,
    PARAM_NAMES,
    SCHEMA_VERSION,
    STRATEGIES,
    STRATEGY_EXACT,
    CertificateError,
    load_certificate,
    param_shapes,
    validate_certificate,
)

MAX_SQUARINGS = 12  # exp arguments are capped at F <= 4096 = 2^12: e^x = (e^(x/2^j))^(2^j), j <= 12
F32_MIN_EXPONENT = -149  # float32 values are multiples of 2^-149 ...
F32_MAX_EXPONENT = 127  # ... and below 2^128
RESIDUAL_CACHE_WORDS = 1 << 25  # check 11 keeps at most about this many 64-bit words of rows (256 MiB)


class ReplayResult(NamedTuple):
    ok: bool
    count: int  # claimed_count when ok, else 0
    n_inputs: int  # V^n (0 when the header did not pass)
    failed_check: str | None  # name of the first failing check
    detail: str  # one line: "<check>: <problem>" or a success summary
    upper: int | None = None  # exact kind, when ok: claimed_upper (count <= #correct <= upper); else None


# ----------------------------------------------------------------- small integer helpers


def ceil_div(a: int, b: int) -> int:
    """ceil(a / b) for b > 0."""
    return -((-a) // b)


def lex_less(a: list, b: list) -> bool:
    """a < b lexicographically (lists of ints of equal length)."""
    for i in range(len(a)):
        if a[i] != b[i]:
            return a[i] < b[i]
    return False


def matmul(A: list, B: list) -> list:
    """Exact integer matrix product [r x k] @ [k x c] -> [r x c]."""
    k = len(B)
    c = len(B[0]) if k > 0 else 0
    out = []
    for row in A:
        acc = [0] * c
        for kk in range(k):
            a = row[kk]
            if a != 0:
                brow = B[kk]
                for j in range(c):
                    acc[j] += a * brow[j]
        out.append(acc)
    return out


def dot(u: list, v: list) -> int:
    s = 0
    for i in range(len(u)):
        s += u[i] * v[i]
    return s


def reshape(flat: list, rows: int, cols: int) -> list:
    """Row-major [rows * cols] -> [rows][cols]."""
    out = []
    for r in range(rows):
        out.append(flat[r * cols:(r + 1) * cols])
    return out


def popcount(mask: int) -> int:
    c = 0
    while mask > 0:
        c += mask & 1
        mask >>= 1
    return c


# ----------------------------------------------------------------- 1. header


def exp_work(V: int, n: int, F: int, NT: int) -> int:
    """The size of check 6: V (V + n) table entries, each two Taylor sums of N_T terms on F-bit
    integers (FORMAT.md "Budget"); check_header refuses more than MAX_EXP_WORK."""
    return V * (V + n) * F * NT


def check_header(cert) -> str | None:
    """Establishes: schema v2, strategy cubic, exact structure, V >= 2, n_inputs == V^n, F and N_T
    in range, and every resource limit of FORMAT.md "Budget" (d, h, V^n, exp-table work, shifts).

    No number read from the certificate is formatted into a message unless it is bounded
    (V^n is compared, never printed).
    """
    try:
        validate_certificate(cert, None)  # key sets, int types, shapes and list lengths vs config
    except CertificateError as e:
        return e.problem
    if cert["schema_version"] != SCHEMA_VERSION or cert["strategy"] not in STRATEGIES:
        return "wrong schema_version or strategy"
    cfg = cert["config"]
    V, n, d, h = cfg["d_vocab"], cfg["n_ctx"], cfg["d_model"], cfg["d_head"]
    if V < 2 or n < 1 or d < 1 or h < 1:
        return "config needs d_vocab >= 2 and n_ctx, d_model, d_head >= 1"
    if d > MAX_D_MODEL or h > MAX_D_HEAD:
        return f"config needs d_model <= {MAX_D_MODEL} and d_head <= {MAX_D_HEAD} (resource limit)"
    if (V.bit_length() - 1) * n >= MAX_N_INPUTS_BITS or V**n >= (1 << MAX_N_INPUTS_BITS):
        return f"V^n is not below 2^{MAX_N_INPUTS_BITS} (resource limit)"
    if cert["n_inputs"] != V**n:
        return "n_inputs is not V^n = d_vocab^n_ctx"
    F, NT = cert["frac_bits"], cert["taylor_terms"]
    if F < 1 or F > MAX_FRAC_BITS:
        return f"frac_bits not in 1..{MAX_FRAC_BITS}"
    if NT < 1 or NT > MAX_TAYLOR_TERMS:
        return f"taylor_terms not in 1..{MAX_TAYLOR_TERMS}"
    if exp_work(V, n, F, NT) > MAX_EXP_WORK:
        return (f"exp-table work V (V + n) frac_bits taylor_terms = {exp_work(V, n, F, NT)} exceeds "
                f"{MAX_EXP_WORK} (resource limit)")
    shifts = cert["shifts"]
    if not (1 <= len(shifts) <= MAX_SHIFTS):
        return f"shifts: expected 1..{MAX_SHIFTS} vectors"
    for j in range(len(shifts)):
        if len(shifts[j]) != V:
            return f"shifts[{j}] has not V entries"
        for x in shifts[j]:
            if x.bit_length() > MAX_SHIFT_BITS:
                return f"shifts[{j}] has an entry of more than {MAX_SHIFT_BITS} bits"
    shapes = param_shapes(V, n, d, h)
    for name in PARAM_NAMES:
        w = cert["weights"][name]
        size = 1
        for s in shapes[name]:
            size *= s
        if w["shape"] != shapes[name] or len(w["mantissas"]) != size:
            return f"weights.{name} does not match config"
    return None


# ----------------------------------------------------------------- 2. float32 values and hash


def float32_bits(mantissa: int, exponent: int) -> int:
    """IEEE-754 binary32 bit pattern of mantissa * 2^exponent, or -1 if that is not a float32.

    Zero (either sign) encodes as +0.0.  Normal: 2^-126 <= |v| < 2^128 with at most 24
    significant bits; subnormal: |v| < 2^-126 and v a multiple of 2^-149.
    """
    if mantissa == 0:
        return 0
    sign = 0
    a = mantissa
    if a < 0:
        sign = 1
        a = -a
    tz = (a & -a).bit_length() - 1  # strip trailing zero bits: a odd, value = a * 2^e
    a >>= tz
    e = exponent + tz
    nbits = a.bit_length()
    top = e + nbits - 1  # 2^top <= |value| < 2^(top+1)
    if top > 127:
        return -1
    if top >= -126:  # normal
        if nbits > 24:
            return -1
        frac = (a << (24 - nbits)) - (1 << 23)  # 23 fraction bits after the implicit 1
        return (sign << 31) | ((top + 127) << 23) | frac
    if e < -149:  # subnormal: value = f * 2^-149, f < 2^23
        return -1
    return (sign << 31) | (a << (e + 149))


def check_float32(weights: dict) -> str | None:
    """Establishes: every exponent is in -149..127 and every mantissa * 2^e is a float32 value."""
    for name in PARAM_NAMES:
        e = weights[name]["exponent"]
        if e < F32_MIN_EXPONENT or e > F32_MAX_EXPONENT:
            return f"weights.{name}.exponent {e} not in {F32_MIN_EXPONENT}..{F32_MAX_EXPONENT}"
        mants = weights[name]["mantissas"]
        for i in range(len(mants)):
            if float32_bits(mants[i], e) < 0:
                return f"weights.{name}.mantissas[{i}] = {mants[i]} * 2^{e} is not a float32 value"
    return None


def weights_sha256(weights: dict) -> str:
    """The canonical model hash (pipeline/model/weights.py canonical_sha256), from the integers:
    sha256 over PARAM_NAMES of b"<name>:<d0>x<d1>...\\n" + little-endian float32 bytes.
    Precondition: check_float32 passed."""
    hasher = hashlib.sha256()
    for name in PARAM_NAMES:
        w = weights[name]
        dims = []
        for s in w["shape"]:
            dims.append(str(s))
        hasher.update((name + ":" + "x".join(dims) + "\n").encode("ascii"))
        e = w["exponent"]
        chunks = []
        for mant in w["mantissas"]:
            chunks.append(struct.pack("<I", float32_bits(mant, e)))
        hasher.update(b"".join(chunks))
    return hasher.hexdigest()


# ----------------------------------------------------------------- 3. alignment


def align_weights(weights: dict, V: int, n: int, d: int, h: int) -> tuple:
    """Establishes: every tensor as exact integers at the common scale 2^e0, e0 = min(0, min e).

    Returns (z, T) with z = -e0 >= 0 and T[name] a matrix (list of rows) for W_* (head axis of
    size 1 dropped) and a vector for b_*: real value = T[name] entry * 2^e0.
    """
    e0 = 0
    for name in PARAM_NAMES:
        if weights[name]["exponent"] < e0:
            e0 = weights[name]["exponent"]
    flat = {}
    for name in PARAM_NAMES:
        shift = weights[name]["exponent"] - e0
        vals = []
        for mant in weights[name]["mantissas"]:
            vals.append(mant << shift)
        flat[name] = vals
    T = {
        "W_E": reshape(flat["W_E"], V, d),
        "W_pos": reshape(flat["W_pos"], n, d),
        "W_Q": reshape(flat["W_Q"], d, h),
        "W_K": reshape(flat["W_K"], d, h),
        "W_V": reshape(flat["W_V"], d, h),
        "W_O": reshape(flat["W_O"], h, d),
        "W_U": reshape(flat["W_U"], d, V),
        "b_Q": flat["b_Q"],
        "b_K": flat["b_K"],
        "b_V": flat["b_V"],
        "b_O": flat["b_O"],
        "b_U": flat["b_U"],
    }
    return -e0, T


# ----------------------------------------------------------------- 4. path matrices


def compute_paths(T: dict, z: int, n: int) -> dict:
    """Establishes: the exact path matrices of FORMAT.md check 4, all at scale 2^(4 e0).

    Keys: EUPU0 [V][V], bU [V], bOV [V], EVOU0 [V][V], PVOU [n][V], EQKE [V][V], EQKP [V][n],
    and the full-bias EUPU = EUPU0 + bU, EVOU = EVOU0 + bOV (the v2 checks read only EUPU, EVOU,
    PVOU, EQKE, EQKP); the intermediates VOU [d][V] (3 e0), Kt [V][h], Kp [n][h] (2 e0) are
    returned too (the Lean witness is made of them).
    Complexity: O(V d V + n d V + d h V + V d h + V^2 h + V n h) integer products: W_V W_O W_U is
    associated as W_V (W_O W_U), so no d x d matrix is ever formed (d <= MAX_D_MODEL).
    """
    W_E, W_pos, W_U = T["W_E"], T["W_pos"], T["W_U"]
    V = len(W_E)
    d = len(W_pos[0])
    Eq = []  # [V][d], scale e0
    for q in range(V):
        row = []
        for i in range(d):
            row.append(W_E[q][i] + W_pos[n - 1][i])
        Eq.append(row)
    EUPU0 = []
    for row in matmul(Eq, W_U):  # scale 2 e0
        out = []
        for x in row:
            out.append(x << (2 * z))
        EUPU0.append(out)
    bU = []
    for x in T["b_U"]:
        bU.append(x << (3 * z))
    bVO = matmul([T["b_V"]], T["W_O"])[0]  # [d], scale 2 e0
    bsum = []
    for i in range(d):
        bsum.append(bVO[i] + (T["b_O"][i] << z))
    bOV = []
    for x in matmul([bsum], W_U)[0]:  # scale 3 e0
        bOV.append(x << z)
    VOU = matmul(T["W_V"], matmul(T["W_O"], W_U))  # [d][V], scale 3 e0; never a d x d product
    EVOU0 = matmul(W_E, VOU)
    PVOU = matmul(W_pos, VOU)
    Qv = []  # [V][h], scale 2 e0
    for row in matmul(Eq, T["W_Q"]):
        out = []
        for i in range(len(row)):
            out.append(row[i] + (T["b_Q"][i] << z))
        Qv.append(out)
    Kt = []
    for row in matmul(W_E, T["W_K"]):
        out = []
        for i in range(len(row)):
            out.append(row[i] + (T["b_K"][i] << z))
        Kt.append(out)
    Kp = matmul(W_pos, T["W_K"])
    EQKE = []
    EQKP = []
    for q in range(V):
        er = []
        for t in range(V):
            er.append(dot(Qv[q], Kt[t]))
        EQKE.append(er)
        pr = []
        for p in range(n):
            pr.append(dot(Qv[q], Kp[p]))
        EQKP.append(pr)
    EUPU = []
    EVOU = []
    for r in range(V):
        a = []
        b = []
        for y in range(V):
            a.append(EUPU0[r][y] + bU[y])
            b.append(EVOU0[r][y] + bOV[y])
        EUPU.append(a)
        EVOU.append(b)
    return {"EUPU0": EUPU0, "bU": bU, "bOV": bOV, "EVOU0": EVOU0, "PVOU": PVOU,
            "EQKE": EQKE, "EQKP": EQKP, "EUPU": EUPU, "EVOU": EVOU, "VOU": VOU, "Kt": Kt, "Kp": Kp}


# ----------------------------------------------------------------- 5. sqrt(d_head)


def check_sqrt(s_lo: int, s_hi: int, h: int, F: int) -> str | None:
    """Establishes: 0 < s_lo/2^F <= sqrt(h) <= s_hi/2^F."""
    if not (0 < s_lo and s_lo <= s_hi):
        return "need 0 < s_lo <= s_hi"
    if s_lo * s_lo > (h << (2 * F)):
        return "s_lo^2 > h 4^F"
    if s_hi * s_hi < (h << (2 * F)):
        return "s_hi^2 < h 4^F"
    return None


# ----------------------------------------------------------------- 6. exponentials


def exp_reduction(num: int, den: int) -> int:
    """Smallest j in 0..12 with num <= den 2^j, or -1 (also -1 unless num >= 0 and den > 0)."""
    if num < 0 or den <= 0:
        return -1
    for j in range(MAX_SQUARINGS + 1):
        if num <= (den << j):
            return j
    return -1


def exp_lower(num: int, den: int, F: int, NT: int) -> int:
    """L with L/2^F <= e^(num/den), for 0 <= num/den <= 2^12, den > 0; -1 when out of range."""
    j = exp_reduction(num, den)
    if j < 0:
        return -1
    r = (num << F) // (den << j)  # r/2^F <= num/(den 2^j) <= 1, rounded down
    t = 1 << F
    total = t
    for i in range(1, NT):
        t = (t * r) // (i << F)  # t/2^F <= r^i/i!, rounded down
        total += t
    for _ in range(j):
        total = (total * total) >> F  # floor(L^2 / 2^F)
    return total


def exp_upper(num: int, den: int, F: int, NT: int) -> int:
    """H with e^(num/den) <= H/2^F, for 0 <= num/den <= 2^12, den > 0; -1 when out of range."""
    j = exp_reduction(num, den)
    if j < 0:
        return -1
    r = ceil_div(num << F, den << j)  # num/(den 2^j) <= r/2^F <= 1, rounded up
    t = 1 << F
    total = t
    for i in range(1, NT + 1):
        t = ceil_div(t * r, i << F)  # t/2^F >= r^i/i!, rounded up
        if i < NT:
            total += t
        else:
            total += 2 * t  # remainder sum_{i >= NT} r^i/i! <= 2 r^NT/NT! for r <= 1
    for _ in range(j):
        total = ceil_div(total * total, 1 << F)  # ceil(H^2 / 2^F)
    return total


def check_exp_neg(lo: int, hi: int, yA: tuple, yB: tuple, F: int, NT: int) -> bool:
    """Establishes: lo/2^F <= e^(-yB) and e^(-yA) <= hi/2^F (yA, yB = (num, den), num >= 0, den > 0).

    Hence lo/2^F <= e^(-y) <= hi/2^F for every y in [yA, yB].  Arguments are capped at F
    (e^-F 2^F < 1): lo != 0 needs yB <= F, and hi is checked against e^-min(yA, F).
    Precondition: 1 <= F <= 4096 (check_header), so exp_* always find their j.
    """
    na, da = yA
    nb, db = yB
    if na < 0 or da <= 0 or nb < 0 or db <= 0:
        return False
    if lo < 0:
        return False
    if lo != 0:
        if nb > F * db:
            return False
        H = exp_upper(nb, db, F, NT)
        if H < 0 or lo * H > (1 << (2 * F)):
            return False
    if na > F * da:  # min(yA, F): a smaller argument only weakens the claim
        na, da = F, 1
    L = exp_lower(na, da, F, NT)
    if L < 0:
        return False
    return hi * L >= (1 << (2 * F))


def check_exp_tables(EQKE: list, EQKP: list, exp_eqke: dict, exp_eqkp: dict,
                     s_lo: int, s_hi: int, z: int, F: int, NT: int) -> str | None:
    """Establishes: elo/2^F <= exp((EQKE[q,t]-maxE[q])/sqrt h) <= ehi/2^F, same for EQKP / plo, phi.

    Precondition: check_sqrt passed (0 < s_lo <= s_hi enclose sqrt(h) 2^F).
    """
    for name, S, table in (("exp_eqke", EQKE, exp_eqke), ("exp_eqkp", EQKP, exp_eqkp)):
        for q in range(len(S)):
            row = S[q]
            mx = row[0]
            for x in row:
                if x > mx:
                    mx = x
            for t in range(len(row)):
                negx = mx - row[t]  # -x >= 0
                yA = (negx << F, s_hi << (4 * z))
                yB = (negx << F, s_lo << (4 * z))
                if not check_exp_neg(table["lo"][q][t], table["hi"][q][t], yA, yB, F, NT):
                    return f"{name}[{q}][{t}]: lo/hi is not an enclosure"
    return None


# ----------------------------------------------------------------- 7. orders


def check_orders(orders: list, EQKP: list, n: int) -> str | None:
    """Establishes: orders[q] lists the non-query positions 0..n-2 sorted by EQKP[q,.] ascending."""
    for q in range(len(orders)):
        o = orders[q]
        if len(o) != n - 1:
            return f"orders[{q}] has {len(o)} entries, expected {n - 1}"
        seen = [False] * (n - 1)
        for p in o:
            if p < 0 or p >= n - 1 or seen[p]:
                return f"orders[{q}] is not a permutation of 0..{n - 2}"
            seen[p] = True
        for i in range(n - 2):
            if EQKP[q][o[i]] > EQKP[q][o[i + 1]]:
                return f"orders[{q}] is not sorted by EQKP at index {i}"
    return None


# ----------------------------------------------------------------- 8. c = 0


def ub(wlo: int, whi: int, z: int) -> int:
    """Upper bound of w z over w in [wlo, whi] (wlo >= 0): whi z if z >= 0 else wlo z."""
    if z >= 0:
        return whi * z
    return wlo * z


def lb(wlo: int, whi: int, z: int) -> int:
    """Lower bound of w z over w in [wlo, whi] (wlo >= 0): wlo z if z >= 0 else whi z."""
    if z >= 0:
        return wlo * z
    return whi * z


def z_row(m: int, q: int, t: int, i: int, paths: dict) -> list:
    """[Z(t, i)[y] for y = 0..V-1, y != m] for token t at position i of an input with query q and
    max token m: Z(t, i)[y] = EUPU'[q,y] + EVOU'[t,y] + PVOU'[i,y] (X'[.,y] = X[.,y] - X[.,m]),
    computed as L[y] - L[m] with L[y] = EUPU[q,y] + EVOU[t,y] + PVOU[i,y] (the same integer)."""
    L = list(map(operator.add, map(operator.add, paths["EUPU"][q], paths["EVOU"][t]), paths["PVOU"][i]))
    Lm = L.pop(m)  # L now lists y = 0..V-1 without m, in order
    return [v - Lm for v in L]


def term_row(m: int, q: int, t: int, i: int, bound, paths: dict, elo: list, ehi: list, plo: list,
             phi: list) -> list:
    """[bound(w(t, i), Z(t, i)[y]) for y = 0..V-1, y != m] (z_row), bound = ub or lb, with
    w(t, i) = [elo[q,t] plo[q,i], ehi[q,t] phi[q,i]] (check 8's enclosure of the weight)."""
    wlo = elo[q][t] * plo[q][i]
    whi = ehi[q][t] * phi[q][i]
    return [bound(wlo, whi, z) for z in z_row(m, q, t, i, paths)]


def row_top(m: int, q: int, t: int, i: int, paths: dict, elo: list, ehi: list, plo: list, phi: list) -> int:
    """ub(w(t, i), max_y Z(t, i)[y]) >= every entry of term_row(m, q, t, i, ub): ub(w, z) is
    non-decreasing in z when wlo, whi >= 0 (every table entry is >= 0 after check 6)."""
    wlo = elo[q][t] * plo[q][i]
    whi = ehi[q][t] * phi[q][i]
    return ub(wlo, whi, max(z_row(m, q, t, i, paths)))


def cached_row(rows: dict, bound, m: int, q: int, t: int, i: int, paths: dict, elo: list, ehi: list,
               plo: list, phi: list) -> list:
    """term_row(m, q, t, i, bound), kept in rows under (bound, i, t): rows belongs to ONE (m, q)."""
    key = (bound, i, t)
    row = rows.get(key)
    if row is None:
        row = term_row(m, q, t, i, bound, paths, elo, ehi, plo, phi)
        rows[key] = row
    return row


def cached_top(rows: dict, m: int, q: int, t: int, i: int, paths: dict, elo: list, ehi: list,
               plo: list, phi: list) -> int:
    """row_top(m, q, t, i), kept in rows under ("top", i, t): rows belongs to ONE (m, q)."""
    key = ("top", i, t)
    top = rows.get(key)
    if top is None:
        top = row_top(m, q, t, i, paths, elo, ehi, plo, phi)
        rows[key] = top
    return top


def input_sums(x: tuple, m: int, bound, rows: dict, paths: dict, elo: list, ehi: list, plo: list,
               phi: list) -> list:
    """[sum_i bound(w_i, Z_i[y]) for y = 0..V-1, y != m] for the input x (x[i] the token at position
    i, x[-1] = q the query, m = max x): the sum over i of term_row(m, q, x[i], i, bound).

    rows is a cache for ONE (m, q) (the rows do not depend on the other tokens): a caller shares it
    between the inputs of that (m, q) and starts a new one ({}) for the next.  The sum is formed
    left to right from the query row: head(0) = the query row, head(j) = head(j-1) + the row of
    position j-1, result = head(n-2) + the row of position n-2.  head(j) is kept in rows under
    (bound, "head", j) with the tokens x[0:j] it was formed from, and reused while they match, so
    consecutive inputs of R (which share long prefixes) redo only the last additions.  The
    result is the same integer list either way."""
    n = len(x)
    q = x[-1]
    partial = cached_row(rows, bound, m, q, q, n - 1, paths, elo, ehi, plo, phi)
    for j in range(1, n - 1):
        key = (bound, "head", j)
        kept = rows.get(key)
        if kept is not None and kept[0] == x[0:j]:
            partial = kept[1]
            continue
        row = cached_row(rows, bound, m, q, x[j - 1], j - 1, paths, elo, ehi, plo, phi)
        partial = list(map(operator.add, partial, row))
        rows[key] = (x[0:j], partial)
    if n == 1:
        return partial
    last = cached_row(rows, bound, m, q, x[n - 2], n - 2, paths, elo, ehi, plo, phi)
    return list(map(operator.add, partial, last))


def input_ok(x: tuple, m: int, rows: dict, paths: dict, elo: list, ehi: list, plo: list, phi: list) -> bool:
    """Proved correct: for every y != m, sum_i ub(w_i, Z_i[y]) < 0 (V >= 2: the list is not empty).

    Shortcut, same answer: every sum is at most sum_i row_top(m, q, x[i], i) (each term is at most
    its row's top), so a negative sum of the tops already proves it; only otherwise are the V - 1
    sums formed.  (On the shipped model the shortcut decides 95 % of the residual, and the tops cost
    one product each instead of V - 1.)"""
    top = 0
    for i in range(len(x)):
        top += cached_top(rows, m, x[-1], x[i], i, paths, elo, ehi, plo, phi)
    if top < 0:
        return True
    return max(input_sums(x, m, ub, rows, paths, elo, ehi, plo, phi)) < 0


def c0_entry_ok(m: int, q: int, paths: dict, elo: list, ehi: list, plo: list, phi: list,
                V: int, n: int) -> bool:
    """The c = 0 input (m, ..., m, q): for every y != m, sum_i ub(w_i, Z_i[y]) < 0."""
    x = tuple([m] * (n - 1) + [q])
    return input_ok(x, m, {}, paths, elo, ehi, plo, phi)


def check_c0(c0: list, paths: dict, elo: list, ehi: list, plo: list, phi: list,
             V: int, n: int) -> str | None:
    """Establishes: each listed (m, q) names a distinct c = 0 input that is correct."""
    for idx in range(len(c0)):
        m, q = c0[idx][0], c0[idx][1]
        if idx > 0 and not lex_less(c0[idx - 1], c0[idx]):
            return f"entry {idx} (m={m}, q={q}) is not strictly increasing in (m, q)"
        if not (0 <= q and q <= m and m < V):
            return f"entry {idx} (m={m}, q={q}) needs 0 <= q <= m < V"
        if q < m and n < 2:  # (m, ..., m, q) must contain m: with n = 1 it is just (q)
            return f"entry {idx} (m={m}, q={q}) needs q == m when n_ctx == 1"
        if not c0_entry_ok(m, q, paths, elo, ehi, plo, phi, V, n):
            return f"(m={m}, q={q}): logit difference not negative"
    return None


# ----------------------------------------------------------------- 9. cells, c >= 1


def shift_matrices(paths: dict, Zs: list) -> tuple:
    """(Dir, Ov) for the shift vector Zs: Dir[r,y] = EUPU[r,y] + Zs[y], Ov[r,y] = EVOU[r,y] - Zs[y]."""
    EUPU, EVOU = paths["EUPU"], paths["EVOU"]
    V = len(EUPU)
    Dir = []
    Ov = []
    for r in range(V):
        a = []
        b = []
        for y in range(V):
            a.append(EUPU[r][y] + Zs[y])
            b.append(EVOU[r][y] - Zs[y])
        Dir.append(a)
        Ov.append(b)
    return Dir, Ov


def split_maxima(Dir: list, Ov: list, PVOU: list, m: int, V: int, n: int) -> tuple:
    """(U, E) for max token m: U[q] = max_{y!=m} Dir'[q,y], E[t] = max_{y!=m} (Ov'[t,y] + P[y]),
    P[y] = max_p PVOU'[p,y].  Precondition: V >= 2 (check_header)."""
    P = []
    for y in range(V):
        best = PVOU[0][y] - PVOU[0][m]
        for p in range(1, n):
            v = PVOU[p][y] - PVOU[p][m]
            if v > best:
                best = v
        P.append(best)
    U = []
    E = []
    for r in range(V):
        bu = None
        be = None
        for y in range(V):
            if y == m:
                continue
            u = Dir[r][y] - Dir[r][m]
            e = Ov[r][y] - Ov[r][m] + P[y]
            if bu is None or u > bu:
                bu = u
            if be is None or e > be:
                be = e
        U.append(bu)
        E.append(be)
    return U, E


def arrangement_slots(o: list, c: int, high: bool) -> tuple:
    """(Mslots, Kslots): low puts m on the n-1-c lowest-EQKP slots, high on the highest."""
    r = len(o) - c
    if high:
        return o[c:], o[0:c]
    return o[0:r], o[r:]


def slots_sum(q: int, t: int, slots: list, g: int, elo: list, ehi: list, plo: list, phi: list) -> int:
    """sum over slots i of ub(w(t, i), g), w(t, i) = [elo[q,t] plo[q,i], ehi[q,t] phi[q,i]]."""
    s = 0
    for i in slots:
        s += ub(elo[q][t] * plo[q][i], ehi[q][t] * phi[q][i], g)
    return s


def cell_k_ok(m: int, q: int, c: int, k: int, U: list, E: list, o: list,
              elo: list, ehi: list, plo: list, phi: list, n: int) -> str | None:
    """None if both sorted arrangements of the pure input (c copies of k) have a negative sum;
    else the name of the failing arrangement ("low" or "high")."""
    for high in (False, True):
        Mslots, Kslots = arrangement_slots(o, c, high)
        s = slots_sum(q, m, Mslots, U[q] + E[m], elo, ehi, plo, phi)
        s += slots_sum(q, k, Kslots, U[q] + E[k], elo, ehi, plo, phi)
        s += slots_sum(q, q, [n - 1], U[q] + E[q], elo, ehi, plo, phi)
        if s >= 0:
            if high:
                return "high"
            return "low"
    return None


def check_cells(cells: list, shifts: list, paths: dict, elo: list, ehi: list, plo: list, phi: list,
                orders: list, V: int, n: int) -> str | None:
    """Establishes: for each cell, every input with c non-max non-query tokens in S is correct.

    Complexity: O(V^2 + n V) per distinct (m, shift) pair used (split maxima, cached) plus
    O(n) per (cell, k in S, arrangement).
    Preconditions: checks 1..8 passed (shapes, exact paths, exp enclosures, sorted orders).
    Postconditions: None only if every cell is in range, has a non-empty mask and proves every k in S.
    """
    mats = {}  # shift index -> (Dir, Ov), built lazily
    cache = {}  # (m, shift index) -> (U, E), computed lazily
    for idx in range(len(cells)):
        m, q, c, j, mask = cells[idx]
        if idx > 0 and not lex_less(cells[idx - 1][0:3], cells[idx][0:3]):
            return f"cell {idx} (m={m}, q={q}, c={c}) is not strictly increasing in (m, q, c)"
        if not (0 <= q and q <= m and m < V):
            return f"cell (m={m}, q={q}, c={c}) needs 0 <= q <= m < V"
        cmax = n - 1
        if q < m:
            cmax = n - 2
        if not (1 <= c and c <= cmax):
            return f"cell (m={m}, q={q}, c={c}) needs 1 <= c <= {cmax}"
        if not (0 <= j and j < len(shifts)):
            return f"cell (m={m}, q={q}, c={c}) shift index not in 0..{len(shifts) - 1}"
        if not (1 <= mask and mask < (1 << m)):
            return f"cell (m={m}, q={q}, c={c}) mask not in 1..2^m-1 (an empty cell proves nothing)"
        if j not in mats:
            mats[j] = shift_matrices(paths, shifts[j])
        key = (m, j)
        if key not in cache:
            Dir, Ov = mats[j]
            cache[key] = split_maxima(Dir, Ov, paths["PVOU"], m, V, n)
        U, E = cache[key]
        for k in range(m):
            if (mask >> k) & 1:
                bad = cell_k_ok(m, q, c, k, U, E, orders[q], elo, ehi, plo, phi, n)
                if bad is not None:
                    return f"cell (m={m}, q={q}, c={c}) k={k} arrangement {bad}: sum not negative"
    return None


# ----------------------------------------------------------------- 10. count


def cubic_count(c0: list, cells: list, n: int) -> int:
    """len(c0) + sum over cells of C(n-1, c) popcount(mask)^c: the number of inputs the cubic part
    covers (check 10; check 10x of the exact kind).  Precondition: check_cells passed (1 <= c <= n-1)."""
    total = len(c0)
    for cell in cells:
        c, mask = cell[2], cell[4]
        total += math.comb(n - 1, c) * popcount(mask) ** c
    return total


def check_count(claimed: int, c0: list, cells: list, n: int) -> str | None:
    """Establishes: claimed_count == len(c0) + sum over cells of C(n-1, c) popcount(mask)^c."""
    total = cubic_count(c0, cells, n)
    if claimed != total:
        return f"claimed_count {claimed} != {total} proved by c0 and cells"
    return None


# ----------------------------------------------------------------- 11. the residual (exact kind)


def max_bits(matrices) -> int:
    """The largest bit length of an entry of the given integer matrices (lists of rows)."""
    B = 0
    for M in matrices:
        for row in M:
            for v in row:
                if v.bit_length() > B:
                    B = v.bit_length()
    return B


def residual_words(paths: dict, elo: list, ehi: list, plo: list, phi: list) -> int:
    """The size, in 64-bit words, of the integers check 11 forms: a weight bound (a product of two
    exp-table entries) times a Z (a sum of three path differences), n of them summed.  Over-counted
    as ceil((E + P + B + 64) / 64) with E, P, B the largest bit lengths in exp_eqke, exp_eqkp and
    EUPU, EVOU, PVOU: it only has to grow with the sizes (a table entry is not bounded by F: any
    hi above the true value is a valid enclosure)."""
    E = max_bits([elo, ehi])
    P = max_bits([plo, phi])
    B = max_bits([paths["EUPU"], paths["EVOU"], paths["PVOU"]])
    return (E + P + B + 64 + 63) // 64


def residual_work(V: int, n: int, size: int, words: int) -> int:
    """n V |R| words: the size of check 11 (each input of R: n rows of V - 1 bounds, summed, on
    integers of `words` 64-bit words, residual_words); the replay refuses more than
    MAX_RESIDUAL_WORK before doing any of it."""
    return n * V * size * words


def prefix_nonempty(L: int, c: int, gen: bool, n_out: int) -> bool:
    """Is FORMAT.md's gen(L, c) (gen True) / out(L, c) (gen False) non-empty?  c >= 0; n_out = |A \\ S|.
    gen(L, c) holds the length-L prefixes with exactly c entries in A: non-empty iff c <= L (A is
    not empty when c >= 1 is asked for: m >= 1 there).  out(L, c) also needs an entry of A \\ S:
    non-empty iff 1 <= c <= L and A \\ S is not empty."""
    if gen:
        return c <= L
    return 1 <= c and c <= L and n_out > 0


def prefix_children(L: int, c: int, gen: bool, m: int, S: list, AS: list) -> list:
    """The first entries of the prefixes of gen(L, c) / out(L, c) (L >= 1), in FORMAT.md's order,
    each with what the rest of the prefix must be: [(token, c', gen')], the rest being gen(L-1, c')
    if gen' else out(L-1, c').  Children whose rest is empty are left out.
      gen(L, c) = [m :: gen(L-1, c)] ++ [s :: gen(L-1, c-1) for s in A]
      out(L, c) = [m :: out(L-1, c)] ++ [s :: out(L-1, c-1) for s in S] ++ [s :: gen(L-1, c-1) for s in A \\ S]
    (A = 0..m-1 ascending, S and AS = A \\ S ascending.)"""
    out = []
    if prefix_nonempty(L - 1, c, gen, len(AS)):
        out.append((m, c, gen))
    if c >= 1:
        if gen:
            if prefix_nonempty(L - 1, c - 1, True, len(AS)):
                for s in range(m):
                    out.append((s, c - 1, True))
        else:
            if prefix_nonempty(L - 1, c - 1, False, len(AS)):
                for s in S:
                    out.append((s, c - 1, False))
            if prefix_nonempty(L - 1, c - 1, True, len(AS)):
                for s in AS:
                    out.append((s, c - 1, True))
    return out


def out_prefixes(L: int, c: int, m: int, S: list, AS: list):
    """Yield FORMAT.md's out(L, c) in its order, as tuples: the length-L prefixes over {m} and
    A = 0..m-1 with exactly c entries in A, at least one of them in AS = A \\ S.

    A depth-first walk with an explicit stack (no recursion: n_ctx may exceed Python's recursion
    limit) that never enters an empty sub-list (prefix_nonempty), so its cost is O(L) per prefix
    yielded: a cover that leaves nothing out costs nothing here, whatever V^n is."""
    if not prefix_nonempty(L, c, False, len(AS)):
        return
    prefix = []
    stack = [iter(prefix_children(L, c, False, m, S, AS))]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            if prefix:
                prefix.pop()
            continue
        tok, c2, g2 = child
        depth = len(stack)  # this child is the entry at position depth - 1 of the prefix
        if depth == L:  # a leaf: prefix_children admitted it, so c2 == 0 and g2
            yield tuple(prefix) + (tok,)
        else:
            prefix.append(tok)
            stack.append(iter(prefix_children(L - depth, c2, g2, m, S, AS)))


def residual_inputs(c0: list, cells: list, V: int, n: int):
    """Yield (m, x) for every input x (a tuple of n tokens, x[n-1] = q) that the cubic part does
    not cover, each once, in FORMAT.md's order: m = 0..V-1, q = 0..m, c = 0..cmax, then
    (c == 0) the input (m, ..., m, q) unless (m, q) is in c0, (c >= 1) out(n-1, c) followed by q,
    S the mask of the cell (m, q, c) (empty if there is none).
    Preconditions: checks 8-9 passed (c0 and cells in range and strictly increasing).
    Cost: O(n) per input yielded plus O(1) per key (m, q, c); a key yields nothing only if its
    c0 entry or its cell (with S = A) is in the certificate, or m == 0 and c >= 1."""
    in_c0 = set()
    for e in c0:
        in_c0.add((e[0], e[1]))
    masks = {}
    for cell in cells:
        masks[(cell[0], cell[1], cell[2])] = cell[4]
    for m in range(V):
        for q in range(m + 1):
            cmax = n - 2
            if q == m:
                cmax = n - 1
            for c in range(cmax + 1):
                if c == 0:
                    if (m, q) not in in_c0:
                        yield m, tuple([m] * (n - 1) + [q])
                    continue
                mask = masks.get((m, q, c), 0)
                S = []
                AS = []
                for k in range(m):
                    if (mask >> k) & 1:
                        S.append(k)
                    else:
                        AS.append(k)
                for p in out_prefixes(n - 1, c, m, S, AS):
                    yield m, p + (q,)


def input_verdict(x: tuple, m: int, rows: dict, paths: dict, elo: list, ehi: list, plo: list,
                  phi: list) -> int:
    """1 (proved correct: every y != m has sum_i ub(w_i, Z_i[y]) < 0), -1 (proved wrong: some
    y != m has sum_i lb(w_i, Z_i[y]) >= 0, so logit[y] >= logit[m]) or 0 (undecided).
    rows: input_sums' cache for this (m, q)."""
    if input_ok(x, m, rows, paths, elo, ehi, plo, phi):
        return 1
    if max(input_sums(x, m, lb, rows, paths, elo, ehi, plo, phi)) >= 0:
        return -1
    return 0


def residual_verdicts(c0: list, cells: list, paths: dict, elo: list, ehi: list, plo: list, phi: list,
                      V: int, n: int):
    """Yield (x, verdict) for every x in R, in residual_inputs' order.  One rows cache per (m, q),
    also emptied (between two inputs) when it holds more than about RESIDUAL_CACHE_WORDS words, so
    memory stays bounded whatever V, n and F are; the cache only saves work, never changes a value."""
    limit = RESIDUAL_CACHE_WORDS // (V * residual_words(paths, elo, ehi, plo, phi))
    if limit < 64:
        limit = 64
    key = None
    rows = {}
    for m, x in residual_inputs(c0, cells, V, n):
        if key != (m, x[-1]) or len(rows) > limit:
            key = (m, x[-1])
            rows = {}
        yield x, input_verdict(x, m, rows, paths, elo, ehi, plo, phi)


def check_residual(c0: list, cells: list, paths: dict, elo: list, ehi: list, plo: list, phi: list,
                   V: int, n: int) -> tuple:
    """Check 11: (size, n_ok, n_wrong, n_undecided) over the residual R.
    Preconditions: checks 1-9 passed and
    residual_work(V, n, V^n - cubic_count, residual_words(...)) <= MAX_RESIDUAL_WORK.
    Postconditions: n_ok inputs of R are correct, n_wrong are not (module docstring)."""
    size = n_ok = n_wrong = n_und = 0
    for _x, v in residual_verdicts(c0, cells, paths, elo, ehi, plo, phi, V, n):
        size += 1
        if v == 1:
            n_ok += 1
        elif v == -1:
            n_wrong += 1
        else:
            n_und += 1
    return size, n_ok, n_wrong, n_und


# ----------------------------------------------------------------- 12. the exact claim


def check_exact_claim(claimed: int, upper: int, covered: int, size: int, n_ok: int, n_wrong: int,
                      NI: int) -> str | None:
    """Establishes: covered + |R| == V^n (every input counted once), claimed_count == covered + n_ok
    and claimed_upper == V^n - n_wrong."""
    if covered + size != NI:
        return f"cubic part ({covered}) and residual ({size}) do not add up to n_inputs"
    if claimed != covered + n_ok:
        if 0 <= claimed and claimed <= NI:
            return f"claimed_count {claimed} != {covered + n_ok} (cubic part {covered} + residual proved correct {n_ok})"
        return "claimed_count is not in 0..n_inputs"
    if upper != NI - n_wrong:
        if 0 <= upper and upper <= NI:
            return f"claimed_upper {upper} != {NI - n_wrong} (n_inputs - residual proved wrong {n_wrong})"
        return "claimed_upper is not in 0..n_inputs"
    return None


# ----------------------------------------------------------------- driver


def replay(cert: dict) -> ReplayResult:
    """Run checks 1..10 (exact kind: 1..9, 10x, 11, 12) in order; stop at the first failure and name it.

    Postcondition: ok == True implies at least `count` of the `n_inputs` inputs are correct in
    exact real arithmetic on the certified weights (argument in the module docstring), and for an
    exact certificate also at most `upper` of them.
    """

    def fail(check: str, problem: str, n_inputs: int = 0) -> ReplayResult:
        return ReplayResult(False, 0, n_inputs, check, f"{check}: {problem}")

    problem = check_header(cert)
    if problem is not None:
        return fail("check_header", problem)
    cfg = cert["config"]
    V, n, d, h = cfg["d_vocab"], cfg["n_ctx"], cfg["d_model"], cfg["d_head"]
    NI = V**n
    F, NT = cert["frac_bits"], cert["taylor_terms"]
    weights = cert["weights"]

    problem = check_float32(weights)
    if problem is not None:
        return fail("check_float32", problem, NI)
    digest = weights_sha256(weights)
    if digest != cert["model_sha256"]:
        return fail("weights_sha256", f"weights hash to {digest}, certificate says {cert['model_sha256']}", NI)

    z, T = align_weights(weights, V, n, d, h)
    paths = compute_paths(T, z, n)

    s_lo, s_hi = cert["sqrt_d_head"]["lo"], cert["sqrt_d_head"]["hi"]
    problem = check_sqrt(s_lo, s_hi, h, F)
    if problem is not None:
        return fail("check_sqrt", problem, NI)
    problem = check_exp_tables(paths["EQKE"], paths["EQKP"], cert["exp_eqke"], cert["exp_eqkp"],
                               s_lo, s_hi, z, F, NT)
    if problem is not None:
        return fail("check_exp_tables", problem, NI)
    problem = check_orders(cert["orders"], paths["EQKP"], n)
    if problem is not None:
        return fail("check_orders", problem, NI)

    elo, ehi = cert["exp_eqke"]["lo"], cert["exp_eqke"]["hi"]
    plo, phi = cert["exp_eqkp"]["lo"], cert["exp_eqkp"]["hi"]
    problem = check_c0(cert["c0"], paths, elo, ehi, plo, phi, V, n)
    if problem is not None:
        return fail("check_c0", problem, NI)
    problem = check_cells(cert["cells"], cert["shifts"], paths, elo, ehi, plo, phi, cert["orders"], V, n)
    if problem is not None:
        return fail("check_cells", problem, NI)
    if cert["strategy"] == STRATEGY_EXACT:
        return replay_exact(cert, paths, elo, ehi, plo, phi, V, n, NI, fail)
    problem = check_count(cert["claimed_count"], cert["c0"], cert["cells"], n)
    if problem is not None:
        return fail("check_count", problem, NI)
    N = cert["claimed_count"]
    return ReplayResult(True, N, NI, None, f"all checks passed: {N} of {NI} inputs certified correct")


def replay_exact(cert: dict, paths: dict, elo: list, ehi: list, plo: list, phi: list, V: int, n: int,
                 NI: int, fail) -> ReplayResult:
    """Checks 10x, 11 and 12 of an exact certificate (checks 1-9 passed): the budget of check 11
    first, then the residual, then the claim.  ok implies claimed_count <= #correct <= claimed_upper."""
    covered = cubic_count(cert["c0"], cert["cells"], n)
    if residual_work(V, n, NI - covered, residual_words(paths, elo, ehi, plo, phi)) > MAX_RESIDUAL_WORK:
        return fail("check_residual", f"residual work n_ctx d_vocab |R| words exceeds {MAX_RESIDUAL_WORK} "
                                      f"(resource limit; |R| = n_inputs - {covered} covered by the cubic part)", NI)
    size, n_ok, n_wrong, n_und = check_residual(cert["c0"], cert["cells"], paths, elo, ehi, plo, phi, V, n)
    problem = check_exact_claim(cert["claimed_count"], cert["claimed_upper"], covered, size, n_ok, n_wrong, NI)
    if problem is not None:
        return fail("check_exact_claim", problem, NI)
    lo, hi = cert["claimed_count"], cert["claimed_upper"]
    return ReplayResult(True, lo, NI, None,
                        f"all checks passed: {lo} <= correct <= {hi} of {NI} inputs (cubic part {covered}; "
                        f"residual {size}: {n_ok} correct, {n_wrong} wrong, {n_und} undecided)", hi)


def replay_file(path) -> ReplayResult:
    """load_certificate(path) then replay.  Raises CertificateError (one line naming the file)
    when the file is unreadable, not a regular file, over MAX_CERT_BYTES or not schema-v2 JSON; a well-formed certificate whose numbers do
    not check returns ReplayResult(ok=False, ...) naming the failing check."""
    return replay(load_certificate(path))
