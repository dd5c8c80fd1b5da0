"""The emitter (untrusted): model -> cubic certificate (schema v2, pipeline/certificate/FORMAT.md).

    maxk certify artifacts/models/max4-seed123.safetensors --out artifacts/certs/max4-seed123.cert.json

The witnesses come from the cubic strategy (S sets, shift vectors, proved c = 0 sequences); the
exact data (integer weights, sqrt and exp enclosures, orders) is built here with the replay's own
integer functions (one implementation, shared).  The shift vectors arrive as float64 vectors on
the 2^(4 e0) grid (diagnostics["shifts"], index 0 the zero vector) and are converted exactly.  Every witness is then re-checked with the replay's exact predicates and any
that fails is dropped (and counted), so the emitted certificate always replays; the replay itself
re-checks everything again, so nothing here is trusted.
"""

from __future__ import annotations

import math
import time
from fractions import Fraction

import numpy as np

from . import replay as R
from .exact_flops import exact_flops
from ..errors import PipelineError
from .schema import (
    MAX_FRAC_BITS,
    MAX_RESIDUAL_WORK,
    MAX_SHIFT_BITS,
    MAX_SHIFTS,
    MAX_TAYLOR_TERMS,
    PARAM_NAMES,
    SCHEMA_VERSION,
    STRATEGY_EXACT,
)

TAYLOR_TERMS = 24  # keeps every exp entry within ~2^-77 relative (FORMAT.md), whatever F is
MIN_FRAC_BITS = 64


# ----------------------------------------------------------------- exact data


def float_to_dyadic(v) -> tuple[int, int]:
    """Exact (mantissa, exponent) with v == mantissa * 2^exponent and mantissa odd (or (0, 0))."""
    fr = Fraction(float(v))  # float32 -> float64 -> Fraction: exact
    if fr == 0:
        return 0, 0
    num, den = fr.numerator, fr.denominator  # den is a power of two
    e = -(den.bit_length() - 1)
    tz = (abs(num) & -abs(num)).bit_length() - 1
    return num >> tz, e + tz


def tensor_to_dyadic(a: np.ndarray) -> dict:
    """One exponent per tensor: the smallest 2-adic valuation of its values (0 if all zero).

    Postcondition (asserted): mantissa * 2^exponent == value exactly, for every entry.
    """
    a = np.asarray(a, dtype=np.float32)
    pairs = [float_to_dyadic(v) for v in a.reshape(-1)]  # [size], row-major
    exps = [e for m, e in pairs if m != 0]
    e0 = min(exps) if exps else 0
    mants = [m << (e - e0) if m != 0 else 0 for m, e in pairs]
    for (m, e), mant in zip(pairs, mants):
        assert Fraction(mant) * Fraction(2) ** e0 == Fraction(m) * Fraction(2) ** e, "inexact dyadic"
    return {"shape": list(a.shape), "exponent": e0, "mantissas": mants}


def sqrt_enclosure(h: int, F: int) -> tuple[int, int]:
    """(s_lo, s_hi) with s_lo^2 <= h 4^F <= s_hi^2, the tightest integers."""
    s_lo = math.isqrt(h << (2 * F))
    s_hi = s_lo if s_lo * s_lo == (h << (2 * F)) else s_lo + 1
    return s_lo, s_hi


def exp_neg_enclosure(yA: tuple, yB: tuple, F: int, NT: int) -> tuple[int, int]:
    """(lo, hi) that check_exp_neg accepts: lo = floor(4^F / H(yB)) or 0 when yB > F,
    hi = ceil(4^F / L(min(yA, F)))."""
    four = 1 << (2 * F)
    nb, db = yB
    lo = 0 if nb > F * db else four // R.exp_upper(nb, db, F, NT)
    na, da = yA
    if na > F * da:
        na, da = F, 1
    hi = R.ceil_div(four, R.exp_lower(na, da, F, NT))
    return lo, hi


def exp_table(S: list, s_lo: int, s_hi: int, z: int, F: int, NT: int) -> dict:
    """Enclosures of exp((S[q][t] - max_t S[q]) / sqrt h) at scale 2^F (FORMAT.md check 6)."""
    lo, hi = [], []
    for row in S:
        mx = max(row)
        lr, hr = [], []
        for x in row:
            negx = mx - x
            a, b = exp_neg_enclosure((negx << F, s_hi << (4 * z)), (negx << F, s_lo << (4 * z)), F, NT)
            lr.append(a)
            hr.append(b)
        lo.append(lr)
        hi.append(hr)
    return {"lo": lo, "hi": hi}


def choose_frac_bits(paths: dict, z: int, h: int) -> int:
    """F = 64 + ceil(R / ln 2), R the largest row range of EQKE and EQKP in nats (FORMAT.md), so that
    the smallest exponential still has ~64 significant bits; rounded up to a multiple of 8, capped at 4096."""
    R_nats = 0.0
    for S in (paths["EQKE"], paths["EQKP"]):
        for row in S:
            R_nats = max(R_nats, float(Fraction(max(row) - min(row), 1 << (4 * z))) / math.sqrt(h))
    F = MIN_FRAC_BITS + math.ceil(R_nats / math.log(2))
    return min(MAX_FRAC_BITS, -(-F // 8) * 8)


def check_frac_bits(F) -> None:
    """Raise PipelineError unless F is None (choose it) or an int in the schema's range 1..MAX_FRAC_BITS."""
    if F is not None and (type(F) is not int or not 1 <= F <= MAX_FRAC_BITS):
        raise PipelineError(None, f"--frac-bits must be in 1..{MAX_FRAC_BITS} (the schema's range)")


def check_budget(V: int, n: int, d: int, h: int, F: int, NT: int) -> None:
    """Raise PipelineError unless a certificate with these sizes is within the replay's ranges and
    budget (schema.py, FORMAT.md "Budget"): certify never writes a certificate that does not replay."""
    check_frac_bits(F)
    if not 1 <= NT <= MAX_TAYLOR_TERMS:
        raise PipelineError(None, f"taylor_terms must be in 1..{MAX_TAYLOR_TERMS} (the schema's range)")
    if d > R.MAX_D_MODEL or h > R.MAX_D_HEAD:
        raise PipelineError(None, f"the replay accepts d_model <= {R.MAX_D_MODEL} and d_head <= {R.MAX_D_HEAD}")
    if R.exp_work(V, n, F, NT) > R.MAX_EXP_WORK:
        raise PipelineError(None, f"frac_bits {F}: the exp tables would exceed the replay's budget "
                                  f"V (V + n) F N_T <= {R.MAX_EXP_WORK}")
    if V**n >= 1 << R.MAX_N_INPUTS_BITS:
        raise PipelineError(None, f"the replay accepts V^n < 2^{R.MAX_N_INPUTS_BITS}")


def exact_data(weights, frac_bits: int | None = None, taylor_terms: int = TAYLOR_TERMS) -> dict:
    """Integer weights, exact paths, F, sqrt and exp enclosures and orders (everything but witnesses)."""
    cfg = weights.config
    V, n, d, h = cfg.d_vocab, cfg.n_ctx, cfg.d_model, cfg.d_head
    wdict = {name: tensor_to_dyadic(weights.tensors[name]) for name in PARAM_NAMES}
    z, T = R.align_weights(wdict, V, n, d, h)
    paths = R.compute_paths(T, z, n)
    F = frac_bits if frac_bits is not None else choose_frac_bits(paths, z, h)
    check_budget(V, n, d, h, F, taylor_terms)
    s_lo, s_hi = sqrt_enclosure(h, F)
    return {
        "z": z,
        "weights": wdict,
        "paths": paths,
        "F": F,
        "NT": taylor_terms,
        "sqrt": (s_lo, s_hi),
        "exp_eqke": exp_table(paths["EQKE"], s_lo, s_hi, z, F, taylor_terms),
        "exp_eqkp": exp_table(paths["EQKP"], s_lo, s_hi, z, F, taylor_terms),
        "orders": [sorted(range(n - 1), key=lambda p: (paths["EQKP"][q][p], p)) for q in range(V)],
    }


def assemble(weights, data: dict, shifts: list, c0: list, cells: list) -> dict:
    """The certificate dict (schema v2) from exact data and witnesses; claimed_count recomputed."""
    cfg = weights.config
    V, n, d, h = cfg.d_vocab, cfg.n_ctx, cfg.d_model, cfg.d_head
    count = len(c0) + sum(math.comb(n - 1, c) * bin(mask).count("1") ** c for _, _, c, _, mask in cells)
    return {
        "schema_version": SCHEMA_VERSION,
        "strategy": "cubic",
        "model_sha256": weights.sha256,
        "config": {"d_vocab": V, "n_ctx": n, "d_model": d, "d_head": h},
        "n_inputs": V**n,
        "claimed_count": count,
        "frac_bits": data["F"],
        "taylor_terms": data["NT"],
        "weights": data["weights"],
        "sqrt_d_head": {"lo": data["sqrt"][0], "hi": data["sqrt"][1]},
        "exp_eqke": data["exp_eqke"],
        "exp_eqkp": data["exp_eqkp"],
        "orders": data["orders"],
        "shifts": [list(Z) for Z in shifts],
        "c0": [list(e) for e in c0],
        "cells": [list(e) for e in cells],
    }


# ----------------------------------------------------------------- shift vectors


def exact_shift(vec, z: int) -> list[int]:
    """A float64 shift vector on the 2^(4 e0) grid (e0 = -z) as the certificate's integers
    (value = integer * 2^(4 e0)).  Exact: Fraction(v) * 2^(4z) must be an integer, else the
    strategy broke its interface (AssertionError)."""
    out = []
    for v in np.asarray(vec, dtype=np.float64).reshape(-1):
        fr = Fraction(float(v)) * (1 << (4 * z))
        assert fr.denominator == 1, "shift entry is not on the 2^(4 e0) grid"
        out.append(int(fr))
    return out


# ----------------------------------------------------------------- certify


def certify(weights, frac_bits: int | None = None, progress: bool = False, exact: bool = False) -> tuple[dict, dict]:
    """Run the cubic strategy and turn its witnesses into an exact certificate.

    Complexity: the cubic strategy plus one exact check of each witness (the replay's cost); with
    exact=True also the replay's check 11 over the residual R (n V |R| big-integer bounds).
    Preconditions: weights validated by make_weights.
    Postconditions: replay(cert).ok; cert["claimed_count"] <= the cubic count (equal unless the exact
    check rejected a witness the interval strategy accepted: info["dropped_k"], info["dropped_c0"]).
    With exact=True the certificate is of strategy "exact" (FORMAT.md, issue 20): claimed_count = lo
    = cubic part + the residual inputs proved correct, claimed_upper = hi = V^n - those proved wrong,
    computed with the replay's own check_residual (so the replay recomputes the same numbers);
    info gains "residual", "residual_ok", "residual_wrong", "residual_undecided", "residual_seconds"
    and "exact_flops" (exact_flops.py: the cubic strategy's FLOPs plus checks 10x-12's, from the sizes).
    Raises PipelineError, before the residual work, if n V |R| exceeds the replay's MAX_RESIDUAL_WORK.
    """
    from ..strategies import cubic

    t0 = time.perf_counter()
    cfg = weights.config
    V, n = cfg.d_vocab, cfg.n_ctx
    if frac_bits is not None:  # fail before the strategy runs
        check_budget(V, n, cfg.d_model, cfg.d_head, frac_bits, TAYLOR_TERMS)
    res = cubic.run(weights, progress=progress)
    data = exact_data(weights, frac_bits)
    paths = data["paths"]
    elo, ehi = data["exp_eqke"]["lo"], data["exp_eqke"]["hi"]
    plo, phi = data["exp_eqkp"]["lo"], data["exp_eqkp"]["hi"]
    c0, dropped_c0 = [], 0
    for m, q in res.diagnostics["c0"]:
        if R.c0_entry_ok(m, q, paths, elo, ehi, plo, phi, V, n):
            c0.append((m, q))
        else:
            dropped_c0 += 1
    assert cubic.path_scale_exponent(weights) == -4 * data["z"], "the strategy's shift grid is not 2^(4 e0)"
    shifts = [exact_shift(Z, data["z"]) for Z in res.diagnostics["shifts"]]
    raw_cells = [tuple(int(x) for x in cell) for cell in res.diagnostics["cells"]]
    if not 1 <= len(shifts) <= MAX_SHIFTS:
        raise RuntimeError(f"the strategy returned {len(shifts)} shift vectors, the schema allows 1..{MAX_SHIFTS}")
    oversize = {j for j, Z in enumerate(shifts) if any(x.bit_length() > MAX_SHIFT_BITS for x in Z)}
    for j in oversize:  # never happens for float64 shifts; keeps the certificate within the schema
        shifts[j] = [0] * V
    mats = {}
    maxima = {}
    cells, dropped_k = [], 0
    for m, q, c, j, mask in raw_cells:
        if j in oversize or not 0 <= j < len(shifts):
            dropped_k += bin(mask).count("1")
            continue
        if j not in mats:
            mats[j] = R.shift_matrices(paths, shifts[j])
        if (m, j) not in maxima:
            maxima[(m, j)] = R.split_maxima(*mats[j], paths["PVOU"], m, V, n)
        U, E = maxima[(m, j)]
        keep = 0
        for k in range(m):
            if mask >> k & 1:
                if R.cell_k_ok(m, q, c, k, U, E, data["orders"][q], elo, ehi, plo, phi, n) is None:
                    keep |= 1 << k
                else:
                    dropped_k += 1
        if keep:
            cells.append((m, q, c, j, keep))
    cert = assemble(weights, data, shifts, c0, cells)
    extra = exact_claims(cert, data) if exact else {}
    if exact:  # the verification FLOPs of the exact certificate: the cubic strategy's + checks 10x-12's
        extra["exact_flops"] = exact_flops(cert, res.flops)
    info = {
        "cubic_count": res.n_proved,
        "cubic_flops": res.flops,  # the cubic's verification FLOPs (reports state them; verify-archive compares)
        "claimed_count": cert["claimed_count"],
        "dropped_k": dropped_k,
        "dropped_c0": dropped_c0,
        "frac_bits": data["F"],
        "shifts": len(shifts),
        "cubic_seconds": res.seconds,
        "seconds": time.perf_counter() - t0,
        **extra,
    }
    return cert, info


def exact_claims(cert: dict, data: dict) -> dict:
    """Turn the cubic certificate `cert` (from assemble) into an exact one in place: strategy
    "exact", claimed_count = lo, claimed_upper = hi, by the replay's own check 11 (FORMAT.md, "The
    exact certificate").  Returns the residual's counts and seconds.  Raises PipelineError when the
    residual work is over the replay's budget (nothing is computed then)."""
    cfg = cert["config"]
    V, n = cfg["d_vocab"], cfg["n_ctx"]
    NI = cert["n_inputs"]
    covered = R.cubic_count(cert["c0"], cert["cells"], n)
    elo, ehi = data["exp_eqke"]["lo"], data["exp_eqke"]["hi"]
    plo, phi = data["exp_eqkp"]["lo"], data["exp_eqkp"]["hi"]
    words = R.residual_words(data["paths"], elo, ehi, plo, phi)
    if R.residual_work(V, n, NI - covered, words) > MAX_RESIDUAL_WORK:
        raise PipelineError(None, f"--exact: the residual ({NI - covered} inputs the cubic part leaves) is over the "
                                  f"replay's budget n_ctx d_vocab |R| words <= {MAX_RESIDUAL_WORK}")
    t0 = time.perf_counter()
    size, n_ok, n_wrong, n_und = R.check_residual(cert["c0"], cert["cells"], data["paths"], elo, ehi, plo, phi, V, n)
    assert covered + size == NI, "the residual and the cubic part do not cover the inputs once"
    cert["strategy"] = STRATEGY_EXACT
    cert["claimed_count"] = covered + n_ok
    cert["claimed_upper"] = NI - n_wrong
    return {"claimed_upper": cert["claimed_upper"], "residual": size, "residual_ok": n_ok,
            "residual_wrong": n_wrong, "residual_undecided": n_und,
            "residual_seconds": time.perf_counter() - t0}
