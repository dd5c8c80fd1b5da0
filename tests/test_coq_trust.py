"""The Coq trust route holds against hostile files (issue 17).

Threat model (README "Trust model"): an adversary controls every file except the trusted base
(coq/Spec.v, coq/ModelOf.v, the trusted templates and pipeline/coq_export/{trusted,build}.py).
No edit elsewhere may turn a false claim into a PASS; the worst it may cause is a FAIL.

The attacks run on a small trained model (vocab 8, k 3, 60 steps) whose certificate is edited
to claim more inputs than the sound brute force allows (`false_cert`): every attack that would
have let coqc "prove" that claim must end in a FAIL, and the honest certificate must PASS.
- The issue's two attacks, appended to coq/Checker.v, are refused by the lint (default suite),
  and, with the lint switched off, by the structure alone (slow: Checker.v changes every layer).
- Variants in cheap places (a new file added to _CoqProject, a hostile proof module standing in
  for the untrusted template): the lint is off there, so that each shows a structural defence:
  the statement elaborated before any untrusted file, the kernel's type check against the
  trusted constant, Locate, the assumptions by full path and type, the read-back.
- The read-back catches a statement rendered with another count or another model.
- The Coq budget refuses before coqc starts; the wall-time and memory limits stop coqc.

Needs coqc (skipped with the reason printed without it, failed under MAXK_REQUIRE_COQ=1).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.coq_export import check as K
from pipeline.coq_export import render as C
from pipeline.coq_export import trusted as T

ROOT = Path(__file__).resolve().parents[1]
MISSING = "coqc not found: the Coq tests were NOT run (apt-get install coq libcoq-stdlib libcoq-bignums)"

# The issue's attack 1: a notation in Checker.v that reads the literal 500 as 191.
ATTACK1 = """
From Coq Require Import ZArith.
Definition lit_Z (n : Number.int) : Z := let z := Z.of_num_int n in if Z.eqb z {false} then {honest} else z.
Definition lit_bigZ (n : Number.int) : bigZ := BigZ.of_Z (lit_Z n).
Definition unlit_bigZ (z : bigZ) : Number.int := Z.to_num_int (BigZ.to_Z z).
Number Notation Z lit_Z Z.to_num_int : Z_scope.
Number Notation BigZ.t_ lit_bigZ unlit_bigZ : bigZ_scope.
"""
# The issue's attack 2: an axiom under an allow-listed primitive's name.
ATTACK2 = """
Module PrimInt63.
  Class Cheat : Prop := cheat : False.
  #[export] Declare Instance ltsb : Cheat.
End PrimInt63.
"""


def need_coqc():
    if shutil.which("coqc") is None:
        if os.environ.get("MAXK_REQUIRE_COQ") == "1":
            pytest.fail(MISSING + " (MAXK_REQUIRE_COQ=1: CI must run them)")
        pytest.skip(MISSING)


@pytest.fixture(scope="module")
def cache(coq_cache):
    return coq_cache


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """(honest certificate path, false certificate path, honest count, false count) of a small
    trained model; the false count is above the sound brute force's upper end."""
    from pipeline.certificate.certify import certify
    from pipeline.model.config import ModelConfig
    from pipeline.model.train import TrainConfig, train
    from pipeline.strategies import brute_force

    d = tmp_path_factory.mktemp("trust")
    w, _ = train(ModelConfig(d_vocab=8, n_ctx=3), TrainConfig(seed=2, steps=60), progress=False)
    cert, _ = certify(w)
    bf = brute_force.run(w)
    n_inputs, hi = bf.n_inputs, bf.n_inputs - bf.extra["n_wrong"]
    assert cert["claimed_count"] <= bf.n_proved and hi < n_inputs, "the small model must have wrong inputs"
    honest = d / "small.cert.json"
    honest.write_text(json.dumps(cert))
    bad = dict(cert, claimed_count=hi + 1)  # a false claim: more than the true count
    false = d / "false.cert.json"
    false.write_text(json.dumps(bad))
    return honest, false, cert["claimed_count"], hi + 1


def project_copy(tmp_path: Path) -> Path:
    d = tmp_path / "coq"
    shutil.copytree(ROOT / "coq", d, ignore=shutil.ignore_patterns("*.vo", "*.vok", "*.vos", "*.glob",
                                                                   ".*.aux", "Certs"))
    return d


def add_file(project: Path, rel: str, text: str) -> None:
    """A new untrusted file, listed in _CoqProject (after Proof/Sound.v)."""
    (project / rel).parent.mkdir(parents=True, exist_ok=True)
    (project / rel).write_text(text)
    cp = project / "_CoqProject"
    cp.write_text(cp.read_text().replace("Proof/Sound.v\n", f"Proof/Sound.v\n{rel}\n"))


def proof_module(cert_path: Path, name: str, *, imports: str = "", accuracy: str | None = None,
                 keep_checks: bool = False) -> dict:
    """The honest proof module of the certificate, edited as a hostile template would: extra
    imports after Checker's, and/or the accuracy theorem replaced by `accuracy`."""
    cert = json.loads(Path(cert_path).read_text())
    (rel, data), = C.render_proof(cert, name).items()
    text = data.decode()
    if imports:
        text = text.replace("From MaxK Require Import Checker.\n", "From MaxK Require Import Checker.\n" + imports + "\n")
    if accuracy is not None:  # the hostile theorem replaces everything after the data, or only the honest theorem
        i = text.index(f"Theorem {T.accuracy_name(name)} :") if keep_checks else text.index("(* Checks 1 and 2")
        text = text[:i] + accuracy + "\n"
    return {rel: text.encode()}


def run(cert: Path, name: str, project: Path = ROOT / "coq", cache: Path | None = None, **kw) -> K.CoqCheck:
    return K.coq_check(cert, name, project, cache_dir=cache, use_cache=cache is not None, **kw)


def failed(res: K.CoqCheck, *needles: str) -> str:
    text = "\n".join(res.lines)
    print(text.splitlines()[-1])  # with -s: the reason each attack failed
    assert res.code == 1, f"expected FAIL, got exit {res.code}:\n{text}"
    assert not any(ln.startswith("PASS") for ln in res.lines), text
    for n in needles:
        assert n in text, f"{n!r} not in:\n{text}"
    return text


@pytest.fixture(scope="module")
def honest_build(tmp_path_factory):
    return tmp_path_factory.mktemp("honest") / "build"


@pytest.fixture(scope="module")
def honest(small, cache, honest_build):
    """The honest certificate through coq-check, building in a kept folder; it fills the cache
    with the hand-written layers, which every later test reuses."""
    need_coqc()
    res = run(small[0], "small", cache=cache, build_dir=honest_build)
    assert res.code == 0, "\n".join(res.lines)
    return res


# ------------------------------------------------------------------------- the honest route


def test_honest_certificate_passes_with_the_trusted_hashes(honest, small):
    text = "\n".join(honest.lines)
    assert honest.claimed == small[2]
    assert re.search(rf"^PASS .*: {small[2]} of 512 inputs proved correct in Coq", text, re.M), text
    assert f"claim := ({small[2]} <= Z.of_nat (Spec.count_correct small_model))%Z" in text
    for label in ("coq/Spec.v", "coq/ModelOf.v", "templates/coq/trusted/statement.v.j2",
                  "templates/coq/trusted/check.v.j2", "pipeline/coq_export/trusted.py",
                  "pipeline/coq_export/build.py", "rendered Certs/Small_Statement.v"):
        digest = honest.trusted_sha256[label]
        assert re.search(rf"^SHA256 coq-trusted: {digest}  {re.escape(label)}$", text, re.M), label
    assert honest.trusted_sha256["coq/Spec.v"] == T.sha256_file(ROOT / "coq" / "Spec.v")
    assert "Coq 8.16.1" in text and "coq/_CoqProject (file list only" in text


def test_pins_are_exactly_what_the_honest_proof_uses(honest):
    """ALLOWED is not wider than the proof needs: every pinned assumption is used, each by its
    full path under the standard library."""
    paths = {p for p, _ in honest.assumptions}
    assert paths == set(T.ALLOWED)
    assert len(paths) == 54 and all(p.startswith("Coq.") for p in paths)
    assert sum(".PrimInt63." in p for p in paths) == 25 and sum(".Uint63." in p for p in paths) == 26


def test_false_claim_with_honest_files_fails(honest, small, cache):
    failed(run(small[1], "small", cache=cache), "the checker rejected the certificate")


# ------------------------------------------------------------------------- the issue's attacks


@pytest.mark.parametrize("attack", ["notation", "declare-instance"])
def test_issue_attacks_in_checker_v_are_refused_by_the_lint(small, tmp_path, attack):
    need_coqc()
    project = project_copy(tmp_path)
    text = ATTACK1.format(false=small[3], honest=small[2]) if attack == "notation" else ATTACK2
    (project / "Checker.v").write_text((project / "Checker.v").read_text() + text)
    res = run(small[1], "small", project, timeout=5)  # the lint refuses before coqc starts
    failed(res, "forbidden Coq constructs", "Checker.v",
           "Number Notation" if attack == "notation" else "Declare Instance")


@pytest.mark.slow
@pytest.mark.parametrize("attack", ["notation", "declare-instance"])
def test_issue_attacks_in_checker_v_fail_without_the_lint(small, tmp_path, attack):
    """The structure alone: with the lint off, both attacks exactly as in the issue (in
    Checker.v, so every layer is recompiled) end in a FAIL."""
    need_coqc()
    project = project_copy(tmp_path)
    if attack == "notation":
        (project / "Checker.v").write_text((project / "Checker.v").read_text()
                                           + ATTACK1.format(false=small[3], honest=small[2]))
        failed(run(small[1], "small", project, lint=False), "coqc failed on Certs/Small.v")
    else:
        (project / "Checker.v").write_text((project / "Checker.v").read_text() + ATTACK2)
        proof = proof_module(small[1], "small", accuracy=(
            "Theorem small_accuracy : Small_Statement.claim.\nProof. destruct Checker.PrimInt63.ltsb. Qed."))
        failed(run(small[1], "small", project, lint=False, proof_files=proof),
               "assumptions outside the allowlist", "PrimInt63.ltsb")


# ------------------------------------------------------------------------- variants (lint off)


def test_notation_in_another_file_cannot_reach_the_statement(honest, small, cache, tmp_path):
    """Attack 1 from a new file that the hostile proof module imports: the literal of the false
    count is read as the honest one everywhere except in the trusted statement."""
    project = project_copy(tmp_path)
    add_file(project, "Proof/Evil.v", "From Bignums Require Import BigZ.\n"
             + ATTACK1.format(false=small[3], honest=small[2]))
    proof = proof_module(small[1], "small", imports="From MaxK Require Import Proof.Evil.")
    failed(run(small[1], "small", project, cache, lint=False, proof_files=proof), "coqc failed on Certs/Small.v")


def test_axiom_under_a_primitive_name_is_refused_by_path(honest, small, cache, tmp_path):
    project = project_copy(tmp_path)
    add_file(project, "Proof/Evil.v", ATTACK2)
    proof = proof_module(small[1], "small", imports="From MaxK Require Proof.Evil.", accuracy=(
        "Theorem small_accuracy : Small_Statement.claim.\nProof. destruct Evil.PrimInt63.ltsb. Qed."))
    failed(run(small[1], "small", project, cache, lint=False, proof_files=proof),
           "assumptions outside the allowlist", "PrimInt63.ltsb")


@pytest.mark.parametrize("lib,axiom,decl", [
    ("Uint63", "add_spec", "Class Cheat : Prop := cheat : False.\nDeclare Instance add_spec : Cheat.\n"),
    ("ClassicalDedekindReals", "sig_forall_dec", "Axiom sig_forall_dec : False.\n"),
])
def test_axiom_in_a_library_named_like_the_standard_one_is_refused_by_path(honest, small, cache, tmp_path,
                                                                           lib, axiom, decl):
    """A project library whose short name is Uint63 (or ClassicalDedekindReals) makes its axiom
    print as `Uint63.add_spec` (or pushes the real one to a longer name): either way its full
    path is not allowed."""
    project = project_copy(tmp_path)
    add_file(project, f"Proof/{lib}.v", decl)
    proof = proof_module(small[1], "small", imports=f"From MaxK Require Proof.{lib}.", accuracy=(
        f"Theorem small_accuracy : Small_Statement.claim.\nProof. destruct MaxK.Proof.{lib}.{axiom}. Qed."))
    failed(run(small[1], "small", project, cache, lint=False, proof_files=proof),
           "assumptions outside the allowlist", axiom)


def test_shadowing_spec_and_z_changes_nothing(honest, small, cache, tmp_path):
    """A `Module Spec` and a `Module Z` that make the false claim provable in the proof module's
    own context: its theorem is then not the trusted claim, and the check file's definition,
    typed by the trusted constant, does not typecheck."""
    project = project_copy(tmp_path)
    add_file(project, "Proof/Evil.v", (
        "From Coq Require Import ZArith.\nFrom MaxK Require Spec.\n"
        "Module Spec. Definition count_correct (M : MaxK.Spec.model) : nat := 100000. End Spec.\n"
        "Module Z. Definition of_nat (n : nat) : Z := 100000. End Z.\n"))
    proof = proof_module(small[1], "small", imports="From MaxK Require Import Proof.Evil.", accuracy=(
        f"Theorem small_accuracy : ({small[3]} <= Z.of_nat (Spec.count_correct Small_Statement.small_model))%Z.\n"
        "Proof. vm_compute. discriminate. Qed."))
    failed(run(small[1], "small", project, cache, lint=False, proof_files=proof), "coqc failed on Certs/Small_Check.v")


def test_a_look_alike_statement_is_caught(honest, small, cache, tmp_path):
    """A project library named MaxK with a module path Certs.Small_Statement and a `claim` of
    True: whichever object the check file's full name then picks, Locate shows two, or the type
    check fails."""
    project = project_copy(tmp_path)
    add_file(project, "Proof/MaxK.v",
             "Module Certs. Module Small_Statement. Definition claim : Prop := True. End Small_Statement. End Certs.\n")
    proof = proof_module(small[1], "small", imports="From MaxK Require Proof.MaxK.", accuracy=(
        "Theorem small_accuracy : MaxK.Proof.MaxK.Certs.Small_Statement.claim.\nProof. exact I. Qed."))
    res = run(small[1], "small", project, cache, lint=False, proof_files=proof)
    text = failed(res)
    assert "does not denote exactly the trusted claim" in text or "coqc failed on Certs/Small_Check.v" in text, text


def test_remapped_weight_literal_is_caught(honest, small, cache, tmp_path):
    """A bigZ notation that changes one weight mantissa in the proof module's data: the model the
    checker sees is no longer the trusted statement's, and the model equation fails."""
    cert = json.loads(small[0].read_text())
    m = next(x for x in cert["weights"]["W_E"]["mantissas"] if x > 1)
    project = project_copy(tmp_path)
    add_file(project, "Proof/Evil.v", (
        "From Coq Require Import ZArith.\nFrom Bignums Require Import BigZ.\n"
        f"Definition lit_bigZ (n : Number.int) : bigZ := let z := Z.of_num_int n in "
        f"BigZ.of_Z (if Z.eqb z {m} then {m + 1} else z).\n"
        "Definition unlit_bigZ (z : bigZ) : Number.int := Z.to_num_int (BigZ.to_Z z).\n"
        "Number Notation BigZ.t_ lit_bigZ unlit_bigZ : bigZ_scope.\n"))
    proof = proof_module(small[0], "small", imports="From MaxK Require Import Proof.Evil.")
    text = failed(run(small[0], "small", project, cache, lint=False, proof_files=proof))
    assert "coqc failed on Certs/Small.v" in text or "the checker rejected the certificate" in text, text


def test_unguarded_fixpoint_is_refused(honest, small, cache, tmp_path):
    proof = proof_module(small[1], "small", accuracy=(
        "Unset Guard Checking.\nFixpoint loop (n : nat) : False := loop n.\nSet Guard Checking.\n"
        "Theorem small_accuracy : Small_Statement.claim.\nProof. destruct (loop 0). Qed."))
    failed(run(small[1], "small", cache=cache, lint=False, proof_files=proof), "assumptions outside the allowlist",
           "not an axiom entry")


def test_lint_covers_every_compiled_file(small, tmp_path):
    """A file added to _CoqProject is linted like the hand-written ones (nothing is compiled)."""
    need_coqc()
    project = project_copy(tmp_path)
    add_file(project, "Proof/Extra.v", "Axiom cheat : False.\n")
    failed(run(small[1], "small", project, timeout=5), "forbidden Coq constructs", "Proof/Extra.v", "Axiom")


# ------------------------------------------------------------------------- read-back


def test_read_back_catches_a_weaker_rendered_count(honest, small, cache, monkeypatch):
    """A statement rendered with claimed - 1 (provable: the honest proof module is adapted to it)
    compiles, and only the read-back's comparison with the certificate catches it."""
    real = T.render_statement
    monkeypatch.setattr(T, "render_statement", lambda cert, name: real(dict(cert, claimed_count=cert["claimed_count"] - 1), name))
    proof = proof_module(small[0], "small", imports="From Coq Require Import Lia.", keep_checks=True, accuracy=(
        "Theorem small_accuracy : Small_Statement.claim.\nProof.\n"
        "  unfold Small_Statement.claim. rewrite <- small_model_eq.\n"
        f"  assert (Hc : BigZ.to_Z (claimed_count cert) = {small[2]}%Z) by (vm_compute; reflexivity).\n"
        "  pose proof (Sound.checker_sound cert small_checked) as H. rewrite Hc in H. lia.\nQed."))
    failed(run(small[0], "small", cache=cache, proof_files=proof), "the elaborated claim is not the certificate's")


def test_read_back_compares_every_number(honest, honest_build, small):
    """judge() on the honest build's outputs: the certificate itself passes; the same outputs
    judged against a certificate with one mantissa, one exponent, one dimension or the count
    changed do not (the read-back, not the proof, decides)."""
    build, cert = honest.readback, json.loads(small[0].read_text())
    assert T.judge(build, cert, "small", "8.16.1").ok
    assert "pinned for coqc 8.16.1" in T.judge(build, cert, "small", "8.17.0").problem
    assert not list(honest_build.rglob("*.out")), "the read-back files are removed once read"

    def edited(f):
        c = json.loads(json.dumps(cert))
        f(c)
        return T.judge(build, c, "small", "8.16.1")

    for f in (lambda c: c["weights"]["W_U"]["mantissas"].__setitem__(-1, c["weights"]["W_U"]["mantissas"][-1] + 1),
              lambda c: c["weights"]["b_O"].__setitem__("exponent", c["weights"]["b_O"]["exponent"] - 1),
              lambda c: c["weights"]["W_pos"]["mantissas"].append(0)):
        j = edited(f)
        assert not j.ok and "not the certificate's weights" in j.problem, j.problem
    j = edited(lambda c: c["config"].__setitem__("d_head", c["config"]["d_head"] + 1))
    assert not j.ok, j.problem
    j = edited(lambda c: c.__setitem__("claimed_count", c["claimed_count"] + 1))
    assert not j.ok and "the elaborated claim is not the certificate's" in j.problem
    assert j.claimed == small[2]  # the count parsed from what coqc printed


def test_judge_units():
    assert [T.parse_z_term(T.z_term(v)) for v in (0, 1, 2, 191, -7, 16187868)] == [0, 1, 2, 191, -7, 16187868]
    assert T.parse_z_term("Zpos (xI xI)") is None and T.parse_z_term("Zpos (xO (xH))") is None
    assert T.parse_assumptions("Closed under the global context\n") == []
    assert T.parse_assumptions("nothing") is None
    got = T.parse_assumptions("Axioms:\nA.x : nat\nB.y\n  : forall n : nat,\n    n = n\nloop is assumed to be guarded.\n")
    assert got == [("A.x", "nat"), ("B.y", "forall n : nat, n = n"), ("loop is assumed to be guarded.", None)]
    assert T.parse_about("x : t\n\nExpands to: Constant\nCoq.Init.Logic.x\n") == "Coq.Init.Logic.x"


# ------------------------------------------------------------------------- budget and limits


def test_over_the_coq_budget_is_refused_before_coqc(small, tmp_path):
    need_coqc()
    cert = json.loads(small[0].read_text())
    cert.update(frac_bits=4096, taylor_terms=1024)
    p = tmp_path / "big.cert.json"
    p.write_text(json.dumps(cert))
    build = tmp_path / "build"
    res = run(p, "small", build_dir=build)
    failed(res, "not run: exp_work", "Coq budget")
    assert not build.exists(), "nothing may be rendered or compiled"


def test_runaway_coqc_is_stopped(small, tmp_path):
    need_coqc()
    failed(run(small[0], "small", timeout=1.0), "coqc stopped at the wall-time limit (1 s)")
    failed(run(small[0], "small", memory_bytes=256 << 20), "coqc stopped at the memory limit (0.2 GiB)")


def test_cli_coq_check(honest, small, cache, tmp_path):
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "xdg"))
    maxk = [sys.executable, "-m", "pipeline.cli", "coq-check"]
    p = subprocess.run(maxk + [str(small[0]), "--cache-dir", str(cache)], capture_output=True, text=True,
                       cwd=tmp_path, env=env)  # from another folder: the installed project is found
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
    assert re.search(r"^PASS .* of 512 inputs proved correct in Coq", p.stdout, re.M)
    p = subprocess.run(maxk + [str(small[0]), "--timeout", "0"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert p.returncode == 2 and "--timeout" in p.stderr


# ------------------------------------------------------------------------- the red team's findings


@pytest.mark.parametrize("listing", ["X/../Spec.v", "/etc/passwd.v", "Proof/../ModelOf.v", "Checker.v", "Alias.v"])
def test_aliases_of_trusted_files_are_refused(small, tmp_path, listing):
    """Review finding B: a _CoqProject entry that names a trusted file a second time (through a
    symbolic link, `..`, an absolute path, a repeat or a linked file) could overwrite Spec.v in
    the build folder and poison the cache; every such entry is refused before anything runs."""
    need_coqc()
    project = project_copy(tmp_path)
    evil = tmp_path / "evil"
    evil.mkdir()
    (evil / "Spec.v").write_text("Definition count_correct := 1000.\n")
    (project / "X").symlink_to(evil)
    (project / "Alias.v").symlink_to(evil / "Spec.v")
    cp = project / "_CoqProject"
    cp.write_text(cp.read_text().replace("Checker.v\n", f"{listing}\nChecker.v\n", 1))
    with pytest.raises(ValueError, match="unsafe or repeated|symbolic link"):
        run(small[1], "small", project, build_dir=tmp_path / "build")
    assert not (tmp_path / "build").exists()


def test_build_refuses_a_source_changed_on_disk(tmp_path):
    """A source changed between its writing and its coqc (as a hostile earlier coqc could) fails
    the build, and nothing is stored in the cache under the honest key."""
    need_coqc()
    from pipeline.coq_export import build as B

    srcs = {"A.v": b"Definition a := 1.\n", "B.v": b"From MaxK Require A.\nDefinition b := A.a.\n"}
    build, cache = tmp_path / "b", tmp_path / "c"

    def tamper(i, n, rel, reused):
        if rel == "B.v":
            (build / "B.v").write_bytes(b"Definition b := 2.\n")

    res = B.build(srcs, build, shutil.which("coqc"), cache_dir=cache, progress=tamper)
    assert not res.ok and res.why == "tampered" and res.failed == "B.v"
    assert len(list(cache.rglob("*.vo"))) == 1  # A.vo only
    with pytest.raises(ValueError, match="unsafe Coq source path"):
        B.build({"../x.v": b""}, tmp_path / "b2", shutil.which("coqc"))


def test_redirect_onto_the_read_back_changes_nothing(honest, small, cache, tmp_path):
    """Review finding 5: the untrusted proof module (lint off) Redirects text over the statement's
    read-back files after the statement compiled: the judge read them before, so the honest
    certificate still PASSes with its own count; a file that compiles after the check file to
    overwrite its outputs is refused by the order check."""
    out = T.outputs("small")
    proof = proof_module(small[0], "small", keep_checks=True, imports=(
        f'Redirect "{out["claim"]}" Print nat.\nRedirect "{out["model"]}" Print nat.'))
    res = run(small[0], "small", cache=cache, lint=False, proof_files=proof)
    assert res.code == 0 and res.claimed == small[2], "\n".join(res.lines)
    project = project_copy(tmp_path)
    add_file(project, "Proof/Late.v", f'From MaxK Require Certs.Small_Check.\nRedirect "{out["assumptions"]}" Print nat.\n')
    failed(run(small[0], "small", project, cache, lint=False), "the trusted files were not compiled first")


def test_module_system_is_linted_in_the_proof_module(small, tmp_path):
    """Review findings C and D: Coq 8.16.1 proves False through functors (rocq#21051, #12155),
    with Print Assumptions "Closed under the global context"; the lint refuses the module system
    in every untrusted file, the rendered proof module included."""
    need_coqc()
    proof = proof_module(small[1], "small", accuracy=(
        "Module Type T. End T.\nModule F (X : T). End F.\nTheorem small_accuracy : Small_Statement.claim.\nAbort."))
    failed(run(small[1], "small", proof_files=proof, timeout=5), "forbidden Coq constructs", "Certs/Small.v", "Module")
