"""The proved Coq layers of the accuracy theorem (issue 10): coq/Spec.v and coq/Proof/*.v.

    .venv/bin/python -m pytest tests/test_coq_proof.py -q

* a lint over every .v file under coq/: no Admitted / admit / Axiom / Parameter / Conjecture /
  native_compute (comments included: the words are simply not used), shown to fire on bad text;
* when `coqc` exists: every layer compiles in the Makefile's order (`-R . MaxK` from coq/), and
  `Print Assumptions` of each audited lemma (coq/Proof/Audit.v) lists only the axioms of Coq's
  standard reals and (lemmas over Checker.v's BigZ) the kernel's primitive integers with Coq's
  Uint63 specification of them, by exact name, or "Closed under the global context";
* the parser of that output is shown to reject a foreign axiom.
Without coqc the compile test is skipped with the reason printed (install: apt-get install coq
libcoq-stdlib).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COQ = ROOT / "coq"
FORBIDDEN = re.compile(r"\b(Admitted|admit|Axiom|Parameter|Conjecture|native_compute)\b")
ALLOWED_AXIOMS = {
    "ClassicalDedekindReals.sig_forall_dec",
    "ClassicalDedekindReals.sig_not_dec",
    "FunctionalExtensionality.functional_extensionality_dep",
}
# The lemmas about Checker.v's BigZ numbers (Proof/Loops.v) also rest on the kernel's primitive
# 63-bit integers and on Coq's own axiomatic specification of them (Uint63.v), by exact name:
# the names Print Assumptions lists for them with Coq 8.16 and Bignums.
BIGZ_AXIOMS = frozenset(
    ["PrimInt63." + x for x in
     "int add sub mul div mod lsl lsr land lor lxor addc addcarryc subc subcarryc mulc diveucl "
     "diveucl_21 addmuldiv eqb ltb leb compare head0 tail0".split()]
    + ["Uint63." + x for x in
       "add_spec addc_def_spec addcarryc_def_spec addmuldiv_def_spec compare_def_spec div_spec "
       "diveucl_21_spec diveucl_def_spec eqb_correct eqb_refl head0_spec land_spec leb_spec "
       "lor_spec lsl_spec lsr_spec ltb_spec lxor_spec mod_spec mul_spec mulc_spec of_to_Z "
       "sub_spec subc_def_spec subcarryc_def_spec tail0_spec".split()])


def makefile_order() -> list[str]:
    """The COQ_PROOF_FILES list of the Makefile (the compile order)."""
    text = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    m = re.search(r"^COQ_PROOF_FILES\s*:=(.*)$", text, re.M)
    assert m, "Makefile has no COQ_PROOF_FILES"
    return m.group(1).split()


def test_coqproject_lists_the_checker_then_the_proof_layers():
    """coq/_CoqProject (the project an auditor builds) = the checker files, then COQ_PROOF_FILES."""
    listed = [w for line in (COQ / "_CoqProject").read_text().splitlines()
              for w in line.split()[:1] if w.endswith(".v")]
    assert listed == ["Checker.v", "CheckerSpec.v"] + makefile_order()


def forbidden_hits(text: str) -> list[str]:
    return FORBIDDEN.findall(text)


def parse_assumptions(out: str) -> list[set[str] | None]:
    """One entry per Print Assumptions block: the set of axiom names, or None when closed."""
    blocks: list[set[str] | None] = []
    for line in out.splitlines():
        if not line or line[0].isspace():
            continue  # continuation of an axiom's type
        if line.startswith("Closed under the global context"):
            blocks.append(None)
        elif line.startswith("Axioms:"):
            blocks.append(set())
        else:
            assert blocks and blocks[-1] is not None, f"unexpected output line: {line!r}"
            blocks[-1].add(line.split(" :")[0].strip())
    return blocks


def test_lint_fires_on_bad_text():
    assert forbidden_hits("Lemma x : True.\nProof. admit. Admitted.") == ["admit", "Admitted"]
    assert forbidden_hits("Axiom foo : False.") == ["Axiom"]
    assert forbidden_hits("Lemma admits_x : True.") == []


def test_no_forbidden_construct_in_coq():
    files = sorted(COQ.rglob("*.v"))
    assert (COQ / "Spec.v") in files
    for f in files:
        hits = forbidden_hits(f.read_text())
        assert not hits, f"{f.relative_to(ROOT)} contains {hits}"


def test_parser_rejects_foreign_axiom():
    out = ("Axioms:\nClassicalDedekindReals.sig_not_dec : forall P : Prop, {~ ~ P} + {~ P}\n"
           "Classical_Prop.classic : forall P : Prop, P \\/ ~ P\nClosed under the global context\n")
    blocks = parse_assumptions(out)
    assert blocks == [{"ClassicalDedekindReals.sig_not_dec", "Classical_Prop.classic"}, None]
    assert not blocks[0] <= ALLOWED_AXIOMS
    # a name under a module called Uint63 that is not Coq's is rejected too
    assert not {"Uint63.cheat"} <= ALLOWED_AXIOMS | BIGZ_AXIOMS
    assert len(BIGZ_AXIOMS) == 51


def test_coq_layers_compile_and_use_only_the_reals_axioms():
    if shutil.which("coqc") is None:
        pytest.skip("coqc NOT FOUND: the Coq proof layers were not compiled "
                    "(apt-get install coq libcoq-stdlib)")
    order = makefile_order()
    assert order[0] == "Spec.v" and order[-1] == "Proof/Audit.v"
    listed = {str(p.relative_to(COQ)) for p in COQ.rglob("*.v")}
    assert set(order) <= listed
    out = ""
    # Proof/Link.v imports Checker and CheckerSpec: build them first (as _CoqProject lists them)
    for f in ["Checker.v", "CheckerSpec.v"] + order:
        res = subprocess.run(["coqc", "-R", ".", "MaxK", f], cwd=COQ, capture_output=True,
                             text=True, timeout=600)
        assert res.returncode == 0, f"coqc {f} failed:\n{res.stdout}\n{res.stderr}"
        out = res.stdout
    audited = re.findall(r"^Print Assumptions (\S+)\.", (COQ / "Proof/Audit.v").read_text(), re.M)
    assert len(audited) >= 10
    blocks = parse_assumptions(out)
    assert len(blocks) == len(audited), out
    for name, axioms in zip(audited, blocks):
        if axioms is not None:
            allowed = ALLOWED_AXIOMS | BIGZ_AXIOMS
            assert axioms <= allowed, f"{name} depends on {sorted(axioms - allowed)}"
