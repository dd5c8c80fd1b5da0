"""coq/Spec.v transcribed literally into Python, checked against the torch forward pass and the
brute force (independent review of issue 10's trusted statement; see coq/REVIEW-ACCURACY.md).

The Coq theorem `max4_seed123_accuracy` says `claimed_count <= count_correct (model_of cert)`.
Whether that is the product's claim rests on reading Spec.v's forward pass and Model.v's
`model_of` correctly.  This file makes that reading executable:

- `spec_model_of(cert)` is Model.v's `model_of`: the dimensions of the certificate's config and,
  per tensor, `tensor_link t = mk_tensor (t_exponent t) (concat (t_rows t))`, where `t_rows` is
  what the renderer writes into the Coq module (pipeline/coq_export/render.py `_tensor_rows`: the
  flat row-major mantissas cut along the last axis);
- `SpecForward` is Spec.v's Section Forward, one Python method per Coq Definition, with the same
  names, the same index arithmetic (`mat T cols i j = entry T (i * cols + j)`, an index past the
  end reads 0) and the same `sum k f = f 0 + ... + f (k-1)`;
- `correct_b`, `max_tok`, `all_seqs`, `count_correct` likewise.

Numbers: `entry` is exact (mantissa * 2^exponent is a float32 value, hence exact in float64 and
in mpmath); the reals are mpmath at 60 digits, or float64 where the comparison only needs float32
accuracy (test_float64_transcription_agrees_with_mpmath measures that gap).

Each `MUTATIONS` entry is a deliberately wrong transcription (scores not divided by sqrt d_head,
W_Q / W_O / W_U transposed, the query read at position 0, a bias dropped or swapped, ties counted
as correct, the max read at the last position); the tests assert that every one of them is
caught, so the checks can fail.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass, fields
from fractions import Fraction
from pathlib import Path

import mpmath
import numpy as np
import pytest
import torch

import helpers
from pipeline.certificate.certify import certify
from pipeline.certificate.replay import replay
from pipeline.certificate.schema import load_certificate
from pipeline.coq_export.render import _tensor_rows
from pipeline.model.checkpoint import load_weights
from pipeline.model.config import PARAM_NAMES
from pipeline.model.transformer import MaxKTransformer
from pipeline.model.weights import make_weights
from pipeline.strategies import brute_force

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "artifacts/models/max4-seed123.safetensors"
CERT = ROOT / "artifacts/certs/max4-seed123.cert.json"
DPS = 60

# ----------------------------------------------------------------- Spec.v, transcribed


@dataclass(frozen=True)
class Tensor:
    """Spec.tensor: `mk_tensor { exponent : Z; mantissas : list Z }`."""

    exponent: int
    mantissas: tuple


@dataclass(frozen=True)
class Model:
    """Spec.model (fields in Spec.v's order)."""

    d_vocab: int
    n_ctx: int
    d_model: int
    d_head: int
    W_E: Tensor
    W_pos: Tensor
    W_Q: Tensor
    W_K: Tensor
    W_V: Tensor
    W_O: Tensor
    W_U: Tensor
    b_Q: Tensor
    b_K: Tensor
    b_V: Tensor
    b_O: Tensor
    b_U: Tensor


class Reals:
    """The operations Spec.v takes from Coq's R: IZR m * powerRZ 2 e, exp, sqrt (INR h), /.
    `entry_values(T)` converts a tensor's mantissas once (exactly) and caches them by identity."""

    def __init__(self, kind: str):
        self.kind = kind
        self._values = {}

    def dyadic(self, m: int, e: int):
        if self.kind == "float":
            x = math.ldexp(float(m), e)
            assert Fraction(x) == Fraction(m) * Fraction(2) ** e, "entry not exact in float64"
            return x
        assert m.bit_length() <= mpmath.mp.prec, "mantissa wider than the mpmath precision"
        return mpmath.ldexp(mpmath.mpf(m), e)  # exact

    def entry_values(self, T):
        key = id(T)
        if key not in self._values:
            self._values[key] = (T, [self.dyadic(m, T.exponent) for m in T.mantissas])
        return self._values[key][1]

    def zero(self):
        return 0.0 if self.kind == "float" else mpmath.mpf(0)

    def exp(self, x):
        return math.exp(x) if self.kind == "float" else mpmath.exp(x)

    def sqrt_nat(self, k: int):
        return math.sqrt(k) if self.kind == "float" else mpmath.sqrt(k)


def tensor_link(t: dict) -> Tensor:
    """Model.v: `tensor_link t := Align.tensor_of (t_exponent t) (zm (t_rows t))`,
    `tensor_of e rows := mk_tensor e (concat rows)`, with t_rows as rendered into the module."""
    rows = _tensor_rows(t, "weights")
    return Tensor(t["exponent"], tuple(itertools.chain.from_iterable(rows)))


def spec_model_of(cert: dict) -> Model:
    """Model.v `model_of c`: the four dimensions, then the twelve tensors in Spec.model's order."""
    cfg, w = cert["config"], cert["weights"]
    return Model(cfg["d_vocab"], cfg["n_ctx"], cfg["d_model"], cfg["d_head"],
                 *(tensor_link(w[name]) for name in PARAM_NAMES))


def entry(R: Reals, T: Tensor, k: int):
    """`entry T k := IZR (nth k (mantissas T) 0%Z) * powerRZ 2 (exponent T)`."""
    values = R.entry_values(T)  # [IZR m * powerRZ 2 (exponent T) for m in mantissas T], exact
    return values[k] if k < len(values) else R.zero()


def mat(R: Reals, T: Tensor, cols: int, i: int, j: int):
    """`mat T cols i j := entry T (i * cols + j)`."""
    return entry(R, T, i * cols + j)


def spec_sum(R: Reals, k: int, f):
    """`sum k f = f 0 + f 1 + ... + f (k-1)` (Fixpoint: sum (S k') f = sum k' f + f k')."""
    acc = R.zero()
    for i in range(k):
        acc = acc + f(i)
    return acc


# Deliberately wrong transcriptions, each of which some test below must catch.
MUTATIONS = (
    "no_sqrt",          # score not divided by sqrt d_head
    "W_Q_transposed",   # query reads W_Q[c, a] instead of W_Q[a, c]
    "W_O_transposed",   # attn_out reads W_O[a, c]
    "W_U_transposed",   # logit reads W_U[y, a]
    "query_first",      # the query at position 0 instead of the last
    "no_b_O",           # b_O dropped
    "no_b_Q",           # b_Q dropped (b_K cannot be tested so: q . b_K is the same at every
                        # position, and the softmax is invariant under a common shift)
    "tie_is_correct",   # correct uses <= (a tie counted as correct)
    "max_is_last",      # max_tok x := the last token
)
LOGIT_MUTATIONS = MUTATIONS[:7]


class SpecForward:
    """Spec.v Section Forward for one model M and one input x (memoised: the Coq definitions are
    pure, so caching changes no value).  `mutation` selects a deliberately wrong variant."""

    def __init__(self, M: Model, x, R: Reals, mutation: str | None = None):
        assert mutation is None or mutation in MUTATIONS, mutation
        self.M, self.x, self.R, self.mut = M, list(x), R, mutation
        self.resid = functools.cache(self.resid)
        self.query = functools.cache(self.query)
        self.key = functools.cache(self.key)
        self.value = functools.cache(self.value)
        self.score = functools.cache(self.score)
        self.attn = functools.cache(self.attn)
        self.attn_out = functools.cache(self.attn_out)
        self.logit = functools.cache(self.logit)

    def tok(self, i):
        """`tok i := nth i x O`."""
        return self.x[i] if i < len(self.x) else 0

    def qpos(self):
        """`qpos := (n_ctx M - 1)%nat` (nat subtraction truncates at 0)."""
        return 0 if self.mut == "query_first" else max(self.M.n_ctx - 1, 0)

    def resid(self, i, a):
        M, R = self.M, self.R
        return mat(R, M.W_E, M.d_model, self.tok(i), a) + mat(R, M.W_pos, M.d_model, i, a)

    def query(self, c):
        M, R = self.M, self.R
        if self.mut == "W_Q_transposed":
            wq = lambda a: mat(R, M.W_Q, M.d_model, c, a)  # noqa: E731
        else:
            wq = lambda a: mat(R, M.W_Q, M.d_head, a, c)  # noqa: E731
        b = R.zero() if self.mut == "no_b_Q" else entry(R, M.b_Q, c)
        return spec_sum(R, M.d_model, lambda a: self.resid(self.qpos(), a) * wq(a)) + b

    def key(self, i, c):
        M, R = self.M, self.R
        return spec_sum(R, M.d_model, lambda a: self.resid(i, a) * mat(R, M.W_K, M.d_head, a, c)) + entry(R, M.b_K, c)

    def value(self, i, c):
        M, R = self.M, self.R
        return spec_sum(R, M.d_model, lambda a: self.resid(i, a) * mat(R, M.W_V, M.d_head, a, c)) + entry(R, M.b_V, c)

    def score(self, i):
        M, R = self.M, self.R
        s = spec_sum(R, M.d_head, lambda c: self.query(c) * self.key(i, c))
        return s if self.mut == "no_sqrt" else s / R.sqrt_nat(M.d_head)

    def attn(self, i):
        M, R = self.M, self.R
        return R.exp(self.score(i)) / spec_sum(R, M.n_ctx, lambda j: R.exp(self.score(j)))

    def attn_out(self, a):
        M, R = self.M, self.R
        if self.mut == "W_O_transposed":
            wo = lambda c: mat(R, M.W_O, M.d_head, a, c)  # noqa: E731
        else:
            wo = lambda c: mat(R, M.W_O, M.d_model, c, a)  # noqa: E731
        z = lambda c: spec_sum(R, M.n_ctx, lambda i: self.attn(i) * self.value(i, c))  # noqa: E731
        b = R.zero() if self.mut == "no_b_O" else entry(R, M.b_O, a)
        return spec_sum(R, M.d_head, lambda c: z(c) * wo(c)) + b

    def logit(self, y):
        M, R = self.M, self.R
        if self.mut == "W_U_transposed":
            wu = lambda a: mat(R, M.W_U, M.d_model, y, a)  # noqa: E731
        else:
            wu = lambda a: mat(R, M.W_U, M.d_vocab, a, y)  # noqa: E731
        return spec_sum(R, M.d_model, lambda a: (self.resid(self.qpos(), a) + self.attn_out(a)) * wu(a)) \
            + entry(R, M.b_U, y)

    def logits(self):
        return [self.logit(y) for y in range(self.M.d_vocab)]


def max_tok(x, mutation=None):
    """`max_tok x := fold_right Nat.max O x`."""
    if mutation == "max_is_last":
        return x[-1]
    return functools.reduce(lambda acc, t: max(t, acc), reversed(list(x)), 0)


def correct_b(M: Model, x, R: Reals, mutation=None) -> bool:
    """`forallb (fun y => y =? max_tok x || Rlt_dec (logit y) (logit (max_tok x))) (seq 0 V)`."""
    f = SpecForward(M, x, R, mutation)
    m = max_tok(x, mutation)
    less = (lambda a, b: a <= b) if mutation == "tie_is_correct" else (lambda a, b: a < b)
    return all(y == m or less(f.logit(y), f.logit(m)) for y in range(M.d_vocab))


def all_seqs(V: int, k: int) -> list:
    """`all_seqs V 0 = [[]]`, `all_seqs V (S k') = flat_map (fun t => map (cons t) (all_seqs V k')) (seq 0 V)`."""
    if k == 0:
        return [[]]
    rest = all_seqs(V, k - 1)
    return [[t] + s for t in range(V) for s in rest]


def count_correct(M: Model, R: Reals, mutation=None) -> int:
    """`length (filter (correct_b M) (all_seqs (d_vocab M) (n_ctx M)))`."""
    return sum(correct_b(M, x, R, mutation) for x in all_seqs(M.d_vocab, M.n_ctx))


# ----------------------------------------------------------------- helpers


def torch_logits(weights, tokens, dtype, full=False):
    """The pipeline's own forward pass (MaxKTransformer.forward), in float32 or float64; with
    full=True the causally masked forward over every position (full_logits), last position."""
    model = MaxKTransformer.from_weights(weights).eval().to(dtype)
    x = torch.as_tensor(np.asarray(tokens, dtype=np.int64))
    with torch.no_grad():
        out = model.full_logits(x)[:, -1] if full else model(x)
        return out.numpy().astype(np.float64)


def spec_logits(M, inputs, R, mutation=None):
    return np.array([[float(v) for v in SpecForward(M, x, R, mutation).logits()] for x in inputs])


# Tolerances for |Spec logit (float64, within ~1e-13 of the exact real) - torch logit|, per input,
# relative to S = 1 + max_y |logit_y|.  torch float32: the deepest chain from a weight to a logit is
# a length-d dot (q, k, v), a length-h dot (score), exp and a length-n sum (softmax), a length-n
# sum (z), a length-h dot (W_O), a length-d dot (W_U): about d + h + n + h + d ~ 140 roundings of
# unit 2^-24 ~ 6e-8, i.e. ~1e-5 of the magnitudes summed; the softmax turns an absolute score
# error delta into a relative weight error ~delta, and |score| reaches ~90 here, so ~90 * 6e-8 * 64.
# 1e-4 S leaves a factor ~10 over that (measured: max error 5.1e-7 S on the shipped model's 214
# inputs, 5.3e-7 S on the small biased model).  torch float64: the same chain with unit 2^-53:
# 1e-11 S (measured 7.5e-16 S and 1.1e-15 S).  Every wrong transcription in MUTATIONS that
# changes logits is off by more than 1e-2 S (measured: 0.012 S for W_Q transposed on the small
# model, 0.02 S for b_Q dropped, >= 0.2 S for the others).
TOL32 = 1e-4
TOL64 = 1e-11


def max_rel_err(a, b):
    scale = 1.0 + np.abs(b).max(axis=1)
    return float((np.abs(a - b).max(axis=1) / scale).max())


@functools.cache
def shipped():
    cert = load_certificate(CERT)
    return cert, load_weights(MODEL)


def shipped_inputs(V, n, count=200, seed=0):
    rng = np.random.default_rng(seed)
    inputs = [tuple(int(t) for t in rng.integers(0, V, n)) for _ in range(count)]
    top = V - 1
    inputs += [(t,) * n for t in (0, 1, top // 2, top)]  # all tokens equal
    inputs += [(top,) + (3, 17, 5)[: n - 1], (3, 17, 5)[: n - 1] + (top,)]  # max first / last
    inputs += [(40,) + (40,) * (n - 2) + (2,), (0,) * (n - 1) + (top,), (top,) + (0,) * (n - 1)]
    inputs += [tuple(range(n)), tuple(range(n))[::-1], (top - 1, top, top - 1, top)[:n]]
    return inputs


# ----------------------------------------------------------------- tests: reading of Spec.v


def test_all_seqs_and_max_tok_read_as_intended():
    """all_seqs V k lists every k-token input over [0, V) once (V^k lists, lexicographic);
    max_tok is the largest token."""
    for V, k in ((1, 3), (2, 0), (3, 1), (4, 3), (5, 2)):
        seqs = all_seqs(V, k)
        assert len(seqs) == V**k
        assert [tuple(s) for s in seqs] == list(itertools.product(range(V), repeat=k))
    for x in itertools.product(range(5), repeat=3):
        assert max_tok(x) == max(x)
    assert max_tok((4, 1, 2), "max_is_last") != max((4, 1, 2))  # the mutation differs


def test_model_of_is_the_shipped_weights_exactly():
    """tensor_link of every rendered tensor is the safetensors tensor, entry for entry, at the
    flat row-major index Spec.v reads (W_Q[0, a, c] at a * d_head + c, W_O[0, c, a] at
    c * d_model + a, W_U[a, y] at a * d_vocab + y, b_Q[0, c] at c, b_O[a] at a, ...)."""
    cert, w = shipped()
    M = spec_model_of(cert)
    cfg = w.config
    assert (M.d_vocab, M.n_ctx, M.d_model, M.d_head) == (cfg.d_vocab, cfg.n_ctx, cfg.d_model, cfg.d_head)
    R = Reals("float")
    for name in PARAM_NAMES:
        T, a = getattr(M, name), np.asarray(w[name], np.float64)
        assert len(T.mantissas) == a.size, name
        cols = a.shape[-1]
        for idx in np.ndindex(a.shape):
            if a.ndim == 1:
                got = entry(R, T, idx[0])
            else:
                lead = idx[-2] if a.ndim == 3 else idx[0]  # the head axis (size 1) adds nothing
                assert a.ndim == 2 or idx[0] == 0
                got = mat(R, T, cols, lead, idx[-1])
            assert got == a[idx], (name, idx)


def test_spec_logits_equal_torch_on_the_shipped_model():
    """Spec.v's logits (float64 transcription) = MaxKTransformer.forward's, on 200 random and 14
    crafted inputs: within TOL64 of torch in float64, within TOL32 of torch in float32, and the
    same classification wherever the margin exceeds the float32 tolerance.  Also against the
    causally masked forward over all positions (full_logits), read at the last position: the mask
    removes nothing there, which is why Spec.v has no mask."""
    cert, w = shipped()
    M = spec_model_of(cert)
    inputs = shipped_inputs(M.d_vocab, M.n_ctx)
    spec = spec_logits(M, inputs, Reals("float"))
    t64 = torch_logits(w, inputs, torch.float64)
    t32 = torch_logits(w, inputs, torch.float32)
    assert max_rel_err(spec, t64) < TOL64
    assert max_rel_err(spec, t32) < TOL32
    assert max_rel_err(spec, torch_logits(w, inputs, torch.float64, full=True)) < TOL64
    for x, s, t in zip(inputs, spec, t32):
        m = max(x)
        margin = s[m] - np.delete(s, m).max()
        if abs(margin) > TOL32 * (1 + np.abs(s).max()):
            assert (margin > 0) == bool(t[m] > np.delete(t, m).max()), x


def sample_claimed_inputs(cert, count, seed=0):
    """Random inputs among those the certificate claims (tests/helpers.py covered_inputs, sampled:
    a c0 entry's sequence (m, ..., m, q), or a cell's with c random non-query slots holding random
    tokens of S)."""
    rng = np.random.default_rng(seed)
    n = cert["config"]["n_ctx"]
    out = [tuple([m] * (n - 1) + [q]) for m, q in
           (cert["c0"][i] for i in rng.choice(len(cert["c0"]), size=min(10, len(cert["c0"])), replace=False))]
    cells = cert["cells"]
    while len(out) < count:
        m, q, c, _shift, mask = cells[int(rng.integers(len(cells)))]
        S = [k for k in range(m) if mask >> k & 1]
        x = [m] * (n - 1) + [q]
        for p in rng.choice(n - 1, size=c, replace=False):
            x[int(p)] = S[int(rng.integers(len(S)))]
        out.append(tuple(x))
    return out


def test_claimed_inputs_are_correct_by_spec_on_the_shipped_model():
    """The theorem on a sample: 150 inputs the shipped certificate claims are correct by Spec.v's
    definition: logit[max] above every other logit by more than the float64 transcription's error
    TOL64 S (measured: the smallest margin is 0.199 S, so a sign error anywhere would show)."""
    cert, _ = shipped()
    M = spec_model_of(cert)
    R = Reals("float")
    for x in sample_claimed_inputs(cert, 150):
        logits = np.array(SpecForward(M, x, R).logits())
        m = max_tok(x)
        margin = logits[m] - np.delete(logits, m).max()
        assert margin > TOL64 * (1 + np.abs(logits).max()), (x, margin)


@pytest.mark.parametrize("mutation", LOGIT_MUTATIONS)
def test_wrong_transcriptions_are_caught(mutation):
    """Every deliberately wrong forward pass differs from torch far beyond the tolerance: on the
    shipped model (d_model = d_head, zero biases) or on a small model with d_model != d_head and
    non-zero biases (which the shipped model cannot tell apart)."""
    cert, w = shipped()
    M = spec_model_of(cert)
    inputs = shipped_inputs(M.d_vocab, M.n_ctx, count=20)
    errs = [max_rel_err(spec_logits(M, inputs, Reals("float"), mutation), torch_logits(w, inputs, torch.float32))]
    ws, cs = small_cert("biased")
    small_inputs = list(itertools.product(range(ws.config.d_vocab), repeat=ws.config.n_ctx))
    errs.append(max_rel_err(spec_logits(spec_model_of(cs), small_inputs, Reals("float"), mutation),
                            torch_logits(ws, small_inputs, torch.float32)))
    assert max(errs) > 100 * TOL32, (mutation, errs)


def test_float64_transcription_agrees_with_mpmath():
    """On crafted shipped inputs, the float64 transcription is within 1e-12 S of the 60-digit one
    (so float64 stands in for R in the comparisons above with room to spare)."""
    cert, _ = shipped()
    M = spec_model_of(cert)
    inputs = shipped_inputs(M.d_vocab, M.n_ctx, count=0)[:6]
    with mpmath.workdps(DPS):
        exact = spec_logits(M, inputs, Reals("mp"))
    assert max_rel_err(spec_logits(M, inputs, Reals("float")), exact) < 1e-12


# ----------------------------------------------------------------- tests: the count on small models


def small_biased():
    """d_model != d_head (so a transposed W_Q or W_O reads other entries) and non-zero biases."""
    return helpers.maxlike_weights(V=5, n=3, d=6, h=4, seed=3, strength=2.0, noise=0.3, biases=True)


def small_tie():
    """W_U and b_U columns 3 and 4 equal: logit 3 = logit 4 exactly on every input, so by Spec.v
    no input whose max is 3 or 4 is correct (a tie is an error)."""
    w = helpers.maxlike_weights(V=5, n=3, d=6, h=4, seed=5, strength=3.0, noise=0.05, biases=True)
    t = {k: np.array(v) for k, v in w.tensors.items()}
    t["W_U"][:, 3] = t["W_U"][:, 4]
    t["b_U"][3] = t["b_U"][4]
    return make_weights(t, w.config)


SMALL = {
    "biased": small_biased,
    "tie": small_tie,
    "random": lambda: helpers.random_weights(V=4, n=3, d=3, h=5, seed=7, scale=2.0, biases=True),
    "maxlike_n2": lambda: helpers.maxlike_weights(V=5, n=2, d=4, h=4, seed=1, biases=False),
}


@functools.cache
def small_cert(name):
    """(weights, certificate) of a SMALL model (certified once per session)."""
    w = SMALL[name]()
    return w, certify(w)[0]


@pytest.mark.parametrize("name", sorted(SMALL))
def test_spec_count_brackets_brute_force_and_bounds_the_certificate(name):
    """count_correct (60-digit transcription over all_seqs) lies in the brute force's exact
    enclosure [n_correct, V^n - n_wrong] (equal to n_correct when nothing is undecided), the
    certificate's claimed_count is at most it (the Coq theorem, evaluated), and torch float32
    classifies every input whose Spec margin is clear the same way."""
    w, cert = small_cert(name)
    assert replay(cert).ok
    M = spec_model_of(cert)
    V, n = M.d_vocab, M.n_ctx
    with mpmath.workdps(DPS):
        R = Reals("mp")
        inputs = all_seqs(V, n)
        flags = [correct_b(M, x, R) for x in inputs]
        count = sum(flags)
        assert count == count_correct(M, R)
        logits = spec_logits(M, inputs, R)
    bf = brute_force.run(w)
    n_wrong, n_und = bf.extra["n_wrong"], bf.extra["n_undecided"]
    assert bf.n_proved <= count <= V**n - n_wrong, (bf.n_proved, count, n_wrong)
    if n_und == 0:
        assert count == bf.n_proved
    assert cert["claimed_count"] <= count
    t32 = torch_logits(w, inputs, torch.float32)
    for x, s, t, ok in zip(inputs, logits, t32, flags):
        m = max(x)
        margin = s[m] - np.delete(s, m).max()
        assert ok == (margin > 0)
        if abs(margin) > TOL32 * (1 + np.abs(s).max()):
            assert ok == bool(t[m] > np.delete(t, m).max()), x
    if name == "tie":
        assert not any(ok for x, ok in zip(inputs, flags) if max(x) in (3, 4))
        assert any(ok for x, ok in zip(inputs, flags) if max(x) not in (3, 4))


def test_wrong_correctness_is_caught():
    """Counting a tie as correct, or taking the last token as the max, changes the count where the
    truth is known: every input of the tie model whose max is 3 or 4 is an exact tie (not correct),
    and the brute force's enclosure excludes the last-token count."""
    M = spec_model_of(small_cert("tie")[1])
    with mpmath.workdps(DPS):
        R = Reals("mp")
        tie_ok = [x for x in all_seqs(M.d_vocab, M.n_ctx)
                  if max(x) in (3, 4) and correct_b(M, x, R, "tie_is_correct")]
        assert tie_ok, "the tie mutation is not caught"
        wb, cb = small_cert("biased")
        Mb = spec_model_of(cb)
        last = count_correct(Mb, R, "max_is_last")
    bf = brute_force.run(wb)
    assert not (bf.n_proved <= last <= wb.config.n_inputs - bf.extra["n_wrong"]), "max_is_last not caught"


def test_spec_model_dataclass_matches_spec_v():
    """The transcription's Model has Spec.v's fields in Spec.v's order (read from the file)."""
    import re

    text = (ROOT / "coq/Spec.v").read_text()
    body = text[text.index("Record model := mk_model {"):]
    body = body[: body.index("}.")]
    names = re.findall(r"\b([A-Za-z_]+)\s*:\s*(?:nat|tensor)", body)
    assert names == [f.name for f in fields(Model)]
