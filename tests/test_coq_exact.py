"""Exact certificates in Coq (issue 20): `maxk coq-check` proves lo <= count_correct <= hi (or
count_correct = N when lo = hi) through CheckerExact.v and Proof/Link/Exact.v's exact_sound, the
trusted statement reads back in the right shape, and CheckerExact's verdicts agree with the
exact replay's on honest and tampered certificates."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import maxlike_weights
from pipeline.certificate import replay as R
from pipeline.certificate.certify import certify
from pipeline.certificate.schema import dump_certificate
from pipeline.coq_export import build as B
from pipeline.coq_export import render as C
from pipeline.coq_export import trusted as T
from pipeline.coq_export.check import coq_check, coq_budget_problem, hand_written_sources

ROOT = Path(__file__).resolve().parents[1]
COQC = shutil.which("coqc")
needs_coq = pytest.mark.skipif(COQC is None, reason="coqc not installed")


def exact_cert(seed: int, frac_bits=None) -> dict:
    cert, _ = certify(maxlike_weights(V=5, n=3, d=8, h=8, seed=seed), frac_bits=frac_bits, exact=True)
    return cert


@pytest.fixture(scope="module")
def certs():
    return {"tight": exact_cert(1), "loose": exact_cert(2, frac_bits=3)}


def test_claim_shapes_round_trip(certs):
    tight, loose = certs["tight"], certs["loose"]
    assert tight["claimed_count"] == tight["claimed_upper"] and loose["claimed_count"] < loose["claimed_upper"]
    cubic = dict(tight, strategy="cubic")
    del cubic["claimed_upper"]
    shapes = {T.expected_claim(c, "m") for c in (tight, loose, cubic)}
    assert len(shapes) == 3
    assert T.parse_claim(T.expected_claim(tight, "m")) == (tight["claimed_count"],) * 2
    assert T.parse_claim(T.expected_claim(loose, "m")) == (loose["claimed_count"], loose["claimed_upper"])
    assert T.parse_claim(T.expected_claim(cubic, "m")) == (cubic["claimed_count"], None)
    assert T.parse_claim("claim = True : Prop") == (None, None)
    stmt = T.render_statement(loose, "m").decode()
    assert f"({loose['claimed_count']} <= Z.of_nat (MaxK.Spec.count_correct m_model) <= " \
           f"{loose['claimed_upper']})" in stmt
    stmt = T.render_statement(tight, "m").decode()
    assert f"(Z.of_nat (MaxK.Spec.count_correct m_model) = {tight['claimed_count']})" in stmt
    with pytest.raises(ValueError):
        T.render_statement(dict(loose, claimed_upper=loose["claimed_count"] - 1), "m")


@needs_coq
@pytest.mark.parametrize("kind", ["tight", "loose"])
def test_exact_certificate_proved_in_coq(certs, kind, tmp_path, coq_cache):
    cert = certs[kind]
    path = tmp_path / f"{kind}.exact.cert.json"
    path.write_text(dump_certificate(cert))
    res = coq_check(path, cache_dir=coq_cache)
    assert res.ok, "\n".join(res.lines)
    assert (res.claimed, res.upper) == (cert["claimed_count"], cert["claimed_upper"])
    x = f"Z.of_nat (Spec.count_correct {kind}_exact_model)"
    assert res.statement.endswith(f"({x} = {cert['claimed_count']})%Z" if kind == "tight"
                                  else f"({cert['claimed_count']} <= {x} <= {cert['claimed_upper']})%Z")
    assert {p for p, _ in res.assumptions} == set(T.ALLOWED)
    # the judge refuses a read-back claim of another shape or with other numbers
    name = f"{kind}.exact"
    key = T.outputs(name)["claim"]
    honest = res.readback[key]
    assert T.judge(res.readback, cert, name, "8.16.1").ok
    lo, hi = cert["claimed_count"], cert["claimed_upper"]
    cubic_shaped = dict(cert, strategy="cubic")
    del cubic_shaped["claimed_upper"]
    others = [T.expected_claim(cubic_shaped, name), T.expected_claim(dict(cert, claimed_upper=hi + 1), name),
              T.expected_claim(dict(cert, claimed_count=lo - 1), name),
              honest.replace(f"{kind}_exact_model", "other_model")]
    for text in others:
        bad = dict(res.readback)
        bad[key] = text
        j = T.judge(bad, cert, name, "8.16.1")
        assert not j.ok and "claim" in j.problem, text


@needs_coq
def test_exact_differential_verdicts(certs, tmp_path, coq_cache):
    """check_exact by vm_compute equals the replay's PASS/FAIL on honest and tampered exact
    certificates (one coqc run)."""
    base = certs["tight"]
    cases = [base, certs["loose"], exact_cert(3), exact_cert(4, frac_bits=4)]
    for field, delta in (("claimed_upper", 1), ("claimed_upper", -1), ("claimed_count", 1), ("claimed_count", -1)):
        bad = copy.deepcopy(base)
        bad[field] += delta
        cases.append(bad)
    dropped = copy.deepcopy(base)  # a c0 entry dropped: its input joins the residual
    dropped["c0"].pop(0)
    cases.append(dropped)
    wrong_cell = copy.deepcopy(base)  # a mask bit added to a cell: checks 9 fails unless proved
    if wrong_cell["cells"]:
        cell = wrong_cell["cells"][-1]
        cell[4] = (1 << cell[0]) - 1
    cases.append(wrong_cell)
    want = [R.replay(c).ok for c in cases]
    assert want[:4] == [True] * 4 and not any(want[4:8])
    d = tmp_path / "coq"
    b = B.build(hand_written_sources(ROOT / "coq"), d, COQC, cache_dir=coq_cache)
    assert b.ok, b.stderr
    (d / "Verdicts_exact.v").write_bytes(C.render_verdicts(cases))
    proc = C.compile_files(["Verdicts_exact.v"], d, COQC)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert C.parse_verdicts(proc.stdout) == want


def test_coq_budget_refuses_a_large_residual(tmp_path):
    """The shipped exact certificate (589,348 residual inputs, n V |R| words = 1.51e9) is within the
    Coq budget's residual_work (2^31: the fast verdict's ~0.04 us per unit, ~61 s for it); with half
    of its cells dropped (n V |R| words = 3.3e10) it is over it: refused before any rendering, with
    the number."""
    path = ROOT / "artifacts" / "certs" / "max4-seed123.exact.cert.json"
    if not path.is_file():
        pytest.skip("no shipped exact certificate")
    cert = json.loads(path.read_text())
    assert coq_budget_problem(cert, path.stat().st_size) is None
    big = copy.deepcopy(cert)   # half of its cells dropped: their inputs join the residual
    big["cells"] = big["cells"][:len(big["cells"]) // 2]
    problem = coq_budget_problem(big, path.stat().st_size)
    assert problem is not None and problem.startswith("residual_work = 32874403840 ")
    if COQC is not None:
        p = tmp_path / "big.exact.cert.json"
        p.write_text(json.dumps(big))
        out = subprocess.run([sys.executable, "-m", "pipeline.cli", "coq-check", str(p)],
                             capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert out.returncode == 1 and "not run: residual_work" in out.stdout


@needs_coq
@pytest.mark.slow
def test_shipped_exact_certificate_proves_the_exact_count_in_coq(coq_cache):
    """The shipped model's exact accuracy as a Coq theorem: count_correct = 16,771,732 of 64^4
    (the brute force's count), via CheckerExact's fast verdict (proved equal to verdict); ~200 s
    and ~0.9 GB on 2 cores (slow: not in the default suite)."""
    path = ROOT / "artifacts" / "certs" / "max4-seed123.exact.cert.json"
    res = coq_check(path, cache_dir=coq_cache)
    assert res.ok, "\n".join(res.lines)
    assert res.claimed == res.upper == 16771732
    assert res.statement.endswith("(Z.of_nat (Spec.count_correct max4_seed123_exact_model) = 16771732)%Z")
