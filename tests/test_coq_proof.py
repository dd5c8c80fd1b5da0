"""The proved Coq layers of the accuracy theorem (issue 10): coq/Spec.v and coq/Proof/*.v.

    .venv/bin/python -m pytest tests/test_coq_proof.py -q

* a lint over every .v file under coq/: no Admitted / admit / Axiom / Parameter / Conjecture /
  native_compute (comments included: the words are simply not used), shown to fire on bad text;
* when `coqc` exists: every layer compiles in the Makefile's order (`-R . MaxK` from coq/), and
  `Print Assumptions` of each audited lemma (coq/Proof/Audit.v) lists only the axioms of Coq's
  standard reals, or "Closed under the global context"; below Audit.v's BigZ marker (the
  results about Checker.v, down to checker_sound) also the kernel's primitive integers and
  their Uint63 specifications (render.ALLOWED_ASSUMPTIONS), and checker_sound is among them;
* the parser of that output is shown to reject a foreign axiom.
Without coqc the compile test is skipped with the reason printed (install: apt-get install coq
libcoq-stdlib).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from pipeline.coq_export.render import ALLOWED_ASSUMPTIONS

ROOT = Path(__file__).resolve().parents[1]
COQ = ROOT / "coq"
FORBIDDEN = re.compile(r"\b(Admitted|admit|Axiom|Parameter|Conjecture|native_compute)\b")
ALLOWED_AXIOMS = {
    "ClassicalDedekindReals.sig_forall_dec",
    "ClassicalDedekindReals.sig_not_dec",
    "FunctionalExtensionality.functional_extensionality_dep",
}
BIGZ_MARKER = "Below this line: results about Checker.v's BigZ functions"


def coqproject_files() -> list[str]:
    from pipeline.coq_export.render import project_sources

    return project_sources(COQ)


def test_coqproject_lists_every_hand_written_file_once():
    """coq/_CoqProject is the one list of the hand-written files (the compile order comes from
    coqdep): every .v file under coq/ outside Certs/, each once, the audit file last."""
    listed = coqproject_files()
    on_disk = sorted(str(p.relative_to(COQ)) for p in COQ.rglob("*.v") if "Certs" not in p.parts)
    assert sorted(listed) == on_disk and len(set(listed)) == len(listed)
    assert listed[-1] == "Proof/Audit.v"


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


def test_bigz_allowlist_is_exact():
    """The BigZ part of the allowlist names exact axioms: a made-up name under the same modules,
    or a prefix, does not pass."""
    assert "Uint63.add_spec" in ALLOWED_ASSUMPTIONS and "PrimInt63.add" in ALLOWED_ASSUMPTIONS
    for name in ("Uint63.cheat", "PrimInt63.cheat", "Uint63", "PrimInt63.", "Classical_Prop.classic"):
        assert name not in ALLOWED_ASSUMPTIONS


def test_parser_rejects_foreign_axiom():
    out = ("Axioms:\nClassicalDedekindReals.sig_not_dec : forall P : Prop, {~ ~ P} + {~ P}\n"
           "Classical_Prop.classic : forall P : Prop, P \\/ ~ P\nClosed under the global context\n")
    blocks = parse_assumptions(out)
    assert blocks == [{"ClassicalDedekindReals.sig_not_dec", "Classical_Prop.classic"}, None]
    assert not blocks[0] <= ALLOWED_AXIOMS


def test_coq_layers_compile_and_use_only_the_reals_axioms(coq_cache, tmp_path):
    if shutil.which("coqc") is None:
        if os.environ.get("MAXK_REQUIRE_COQ") == "1":
            pytest.fail("coqc NOT FOUND (MAXK_REQUIRE_COQ=1: CI must compile the proof layers)")
        pytest.skip("coqc NOT FOUND: the Coq proof layers were not compiled "
                    "(apt-get install coq libcoq-stdlib)")
    from pipeline.coq_export import build as B
    from pipeline.coq_export.check import hand_written_sources

    sources = hand_written_sources(COQ)
    sources["Proof/Audit.v"] = (COQ / "Proof/Audit.v").read_bytes()
    res = B.build(sources, tmp_path / "build", shutil.which("coqc"), cache_dir=coq_cache, fresh={"Proof/Audit.v"})
    assert res.ok, f"coqc {res.failed} failed:\n{res.stderr[-3000:]}"
    assert res.order[-1] == "Proof/Audit.v"
    out = res.stdout["Proof/Audit.v"]
    audit = (COQ / "Proof/Audit.v").read_text()
    reals_part, bigz_part = audit.split(BIGZ_MARKER)
    pattern = re.compile(r"^Print Assumptions (\S+)\.", re.M)
    audited = [(x, ALLOWED_AXIOMS) for x in pattern.findall(reals_part)]
    audited += [(x, ALLOWED_ASSUMPTIONS) for x in pattern.findall(bigz_part)]
    assert len(audited) >= 10 and "checker_sound" in pattern.findall(bigz_part)
    blocks = parse_assumptions(out)
    assert len(blocks) == len(audited), out
    for (name, allowed), axioms in zip(audited, blocks):
        if axioms is not None:
            assert axioms <= allowed, f"{name} depends on {sorted(axioms - allowed)}"
    # checker_sound (the last one) rests on the reals and on BigZ's primitives: both kinds show
    sound = blocks[-1]
    assert sound is not None and ALLOWED_AXIOMS <= sound and "Uint63.add_spec" in sound
