"""Shared test fixtures: small random, trained-like and adversarial models (numpy float32 Weights)."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np

from pipeline.model.config import ModelConfig, param_shapes
from pipeline.model.weights import Weights, make_weights


def random_weights(V=6, n=3, d=8, h=8, seed=0, scale=1.0, biases=False) -> Weights:
    """Gaussian weights; optionally non-zero biases."""
    rng = np.random.default_rng(seed)
    cfg = ModelConfig(d_vocab=V, n_ctx=n, d_model=d, d_head=h)
    t = {}
    for name, shape in param_shapes(cfg).items():
        if name.startswith("b_") and not biases:
            t[name] = np.zeros(shape, np.float32)
        else:
            t[name] = (rng.standard_normal(shape) * scale / np.sqrt(d)).astype(np.float32)
    return make_weights(t, cfg)


def maxlike_weights(V=6, n=3, d=8, h=8, seed=0, strength=3.0, noise=0.1, biases=False) -> Weights:
    """A hand-built model that mostly solves Max-of-K: attention prefers large tokens, OV copies.

    Residual coordinates: 0 = "constant 1", 1 = "token value / V"; the query attends with score
    proportional to the key's value; the OV circuit writes an increasing logit profile.
    """
    rng = np.random.default_rng(seed)
    cfg = ModelConfig(d_vocab=V, n_ctx=n, d_model=d, d_head=h)
    sh = param_shapes(cfg)
    t = {name: (rng.standard_normal(shape) * noise / np.sqrt(d)).astype(np.float32) for name, shape in sh.items()}
    if not biases:
        for name in sh:
            if name.startswith("b_"):
                t[name] = np.zeros(sh[name], np.float32)
    vals = np.arange(V) / V
    t["W_E"][:, 0] += 1.0
    t["W_E"][:, 1] += vals.astype(np.float32)
    WQ = t["W_Q"][0]
    WK = t["W_K"][0]
    WQ[0, 0] += strength * 3
    WK[1, 0] += strength * 3
    # OV: copy the value coordinate into an output direction whose unembedding favours the token
    t["W_V"][0][1, 1] += 1.0
    t["W_O"][0][1, 2] += 1.0
    # logit[y] = a*y*value - b*y^2 : peaks near y = value*V
    U = t["W_U"]
    U[2, :] += (strength * 8 * np.arange(V) / V).astype(np.float32)
    U[0, :] -= (strength * 4 * (np.arange(V) / V) ** 2).astype(np.float32)
    return make_weights(t, cfg)


def covered_inputs(c0, cells, n):
    """Every input a cubic certificate claims, as a list of token tuples (duplicates kept, so
    callers can check that nothing is counted twice): the c = 0 sequences (m, ..., m, q), and for each
    cell (m, q, c, placement, mask) every choice of c non-query slots filled with tokens of S."""
    out = [tuple([m] * (n - 1) + [q]) for m, q in c0]
    for m, q, c, _pl, mask in cells:
        S = [k for k in range(m) if mask >> k & 1]
        for slots in itertools.combinations(range(n - 1), c):
            for toks in itertools.product(S, repeat=c):
                x = [m] * (n - 1) + [q]
                for p, k in zip(slots, toks):
                    x[p] = k
                out.append(tuple(x))
    return out


def fraction_weights(w: Weights) -> dict:
    """The twelve tensors as numpy object arrays of exact Fractions (float32 -> float64 -> Fraction)."""
    to_frac = np.vectorize(lambda v: Fraction(float(v)), otypes=[object])
    return {k: to_frac(np.asarray(a, np.float64)) for k, a in w.tensors.items()}


def fraction_paths(w: Weights) -> dict:
    """Exact path matrices (object arrays of Fractions) straight from the weights, with their own
    formulas (independent of pipeline.paths and of the replay): EUPU, EVOU, PVOU, EQKE, EQKP, and
    the Fraction weights under "weights"."""
    F = fraction_weights(w)
    n = w.config.n_ctx
    Eq = F["W_E"] + F["W_pos"][n - 1][None, :]  # [V, d]
    Qv = Eq.dot(F["W_Q"][0]) + F["b_Q"][0][None, :]  # [V, h]
    Kt = F["W_E"].dot(F["W_K"][0]) + F["b_K"][0][None, :]  # [V, h]
    Kp = F["W_pos"].dot(F["W_K"][0])  # [n, h]
    VO = lambda X: (X.dot(F["W_V"][0]) + F["b_V"][0][None, :]).dot(F["W_O"][0])  # noqa: E731
    return {
        "EUPU": Eq.dot(F["W_U"]) + F["b_U"][None, :],
        "EVOU": (VO(F["W_E"]) + F["b_O"][None, :]).dot(F["W_U"]),
        "PVOU": F["W_pos"].dot(F["W_V"][0]).dot(F["W_O"][0]).dot(F["W_U"]),
        "EQKE": Qv.dot(Kt.T),
        "EQKP": Qv.dot(Kp.T),
        "weights": F,
    }


def tl_state_dict(w: Weights, convert=lambda name, t: t) -> dict:
    """`w` as a TransformerLens state dict (torch tensors under TransformerLens's names), each tensor
    passed through convert(our name, tensor) (the hardening tests use it to change dtypes)."""
    import torch

    from pipeline.model.checkpoint import TL_KEYS

    inv = {v: k for k, v in TL_KEYS.items()}
    return {inv[k]: convert(k, torch.from_numpy(np.array(v))) for k, v in w.tensors.items()}
