"""Sound brute force: an enclosure of the exact accuracy, by evaluating all V^n inputs.

    maxk bound brute-force artifacts/models/max4-seed123.safetensors --out bf.json

Soundness argument.  For an input x with query q = x[n-1] and max m = max(x), write
w_i = exp(score_i / s - c_q) > 0 (any shift c_q common to all positions of the input) and
L_i[y] = EUPU[q,y] + EVOU[x_i,y] + PVOU[i,y].  Because the attention weights a_i = w_i / sum w
sum to 1, logit[y] = sum_i a_i L_i[y], so

    logit[y] - logit[m]  has the sign of  sum_i w_i L_i[y] - sum_i w_i L_i[m]      (sum w > 0).

We enclose T[q,i,t,y] = w(q,i,t) * L(q,i,t,y) in intervals [Tlo, Thi] (pipeline.numerics: the
exponentials from mpmath rounded outward, every product and sum rounded outward), for every
(q, position i, token t, output y): V*n*V*V entries.  For each input, the two float64 sums
    hi[y] = sum_i Thi[q,i,x_i,y]        lo[m] = sum_i Tlo[q,i,x_i,m]
bound the exact sums up to the rounding of 2n float additions, which is at most
err_x = gamma_{2n-1} * sum |terms| (`sum_rounding_bound`; additions never underflow), with
sum |terms| <= 2 sum_i max_y |T[q,i,x_i,.]| computed per input (see `_classify`).  Hence
  * max_{y != m} (hi[y] - lo[m]) < -err_x  proves every wrong logit strictly below the right one:
    the input is certainly correct;
  * some y != m with lo[y] - hi[m] >= err_x proves logit[y] >= logit[m]: certainly wrong (a tie is
    an error);
  * otherwise the input is undecided (a near tie); it is never counted as correct.
So n_correct <= #correct <= n_inputs - n_wrong, i.e. accuracy_lo <= accuracy <= accuracy_hi.

Undecided inputs (at most REFINE_LIMIT of them) are then re-evaluated one by one (`refine`), with the
shift c_x = the largest score of that input, so that exponentials that underflowed in the shared
tables (models with huge attention scores) become representable; the same three-way test is applied
to the interval sum_i w_i (L_i[y] - L_i[m]) computed with outward rounding throughout.

Complexity: O(V^n * V) float additions plus O(V^2 n) exponential enclosures; vectorized over the
last two non-query positions and y, a Python loop over the query and the remaining positions.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction
from itertools import product

import numpy as np

from ..flops import FlopCounter
from ..model.weights import Weights
from ..numerics import Interval, sqrt_enclosure, sum_rounding_bound
from ..paths import count_path_flops, path_intervals
from ..progress import progress_bar
from .result import BoundResult

REFINE_LIMIT = 200_000  # at most this many undecided inputs get the per-input re-evaluation
REFINE_CHUNK = 8192

REPORT_KEYS = (
    "strategy", "model_sha256", "n_inputs", "n_correct", "n_wrong", "n_undecided",
    "accuracy_lo", "accuracy_hi", "float32_accuracy", "flops", "seconds",
)

# The work budget of every command that runs the brute force (`maxk bound brute-force`, `maxk bounds`,
# `maxk frontier`, the sweep's brute-force step), checked by `estimate` + `budget_problem` before any
# work starts; the commands' --force lifts it.  Calibrated on the shipped K = 4 model: 64^4 = 16.8M
# inputs, 4.4e9 FLOPs, ~6 s on 2 cores, ~0.4 GB estimated peak: it passes; K = 5 (3.5e11 FLOPs, ~11 GB
# with the float32 accuracy) and K = 10 (64^10 = 1.2e18 inputs) are refused.
BUDGET_FLOPS = 10**11  # ~2.5 min at FLOPS_PER_SECOND
BUDGET_BYTES = 4 << 30  # 4 GiB of estimated peak memory
FLOPS_PER_SECOND = 7e8  # measured: the shipped model's 4.38e9 FLOPs in 5.9 s (numpy, 2 cores)
ALTERNATIVE = "use `maxk bound cubic` or `maxk certify` (sound lower bounds in O(V^3 n), no enumeration)"


@dataclass(frozen=True)
class Estimate:
    """What one brute-force run will cost (`estimate`); every field is an upper estimate."""

    V: int
    n: int
    n_inputs: int  # V^n
    flops: int  # the FLOPs `run` reports (its FlopCounter), without the data-dependent near-tie refinement
    float32_ops: int  # the float32 accuracy's screen (0 without it); torch then runs on unsettled inputs only
    peak_bytes: int  # the larger of the brute force's and the float32 accuracy's peak memory
    seconds: float  # (flops + float32_ops) / FLOPS_PER_SECOND

    def describe(self) -> str:
        return (f"brute force over {self.V}^{self.n} = {self.n_inputs:.4g} inputs needs ~{self.flops + self.float32_ops:.2g} "
                f"FLOPs (~{_human_seconds(self.seconds)} at ~{FLOPS_PER_SECOND:.0e} FLOP/s) and ~"
                f"{_human_bytes(self.peak_bytes)} of memory" + (" (float32 accuracy included)" if self.float32_ops else ""))


def estimate(config, float32: bool = True, keep_status: bool = False) -> Estimate:
    """The work of `run` (and, with float32, of the float32 torch accuracy `maxk bound brute-force`
    adds) on a model of `config`, from its dimensions alone: nothing is allocated or computed.

    Complexity: O(1) (integer arithmetic on V, n, d_model, d_head).
    What is estimated (upper estimates; the near-tie refinement's FLOPs are data-dependent, left out):
      * n_inputs = V^n;
      * flops = exactly the FlopCounter total `run` reports before refinement: the path matrices
        O(V^2 d), the tables O(V^3 n), and per input (n-1) V additions, a max over V, n + 2 more;
      * float32_ops = 3 n V^n (the float64 screen of pipeline.model.evaluate; torch runs only on the
        inputs it leaves, typically a small fraction);
      * peak_bytes = max(brute force, float32 accuracy), where the brute force holds its interval
        tables T [V, n, V, V] (16 bytes per entry, ~4 copies while built), per query ~6 float64
        arrays of V^(inner+1) (inner = min(n-1, 2)), the pending near ties (<= REFINE_LIMIT inputs)
        and one refinement chunk, plus V^n bytes of status with keep_status; the float32 accuracy
        holds 2 V^n bytes of screen masks, up to 8 V^n bytes of unsettled input numbers, ~(n + 6)
        int64/float64 arrays of V^(n-1) per query, and its torch batches.
    `budget_problem` compares the estimate with BUDGET_FLOPS and BUDGET_BYTES.
    """
    from ..flops import FlopCounter

    V, n, h = config.d_vocab, config.n_ctx, config.d_head
    n_inputs = V**n
    fc = FlopCounter()
    _count_table_flops(fc, config)
    _count_input_flops(fc, n_inputs, V, n)
    inner = min(n - 1, 2)
    refine_inputs = min(REFINE_LIMIT, n_inputs)
    bf_bytes = (4 * 16 * V**3 * n + 6 * 8 * V ** (inner + 1) + 2 * 8 * n * refine_inputs
                + 5 * 16 * min(REFINE_CHUNK, refine_inputs) * n * V + (n_inputs if keep_status else 0))
    f32_ops = f32_bytes = 0
    if float32:
        f32_ops = 3 * n * n_inputs
        batch = min(1 << 15, n_inputs)
        f32_bytes = 10 * n_inputs + 8 * (n + 6) * V ** (n - 1) + 4 * 4 * batch * (2 * n * h + V + n)
    flops = fc.total
    return Estimate(V=V, n=n, n_inputs=n_inputs, flops=flops, float32_ops=f32_ops,
                    peak_bytes=max(bf_bytes, f32_bytes), seconds=(flops + f32_ops) / FLOPS_PER_SECOND)


def budget_problem(est: Estimate, budget_flops: int | None = None, budget_bytes: int | None = None) -> str | None:
    """None if `est` is within the budget (default BUDGET_FLOPS, BUDGET_BYTES, read at call time);
    else one sentence: the estimate, the budget and the alternative (ALTERNATIVE)."""
    budget_flops = BUDGET_FLOPS if budget_flops is None else budget_flops
    budget_bytes = BUDGET_BYTES if budget_bytes is None else budget_bytes
    if est.flops + est.float32_ops <= budget_flops and est.peak_bytes <= budget_bytes:
        return None
    return (f"{est.describe()}, over the brute-force budget of {budget_flops:.0e} FLOPs and "
            f"{_human_bytes(budget_bytes)}: {ALTERNATIVE}")


def _human_seconds(s: float) -> str:
    for unit, size in (("years", 365.25 * 86400), ("days", 86400), ("h", 3600), ("min", 60)):
        if s >= 2 * size:
            v = s / size
            return f"{v:.2g} {unit}" if v >= 1e4 else f"{v:.0f} {unit}"
    return f"{s:.0f} s" if s >= 1 else "1 s"


def _human_bytes(b: float) -> str:
    for unit, size in (("EiB", 1 << 60), ("PiB", 1 << 50), ("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20)):
        if b >= size:
            v = b / size
            return f"{v:.3g} {unit}" if v < 1e4 else f"{v:.2g} {unit}"
    return f"{b / 1024:.0f} KiB"


def weighted_logit_tables(weights: Weights, flops: FlopCounter, P=None, s=None):
    """Interval tables T[q,i,t,y] = exp(score(q,i,t)/s - c_q) * (EUPU[q,y] + EVOU[t,y] + PVOU[i,y]).

    Complexity: O(V^2 n) exp enclosures, O(V^3 n) interval products.
    Preconditions: weights finite (make_weights).
    Postconditions: Tlo <= w*L <= Thi for the exact w, L, with c_q an exact float per q;
    shape [V(q), n(i), V(t), V(y)].
    """
    cfg = weights.config
    V, n = cfg.d_vocab, cfg.n_ctx
    if P is None:
        P, s = path_intervals(weights), sqrt_enclosure(cfg.d_head)
    _count_table_flops(flops, cfg)
    scores = (P.EQKE[:, None, :] + P.EQKP[:, :, None]).div_pos(s)  # [V(q), n(i), V(t)]
    shift = scores.hi.reshape(V, -1).max(axis=1)  # c_q, an exact float per q
    w = (scores - shift[:, None, None]).exp()  # [V(q), n(i), V(t)], each in (0, ~1]
    L = P.EUPU[:, None, None, :] + P.EVOU[None, None, :, :] + P.PVOU[None, :, None, :]  # [q, i, t, y]
    T = w[:, :, :, None] * L
    return T


def _count_table_flops(flops: FlopCounter, cfg) -> None:
    """The FLOPs of `weighted_logit_tables` (path matrices, scores, exponentials, table products)."""
    V, n = cfg.d_vocab, cfg.n_ctx
    count_path_flops(flops, cfg)
    flops.elementwise("bf/scores", (V, n, V), ops=2)
    flops.elementwise("bf/exp", (V, n, V), ops=2)
    flops.elementwise("bf/table", (V, n, V, V), ops=3)


def _count_input_flops(flops: FlopCounter, n_inputs: int, V: int, n: int) -> None:
    """Per input: (n-1) row additions of length V, a max over V, n lookups and adds, 2 compares."""
    flops.elementwise("bf/sums", (n_inputs, V), ops=n - 1)
    flops.reduction("bf/max", (n_inputs,), V)
    flops.elementwise("bf/classify", (n_inputs,), ops=n + 2)


def run(weights: Weights, progress: bool = False, float32_accuracy=None, keep_status: bool = False) -> BoundResult:
    """Certified enclosure [accuracy_lo, accuracy_hi] of the exact accuracy (see module docstring).

    Complexity: O(V^n V) float64 operations, O(V^3 n) interval operations.
    Preconditions: weights validated by make_weights.
    With keep_status, diagnostics["status"] is an int8 array indexed by the n tokens: +1 certainly
    correct, -1 certainly wrong, 0 undecided (V^n bytes: small models only).
    Postconditions: n_correct inputs are certainly correct, n_wrong certainly wrong,
    n_correct + n_wrong + n_undecided = V^n; accuracy_lo = n_correct / V^n <= true accuracy
    <= (V^n - n_wrong) / V^n = accuracy_hi.
    """
    t0 = time.perf_counter()
    cfg = weights.config
    V, n = cfg.d_vocab, cfg.n_ctx
    flops = FlopCounter()
    P, s = path_intervals(weights), sqrt_enclosure(cfg.d_head)
    T = weighted_logit_tables(weights, flops, P, s)
    Thi, Tlo = T.hi, T.lo  # [q, i, t, y]
    k = n - 1  # non-query positions
    inner = min(k, 2)  # positions vectorized (the last `inner` non-query positions)
    outer = k - inner
    n_correct = n_wrong = 0
    tokens = np.arange(V)
    # per-input status (+1 certainly correct, -1 certainly wrong, 0 undecided), indexed by the tokens
    status = np.zeros((V,) * n, dtype=np.int8) if keep_status else None
    pending, n_pending = [], 0  # undecided inputs, re-evaluated one by one with their own shift
    for q in progress_bar(range(V), desc="brute force", unit="query", disable=not progress):
        Th, Tl = Thi[q], Tlo[q]  # [n(i), V(t), V(y)]
        mag = np.maximum(np.abs(Th), np.abs(Tl)).max(axis=2)  # [n(i), V(t)]: max_y |T[q,i,t,y]|
        if not np.all(np.isfinite(mag)):
            raise OverflowError("brute force: weighted logits overflow float64; cannot certify")
        for prefix in product(range(V), repeat=outer):
            c, w = _classify(Th, Tl, mag, q, prefix, inner, V, n, tokens)
            n_correct += int(c.sum())
            n_wrong += int(w.sum())
            if status is not None:
                status[prefix + (Ellipsis, q)] = c.astype(np.int8) - w.astype(np.int8)
            und = np.argwhere(~(c | w))  # [N, inner] tokens of the undecided inputs
            if len(und) and n_pending < REFINE_LIMIT:
                toks = np.empty((len(und), n), dtype=np.int64)
                toks[:, :outer] = prefix
                toks[:, outer:k] = und
                toks[:, k] = q
                pending.append(toks)
                n_pending += len(toks)
    if pending:
        toks = np.concatenate(pending)[:REFINE_LIMIT]
        c, w = refine(P, s, toks, progress)
        flops.elementwise("bf/refine", (len(toks), n, V), ops=6)
        n_correct += int(c.sum())
        n_wrong += int(w.sum())
        if status is not None:
            status[tuple(toks.T)] = c.astype(np.int8) - w.astype(np.int8)
    n_inputs = V**n
    _count_input_flops(flops, n_inputs, V, n)
    n_undecided = n_inputs - n_correct - n_wrong
    seconds = time.perf_counter() - t0
    return BoundResult(
        strategy="brute-force",
        model_sha256=weights.sha256,
        n_inputs=n_inputs,
        n_proved=n_correct,
        flops=flops.total,
        seconds=seconds,
        extra={
            "n_correct": n_correct,
            "n_wrong": n_wrong,
            "n_undecided": n_undecided,
            "accuracy_lo": float(Fraction(n_correct, n_inputs)),
            "accuracy_hi": float(Fraction(n_inputs - n_wrong, n_inputs)),
            "float32_accuracy": float32_accuracy,
        },
        diagnostics={"flops": flops.as_dict(), "status": status},
        report_keys=REPORT_KEYS,
    )


def _classify(Th, Tl, mag, q, prefix, inner, V, n, tokens):
    """Count certainly-correct and certainly-wrong inputs with query q and the given prefix tokens.

    Th/Tl: [n(i), V(t), V(y)] upper/lower tables for this q; mag[i, t] = max_y max(|Th|, |Tl|).
    The inputs are (prefix..., a, b, q) with (a, b) ranging over the last `inner` non-query
    positions.  Per input, sum |terms| of the two n-term sums and their difference is at most
    2 * sum_i mag[i, t_i]; that float sum of n non-negative terms is itself rounded, by a relative
    gamma_n < 2^-40 for any n here, hence the factor 2 (1 + 2^-40) (whose own product rounding,
    relative 2^-53, is also covered) before `sum_rounding_bound` rounds the final bound up.
    Returns bool arrays (certainly correct, certainly wrong), each [V]*inner over (a, b).
    """
    outer = len(prefix)
    hi = Th[n - 1, q].copy()  # [V(y)] query slot
    lo = Tl[n - 1, q].copy()
    ms = mag[n - 1, q]
    for i, t in enumerate(prefix):
        hi += Th[i, t]
        lo += Tl[i, t]
        ms = ms + mag[i, t]
    m0 = max((q,) + tuple(prefix))
    shape = (V,) * inner  # [a, b]
    H = np.broadcast_to(hi, shape + (V,)).copy()  # [a, b, y] upper sums at every y
    Lo = np.broadcast_to(lo, shape + (V,)).copy()  # [a, b, y] lower sums at every y
    m = np.full(shape, m0)
    for j in range(inner):
        i = outer + j
        idx = [None] * inner + [slice(None)]
        idx[j] = slice(None)
        H += Th[i][tuple(idx)]
        Lo += Tl[i][tuple(idx)]
        ms = ms + mag[i].reshape([V if jj == j else 1 for jj in range(inner)])
        tok_shape = [1] * inner
        tok_shape[j] = V
        m = np.maximum(m, tokens.reshape(tok_shape))
    mi = m[..., None]
    hi_m = np.take_along_axis(H, mi, axis=-1)[..., 0]  # [a, b] upper sum at the right answer
    lo_m = np.take_along_axis(Lo, mi, axis=-1)[..., 0]
    np.put_along_axis(H, mi, -np.inf, axis=-1)
    np.put_along_axis(Lo, mi, -np.inf, axis=-1)
    err = sum_rounding_bound(2 * n, ms * (2 * (1 + 2.0**-40)))  # [a, b], rounded up
    correct = (H.max(axis=-1) - lo_m) < -err
    wrong = (Lo.max(axis=-1) - hi_m) >= err
    return correct, wrong


def refine(P, s: Interval, tokens: np.ndarray, progress: bool = False):
    """Re-evaluate individual inputs in intervals with a per-input exponent shift.

    Complexity: O(N n V) interval operations and N n exponential enclosures for N inputs.
    Preconditions: P from path_intervals, s encloses sqrt(d_head); tokens [N, n] ints in [0, V).
    Postconditions: returns (correct, wrong) bool [N]: correct[j] only if for every y != m the interval
    sum_i w_i (L_i[y] - L_i[m]) is certainly < 0 (so logit[m] > logit[y] exactly); wrong[j] only if some
    y != m has that sum certainly >= 0 (logit[y] >= logit[m], a tie counting as wrong).
    """
    V, n = P.EUPU0.shape[0], P.PVOU.shape[0]
    EUPU, EVOU = P.EUPU, P.EVOU
    correct = np.zeros(len(tokens), dtype=bool)
    wrong = np.zeros(len(tokens), dtype=bool)
    chunks = range(0, len(tokens), REFINE_CHUNK)
    for a in progress_bar(chunks, desc="refine near-ties", unit="chunk", disable=not progress or len(chunks) < 4):
        x = tokens[a : a + REFINE_CHUNK]  # [N, n]
        N = len(x)
        q = x[:, -1]
        m = x.max(axis=1)
        pos = np.arange(n)
        scores = (P.EQKE[q[:, None], x] + P.EQKP[q[:, None], pos[None, :]]).div_pos(s)  # [N, n]
        w = (scores - scores.hi.max(axis=1)[:, None]).exp()  # [N, n], the largest weight ~1
        Lq = EUPU[q]  # [N, V(y)]
        D = (Lq - Lq[np.arange(N), m][:, None])[:, None, :]  # [N, 1, V]: EUPU[q,y] - EUPU[q,m]
        Ev = EVOU[x]  # [N, n, V]
        D = D + (Ev - Ev[np.arange(N)[:, None], pos[None, :], m[:, None]][:, :, None])
        Pv = P.PVOU[pos]  # [n, V]
        D = D + (Pv[None, :, :] - P.PVOU[pos[None, :], m[:, None]][:, :, None])  # [N, n, V]
        S = (w[:, :, None] * D).sum(axis=1)  # [N, V(y)]
        is_m = np.arange(V)[None, :] == m[:, None]
        correct[a : a + N] = np.where(is_m, True, S.certainly_neg()).all(axis=1)
        wrong[a : a + N] = np.where(is_m, False, S.certainly_nonneg()).any(axis=1)
    return correct, wrong
