"""Test-only certificate builder: a simple, slow, exhaustive exact emitter for tiny models.

Not imported by the pipeline (the real emitter is pipeline/certificate/certify.py).  It is built
on the replay's own integer functions, so it exercises the replay's acceptance side; the tests
judge it independently (mpmath forward of every input).

    build_certificate(weights, frac_bits=64, taylor_terms=24) -> dict   (schema v2, "cubic")

Shift vectors: the candidates are v1's four bias placements as shifts (index pl = dU + 2 dO:
Z = dO bOV - (1 - dU) bU) and, at index 4, the query-mean of the full direct path (floor of
mean_q EUPU[q, .]); every cell picks the candidate that proves the most k.

Complexity: O(V^3 n^2) integer work plus O(V n d^2) for the paths; fine for V <= 8 (and usable,
slowly, at V = 64 for timing the replay).
"""

from __future__ import annotations


from pipeline.certificate import replay as R
from pipeline.certificate.certify import (  # noqa: F401  (re-exported for the tests)
    assemble,
    exp_neg_enclosure,
    exp_table,
    float_to_dyadic,
    sqrt_enclosure,
    tensor_to_dyadic,
)
from pipeline.certificate.schema import PARAM_NAMES
from pipeline.model.config import param_shapes


def candidate_shifts(paths: dict) -> list:
    """The test candidates: placements 0..3 as exact shifts, then the floored query-mean of EUPU."""
    V = len(paths["bU"])
    out = []
    for pl in range(4):
        dU, dO = pl & 1, pl >> 1
        out.append([dO * paths["bOV"][y] - (1 - dU) * paths["bU"][y] for y in range(V)])
    out.append([-(sum(paths["EUPU"][q][y] for q in range(V)) // V) for y in range(V)])
    return out


def build_certificate(weights, frac_bits: int = 64, taylor_terms: int = 24, with_info: bool = False,
                      placements: tuple = (0, 1, 2, 3, 4)):
    """Exhaustive exact cubic certificate for `weights` (pipeline.model.weights.Weights).

    Postcondition: R.replay(cert).ok (the emitter uses the replay's own predicates).  With
    with_info=True also returns {"rejected": {(m, q, c): (shift index, [k not in S for it])}}.
    `placements` restricts the candidate shift indices tried (tests force each one).
    """
    cfg = weights.config
    V, n, d, h = cfg.d_vocab, cfg.n_ctx, cfg.d_model, cfg.d_head
    F, NT = frac_bits, taylor_terms
    shapes = param_shapes(cfg)
    wdict = {}
    for name in PARAM_NAMES:
        t = tensor_to_dyadic(weights.tensors[name])
        assert tuple(t["shape"]) == shapes[name], f"{name}: shape mismatch"
        wdict[name] = t
    z, T = R.align_weights(wdict, V, n, d, h)
    paths = R.compute_paths(T, z, n)
    s_lo, s_hi = sqrt_enclosure(h, F)
    exp_eqke = exp_table(paths["EQKE"], s_lo, s_hi, z, F, NT)
    exp_eqkp = exp_table(paths["EQKP"], s_lo, s_hi, z, F, NT)
    elo, ehi, plo, phi = exp_eqke["lo"], exp_eqke["hi"], exp_eqkp["lo"], exp_eqkp["hi"]
    orders = [sorted(range(n - 1), key=lambda p: (paths["EQKP"][q][p], p)) for q in range(V)]

    c0, cells, rejected = [], [], {}
    shifts = candidate_shifts(paths)
    mats = [R.shift_matrices(paths, Z) for Z in shifts]
    for m in range(V):
        maxima = [R.split_maxima(Dir, Ov, paths["PVOU"], m, V, n) for Dir, Ov in mats]
        for q in range(m + 1):
            if (q == m or n >= 2) and R.c0_entry_ok(m, q, paths, elo, ehi, plo, phi, V, n):
                c0.append([m, q])
            cmax = n - 2 if q < m else n - 1
            for c in range(1, cmax + 1):
                best_pl, best = placements[0], []
                for pl in placements:
                    U, E = maxima[pl]
                    ks = [k for k in range(m)
                          if R.cell_k_ok(m, q, c, k, U, E, orders[q], elo, ehi, plo, phi, n) is None]
                    if len(ks) > len(best):
                        best_pl, best = pl, ks
                rejected[(m, q, c)] = (best_pl, [k for k in range(m) if k not in best])
                if best:
                    mask = 0
                    for k in best:
                        mask |= 1 << k
                    cells.append([m, q, c, best_pl, mask])
    data = {"weights": wdict, "F": F, "NT": NT, "sqrt": (s_lo, s_hi), "exp_eqke": exp_eqke,
            "exp_eqkp": exp_eqkp, "orders": orders}
    cert = assemble(weights, data, shifts, c0, cells)
    if with_info:
        return cert, {"rejected": rejected}
    return cert
