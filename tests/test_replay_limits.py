"""Issue 8, the certificate side: hostile certificates and arguments fail fast, with one line.

One test per item (the numbers are issue 8's).  Each builds its hostile input here, small enough
for CI, and asserts the exit code, a single output line, no traceback, nothing written and, for
the denial-of-service items, a time ceiling (it must fail fast, not merely eventually).  The
ceilings are generous (loaded 2-core machine); the hostile inputs took 10 s to 1000 s before.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from certgen import build_certificate  # noqa: E402
from helpers import random_weights  # noqa: E402

from pipeline.certificate import replay as R  # noqa: E402
from pipeline.certificate import schema as S  # noqa: E402
from pipeline.certificate.certify import exp_table, sqrt_enclosure  # noqa: E402
from pipeline.model.checkpoint import save_weights  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MAXK = [sys.executable, "-m", "pipeline.cli"]
FAST = 20.0  # seconds: a subprocess start (~1-2 s here) plus a fast rejection, with room for load


def run(*args, timeout=120):
    t0 = time.perf_counter()
    r = subprocess.run(MAXK + [str(a) for a in args], capture_output=True, text=True, cwd=ROOT, timeout=timeout)
    return r, time.perf_counter() - t0


def one_line(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected one line, got {text!r}"
    return lines[0]


def assert_bad_input(r, path, dt, ceiling=FAST):
    """exit 2, one stderr line naming the file, no traceback, fast."""
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    line = one_line(r.stderr)
    assert line.startswith("error: ") and str(path) in line, line
    assert "Traceback" not in r.stderr and not r.stdout.strip()
    assert dt < ceiling, dt
    return line


def assert_replay_fail(r, check, dt, ceiling=FAST):
    """exit 1, one FAIL line naming the check, no traceback, fast."""
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    line = one_line(r.stdout)
    assert line.startswith("FAIL ") and f": {check}: " in line, line
    assert "Traceback" not in r.stderr and not r.stderr.strip()
    assert dt < ceiling, dt
    return line


def synthetic(V: int, n: int, d: int, h: int, F: int = 64, NT: int = 24) -> dict:
    """A structurally valid certificate of an all-zero model (hash, tables and orders right), so
    every check passes with claimed_count 0; tests then break the one thing they are about."""
    shapes = S.param_shapes(V, n, d, h)
    weights = {}
    for name in S.PARAM_NAMES:
        size = 1
        for s in shapes[name]:
            size *= s
        weights[name] = {"shape": shapes[name], "exponent": 0, "mantissas": [0] * size}
    s_lo, s_hi = sqrt_enclosure(h, F)
    return {
        "schema_version": S.SCHEMA_VERSION, "strategy": "cubic", "model_sha256": R.weights_sha256(weights),
        "config": {"d_vocab": V, "n_ctx": n, "d_model": d, "d_head": h}, "n_inputs": V ** n,
        "claimed_count": 0, "frac_bits": F, "taylor_terms": NT, "weights": weights,
        "sqrt_d_head": {"lo": s_lo, "hi": s_hi},
        "exp_eqke": exp_table([[0] * V for _ in range(V)], s_lo, s_hi, 0, F, NT),
        "exp_eqkp": exp_table([[0] * n for _ in range(V)], s_lo, s_hi, 0, F, NT),
        "orders": [list(range(n - 1)) for _ in range(V)], "shifts": [[0] * V], "c0": [], "cells": [],
    }


def write(tmp_path, cert, name="hostile.cert.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(cert, separators=(",", ":")))
    return p


def test_synthetic_certificate_replays():
    res = R.replay(synthetic(3, 3, 2, 2))
    assert res.ok and res.count == 0, res


# ----------------------------------------------------------------- item 1: n_inputs of > 4300 digits


def test_item1_huge_vocab_power_rejected_without_formatting(tmp_path):
    """V = 2, n = 15000: V^n has 4516 digits.  check_header refuses it on size (from the bit length
    of V, before V^n is formed), and never prints the number."""
    cert = synthetic(2, 15000, 1, 1, F=8, NT=4)
    cert["n_inputs"] = 5
    p = write(tmp_path, cert)
    assert p.stat().st_size < 1_000_000
    r, dt = run("replay", p)
    line = assert_replay_fail(r, "check_header", dt)
    assert "2^14000" in line and len(line) < 300
    # just below the limit, with a wrong n_inputs: the message names no number either
    cert = synthetic(2, 13000, 1, 1, F=8, NT=4)
    cert["n_inputs"] = 7
    res = R.replay(cert)
    assert res.failed_check == "check_header" and "n_inputs is not V^n" in res.detail and len(res.detail) < 200
    # export-lean refuses it the same way (it replays first) and writes nothing
    r, dt = run("export-lean", p, "--lean-dir", tmp_path / "lean")
    assert r.returncode == 1 and "check_header" in one_line(r.stdout) and dt < FAST
    assert not (tmp_path / "lean").exists()


# ----------------------------------------------------------------- item 2: d_model


def test_item2_d_model_capped(tmp_path):
    """d = 8000 (the issue's 37 s / 2.5 GB certificate): refused by check_header at once."""
    cert = synthetic(2, 1, 8000, 1, F=8, NT=4)
    p = write(tmp_path, cert)
    r, dt = run("replay", p)
    line = assert_replay_fail(r, "check_header", dt)
    assert "d_model <= 1024" in line
    cert = synthetic(2, 1, 4, 2000, F=8, NT=4)
    assert "d_head <= 1024" in R.replay(cert).detail


def test_item2_paths_never_form_a_d_by_d_product():
    """At the cap d = 1024 (h = 1) the whole replay stays fast: W_V (W_O W_U) costs d h V, while
    (W_V W_O) W_U would form a d x d matrix of 2^20 Python ints first."""
    cert = synthetic(2, 2, S.MAX_D_MODEL, 1, F=8, NT=4)
    t0 = time.perf_counter()
    res = R.replay(cert)
    dt = time.perf_counter() - t0
    assert res.ok, res.detail
    assert dt < 10.0, dt
    src = (ROOT / "pipeline" / "certificate" / "replay.py").read_text()
    assert 'matmul(T["W_V"], matmul(T["W_O"], W_U))' in src


# ----------------------------------------------------------------- item 3: exp-table work


def test_item3_exp_work_bounded_before_it_is_done(tmp_path):
    """F = 4096, N_T = 1024, V = 16, n = 4: V (V + n) F N_T = 1.3e9 > 2^30.  Each entry would cost
    ~40 ms (the issue's certificate took 1058 s); refused by check_header before any exp."""
    cert = synthetic(16, 4, 2, 2, F=8, NT=4)
    cert["frac_bits"], cert["taylor_terms"] = 4096, 1024  # tables need not match: never reached
    assert R.exp_work(16, 4, 4096, 1024) > S.MAX_EXP_WORK
    p = write(tmp_path, cert)
    r, dt = run("replay", p)
    line = assert_replay_fail(r, "check_header", dt)
    assert "exp-table work" in line and str(S.MAX_EXP_WORK) in line
    # inside the budget the same sizes replay (the limit is not a blanket ban on large F)
    assert R.exp_work(4, 2, 4096, 1024) <= S.MAX_EXP_WORK


# ----------------------------------------------------------------- item 4: empty masks


def test_item4_empty_masks_rejected(tmp_path):
    """Mask-0 cells prove nothing, yet each new (m, shift) pair would cost a split-maxima
    computation: the first one is refused."""
    w = random_weights(V=6, n=3, seed=1)
    cert = build_certificate(w)
    assert R.replay(cert).ok
    V, n = 6, 3
    cert["shifts"] = [[0] * V] + [[k] * V for k in range(1, S.MAX_SHIFTS)]
    cells = {tuple(c[:3]): c for c in cert["cells"]}
    for m in range(V):
        for q in range(m + 1):
            for c in range(1, (n - 2 if q < m else n - 1) + 1):
                if (m, q, c) not in cells:
                    cells[(m, q, c)] = [m, q, c, (m + q + c) % S.MAX_SHIFTS, 0]
    cert["cells"] = [cells[k] for k in sorted(cells)]
    assert any(c[4] == 0 for c in cert["cells"])
    p = write(tmp_path, cert)
    r, dt = run("replay", p)
    line = assert_replay_fail(r, "check_cells", dt)
    assert "empty cell" in line


# ----------------------------------------------------------------- item 11: CLI arguments


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    p = tmp_path_factory.mktemp("m") / "m.safetensors"
    save_weights(random_weights(V=5, n=3), p)
    return p


@pytest.mark.parametrize("fb", ["0", "4097", "-3", "100000"])
def test_item11_certify_frac_bits_out_of_range(tmp_path, model_file, fb):
    out = tmp_path / "c.json"
    r, dt = run("certify", model_file, "--out", out, "--frac-bits", fb, "--quiet")
    line = assert_bad_input(r, model_file, dt)
    assert "--frac-bits" in line and "1..4096" in line
    assert not out.exists()


def test_item11_certify_frac_bits_at_the_range_ends_replays(tmp_path, model_file):
    for fb in ("1", "4096"):
        out = tmp_path / f"c{fb}.json"
        r, _ = run("certify", model_file, "--out", out, "--frac-bits", fb, "--quiet", timeout=600)
        assert r.returncode == 0, r.stderr
        r, _ = run("replay", out, timeout=600)
        assert r.returncode == 0 and r.stdout.startswith("PASS"), r.stdout


@pytest.mark.parametrize("flag,value", [("--chunk-size", "0"), ("--chunk-size", "-1"), ("--max-arrangements", "0")])
def test_item11_export_lean_chunk_size(tmp_path, flag, value):
    cert = write(tmp_path, synthetic(3, 3, 2, 2), "ok.cert.json")
    r, dt = run("export-lean", cert, "--lean-dir", tmp_path / "lean", flag, value)
    line = assert_bad_input(r, cert, dt)
    assert flag in line
    assert not (tmp_path / "lean").exists()


# ----------------------------------------------------------------- item 12: unbounded inputs


def test_item12_dev_zero_refused_at_once():
    r, dt = run("replay", "/dev/zero", timeout=60)
    line = assert_bad_input(r, "/dev/zero", dt)
    assert "not a regular file" in line


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_item12_fifo_refused_without_blocking(tmp_path):
    fifo = tmp_path / "cert.fifo"
    os.mkfifo(fifo)
    r, dt = run("replay", fifo, timeout=60)  # before the fix: blocked forever waiting for a writer
    line = assert_bad_input(r, fifo, dt)
    assert "not a regular file" in line


def test_item12_oversize_file_refused_before_parsing(tmp_path):
    p = tmp_path / "big.cert.json"
    with open(p, "wb") as f:  # sparse: MAX_CERT_BYTES + 1 bytes on paper, nothing on disk
        f.truncate(S.MAX_CERT_BYTES + 1)
    r, dt = run("replay", p, timeout=60)
    line = assert_bad_input(r, p, dt)
    assert f"larger than {S.MAX_CERT_BYTES} bytes" in line
    assert "cannot read" in _load_problem(tmp_path / "missing.json")
    assert "not a regular file" in _load_problem(tmp_path)  # a folder


def _load_problem(path) -> str:
    with pytest.raises(S.CertificateError) as ei:
        S.load_certificate(path)
    return ei.value.problem


# ----------------------------------------------------------------- v1 certificates


def test_v1_certificate_refused_with_one_line(tmp_path):
    cert = synthetic(3, 3, 2, 2)
    v1 = copy.deepcopy(cert)
    v1["schema_version"] = 1
    del v1["shifts"]  # a v1 file has no shifts; the version is what is reported
    p = write(tmp_path, v1, "v1.cert.json")
    r, dt = run("replay", p)
    line = assert_bad_input(r, p, dt)
    assert line == f"error: {p}: schema version 1: re-certify with this version"


def test_budget_constants_are_documented():
    text = (ROOT / "pipeline" / "certificate" / "FORMAT.md").read_text()
    budget = text[text.index("## Budget"):]
    for name in ("MAX_CERT_BYTES", "MAX_FRAC_BITS", "MAX_TAYLOR_TERMS", "MAX_EXP_WORK", "MAX_D_MODEL",
                 "MAX_D_HEAD", "MAX_N_INPUTS_BITS", "MAX_SHIFTS", "MAX_SHIFT_BITS"):
        assert f"`{name}`" in budget, name
        assert isinstance(getattr(S, name), int)
    assert np.isclose(S.MAX_N_INPUTS_BITS, 14000)  # < 4300 decimal digits: Python's int-to-str limit
    assert S.MAX_N_INPUTS_BITS * 0.30103 < 4300
