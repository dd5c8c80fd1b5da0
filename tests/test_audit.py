"""The auditor's path (issue 19): `maxk audit` end to end, coqchk and its judge, the per-theorem
console summary, and --model / --json on replay and coq-check."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import maxlike_weights, tl_state_dict
from pipeline.coq_export import trusted as T
from pipeline.model.checkpoint import save_weights

REPO = Path(__file__).resolve().parents[1]
HAVE_COQ = shutil.which("coqc") is not None and shutil.which("coqchk") is not None
needs_coq = pytest.mark.skipif(not HAVE_COQ, reason="coqc/coqchk not installed")


def maxk(args, cwd=None, timeout=900):
    p = subprocess.run([sys.executable, "-m", "pipeline.cli", *map(str, args)], cwd=cwd or REPO,
                       capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def tl_pt(w, path: Path, cfg: bool) -> Path:
    """A TransformerLens-style .pt (state dict under TransformerLens's names), with its cfg beside it."""
    import torch

    torch.save(tl_state_dict(w), path)
    if cfg:
        c = w.config
        (path.with_name(path.stem + ".cfg.json")).write_text(json.dumps(
            {"d_vocab": c.d_vocab, "n_ctx": c.n_ctx, "d_model": c.d_model, "d_head": c.d_head, "n_heads": 1,
             "n_layers": 1, "attn_only": True, "normalization_type": None, "positional_embedding_type": "standard"}))
    return path


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    d = tmp_path_factory.mktemp("audit-models")
    w = maxlike_weights(V=6, n=3, d=8, h=8, seed=2)
    st = d / "ours.safetensors"
    save_weights(w, st)
    other = d / "other.safetensors"
    save_weights(maxlike_weights(V=6, n=3, d=8, h=8, seed=3), other)
    cert = d / "ours.cert.json"
    rc, out, err = maxk(["certify", st, "--out", cert, "--quiet"])
    assert rc == 0, err
    return {"dir": d, "w": w, "model": st, "other": other, "cert": cert}


# ------------------------------------------------------------------ judge_coqchk (no Coq needed)

HONEST = """
CONTEXT SUMMARY
===============

* Theory: Set is predicative

* Axioms:
    Coq.Numbers.Cyclic.Int63.PrimInt63.add
    Coq.Logic.Classical_Prop.classic

* Constants/Inductives relying on type-in-type: <none>

* Constants/Inductives relying on unsafe (co)fixpoints: <none>

* Inductives whose positivity is assumed: <none>
"""


def test_judge_coqchk_accepts_the_allowlist_only():
    ok, problem, axioms = T.judge_coqchk(HONEST)
    assert ok and not problem and axioms == ["Coq.Numbers.Cyclic.Int63.PrimInt63.add", "Coq.Logic.Classical_Prop.classic"]
    foreign = HONEST.replace("    Coq.Logic.Classical_Prop.classic\n",
                             "    Coq.Logic.Classical_Prop.classic\n    MaxK.Proof.Sound.cheat\n")
    ok, problem, _ = T.judge_coqchk(foreign)
    assert not ok and "MaxK.Proof.Sound.cheat" in problem
    for line in ("relying on unsafe (co)fixpoints: <none>", "relying on type-in-type: <none>",
                 "positivity is assumed: <none>", "Set is predicative"):
        ok, problem, _ = T.judge_coqchk(HONEST.replace(line, line.replace("<none>", "MaxK.X.f")
                                                       .replace("predicative", "impredicative")))
        assert not ok and problem, line
    assert not T.judge_coqchk("")[0]
    assert not T.judge_coqchk(HONEST.replace("* Axioms:", "* Axiomz:"))[0]


def test_coqchk_environment_allowlist_is_disjoint_and_standard_library():
    assert not (T.COQCHK_ENVIRONMENT & set(T.ALLOWED))
    assert all(a.startswith("Coq.") for a in T.COQCHK_ENVIRONMENT)


# ------------------------------------------------------------------ --model / --json


def test_replay_model_binding_and_json(models):
    rc, out, err = maxk(["replay", models["cert"], "--model", models["model"]])
    assert rc == 0 and "PASS" in out and models["w"].sha256 in out, (out, err)
    rc, out, err = maxk(["replay", models["cert"], "--model", models["other"]])
    assert rc == 1 and "not about this model" in out, (out, err)
    rc, out, err = maxk(["replay", models["cert"], "--model", models["other"], "--json"])
    doc = json.loads(out)
    assert rc == 1 and doc["ok"] is False and doc["model_file"]["ok"] is False
    rc, out, err = maxk(["replay", models["cert"], "--json"])
    doc = json.loads(out)
    assert rc == 0 and doc["ok"] is True and doc["count"] > 0 and doc["model_sha256"] == models["w"].sha256
    rc, out, err = maxk(["replay", models["cert"], "--model", models["dir"] / "missing.safetensors"])
    assert rc == 2 and err.count("\n") == 1 and "missing.safetensors" in err


def test_coq_check_model_mismatch_fails_before_compiling(models):
    rc, out, err = maxk(["coq-check", models["cert"], "--model", models["other"]])
    assert rc == 1 and "not about this model" in out and "nothing compiled" in out and "coqc" not in out, (out, err)


# ------------------------------------------------------------------ coq-check with coqchk, quiet console


@needs_coq
def test_coq_check_summary_json_and_log(models, coq_cache, tmp_path):
    log = tmp_path / "coq.log"
    # (coqchk itself runs in the audit test below, once: ~50 s)
    rc, out, err = maxk(["coq-check", models["cert"], "--cache-dir", coq_cache, "--json",
                         "--log", log, "--model", models["model"]])
    doc = json.loads(out)
    assert rc == 0 and doc["ok"], (out[-2000:], err[-2000:])
    assert doc["coqchk"] is None
    assert doc["theorem"].startswith("ours_accuracy_checked : Ours_Statement.claim")
    assert len(doc["assumptions"]) == len(T.ALLOWED) and doc["model_file"]["ok"]
    text = log.read_text()
    assert "== Print Assumptions (coqc) ==" in text and "CONTEXT SUMMARY" not in text
    # the plain console: no line per cached file, no raw Print Assumptions
    rc, out, err = maxk(["coq-check", models["cert"], "--cache-dir", coq_cache])
    assert rc == 0 and "PASS" in out
    assert "cached" not in out and "Axioms:" not in out and len(out.splitlines()) < 35, out


# ------------------------------------------------------------------ maxk audit end to end


@needs_coq
@pytest.mark.parametrize("with_cfg", [True, False])
def test_audit_end_to_end_on_a_transformerlens_pt(models, coq_cache, tmp_path, with_cfg):
    pt = tl_pt(models["w"], tmp_path / "user_model.pt", cfg=with_cfg)
    out = tmp_path / "audit"
    args = ["audit", pt, "--out", out, "--cache-dir", coq_cache, "--quiet"] + ([] if with_cfg else ["--no-coqchk"])
    rc, stdout, err = maxk(args, cwd=tmp_path)
    assert rc == 0, (stdout[-2000:], err[-3000:])
    r = json.loads((out / "report.json").read_text())
    steps = {s["name"]: s for s in r["steps"]}
    assert r["ok"] and r["model_sha256"] == models["w"].sha256
    for name in ("load", "brute-force", "certify", "replay", "coq", "archive"):
        assert steps[name]["status"] == "ok", (name, steps[name])
    assert steps["lean"]["status"] == "not run" and "NOT run" in steps["lean"]["detail"]
    assert (out / "model" / "user_model.safetensors").is_file()  # the .pt was converted
    # the certified bound never exceeds the brute force's exact count
    assert steps["certify"]["data"]["claimed_count"] <= steps["brute-force"]["data"]["n_correct"]
    coq = [t for t in r["theorems"] if t["checker"].startswith("Coq")]
    assert len(coq) == 1 and f"({steps['certify']['data']['claimed_count']} <= Z.of_nat" in coq[0]["statement"]
    assert "Axioms:" in coq[0]["print_assumptions"]
    assert "coq/Spec.v" in r["sha256"] and "coq/ModelOf.v" in r["sha256"]
    assert any(k.startswith("rendered Certs/") for k in r["sha256"])
    assert r["versions"]["coqc"] and r["versions"]["python"] and r["versions"]["torch"]
    not_run = {x["step"] for x in r["not_run"]}
    assert "lean" in not_run and (("coqchk" in not_run) != with_cfg)
    if with_cfg:
        assert steps["coqchk"]["status"] == "ok" and "coqchk" in coq[0]
        chk = json.loads((out / "coq-check.json").read_text())["coqchk"]
        assert chk["ok"] and chk["seconds"] > 0 and set(chk["axioms"]) <= set(T.ALLOWED) | T.COQCHK_ENVIRONMENT
        assert "CONTEXT SUMMARY" in (out / "coq-check.log").read_text()
    else:
        assert any("carries no config" in n or "config" in n for n in r["notes"]), r["notes"]
    md = (out / "report.md").read_text()
    assert "## Theorems proved" in md and "## Not run" in md and r["model_file_sha256"] in md
    page = (out / "report.html").read_text()
    assert "data:image/png;base64," in page and "http://" not in page and "https://" not in page
    # nothing was written outside the output folder
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["audit", "user_model.pt"] + (["user_model.cfg.json"] if with_cfg else []))
    # the archive it wrote verifies on its own
    rc, o, e = maxk(["verify-archive", out / "user_model.tar.gz"])
    assert rc == 0, (o, e)


def test_audit_bad_input_is_one_line(tmp_path):
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    rc, out, err = maxk(["audit", tmp_path / "junk.pt", "--out", tmp_path / "a"])
    assert rc == 2 and err.count("\n") == 1 and "junk.pt" in err and not (tmp_path / "a").exists()
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "mine.txt").write_text("keep")
    save_weights(maxlike_weights(V=5, n=3, seed=1), tmp_path / "m.safetensors")
    rc, out, err = maxk(["audit", tmp_path / "m.safetensors", "--out", busy])
    assert rc == 2 and "busy" in err and sorted(p.name for p in busy.iterdir()) == ["mine.txt"]
