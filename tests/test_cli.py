"""The `maxk` command: --help everywhere, and bad input -> one line naming the file, exit 2, nothing written."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from helpers import random_weights
from pipeline.model.checkpoint import save_weights

ROOT = Path(__file__).resolve().parent.parent
MAXK = [sys.executable, "-m", "pipeline.cli"]
COMMANDS = ["train", "bound", "bounds", "certify", "replay", "export-lean", "archive", "verify-archive", "lean-bench",
            "lean-check"]


def run(*args, cwd=ROOT):
    return subprocess.run(MAXK + [str(a) for a in args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_help_top_level():
    r = run("--help")
    assert r.returncode == 0 and "usage: maxk" in r.stdout
    for c in COMMANDS:
        assert c in r.stdout, f"{c} missing from maxk --help"


@pytest.mark.parametrize("command", COMMANDS)
def test_help_every_command(command):
    r = run(command, "--help")
    assert r.returncode == 0, r.stderr
    assert "usage: maxk " + command in r.stdout


def _assert_one_line_error(r, path):
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected one error line, got: {r.stderr!r}"
    assert str(path) in lines[0] and lines[0].startswith("error: ")
    assert "Traceback" not in r.stderr


@pytest.fixture(scope="module")
def good_model(tmp_path_factory):
    d = tmp_path_factory.mktemp("m")
    p = d / "good.safetensors"
    save_weights(random_weights(V=5, n=3), p)
    return p


def _bad_checkpoints(tmp, good):
    raw = good.read_bytes()
    cases = {}
    cases["missing"] = tmp / "nope.safetensors"
    (tmp / "trunc.safetensors").write_bytes(raw[: len(raw) // 2])
    cases["truncated"] = tmp / "trunc.safetensors"
    (tmp / "tiny.safetensors").write_bytes(raw[:5])
    cases["tiny"] = tmp / "tiny.safetensors"
    (tmp / "text.safetensors").write_text("this is not a checkpoint\n" * 10)
    cases["not-safetensors"] = tmp / "text.safetensors"
    from safetensors.numpy import save_file

    w = random_weights(V=5, n=3)
    for label, f in [("nan", lambda t: t["W_U"].__setitem__((0, 0), np.nan)),
                     ("inf", lambda t: t["W_E"].__setitem__((1, 1), np.inf)),
                     ("misshaped", lambda t: t.__setitem__("W_U", np.zeros((3, 5), np.float32))),
                     ("missing-tensor", lambda t: t.pop("W_K")),
                     ("int-dtype", lambda t: t.__setitem__("W_E", np.zeros((5, 8), np.int32)))]:
        t = {k: np.array(v, copy=True) for k, v in w.tensors.items()}
        f(t)
        save_file(t, str(tmp / f"{label}.safetensors"))
        cases[label] = tmp / f"{label}.safetensors"
    (tmp / "bad.pt").write_bytes(b"\x80\x04K\x01.")  # a pickle, not a zip: must not be unpickled
    cases["pickle-pt"] = tmp / "bad.pt"
    return cases


@pytest.mark.parametrize("label", ["missing", "truncated", "tiny", "not-safetensors", "nan", "inf", "misshaped",
                                   "missing-tensor", "int-dtype", "pickle-pt"])
def test_bad_checkpoint(tmp_path, good_model, label):
    path = _bad_checkpoints(tmp_path, good_model)[label]
    out = tmp_path / "out" / "report.json"
    r = run("bound", "cubic", path, "--out", out, "--quiet")
    _assert_one_line_error(r, path)
    assert not out.exists() and not (tmp_path / "out").exists(), "something was written for bad input"


def test_bad_metadata_json(tmp_path, good_model):
    p = tmp_path / "m.safetensors"
    shutil.copy(good_model, p)
    (tmp_path / "m.json").write_text("{not json")
    r = run("certify", p, "--out", tmp_path / "c.json", "--quiet")
    _assert_one_line_error(r, tmp_path / "m.json")
    assert not (tmp_path / "c.json").exists()


def test_bare_safetensors_loads(tmp_path, good_model):
    p = tmp_path / "bare.safetensors"
    shutil.copy(good_model, p)  # no .json beside it
    r = run("bound", "cubic", p, "--quiet")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["strategy"] == "cubic"


@pytest.fixture(scope="module")
def cert_file(tmp_path_factory, good_model):
    d = tmp_path_factory.mktemp("c")
    out = d / "c.cert.json"
    r = run("certify", good_model, "--out", out, "--quiet")
    assert r.returncode == 0, r.stderr
    return out


def test_replay_pass(cert_file):
    r = run("replay", cert_file)
    assert r.returncode == 0 and r.stdout.startswith("PASS")


@pytest.mark.parametrize("label", ["malformed", "version", "hash", "count", "empty"])
def test_bad_certificate(tmp_path, cert_file, label):
    obj = json.loads(cert_file.read_text())
    p = tmp_path / f"{label}.json"
    if label == "malformed":
        p.write_text(cert_file.read_text()[:-20])
    elif label == "empty":
        p.write_text("")
    else:
        if label == "version":
            obj["schema_version"] = 1  # v1 is refused with one line: re-certify
        elif label == "hash":
            obj["model_sha256"] = "0" * 64
        elif label == "count":
            obj["claimed_count"] += 1
        p.write_text(json.dumps(obj))
    r = run("replay", p)
    if label in ("hash", "count"):  # well-formed certificates whose numbers do not check: FAIL, exit 1
        assert r.returncode == 1 and r.stdout.startswith("FAIL") and ("weights_sha256" in r.stdout or "check_count" in r.stdout)
    else:
        _assert_one_line_error(r, p)


def test_bound_json_keys(tmp_path, good_model):
    out = tmp_path / "bf.json"
    r = run("bound", "brute-force", good_model, "--out", out, "--quiet")
    assert r.returncode == 0, r.stderr
    keys = list(json.loads(out.read_text()))
    assert keys == ["strategy", "model_sha256", "n_inputs", "n_correct", "n_wrong", "n_undecided",
                    "accuracy_lo", "accuracy_hi", "float32_accuracy", "flops", "seconds"]


def test_lean_check_says_plainly_when_lean_is_missing(tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if k != "PATH"}
    env["PATH"] = str(tmp_path)  # no lake here
    r = subprocess.run([sys.executable, "-m", "pipeline.cli", "lean-check"], capture_output=True, text=True,
                       cwd=ROOT, env=env, timeout=120)
    assert r.returncode == 3
    assert r.stdout.strip() == "Lean toolchain not found: the Lean check was NOT run"
