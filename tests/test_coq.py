"""The Coq twin (coq/Checker.v) and its exporter (pipeline/coq_export/): coqc proves
`check cert = true` for good certificates, fails at the computation step for bad ones, and
agrees with the Python replay.

Needs `coqc` with Bignums (Debian: coq libcoq-stdlib libcoq-bignums; .ci/run installs them).
Without coqc every coqc test is SKIPPED with the reason "coqc not found: the Coq tests were NOT
run ..." (pytest prints it in the summary with -rs); with MAXK_REQUIRE_COQ=1 in the environment
(set by .ci/run) a missing coqc FAILS instead, so CI can never pass without running them.

Verdicts are compared with the replay run on the same certificate with `model_sha256`
recomputed from its (possibly mutated) weights: the sha256 of check 2 is Python only, so that
is exactly the function the Coq twin computes.
"""

from __future__ import annotations

import copy
import json
import os
import random
import re
import shutil
from pathlib import Path

import pytest

from pipeline.certificate import replay as R
from pipeline.certificate.schema import PARAM_NAMES, SCHEMA_VERSION, load_certificate
from pipeline.coq_export import render as C
from pipeline.coq_export import trusted as T

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_MODEL = ROOT / "artifacts" / "models" / "max4-seed123.safetensors"
SHIPPED_CERT = ROOT / "artifacts" / "certs" / "max4-seed123.cert.json"
COQC = C.find_coqc()
MISSING = "coqc not found: the Coq tests were NOT run (apt-get install coq libcoq-stdlib libcoq-bignums)"


def need_coqc():
    if COQC is None:
        if os.environ.get("MAXK_REQUIRE_COQ") == "1":
            pytest.fail(MISSING + " (MAXK_REQUIRE_COQ=1: CI must run them)")
        pytest.skip(MISSING)


def copy_project(d: Path) -> None:
    """Copy the hand-written Coq project (_CoqProject, its .v files, HAND_WRITTEN) into d."""
    for rel in set(C.HAND_WRITTEN) | set(C.project_sources(ROOT / "coq")):
        (d / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "coq" / rel, d / rel)


@pytest.fixture(scope="module")
def project(tmp_path_factory, coq_cache):
    """A compiled copy of the hand-written Coq project (the checker, Spec.v, ModelOf.v and the
    proof of checker_sound), built by build.build through the session's cache."""
    need_coqc()
    from pipeline.coq_export import build as B
    from pipeline.coq_export.check import hand_written_sources

    d = tmp_path_factory.mktemp("coqproj") / "coq"
    res = B.build(hand_written_sources(ROOT / "coq"), d, COQC, cache_dir=coq_cache)
    assert res.ok, res.stderr
    (d / "_CoqProject").write_bytes((ROOT / "coq" / "_CoqProject").read_bytes())
    return d


def coq_prove(project: Path, cert: dict, name: str):
    """Render `cert` (statement, proof module, check file) into Certs/ and coqc the three in
    order (the project is already built).  Returns the last CompletedProcess and the proof
    module's text."""
    files = C.render(cert, name)
    C.write(files, project)
    order = [T.statement_path(name), C.cert_module_path(name), T.check_path(name)]
    proc = C.compile_files(order, project, COQC)
    return proc, files[C.cert_module_path(name)].decode()


def judged(project: Path, cert: dict, name: str):
    """trusted.judge on what coqc printed while compiling coq_prove's files."""
    texts = T.take_outputs(project, T.statement_targets(name) + T.check_targets(name))
    return T.judge(texts, cert, name, "8.16.1")


def coq_verdicts(project: Path, certs: list, tag: str) -> list:
    """check of each certificate by vm_compute, in one coqc run."""
    src = f"Verdicts_{tag}.v"
    (project / src).write_bytes(C.render_verdicts(certs))
    proc = C.compile_files([src], project, COQC)
    assert proc.returncode == 0, proc.stderr[-2000:]
    v = C.parse_verdicts(proc.stdout)
    assert len(v) == len(certs), proc.stdout[-2000:]
    return v


def rehashed(cert: dict) -> dict:
    """`cert` with model_sha256 recomputed from its weights when they are float32 values."""
    c = copy.deepcopy(cert)
    try:
        if R.check_float32(c["weights"]) is None:
            c["model_sha256"] = R.weights_sha256(c["weights"])
    except (TypeError, KeyError, AttributeError):
        pass
    return c


def py_verdict(cert: dict) -> bool:
    return R.replay(rehashed(cert)).ok


def assert_computation_failure(proc, text: str, what: str):
    """coqc failed, and at the `reflexivity` after `vm_compute` of the theorem (the checker
    computed false), not at a syntax or type error."""
    assert proc.returncode != 0, f"{what}: coqc accepted a certificate the replay rejects"
    assert C.is_computation_failure(proc.stderr), f"{what}: not a computation failure:\n{proc.stderr[-1500:]}"
    proof_line = next(i + 1 for i, ln in enumerate(text.splitlines()) if ln.startswith("Proof. vm_compute."))
    m = re.search(r'line (\d+), characters', proc.stderr)
    assert m and int(m.group(1)) == proof_line, f"{what}: failure not on the proof line {proof_line}:\n{proc.stderr}"


# ----------------------------------------------------------------- certificates


def zoo_certs():
    from test_replay import cert_of, zoo

    return [(name, cert_of(name)[1]) for name, _ in zoo()]


@pytest.fixture(scope="module")
def shipped_cert():
    """The shipped certificate; while artifacts/certs still holds a schema-v1 file (before the
    integrator re-certifies), the shipped model certified now with the v2 emitter."""
    raw = json.loads(SHIPPED_CERT.read_text())
    if raw.get("schema_version") == SCHEMA_VERSION:
        return load_certificate(SHIPPED_CERT), "shipped file"
    from pipeline.certificate.certify import certify
    from pipeline.model.checkpoint import load_weights

    cert, _ = certify(load_weights(SHIPPED_MODEL), progress=False)
    return cert, "shipped model, certified now (the shipped file is schema v1)"


@pytest.fixture(scope="module")
def small():
    """A small zoo certificate with c0 entries, cells, several shifts and room in some S set:
    the one with the most cells (a few seconds of coqc)."""
    ok = [(name, cert) for name, cert in zoo_certs()
          if cert["cells"] and cert["c0"] and len(cert["shifts"]) > 1 and cert["config"]["n_ctx"] >= 3
          and any(bin(x[4]).count("1") < x[0] for x in cert["cells"])]
    assert ok, "no suitable zoo certificate"
    name, cert = max(ok, key=lambda nc: len(nc[1]["cells"]))
    assert R.replay(cert).ok
    return name, cert


# ----------------------------------------------------------------- no coqc needed


def test_static_checks_clean_and_have_teeth(small):
    name, cert = small
    files = {**C.hand_written_files(), **C.render(cert, name)}
    assert C.static_checks(files, exempt_redirect={T.statement_path(name), T.check_path(name)}) == []
    assert {p.split(":")[0] for p in C.static_checks(files)} == {T.statement_path(name), T.check_path(name)}
    bad = dict(files)
    bad["Checker.v"] = files["Checker.v"] + b"\nLemma x : False. Proof. admit. Admitted.\n"
    bad["Certs/X.v"] = b"(* Axiom in a comment is fine *)\nAxiom foo : False.\nTime Eval native_compute in 1.\n"
    found = " ".join(C.static_checks(bad))
    for word in ("admit", "Admitted", "Axiom", "native_compute"):
        assert f"forbidden {word}" in found
    assert "Certs/X.v:1:" not in found  # the comment is not flagged
    # review-coq: plural / section forms, unchecked-kernel switches, and a comment opener inside a
    # string literal (which a string-blind comment stripper would take for a comment)
    sneaky = (b'Definition s := "(*". Axioms a : False. Definition t := "*)".\n'
              b'(* "*)" Axiom in a comment that a string inside it does not close *)\n'
              b'Unset Guard Checking.\n#[bypass_check(guard)] Fixpoint f (n : nat) := n.\n'
              b'Admit Obligations.\nHypothesis h : False.\nParameters p q : nat.\n'
              b'Definition x := 1. Time Eval native_cast_no_check x in x.\n'
              b'Section S. Variable v : nat. Hypothesis hv : v = v. End S.\n'  # discharged: fine
              b'Module M. Section T. Context (w : nat). End M. End T.\n')  # End M closes no section
    found = C.static_checks({"Y.v": sneaky})
    assert [f.split(": forbidden ")[1] for f in found] == [
        "Axioms", "Guard Checking", "bypass_check", "Admit", "Hypothesis outside a Section", "Parameters",
        "native_cast_no_check", "Module"], found
    assert found[0].startswith("Y.v:1:") and found[1].startswith("Y.v:3:")
    # issue 17: declarations that hide an axiom, rebind literals or names, load or write files
    hostile = (b"Declare Instance i : C.\nDeclare  Module M : T.\nNumber Notation Z f g : Z_scope.\n"
               b"String Notation s f g : s.\nPrimitive p := #int63_add.\nRegister x as kernel.ind_bool.\n"
               b"Declare ML Module \"evil\".\nLoad \"x.v\".\nAdd LoadPath \"d\" as Coq.\nAdd ML Path \"d\".\n"
               b"Cd \"/\".\nDrop.\nRedirect \"f\" Print x.\nExtraction \"f\" x.\nExtract Constant a => \"b\".\n"
               b"Set Typing Flags.\nModule Type T. End T.\nInclude M.\n#[universes(polymorphic)] Definition u := 1.\n"
               b"Polymorphic Definition v := 1.\nCumulative Inductive w := W.\nSet Universe Polymorphism.\n")
    found = [f.split(": forbidden ")[1] for f in C.static_checks({"Z.v": hostile})]
    assert found == ["Declare Instance", "Declare  Module", "Number Notation", "String Notation", "Primitive",
                     "Register", "Declare ML Module", "Load", "LoadPath", "ML Path", "Cd", "Drop", "Redirect",
                     "Extraction", "Extract", "Typing Flags", "Module", "Include", "universes", "Polymorphic",
                     "Cumulative", "Universe Polymorphism"], found
    # the trusted rendered files may Redirect (their read-back), and nothing else
    ex = {"Certs/A_Check.v"}
    assert C.static_checks({"Certs/A_Check.v": b"Redirect \"x\" Print y.\n"}, exempt_redirect=ex) == []
    assert C.static_checks({"Certs/A_Check.v": b"Axiom a : False.\n"}, exempt_redirect=ex) != []
    assert C.static_checks({"Certs/B_Check.v": b"Redirect \"x\" Print y.\n"}, exempt_redirect=ex) != []
    # round-2 review: a token ending in "(" would make Coq read "!(*" as code while a naive lexer
    # skips a comment; token-declaring notations and glued comment openers are refused
    bypass = (b"Notation \"x '!('\" := x (at level 1, only parsing).\nCheck 0 !(* 1 .\n"
              b"Module Type set. Axiom T : False. End set. *)\n")
    found = " ".join(C.static_checks({"W.v": bypass}))
    assert "token-declaring Notation" in found and "comment opener glued" in found, found
    found = [f.split(": forbidden ")[1] for f in C.static_checks({"U.v": (
        b"Print Universes \"/tmp/x\".\nInfix \"+!\" := plus (at level 50).\nPrint Sorted Universes \"/tmp/y\".\n"
        b"Notation\"x '!('\" := x (at level 1).\nInductive t := T : t where \"'!!'\" := T.\n")})]
    assert found == ["Universes", "Infix", "Universes", 'token-declaring Notation "...', 'token-declaring Notation "...'], found
    assert C.static_checks({"N.v": b"Notation toZ := BigZ.to_Z.\nDefinition x := 1. (* fine *)\n"}) == []


def test_rendered_comment_cannot_be_closed_by_the_certificate(small):
    """model_sha256 is the only certificate text written into the module (in a comment): a value
    that is not 64 hex digits is not written, so "*)" cannot end the comment and inject Coq."""
    name, cert = small
    c = copy.deepcopy(cert)
    c["model_sha256"] = "*) Axiom cheat : False. (*"
    text = C.render(c, name)[C.cert_module_path(name)].decode()
    assert "cheat" not in text and "(not 64 lowercase hex digits)" in text
    assert cert["model_sha256"] in C.render(cert, name)[C.cert_module_path(name)].decode()


def test_render_is_deterministic_and_carries_the_integers(small):
    name, cert = small
    a, b = C.render(cert, name), C.render(copy.deepcopy(cert), name)
    ident = C.coq_ident(name)
    assert a == b and sorted(a) == [f"Certs/{ident}.v", f"Certs/{ident}_Check.v", f"Certs/{ident}_Statement.v"]
    # the trusted statement: the dimensions, every weight's exponent and mantissas, the count
    stmt = a[T.statement_path(name)].decode()
    stmt = C.code_only(stmt[stmt.index("Definition "):stmt.index("Set Printing All")])
    got = [int(x) for x in re.findall(r"(?<![\w.])-?\d+", stmt)]
    cfg = cert["config"]
    want = [cfg["d_vocab"], cfg["n_ctx"], cfg["d_model"], cfg["d_head"]]
    for p in PARAM_NAMES:
        want += [cert["weights"][p]["exponent"]] + cert["weights"][p]["mantissas"]
    assert got == want + [cert["claimed_count"]]
    text = a[C.cert_module_path(name)].decode()
    body = text[text.index("Definition "):text.index("(* Checks 1")]
    got = [int(x) for x in re.findall(r"(?<![\w.])-?\d+", body)]
    want = []
    for p in PARAM_NAMES:
        w = cert["weights"][p]
        want += w["shape"] + [w["exponent"]] + w["mantissas"]
    for key in ("exp_eqke", "exp_eqkp"):
        for lh in ("lo", "hi"):
            want += [x for r in cert[key][lh] for x in r]
    want += [x for r in cert["orders"] for x in r] + [x for r in cert["shifts"] for x in r]
    want += [x for e in cert["c0"] for x in e] + [x for e in cert["cells"] for x in e]
    cfg = cert["config"]
    want += [cert["schema_version"], cfg["d_vocab"], cfg["n_ctx"], cfg["d_model"], cfg["d_head"],
             cert["n_inputs"], cert["claimed_count"], cert["frac_bits"], cert["taylor_terms"],
             cert["sqrt_d_head"]["lo"], cert["sqrt_d_head"]["hi"]]
    assert got == want


def test_assumption_allowlist_parsing():
    out = ("Axioms:\nPrimInt63.add : PrimInt63.int -> PrimInt63.int -> PrimInt63.int\n"
           "PrimInt63.subc\n  : PrimInt63.int -> PrimInt63.int -> CarryType.carry PrimInt63.int\n"
           "Classical_Prop.classic : forall P : Prop, P \\/ ~ P\n")
    names = C.parse_assumptions(out)
    assert names == ["PrimInt63.add", "PrimInt63.subc", "Classical_Prop.classic"]
    assert C.disallowed_assumptions(names) == ["Classical_Prop.classic"]
    assert C.parse_assumptions("Closed under the global context\n") == []
    assert C.parse_assumptions("nothing\n") is None
    # review-coq: exactly one Print Assumptions output; unknown lines are kept (and disallowed);
    # only Coq's own primitive names pass, not any name under a module called PrimInt63
    assert C.parse_assumptions("Closed under the global context\n" + out) is None
    assert C.parse_assumptions(out + "Axioms:\nPrimInt63.add : PrimInt63.int\n") is None
    unguarded = C.parse_assumptions("Axioms:\nloop is assumed to be guarded.\nPrimInt63.add : PrimInt63.int\n")
    assert C.disallowed_assumptions(unguarded) == ["loop is assumed to be guarded."]
    assert C.disallowed_assumptions(["PrimInt63.cheat", "PrimInt63.int", "PrimInt63.diveucl_21"]) == ["PrimInt63.cheat"]
    # the accuracy theorem also rests on the reals and on Uint63's specifications, by exact name
    ok = ["Uint63.add_spec", "Uint63.of_to_Z", "ClassicalDedekindReals.sig_not_dec",
          "FunctionalExtensionality.functional_extensionality_dep"]
    assert C.disallowed_assumptions(ok + ["Uint63.cheat", "Uint63.add_spec2", "ClassicalDedekindReals.x"]) == [
        "Uint63.cheat", "Uint63.add_spec2", "ClassicalDedekindReals.x"]


def test_accuracy_theorem_is_rendered_with_the_claimed_count(small):
    """The trusted statement states claimed_count <= Z.of_nat (Spec.count_correct model) with
    the certificate's own count and full names; the untrusted proof module proves that `claim`
    from checker_sound and prints nothing; the check file types it by the trusted constant.
    A negative count has no statement."""
    name, cert = small
    files = C.render(cert, name)
    ident, acc, model = C.coq_ident(name), C.accuracy_name(name), C.model_name(name)
    stmt = files[T.statement_path(name)].decode()
    assert f"Definition {model} : MaxK.Spec.model := {{|" in stmt
    assert (f"Definition claim : Prop := ({cert['claimed_count']} <= Z.of_nat (MaxK.Spec.count_correct {model}))."
            in stmt)
    assert re.findall(r"^From .*$", stmt, re.M) == ["From Coq Require Import ZArith List.",
                                                    "From MaxK Require Spec ModelOf."]
    proof = files[C.cert_module_path(name)].decode()
    assert f"Theorem {acc} : {ident}_Statement.claim." in proof
    assert f"Sound.checker_sound cert {C.theorem_name(name)}" in proof
    assert "Print Assumptions" not in proof
    check = files[T.check_path(name)].decode()
    assert f"Definition {T.final_name(name)} : MaxK.Certs.{ident}_Statement.claim :=" in check
    assert "Import" not in code_lines(check)
    neg = copy.deepcopy(cert)
    neg["claimed_count"] = -1
    with pytest.raises(ValueError, match="negative"):
        C.render(neg, name)


def code_lines(text: str) -> str:
    return C.code_only(text)


def test_coq_check_without_coqc_says_so(monkeypatch, capsys):
    from pipeline import cli

    monkeypatch.setenv("PATH", "/nonexistent")
    assert cli.main(["coq-check", str(SHIPPED_CERT)]) == 3
    out = capsys.readouterr().out.strip().splitlines()
    assert out == ["Coq not found: the Coq check was NOT run (apt-get install coq libcoq-stdlib libcoq-bignums)"]


# ----------------------------------------------------------------- coqc


def test_shipped_certificate_checks_in_coq(project, shipped_cert):
    cert, origin = shipped_cert
    assert R.replay(cert).ok, origin
    proc, _ = coq_prove(project, cert, "max4-seed123")
    assert proc.returncode == 0, f"{origin}:\n{proc.stderr[-3000:]}"
    j = judged(project, cert, "max4-seed123")
    assert j.ok, j.problem
    assert j.claimed == cert["claimed_count"] == 16187868
    # the accuracy theorem's assumptions: the reals (Spec.v), the primitive integers and their
    # Uint63 specifications (BigZ), all three kinds, each by full path
    paths = {p for p, _ in j.assumptions}
    assert "Coq.Numbers.Cyclic.Int63.PrimInt63.int" in paths and "Coq.Numbers.Cyclic.Int63.Uint63.add_spec" in paths
    assert "Coq.Reals.ClassicalDedekindReals.sig_forall_dec" in paths and len(paths) == 54


def test_small_zoo_certificates_check_in_coq(project):
    certs = zoo_certs()
    picked = [certs[i] for i in (0, 5, 12, 20, 23)]  # random0, random5, good0, biased0, tie
    for name, cert in picked:
        assert R.replay(cert).ok
        proc, _ = coq_prove(project, cert, "zoo-" + name)
        assert proc.returncode == 0, f"{name}:\n{proc.stderr[-2000:]}"
        j = judged(project, cert, "zoo-" + name)
        assert j.ok, (name, j.problem)


def _mutations(cert: dict) -> dict:
    """The five required mutations, each one the replay rejects (sha256 recomputed) at the
    named check; found by search on the Python side, then run once through coqc."""
    out = {}
    c = copy.deepcopy(cert)
    c["claimed_count"] += 1
    out["count"] = (c, "check_count")

    for i in range(len(cert["weights"]["W_E"]["mantissas"])):
        c = copy.deepcopy(cert)
        c["weights"]["W_E"]["mantissas"][i] += 1
        c = rehashed(c)
        res = R.replay(c)
        if not res.ok and res.failed_check not in ("check_header", "check_float32"):
            out["mantissa"] = (c, res.failed_check)
            break

    V = cert["config"]["d_vocab"]
    for q in range(V):
        c = copy.deepcopy(cert)
        hi = c["exp_eqke"]["hi"][q]
        t = max(range(V), key=lambda j: hi[j])
        hi[t] -= (hi[t] >> 20) + 1
        res = R.replay(c)
        if res.failed_check == "check_exp_tables":
            out["exp_bound"] = (c, "check_exp_tables")
            break

    for idx, (m, q, cc, j, mask) in enumerate(cert["cells"]):
        for k in range(m):
            if not (mask >> k) & 1:
                c = copy.deepcopy(cert)
                c["cells"][idx][4] = mask | (1 << k)
                old = R.math.comb(len(cert["orders"][0]), cc)
                c["claimed_count"] += old * (bin(mask).count("1") + 1) ** cc - old * bin(mask).count("1") ** cc
                if R.replay(c).failed_check == "check_cells" and R.check_count(
                        c["claimed_count"], c["c0"], c["cells"], c["config"]["n_ctx"]) is None:
                    out["S_bit"] = (c, "check_cells")
                    break
        if "S_bit" in out:
            break

    scale = max(abs(x) for r in R.compute_paths(*_aligned(cert))["EUPU"] for x in r) * 8 + 1
    for idx, cell in enumerate(cert["cells"]):
        j = cell[3]
        for y in range(V):
            for sign in (1, -1):
                c = copy.deepcopy(cert)
                c["shifts"][j][y] += sign * scale
                if R.replay(c).failed_check == "check_cells":
                    out["shift"] = (c, "check_cells")
                    break
            if "shift" in out:
                break
        if "shift" in out:
            break
    assert set(out) == {"count", "mantissa", "exp_bound", "S_bit", "shift"}, sorted(out)
    return out


def _aligned(cert):
    cfg = cert["config"]
    z, T = R.align_weights(cert["weights"], cfg["d_vocab"], cfg["n_ctx"], cfg["d_model"], cfg["d_head"])
    return T, z, cfg["n_ctx"]


def test_mutations_fail_at_the_computation(project, small):
    name, cert = small
    proc, _ = coq_prove(project, cert, "mut-base")
    assert proc.returncode == 0, proc.stderr[-2000:]  # the unmutated certificate passes
    for what, (c, failed) in _mutations(cert).items():
        assert R.replay(c).failed_check == failed, what
        proc, text = coq_prove(project, c, f"mut-{what}")
        assert_computation_failure(proc, text, what)


def _tamper_set(certs: list, n: int, seed: int) -> list:
    from test_tamper import mutate

    rng = random.Random(seed)
    out = []
    for i in range(n):
        name, cert = certs[i % len(certs)]
        c, desc = mutate(cert, rng)
        out.append((f"{name}: {desc}", c))
    return out


def _differential(project, n_zoo: int, n_tamper: int, seed: int, tag: str):
    certs = zoo_certs()
    cases = [(name, c) for name, c in certs[:n_zoo]] + _tamper_set(certs[:n_zoo] or certs, n_tamper, seed)
    coq = coq_verdicts(project, [c for _, c in cases], tag)
    py = [py_verdict(c) for _, c in cases]
    diff = [(desc, p, q) for (desc, _), p, q in zip(cases, py, coq) if p != q]
    assert not diff, f"replay and Coq disagree (desc, replay, coq): {diff[:5]}"
    n_acc = sum(py[n_zoo:])
    assert all(py[:n_zoo]), "every zoo certificate replays"
    assert n_tamper == 0 or n_acc < n_tamper, "some tampering must be rejected"
    return n_acc


def test_differential_small(project):
    _differential(project, n_zoo=5, n_tamper=20, seed=1, tag="small")


@pytest.mark.slow
def test_differential_zoo_and_tamper(project):
    _differential(project, n_zoo=25, n_tamper=60, seed=2, tag="full")


def test_face_for_archives(small):
    from pipeline.coq_export import face

    name, cert = small
    files = face.render(cert, name)
    ident = C.coq_ident(name)
    assert sorted(files) == [f"coq/Certs/{ident}.v", f"coq/Certs/{ident}_Check.v", f"coq/Certs/{ident}_Statement.v"]
    assert face.HAND_WRITTEN[:3] == ["coq/_CoqProject", "coq/Checker.v", "coq/CheckerSpec.v"]
    assert "coq/Spec.v" in face.HAND_WRITTEN  # the statement travels with every archive
    project = {**face.installed(), **files}
    assert face.static_checks(project) == []
    broken = {k: v for k, v in project.items() if k != "coq/Checker.v"}
    found = face.static_checks(broken)
    assert "coq/Checker.v: missing" in found
    assert any("requires MaxK.Checker" in p for p in found)
    bad = dict(project)
    bad["coq/CheckerSpec.v"] = project["coq/CheckerSpec.v"] + b"\nAxiom cheat : False.\n"
    assert any(p.startswith("coq/CheckerSpec.v:") and "Axiom" in p for p in face.static_checks(bad))


def test_cli_coq_check_pass_and_fail(project, tmp_path, small, capsys, coq_cache):
    """PASS builds the project (from the session's cache) and the three rendered files and names
    the trusted claim; a certificate whose weights do not hash to its model_sha256 fails in
    Python before anything is rendered; a count the checker rejects fails at vm_compute."""
    from pipeline import cli
    from pipeline.certificate.schema import dump_certificate

    name, cert = small
    good = tmp_path / "small.cert.json"
    good.write_text(dump_certificate(cert))
    cache = ["--cache-dir", str(coq_cache)]
    assert cli.main(["coq-check", str(good)] + cache) == 0
    out = capsys.readouterr().out
    n_files = len(C.checker_sources(ROOT / "coq")) + 3
    assert f"[{n_files}/{n_files}] coqc   Certs/Small_Check.v" in out
    assert f"model binding (checked in Python, not in Coq): the weights hash to model_sha256 {cert['model_sha256']}" in out
    assert f"coqc proved small_accuracy_checked : Small_Statement.claim" in out
    assert f"PASS {good}: {cert['claimed_count']} of {7 ** 4} inputs proved correct in Coq" in out
    assert "3 axioms of the reals, 25 primitive integer names, 26 specifications of them" in out

    stale_cert = copy.deepcopy(cert)
    mants = stale_cert["weights"]["W_U"]["mantissas"]
    i = next(i for i, x in enumerate(mants) if x != 0)
    mants[i] = -mants[i]  # still a float32 value; the hash is not updated
    stale = tmp_path / "stale.cert.json"
    stale.write_text(dump_certificate(stale_cert))
    assert R.replay(stale_cert).failed_check == "weights_sha256"
    build = tmp_path / "build-stale"
    assert cli.main(["coq-check", str(stale), "--name", "stale", "--build-dir", str(build)] + cache) == 1
    out = capsys.readouterr().out
    assert f"FAIL {stale}: the weights are not bound to model_sha256 (checked in Python): weights hash to" in out
    assert not build.exists()

    bad_cert = copy.deepcopy(cert)
    bad_cert["claimed_count"] += 1
    bad = tmp_path / "bad.cert.json"
    bad.write_text(dump_certificate(bad_cert))
    assert cli.main(["coq-check", str(bad)] + cache) == 1
    out = capsys.readouterr().out
    assert f"FAIL {bad}: the checker rejected the certificate (vm_compute gave false)" in out


COQ_TWINS = [  # replay.py name -> coq/Checker.v name (FORMAT.md "Names in the three checkers")
    ("ceil_div", "ceil_div"), ("popcount", "popcount"), ("check_header", "check_header"),
    ("float32_bits", "float32_ok"), ("check_float32", "check_float32"),
    ("align_weights", "align_weights"), ("compute_paths", "compute_paths"), ("check_sqrt", "check_sqrt"),
    ("exp_reduction", "exp_reduction"), ("exp_lower", "exp_lower"), ("exp_upper", "exp_upper"),
    ("check_exp_neg", "check_exp_neg"), ("check_exp_tables", "check_exp_tables"),
    ("check_orders", "check_orders"), ("ub", "ub"), ("c0_entry_ok", "c0_entry_ok"), ("check_c0", "check_c0"),
    ("split_maxima", "split_maxima"), ("arrangement_slots", "arrangement_slots"), ("slots_sum", "slots_sum"),
    ("cell_k_ok", "cell_k_ok"), ("check_cells", "check_cells"), ("check_count", "check_count"),
    ("replay", "check"),
]


def test_checker_v_is_the_replays_twin_in_order():
    """Each replay function has its twin in Checker.v, defined in the same order, and FORMAT.md's
    table of names lists it."""
    py = (ROOT / "pipeline" / "certificate" / "replay.py").read_text()
    coq = (ROOT / "coq" / "Checker.v").read_text()
    fmt = (ROOT / "pipeline" / "certificate" / "FORMAT.md").read_text()
    py_pos = [py.index(f"\ndef {p}(") for p, _ in COQ_TWINS]
    coq_pos = []
    for _, c in COQ_TWINS:
        m = re.search(rf"^(?:Definition|Fixpoint) {c}\b", coq, flags=re.M)
        assert m, f"Checker.v has no {c}"
        coq_pos.append(m.start())
        assert f"`{c}`" in fmt, f"FORMAT.md's table lacks {c}"
    assert py_pos == sorted(py_pos) and coq_pos == sorted(coq_pos)
    # the driver runs the ten checks in the replay's order
    body = coq[coq.index("Definition check (c : Cert)"):]
    order = [body.index(name + " ") for name in ("check_header", "check_float32", "compute_paths", "check_sqrt",
                                                 "check_exp_tables", "check_orders", "check_c0",
                                                 "check_cells", "check_count")]
    assert order == sorted(order)


# ----------------------------------------------------------------- targeted rejections (review)
#
# Each mutation below is rejected by the replay at one named check, and is built so that it
# passes every OTHER check: a Checker.v that lost exactly that check would accept it.  So the
# test fails for the Coq twin's weakening mutants of tests/mutants.py (coq-*), which a mutation
# that is also rejected elsewhere could not show.


def _exp_upper_no_remainder(num, den, F, NT):
    """replay.exp_upper without the 2 t_NT remainder term (what a weakened checker computes)."""
    j = R.exp_reduction(num, den)
    r = R.ceil_div(num << F, den << j)
    t = total = 1 << F
    for i in range(1, NT):
        t = R.ceil_div(t * r, i << F)
        total += t
    for _ in range(j):
        total = R.ceil_div(total * total, 1 << F)
    return total


def _add_bit(cert, idx, bit):
    """`cert` with bit `bit` set in the mask of cell idx and claimed_count adjusted to match."""
    c = copy.deepcopy(cert)
    m, q, cc, j, mask = c["cells"][idx]
    n = c["config"]["n_ctx"]
    new = mask | (1 << bit)
    c["cells"][idx][4] = new
    c["claimed_count"] += R.math.comb(n - 1, cc) * (R.popcount(new) ** cc - R.popcount(mask) ** cc)
    return c


def _targeted(good: dict, high_src: dict) -> dict:
    """{what: (certificate, failing check)}; `high_src` has a cell and k whose pure input fails
    only in the high arrangement."""
    out = {}
    V, n = good["config"]["d_vocab"], good["config"]["n_ctx"]
    # mask bit m (outside 1..2^m-1) and an empty mask, each with the count adjusted
    out["mask-bit-m"] = (_add_bit(good, 0, good["cells"][0][0]), "check_cells")
    c = copy.deepcopy(good)
    m, q, cc, j, mask = c["cells"][-1]
    c["cells"][-1][4] = 0
    c["claimed_count"] -= R.math.comb(n - 1, cc) * R.popcount(mask) ** cc
    out["mask-empty"] = (c, "check_cells")
    # a k whose pure input fails in the high arrangement only
    hv, hn = high_src["config"]["d_vocab"], high_src["config"]["n_ctx"]
    z, T = R.align_weights(high_src["weights"], hv, hn, high_src["config"]["d_model"], high_src["config"]["d_head"])
    P = R.compute_paths(T, z, hn)
    args = (high_src["exp_eqke"]["lo"], high_src["exp_eqke"]["hi"], high_src["exp_eqkp"]["lo"],
            high_src["exp_eqkp"]["hi"], hn)
    for idx, (m, q, cc, j, mask) in enumerate(high_src["cells"]):
        Dir, Ov = R.shift_matrices(P, high_src["shifts"][j])
        U, E = R.split_maxima(Dir, Ov, P["PVOU"], m, hv, hn)
        ks = [k for k in range(m) if not (mask >> k) & 1
              and R.cell_k_ok(m, q, cc, k, U, E, high_src["orders"][q], *args) == "high"]
        if ks:
            out["high-only"] = (_add_bit(high_src, idx, ks[0]), "check_cells")
            break
    # an exp_eqke lo that only the Taylor sum WITHOUT its remainder term would accept
    z, T = R.align_weights(good["weights"], V, n, good["config"]["d_model"], good["config"]["d_head"])
    EQKE = R.compute_paths(T, z, n)["EQKE"]
    F, NT, s_lo = good["frac_bits"], good["taylor_terms"], good["sqrt_d_head"]["lo"]
    for q in range(V):
        for t in range(V):
            negx = max(EQKE[q]) - EQKE[q][t]
            nb, db = negx << F, s_lo << (4 * z)
            if negx == 0 or nb > F * db:
                continue
            lo_weak = (1 << (2 * F)) // _exp_upper_no_remainder(nb, db, F, NT)
            if lo_weak * R.exp_upper(nb, db, F, NT) > (1 << (2 * F)):
                c = copy.deepcopy(good)
                c["exp_eqke"]["lo"][q][t] = lo_weak
                out["taylor-remainder"] = (c, "check_exp_tables")
                break
        if "taylor-remainder" in out:
            break
    # s_hi below sqrt(h) 2^F (a smaller s_hi only eases the exp-table check)
    c = copy.deepcopy(good)
    c["sqrt_d_head"]["hi"] = c["sqrt_d_head"]["lo"]
    out["sqrt-hi-low"] = (c, "check_sqrt")
    # structural ones (rejected by both checkers through their range checks)
    c = copy.deepcopy(good)
    c["cells"][0][3] = len(c["shifts"])
    out["shift-index"] = (c, "check_cells")
    c = copy.deepcopy(good)
    c["c0"].insert(1, list(c["c0"][0]))
    c["claimed_count"] += 1
    out["c0-duplicate"] = (c, "check_c0")
    c = copy.deepcopy(good)
    c["orders"][0][1] = c["orders"][0][0]
    out["orders-repeat"] = (c, "check_orders")
    for idx, (m, q, cc, j, mask) in enumerate(good["cells"]):  # c = n-1 with q < m: no m left
        if q < m and cc == n - 2:
            c = copy.deepcopy(good)
            c["cells"][idx][2] = n - 1
            out["c-above-cmax"] = (c, "check_cells")
            break
    # short lists (the Python loader refuses them; render does not): Checker.v's header must, so
    # that no nth default (0) is ever read
    for what, path in (("short-eqkp-hi-row", ("exp_eqkp", "hi", 0)), ("short-orders-row", ("orders", 0)),
                       ("short-shift", ("shifts", 0)), ("short-W_E", ("weights", "W_E", "mantissas"))):
        c = copy.deepcopy(good)
        x = c
        for key in path:
            x = x[key]
        x.pop()
        out[what] = (c, "check_header")
    assert set(out) == {"mask-bit-m", "mask-empty", "high-only", "taylor-remainder", "sqrt-hi-low",
                        "shift-index", "c0-duplicate", "orders-repeat", "c-above-cmax", "short-eqkp-hi-row",
                        "short-orders-row", "short-shift", "short-W_E"}, sorted(out)
    return out


@pytest.fixture(scope="module")
def checker_only(tmp_path_factory):
    """A private Coq project with Checker.v alone, compiled (the verdict files need nothing else;
    a weakened Checker.v is tested by its behaviour, not by CheckerSpec.v's proofs breaking)."""
    need_coqc()
    d = tmp_path_factory.mktemp("coqchecker")
    shutil.copy(ROOT / "coq" / "Checker.v", d / "Checker.v")
    proc = C.compile_files(["Checker.v"], d, COQC)
    assert proc.returncode == 0, proc.stderr
    return d


def test_targeted_rejections_in_coq(checker_only, small):
    """Two good certificates pass, and each targeted mutation is rejected, by Checker.v, in one
    coqc run; the replay rejects each at the named check."""
    name, good = small
    high_src = dict(zoo_certs())["random9"]
    assert R.replay(good).ok and R.replay(high_src).ok
    cases = _targeted(good, high_src)
    for what, (c, failed) in cases.items():
        assert R.replay(c).failed_check == failed, what
    names = list(cases)
    got = coq_verdicts(checker_only, [good, high_src] + [cases[w][0] for w in names], "targeted")
    assert got[:2] == [True, True], "the unmutated certificates must pass"
    accepted = [w for w, v in zip(names, got[2:]) if v]
    assert not accepted, f"Checker.v accepts certificates the replay rejects: {accepted}"
