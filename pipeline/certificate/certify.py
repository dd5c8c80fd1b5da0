"""The emitter (untrusted): model -> cubic certificate (schema v1, pipeline/certificate/FORMAT.md).

    maxk certify artifacts/models/max4-seed123.safetensors --out artifacts/certs/max4-seed123.cert.json

The witnesses come from the cubic strategy (S sets, bias placements, proved c = 0 sequences); the
exact data (integer weights, sqrt and exp enclosures, orders) is built here with the replay's own
integer functions.  Every witness is then re-checked with the replay's exact predicates and any
that fails is dropped (and counted), so the emitted certificate always replays; the replay itself
re-checks everything again, so nothing here is trusted.
"""

from __future__ import annotations

import math
import time
from fractions import Fraction

import numpy as np

from . import replay as R
from .schema import PARAM_NAMES, SCHEMA_VERSION

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
    return min(4096, -(-F // 8) * 8)


def exact_data(weights, frac_bits: int | None = None, taylor_terms: int = TAYLOR_TERMS) -> dict:
    """Integer weights, exact paths, F, sqrt and exp enclosures and orders (everything but witnesses)."""
    cfg = weights.config
    V, n, d, h = cfg.d_vocab, cfg.n_ctx, cfg.d_model, cfg.d_head
    wdict = {name: tensor_to_dyadic(weights.tensors[name]) for name in PARAM_NAMES}
    z, T = R.align_weights(wdict, V, n, d, h)
    paths = R.compute_paths(T, z, n)
    F = frac_bits if frac_bits is not None else choose_frac_bits(paths, z, h)
    s_lo, s_hi = sqrt_enclosure(h, F)
    return {
        "weights": wdict,
        "paths": paths,
        "F": F,
        "NT": taylor_terms,
        "sqrt": (s_lo, s_hi),
        "exp_eqke": exp_table(paths["EQKE"], s_lo, s_hi, z, F, taylor_terms),
        "exp_eqkp": exp_table(paths["EQKP"], s_lo, s_hi, z, F, taylor_terms),
        "orders": [sorted(range(n - 1), key=lambda p: (paths["EQKP"][q][p], p)) for q in range(V)],
    }


def assemble(weights, data: dict, c0: list, cells: list) -> dict:
    """The certificate dict (schema v1) from exact data and witnesses; claimed_count recomputed."""
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
        "c0": [list(e) for e in c0],
        "cells": [list(e) for e in cells],
    }


# ----------------------------------------------------------------- certify


def certify(weights, frac_bits: int | None = None, progress: bool = False) -> tuple[dict, dict]:
    """Run the cubic strategy and turn its witnesses into an exact certificate.

    Complexity: the cubic strategy plus one exact check of each witness (the replay's cost).
    Preconditions: weights validated by make_weights.
    Postconditions: replay(cert).ok; cert["claimed_count"] <= the cubic count (equal unless the exact
    check rejected a witness the interval strategy accepted: info["dropped_k"], info["dropped_c0"]).
    """
    from ..strategies import cubic

    t0 = time.perf_counter()
    cfg = weights.config
    V, n = cfg.d_vocab, cfg.n_ctx
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
    mats = [R.placement_matrices(paths, pl) for pl in range(4)]
    maxima = {}
    cells, dropped_k = [], 0
    for m, q, c, pl, mask in res.diagnostics["cells"]:
        if (m, pl) not in maxima:
            maxima[(m, pl)] = R.split_maxima(*mats[pl], paths["PVOU"], m, V, n)
        U, E = maxima[(m, pl)]
        keep = 0
        for k in range(m):
            if mask >> k & 1:
                if R.cell_k_ok(m, q, c, k, U, E, data["orders"][q], elo, ehi, plo, phi, n) is None:
                    keep |= 1 << k
                else:
                    dropped_k += 1
        if keep:
            cells.append((m, q, c, pl, keep))
    cert = assemble(weights, data, c0, cells)
    info = {
        "cubic_count": res.n_proved,
        "claimed_count": cert["claimed_count"],
        "dropped_k": dropped_k,
        "dropped_c0": dropped_c0,
        "frac_bits": data["F"],
        "cubic_seconds": res.seconds,
        "seconds": time.perf_counter() - t0,
    }
    return cert, info
