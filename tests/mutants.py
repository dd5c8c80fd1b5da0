"""Mutation harness for the sound core: every weakening below must make at least one test fail.

    make mutants                                   (or: .venv/bin/python tests/mutants.py)
    .venv/bin/python tests/mutants.py NAME ...     (only these mutants)
    .venv/bin/python tests/mutants.py --list       (names, files and test targets)
    .venv/bin/python tests/mutants.py --markdown   (also print the kill table as Markdown)

Never part of the default test suite (it runs pytest once per mutant).  The tracked files of the
repository are copied into a temporary directory once; each mutant edits its file there, runs only
its own test targets (`pytest -x`, so it stops at the first failure, with PYTHONPATH pointing at the
copy and no bytecode written), and the file is restored.  The working tree is never touched.

A mutant is KILLED when pytest exits 1 (a test failed).  Exit 0 (all passed) means it SURVIVED: add the
missing test.  Any other exit (collection error, timeout) is an ERROR.  Afterwards the killing tests
are re-run on the unmutated copy, where they must pass (a kill by a test that fails anyway is no kill).
Every `old` text must occur exactly once in its file, so the list cannot silently rot when the code
moves: a missing or ambiguous pattern is reported and makes the harness exit non-zero, as does any
survivor or error.  A mutant may carry one alternative edit set (`alt`) for the schema-v2 / cubic+
code of branch v2cert (validated on that code); the first set whose old texts all occur exactly once
is applied.  Once v2 has landed, the v1 sets can be dropped and `alt` promoted to `edits`.

MUTANTS is the single list to update when the code changes: (name, file, [(old, new), ...], targets).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 300  # seconds per mutant


@dataclass(frozen=True)
class Mutant:
    name: str
    file: str  # relative to the repository root
    edits: tuple  # ((old, new), ...): each old must occur exactly once in the file
    targets: tuple  # pytest arguments (paths, node ids, -k expressions), fastest killer first
    what: str  # one line: the weakening
    alt: tuple = ()  # an alternative edit set for a newer version of the file (used when `edits` does not match)

    def variants(self):
        return [self.edits] + ([self.alt] if self.alt else [])


M = Mutant
MUTANTS = [
    M("bf-rounding-bound", "pipeline/strategies/brute_force.py",
      (("    err = sum_rounding_bound(2 * n, ms * (2 * (1 + 2.0**-40)))  # [a, b], rounded up",
        "    err = sum_rounding_bound(2 * n, ms * (2 * (1 + 2.0**-40))) * 0  # MUTANT"),),
      ("tests/test_nearties.py", "-k", "exact-points"),
      "brute force: per-input rounding-error bound multiplied by 0"),
    M("interval-add-outward", "pipeline/numerics/interval.py",
      (("    lo = _widen_down(s)  # ROUND DOWN\n    np.add(x_hi, y_hi, out=s)\n    return lo, _widen_up(s)  # ROUND UP",
        "    lo = s.copy()  # MUTANT\n    np.add(x_hi, y_hi, out=s)\n    return lo, s"),),
      ("tests/test_numerics.py",),
      "interval addition: round-to-nearest endpoints, no outward widening"),
    M("interval-mul-outward", "pipeline/numerics/interval.py",
      (("        lo_w = _widen_down(lo, scratch=p)  # ROUND DOWN the min (result in buffer p)\n"
        "        hi_w = _widen_up(hi, scratch=lo)  # ROUND UP the max (result in buffer lo)",
        "        lo_w, hi_w = lo, hi  # MUTANT"),),
      ("tests/test_numerics.py",),
      "interval x interval product: no outward widening"),
    M("interval-mul-point-outward", "pipeline/numerics/interval.py",
      (("        lo_w = _widen_down(qlo, scratch=q2)  # ROUND DOWN\n        hi_w = _widen_up(qhi, scratch=qlo)  # ROUND UP",
        "        lo_w, hi_w = qlo, qhi  # MUTANT"),),
      ("tests/test_numerics.py",),
      "point x interval product: no outward widening"),
    M("interval-matmul-outward", "pipeline/numerics/interval.py",
      (("            slo, shi = _tree_sum(plo, phi, plo.ndim - 2)  # [..., m, n]",
        "            slo, shi = plo.sum(axis=plo.ndim - 2), phi.sum(axis=phi.ndim - 2)  # MUTANT"),),
      ("tests/test_numerics.py", "-k", "matmul"),
      "matmul: the k products summed in plain float64 (no outward rounding of the accumulation)"),
    M("cubic-high-arrangement", "pipeline/strategies/cubic.py",
      (("            for a, b in ((a_low, b_low), (a_high, b_high)):",
        "            for a, b in ((a_low, b_low),):  # MUTANT"),),
      ("tests/test_cubic.py", "tests/test_certify.py"),
      "cubic: only the low arrangement of the positional weights is checked",
      alt=(("        AB = [(stack([sm[i] for sm in sums])[cc, qq], stack([sm[i + 1] for sm in sums])[cc, qq]) for i in (0, 2)]",
            "        AB = [(stack([sm[i] for sm in sums])[cc, qq], stack([sm[i + 1] for sm in sums])[cc, qq]) for i in (0,)]"),
           ("            self.arr.append(((cs[:, r], tot - cs[:, r]), (tot - cs[:, n - 1 - r], cs[:, n - 1 - r])))",
            "            self.arr.append(((cs[:, r], tot - cs[:, r]),))  # MUTANT"))),
    M("replay-high-arrangement", "pipeline/certificate/replay.py",
      (("    for high in (False, True):", "    for high in (False,):  # MUTANT"),),
      ("tests/test_replay.py", "-k", "certgen_replays_and_is_sound or coarse or placement"),
      "replay: only the low arrangement is checked"),
    M("c0-split-maxima-sign", "pipeline/strategies/cubic.py",
      (("        Z = EUc + EVmm[None, :, :] + PVc[i][None, :, :]  # [q, m, y]",
        "        Z = EUc + EVmm[None, :, :] - PVc.max(axis=0)[None, :, :]  # MUTANT"),),
      ("tests/test_nearties.py", "-k", "cubic_c0", "tests/test_cubic.py"),
      "cubic c = 0 check: positional term replaced by its split maximum over positions, with a sign error",
      alt=(("    R1 = A[:, None] * EUPU + p_nq @ P.PVOU[: n - 1]  # [q, y]",
            "    R1 = A[:, None] * EUPU - A[:, None] * P.PVOU[: n - 1].max(axis=0)[None, :]  # MUTANT"),)),
    M("replay-taylor-remainder", "pipeline/certificate/replay.py",
      (("            total += 2 * t  # remainder sum_{i >= NT} r^i/i! <= 2 r^NT/NT! for r <= 1",
        "            pass  # MUTANT"),),
      ("tests/test_replay.py", "-k", "exp"),
      "replay exp_upper: the Taylor remainder term dropped"),
    M("check-sqrt-one-sided", "pipeline/certificate/replay.py",
      (("    if s_hi * s_hi < (h << (2 * F)):\n        return \"s_hi^2 < h 4^F\"\n", ""),),
      ("tests/test_replay.py", "-k", "sqrt"),
      "replay check_sqrt: the upper end s_hi is never checked"),
    M("count-off-by-one", "pipeline/certificate/replay.py",
      (("        total += math.comb(n - 1, c) * popcount(mask) ** c",
        "        total += math.comb(n, c) * popcount(mask) ** c  # MUTANT"),),
      ("tests/test_replay.py", "-k", "certgen_replays_and_is_sound or claimed_count"),
      "replay check_count: C(n, c) instead of C(n-1, c)"),
    M("replay-mask-range", "pipeline/certificate/replay.py",
      (("        if not (0 <= mask and mask < (1 << m)):", "        if not (0 <= mask):  # MUTANT"),),
      ("tests/test_replay.py", "-k", "mask"),
      "replay check_cells: mask bits at or above m accepted",
      alt=(("        if not (1 <= mask and mask < (1 << m)):", "        if not (1 <= mask):  # MUTANT"),)),
    M("cubic-k-lt-m", "pipeline/strategies/cubic.py",
      (("            S = ok & k_lt_m & allowed[:, :, None]", "            S = ok & allowed[:, :, None]  # MUTANT"),),
      ("tests/test_cubic.py",),
      "cubic: the condition k < m dropped from the S sets",
      alt=(("    S_prop &= search.ar[None, :] < mm[:, None]\n", "    pass  # MUTANT\n"),)),
    M("schema-duplicate-key", "pipeline/certificate/schema.py",
      (("        if k in out:\n            raise ValueError(f\"duplicate key {k!r}\")\n", ""),),
      ("tests/test_replay.py", "-k", "schema_errors"),
      "schema: duplicate JSON keys accepted (the last one wins)"),
    M("interval-sub-outward", "pipeline/numerics/interval.py",
      (("    lo = _widen_down(s)  # ROUND DOWN\n    np.subtract(x_hi, y_lo, out=s)\n    return lo, _widen_up(s)  # ROUND UP",
        "    lo = s.copy()  # MUTANT\n    np.subtract(x_hi, y_lo, out=s)\n    return lo, s"),),
      ("tests/test_numerics.py",),
      "interval subtraction: round-to-nearest endpoints, no outward widening"),
    M("replay-ub-endpoint", "pipeline/certificate/replay.py",
      (("    if z >= 0:\n        return whi * z\n    return wlo * z", "    return whi * z  # MUTANT"),),
      ("tests/test_teeth.py", "tests/test_replay.py"),
      "replay ub(w, z): the upper weight also for negative z (an underestimate)"),
    M("replay-c0-sign", "pipeline/certificate/replay.py",
      (("    L = list(map(operator.add, map(operator.add, paths[\"EUPU\"][q], paths[\"EVOU\"][t]), paths[\"PVOU\"][i]))",
        "    L = list(map(operator.sub, map(operator.add, paths[\"EUPU\"][q], paths[\"EVOU\"][t]), paths[\"PVOU\"][i]))"),),
      ("tests/test_nearties.py", "tests/test_replay.py", "-k", "replay_never or certgen"),
      "replay c = 0 check (z_row, shared with the exact kind's verdicts): sign error on the positional term",
      alt=(("            Z = (EUPU[q][y] - EUPU[q][m]) + (EVOU[t][y] - EVOU[t][m]) + (PVOU[i][y] - PVOU[i][m])",
            "            Z = (EUPU[q][y] - EUPU[q][m]) + (EVOU[t][y] - EVOU[t][m]) - (PVOU[i][y] - PVOU[i][m])  # MUTANT"),)),
    # The exact kind (FORMAT.md "The exact certificate", checks 10x-12): tests/test_exact.py judges
    # the replay's claims against an independent recount and the truth.
    M("replay-exact-lb-endpoint", "pipeline/certificate/replay.py",
      (("    if z >= 0:\n        return wlo * z\n    return whi * z", "    return wlo * z  # MUTANT"),),
      ("tests/test_exact.py", "-k", "bracket or undecided"),
      "replay lb(w, z): the lower weight also for negative z (an overestimate: inputs proved wrong too eagerly)"),
    M("replay-exact-ok-tie", "pipeline/certificate/replay.py",
      (("    return max(input_sums(x, m, ub, rows, paths, elo, ehi, plo, phi)) < 0",
        "    return max(input_sums(x, m, ub, rows, paths, elo, ehi, plo, phi)) <= 0  # MUTANT"),),
      ("tests/test_exact.py", "-k", "bracket or truly_wrong"),
      "replay input_ok (c0 and residual): a zero upper sum (a possible tie) accepted as correct"),
    M("replay-exact-top-shortcut", "pipeline/certificate/replay.py",
      (("    return ub(wlo, whi, max(z_row(m, q, t, i, paths)))",
        "    return ub(wlo, whi, min(z_row(m, q, t, i, paths)))  # MUTANT"),),
      ("tests/test_exact.py", "-k", "bracket"),
      "replay row_top: the shortcut bound built from the smallest Z instead of the largest (accepts too much)"),
    M("replay-exact-head-cache", "pipeline/certificate/replay.py",
      (("        if kept is not None and kept[0] == x[0:j]:", "        if kept is not None:  # MUTANT"),),
      ("tests/test_exact.py", "-k", "bracket"),
      "replay input_sums: a kept partial sum reused for another prefix"),
    M("replay-exact-wrong-uses-ub", "pipeline/certificate/replay.py",
      (("    if max(input_sums(x, m, lb, rows, paths, elo, ehi, plo, phi)) >= 0:",
        "    if max(input_sums(x, m, ub, rows, paths, elo, ehi, plo, phi)) >= 0:  # MUTANT"),),
      ("tests/test_exact.py", "-k", "undecided or bracket"),
      "replay input_verdict: 'proved wrong' tested on the upper sums (every unproved input called wrong)"),
    M("replay-exact-mask-flip", "pipeline/certificate/replay.py",
      (("                    if (mask >> k) & 1:\n                        S.append(k)",
        "                    if not (mask >> k) & 1:  # MUTANT\n                        S.append(k)"),),
      ("tests/test_exact.py", "-k", "residual_order or bracket"),
      "replay residual_inputs: S and A \\ S swapped (the residual enumerates the covered inputs)"),
    M("replay-exact-lower-claim", "pipeline/certificate/replay.py",
      (("    if claimed != covered + n_ok:", "    if False:  # MUTANT"),),
      ("tests/test_exact.py", "-k", "off_by_one"),
      "replay check_exact_claim: claimed_count never compared with cubic_count + n_ok"),
    M("replay-exact-upper-claim", "pipeline/certificate/replay.py",
      (("    if upper != NI - n_wrong:", "    if False:  # MUTANT"),),
      ("tests/test_exact.py", "-k", "off_by_one"),
      "replay check_exact_claim: claimed_upper never compared with V^n - n_wrong"),
    M("replay-exact-budget", "pipeline/certificate/replay.py",
      (("    if residual_work(V, n, NI - covered, residual_words(paths, elo, ehi, plo, phi)) > MAX_RESIDUAL_WORK:",
        "    if False:  # MUTANT"),),
      ("tests/test_exact.py", "-k", "budget_refusal"),
      "replay: the residual work never bounded before check 11"),
    M("schema-exact-upper-on-cubic", "pipeline/certificate/schema.py",
      (("    _keys(obj, EXACT_KEYS if exact else TOP_KEYS, \"certificate\")",
        "    _keys(obj, EXACT_KEYS if exact or \"claimed_upper\" in obj else TOP_KEYS, \"certificate\")  # MUTANT"),),
      ("tests/test_exact.py", "-k", "strategy_and_key"),
      "schema: claimed_upper accepted on a cubic certificate"),
    M("exp-outward", "pipeline/numerics/transcendental.py",
      (("    c = to_float(y_hi, rnd=\"c\")\n    while mpf_cmp(from_float(c), y_hi) < 0:  # exact comparison; step UP until c >= y_hi\n"
        "        c = math.nextafter(c, math.inf)\n",
        "    c = to_float(y, rnd=\"n\")  # MUTANT\n"),),
      ("tests/test_numerics.py", "-k", "exp"),
      "interval exp: upper endpoint rounded to nearest instead of up"),
    M("sum-rounding-gamma-half", "pipeline/numerics/interval.py",
      (("    nu = Fraction(n_terms - 1, 2**53)", "    nu = Fraction(n_terms - 1, 2**54)  # MUTANT"),),
      ("tests/test_numerics.py", "-k", "sum_rounding", "tests/test_nearties.py"),
      "sum_rounding_bound: gamma_{n-1} with u = 2^-54 (half the bound)"),
    M("replay-hash-compare", "pipeline/certificate/replay.py",
      (("    if digest != cert[\"model_sha256\"]:", "    if False:  # MUTANT"),),
      ("tests/test_replay.py", "-k", "mantissa or sha256"),
      "replay: the weights' hash never compared with model_sha256"),
    M("replay-float32-check", "pipeline/certificate/replay.py",
      (("            if float32_bits(mants[i], e) < 0:", "            if False:  # MUTANT"),),
      ("tests/test_replay.py", "-k", "float32 or mantissa"),
      "replay check_float32: non-float32 mantissas accepted"),
    M("replay-orders-sorted", "pipeline/certificate/replay.py",
      (("            if EQKP[q][o[i]] > EQKP[q][o[i + 1]]:", "            if False:  # MUTANT"),),
      ("tests/test_replay.py", "-k", "order"),
      "replay check_orders: sortedness by EQKP never checked"),
    M("replay-exp-lo-check", "pipeline/certificate/replay.py",
      (("        if H < 0 or lo * H > (1 << (2 * F)):", "        if H < 0:  # MUTANT"),),
      ("tests/test_replay.py", "-k", "exp"),
      "replay check_exp_neg: the lower end of an exp enclosure never checked"),
    M("replay-cmax", "pipeline/certificate/replay.py",
      (("            cmax = n - 2\n", "            pass  # MUTANT\n"),),
      ("tests/test_teeth.py",),
      "replay check_cells: c = n-1 accepted for q < m (no copy of m left: the max is not m)"),
    M("cubic-sorted-sums-lo", "pipeline/strategies/cubic.py",
      (("    lo, hi = np.sort(p_nq.lo, axis=1), np.sort(p_nq.hi, axis=1)",
        "    lo, hi = np.sort(p_nq.lo, axis=1), np.sort(p_nq.lo, axis=1)  # MUTANT"),),
      ("tests/test_teeth.py",),
      "cubic: positional sums enclosed by the lower endpoints only"),
    M("cubic-c-range", "pipeline/strategies/cubic.py",
      (("            allowed = valid_qm & ((q_idx[:, :, 0] == m_idx[:, :, 0]) | (c <= n - 2))  # [q, m]",
        "            allowed = valid_qm  # MUTANT"),),
      ("tests/test_teeth.py", "tests/test_cubic.py"),
      "cubic: c = n-1 allowed for q < m (cells whose inputs hold no copy of m)",
      alt=(("        self.allowed = np.stack([valid & ((ar[:, None] == ar[None, :]) | (c <= n - 2)) for c in range(1, n)])",
            "        self.allowed = np.stack([valid for c in range(1, n)])  # MUTANT"),)),
    M("schema-bool-is-int", "pipeline/certificate/schema.py",
      (("    return type(x) is int", "    return isinstance(x, int)  # MUTANT"),),
      ("tests/test_replay.py", "-k", "schema"),
      "schema: JSON true/false accepted as integers"),
    M("archive-hash", "pipeline/archive.py",
      (("        elif files[rel] != actual[rel]:", "        elif False:  # MUTANT"),),
      ("tests/test_archive.py", "-k", "flipped_byte or manifest"),
      "archive verify: a file's sha256 never compared with the manifest's"),
    # The Coq twin (coq/Checker.v): each weakening must make Checker.v accept a certificate that the
    # replay rejects (tests/test_coq.py test_targeted_rejections_in_coq builds one per check).
    M("coq-high-arrangement", "coq/Checker.v",
      (("  arrangement_ok low el eh gk && arrangement_ok high el eh gk.",
        "  arrangement_ok low el eh gk.  (* MUTANT *)"),),
      ("tests/test_coq.py", "-k", "targeted"),
      "Checker.v cell_k_ok: only the low arrangement is checked"),
    M("coq-taylor-remainder", "coq/Checker.v",
      (("  | O => total + 2 * ceil_div (t * r) (BigZ.shiftl i F)", "  | O => total  (* MUTANT *)"),),
      ("tests/test_coq.py", "-k", "targeted"),
      "Checker.v exp_upper: the Taylor remainder term 2 t_NT dropped"),
    M("coq-sqrt-one-sided", "coq/Checker.v",
      (("  (s_lo * s_lo <=? BigZ.shiftl h (2 * F)) && (BigZ.shiftl h (2 * F) <=? s_hi * s_hi).",
        "  (s_lo * s_lo <=? BigZ.shiftl h (2 * F)).  (* MUTANT *)"),),
      ("tests/test_coq.py", "-k", "targeted"),
      "Checker.v check_sqrt: the upper end s_hi is never checked"),
    M("coq-count-off-by-one", "coq/Checker.v",
      (("  choose (n - 1) (cell_c x) * pow_nat", "  choose n (cell_c x) * pow_nat"),),
      ("tests/test_coq.py", "-k", "targeted"),
      "Checker.v check_count: C(n, c) instead of C(n-1, c)"),
    M("coq-mask-range", "coq/Checker.v",
      (("  then (1 <=? cell_mask x) && (cell_mask x <? pow2 m)  (* m < V is small here *)",
        "  then true  (* MUTANT *)"),),
      ("tests/test_coq.py", "-k", "targeted"),
      "Checker.v check_cells: the mask range 1 <= mask < 2^m never checked (empty masks, bits >= m)"),
    M("coq-table-shapes", "coq/Checker.v",
      (("  is_shape V n (eqkp_lo c) && is_shape V n (eqkp_hi c) &&\n", ""),),
      ("tests/test_coq.py", "-k", "targeted"),
      "Checker.v check_header: the exp_eqkp table shapes never checked (a short row reads nth's default 0)"),
    # The exact kind's Coq twin (coq/CheckerExact.v): each weakening changes some verdict or the
    # residual, so check_exact disagrees with the replay (tests/test_coq_exact.py differential).
    M("coq-exact-lb-endpoint", "coq/CheckerExact.v",
      (("Definition lb (wlo whi z : bigZ) : bigZ := if 0 <=? z then wlo * z else whi * z.",
        "Definition lb (wlo whi z : bigZ) : bigZ := if 0 <=? z then whi * z else wlo * z.  (* MUTANT *)"),),
      ("tests/test_coq_exact.py", "-k", "differential"),
      "CheckerExact.v lb: the upper weight end on z >= 0 (every undecided input called wrong)"),
    M("coq-exact-skip-S", "coq/CheckerExact.v",
      (("               | S c' => flat_map (fun s => map (cons s) (gen_out m S O A L' c')) S\n",
        "               | S c' => [] (* MUTANT *)\n"),),
      ("tests/test_coq_exact.py", "-k", "differential"),
      "CheckerExact.v gen_out: the prefixes starting with a token of S are never enumerated"),
    M("coq-exact-all-ok", "coq/CheckerExact.v",
      (("  if all_neg_except m O (sums ub E toks) then O", "  if true then O  (* MUTANT *)"),),
      ("tests/test_coq_exact.py", "-k", "differential"),
      "CheckerExact.v verdict: every residual input called proved correct"),
]


def copy_tree(dest: Path) -> None:
    """Copy the repository's tracked files (their working-tree contents) into dest."""
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
        files = [f for f in out.decode().split("\0") if f]
    except (OSError, subprocess.CalledProcessError):
        files = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file()
                 and not any(part in (".venv", ".git", "__pycache__") for part in p.relative_to(ROOT).parts)]
    here = str(Path(__file__).resolve().relative_to(ROOT).parent)
    extra = [str(p.relative_to(ROOT)) for p in (ROOT / here).glob("*.py")]  # untracked test files too
    for rel in sorted(set(files) | set(extra)):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)


def choose_edits(mu: Mutant, text: str | None):
    """The first edit set of mu whose old texts all occur exactly once in text, or None."""
    for edits in mu.variants():
        if text is not None and all(text.count(old) == 1 for old, _new in edits):
            return edits
    return None


def check_patterns(mutants) -> list[str]:
    """Problems: no edit set whose old texts all occur exactly once (missing or ambiguous)."""
    problems = []
    for mu in mutants:
        path = ROOT / mu.file
        text = path.read_text() if path.is_file() else None
        if choose_edits(mu, text) is None:
            counts = [[0 if text is None else text.count(old) for old, _ in edits] for edits in mu.variants()]
            problems.append(f"{mu.name}: no edit set matches {mu.file} exactly once (old-text counts {counts})")
    return problems


def _env(tree: Path) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(tree) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run_pytest(tree: Path, args, timeout: int = TIMEOUT):
    """(returncode or None on timeout, seconds, first failing node id or '')."""
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *args]
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, cwd=tree, env=_env(tree), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, time.perf_counter() - t0, ""
    seconds = time.perf_counter() - t0
    m = re.search(r"^(?:FAILED|ERROR) (\S+)", p.stdout, re.M)
    return p.returncode, seconds, (m.group(1) if m else "")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Apply each weakening mutation of the sound core to a temporary "
                                             "copy of the repository and check that some test kills it.")
    ap.add_argument("names", nargs="*", help="run only these mutants (default: all)")
    ap.add_argument("--list", action="store_true", help="list the mutants and their test targets, then exit")
    ap.add_argument("--markdown", action="store_true", help="also print the kill table as a Markdown table")
    ap.add_argument("--timeout", type=int, default=TIMEOUT, help="seconds allowed per mutant (default 300)")
    args = ap.parse_args(argv)
    mutants = [mu for mu in MUTANTS if not args.names or mu.name in args.names]
    unknown = set(args.names) - {mu.name for mu in MUTANTS}
    if unknown:
        print(f"error: unknown mutants {sorted(unknown)}", file=sys.stderr)
        return 2
    if args.list:
        for mu in mutants:
            print(f"{mu.name:28s} {mu.file:36s} {' '.join(mu.targets)}\n{'':28s} {mu.what}")
        return 0
    problems = check_patterns(mutants)
    for p in problems:
        print(f"PATTERN NOT FOUND {p}")
    rows, bad = [], bool(problems)
    t_all = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="maxk-mutants-") as tmp:
        tree = Path(tmp)
        copy_tree(tree)
        where = subprocess.run([sys.executable, "-c", "import pipeline; print(pipeline.__file__)"], cwd=tree,
                               env=_env(tree), capture_output=True, text=True).stdout.strip()
        if not where.startswith(str(tree)):
            print(f"error: the copy does not import its own pipeline package ({where!r})", file=sys.stderr)
            return 2
        broken = {p.split(":")[0] for p in problems}
        for mu in mutants:
            if mu.name in broken:
                rows.append((mu.name, "PATTERN", 0.0, ""))
                continue
            path = tree / mu.file
            original = path.read_text()
            text = original
            for old, new in choose_edits(mu, original):
                text = text.replace(old, new, 1)
            path.write_text(text)
            try:
                rc, secs, killer = run_pytest(tree, mu.targets, args.timeout)
            finally:
                path.write_text(original)
            verdict = {1: "KILLED", 0: "SURVIVED", None: "TIMEOUT"}.get(rc, f"ERROR({rc})")
            rows.append((mu.name, verdict, secs, killer))
            print(f"{mu.name:28s} {verdict:9s} {secs:6.1f}s  {killer}", flush=True)
        # a kill only counts if the killing test passes without the mutation
        killers = sorted({k for _, v, _, k in rows if v == "KILLED" and k})
        base_ok = True
        if killers:
            rc, secs, failing = run_pytest(tree, killers, args.timeout * 2)
            base_ok = rc == 0
            print(f"baseline (killing tests on the unmutated copy): {'pass' if base_ok else 'FAIL ' + failing} "
                  f"({secs:.1f}s)")
    total = time.perf_counter() - t_all
    print()
    print(f"{'mutant':28s} {'killed?':9s} {'seconds':>7s}  killing test")
    for name, verdict, secs, killer in rows:
        print(f"{name:28s} {verdict:9s} {secs:7.1f}  {killer}")
    n_killed = sum(v == "KILLED" for _, v, _, _ in rows)
    print(f"{n_killed} of {len(rows)} mutants killed in {total:.0f} s")
    if args.markdown:
        print("\n| mutant | weakening | killed by | seconds |\n|---|---|---|---|")
        what = {mu.name: mu.what for mu in MUTANTS}
        for name, verdict, secs, killer in rows:
            shown = f"`{killer}`" if verdict == "KILLED" else f"**{verdict}**"
            print(f"| {name} | {what[name]} | {shown} | {secs:.1f} |")
    bad = bad or n_killed != len(rows) or not base_ok
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
