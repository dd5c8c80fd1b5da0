"""Render a cubic certificate (schema v2) into Coq modules (the proof module is untrusted).

    maxk coq-check artifacts/certs/max4-seed123.cert.json

Owns the generated part of the Coq project (logical name MaxK).  For a certificate named N:

    Certs/<Ident>_Statement.v   TRUSTED, rendered by trusted.py: the model (Spec.model, from
                      ModelOf.tensor_of) and `claim : Prop`, (claimed <= Z.of_nat
                      (Spec.count_correct <ident>_model))%Z, with a read-back for the judge;
    Certs/<Ident>.v   untrusted, through templates/coq/cert.v.j2: the certificate's integers as
                      BigZ literals, the record `cert : Cert`, `<ident>_checked : check cert =
                      true` by `vm_compute. reflexivity.`, `<ident>_model_eq : Model.model_of
                      cert = <the statement's model>` and `<ident>_accuracy : claim` from
                      Proof/Sound.v's checker_sound;
    Certs/<Ident>_Check.v       TRUSTED, rendered by trusted.py: checks that <ident>_accuracy
                      proves the trusted claim, and prints what it rests on.

`Ident` is a Coq identifier made from N ("max4-seed123" -> "Max4_seed123").  The checker
(coq/Checker.v), the statement (coq/Spec.v, coq/ModelOf.v), the proof layers (coq/Proof/*.v)
and coq/_CoqProject are hand-written: HAND_WRITTEN names them, and an archive must carry them
unchanged.  Nothing in this module is trusted: a wrong rendering of the proof module can only
make coqc fail.

The exporter's face (shared with lean_export, used by archive.py):
    render(cert, name) -> {path relative to the Coq project folder: bytes}
    HAND_WRITTEN       -> the hand-written files (relative to the same folder)
    static_checks(files) -> list of problems (no word of FORBIDDEN, e.g. Admitted/admit/Axiom(s)/
                          Parameter(s)/Conjecture/native_compute/Declare Instance/Number
                          Notation/Load, outside comments and strings)
Rendering is deterministic (same certificate and name: same bytes).  A certificate whose
structure the Coq record cannot hold (a non-integer, a c0 entry that is not a pair, a cell
that is not a 5-tuple) raises ValueError; every other certificate renders, including ones the
checker rejects (the mutation tests need them).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import jinja2

from pipeline import resources
from pipeline.certificate.schema import PARAM_NAMES
from pipeline.render_common import template_env
from pipeline.fileio import atomic_write_bytes
from . import trusted as T
from .lint import FORBIDDEN, SECTION_ONLY, code_only, section_spans, static_checks  # noqa: F401 (the face)
from .trusted import coq_ident

TEMPLATE_DIR = resources.templates_dir() / "coq"
# The hand-written Coq project: the checkout's coq/, or the installed package's copy (pipeline/resources.py)
PROJECT_DIR = resources.coq_dir()
LOGICAL_ROOT = "MaxK"
CERTS_DIR = "Certs"
def _listed_sources(project_dir: Path) -> tuple:
    text = (Path(project_dir) / "_CoqProject").read_text()
    return tuple(w for line in text.splitlines() for w in line.split()[:1] if w.endswith(".v"))


# Every hand-written file of the installed project, which every archive carries unchanged: the
# project file and each .v file it lists (checker, its spec lemmas, the statement Spec.v and the
# proof layers), in the _CoqProject's (dependency) order.
HAND_WRITTEN = ("_CoqProject",) + _listed_sources(PROJECT_DIR)
# The last file of _CoqProject only prints the axioms of the proved layers (make coq-proof,
# tests/test_coq_proof.py); `maxk coq-check` compiles every other listed file before a
# certificate module, whose Print Assumptions must be the only one in coqc's output.
AUDIT_SOURCE = "Proof/Audit.v"
COQ_MISSING = ("Coq not found: the Coq check was NOT run "
               "(apt-get install coq libcoq-stdlib libcoq-bignums)")
# What the accuracy theorem of a certificate module may rest on, by exact name (so that no other
# name under the same module passes):
# - the kernel's primitive integers (BigZ sits on them): the type and operations of Coq's
#   PrimInt63 (8.16, plus the signed ones of later versions);
PRIMINT63_NAMES = frozenset(
    "int add sub mul div mod lsl lsr land lor lxor addc addcarryc subc subcarryc mulc diveucl "
    "diveucl_21 addmuldiv eqb ltb leb compare head0 tail0 asr divs mods ltsb lesb compares".split())
# - the standard library's specifications of those primitives (Uint63.v declares them as
#   axioms in Coq 8.16); every BigZ.spec_* lemma, hence every BigZ -> Z step of the proof, uses
#   them;
UINT63_SPEC_NAMES = frozenset(
    "add_spec sub_spec mul_spec mod_spec div_spec lsl_spec lsr_spec land_spec lor_spec lxor_spec "
    "ltb_spec leb_spec eqb_correct eqb_refl compare_def_spec head0_spec tail0_spec of_to_Z "
    "addc_def_spec addcarryc_def_spec subc_def_spec subcarryc_def_spec mulc_spec "
    "diveucl_def_spec diveucl_21_spec addmuldiv_def_spec".split())
# - the standard library's axioms of the real numbers (Spec.v's R, exp, sqrt).
REALS_AXIOMS = frozenset({"ClassicalDedekindReals.sig_forall_dec", "ClassicalDedekindReals.sig_not_dec",
                          "FunctionalExtensionality.functional_extensionality_dep"})
ALLOWED_ASSUMPTIONS = (frozenset("PrimInt63." + x for x in PRIMINT63_NAMES)
                       | frozenset("Uint63." + x for x in UINT63_SPEC_NAMES) | REALS_AXIOMS)
_HEX64 = re.compile(r"^[0-9a-f]{64}$")

# Coq field name of each tensor in Checker.v's Weights record, in PARAM_NAMES order.
TENSOR_IDENTS = {name: name + "_data" for name in PARAM_NAMES}


def _env() -> jinja2.Environment:
    return template_env(TEMPLATE_DIR)


# the literal writers are the trusted statement's (one way to write a Coq integer list)
_int, _lit, _wrap, coq_vec, coq_mat, _tensor_rows = T._int, T._lit, T._wrap, T.coq_vec, T.coq_mat, T.tensor_rows


def _wrap_cells(cells: list) -> str:
    if not cells:
        return "[]"
    if len(cells) == 1:
        return "((" + cells[0] + ") :: nil)"
    return "[" + ";\n   ".join(cells) + "]"


def _context(cert: dict) -> dict:
    """The template variables of _data.v.j2 for one certificate (literals as Coq text)."""
    cfg = cert["config"]
    tensors = []
    for pname in PARAM_NAMES:
        w = cert["weights"][pname]
        tensors.append({
            "ident": TENSOR_IDENTS[pname],
            "field": pname,  # the Weights field, named: W_Q, W_K, W_V, W_O may share a shape
            "shape": coq_vec(w["shape"], f"weights.{pname}.shape"),
            "exponent": _lit(_int(w["exponent"], f"weights.{pname}.exponent")),
            "rows": coq_mat(_tensor_rows(w, f"weights.{pname}"), f"weights.{pname}.mantissas"),
        })
    pairs = []
    for i, e in enumerate(cert["c0"]):
        if not isinstance(e, list) or len(e) != 2:
            raise ValueError(f"cannot render c0[{i}]: expected [m, q]")
        pairs.append(f"({_lit(_int(e[0], f'c0[{i}][0]'))}, {_lit(_int(e[1], f'c0[{i}][1]'))})")
    cells = []
    for i, e in enumerate(cert["cells"]):
        if not isinstance(e, list) or len(e) != 5:
            raise ValueError(f"cannot render cells[{i}]: expected [m, q, c, shift, mask]")
        cells.append("mkCell " + " ".join(_lit(_int(x, f"cells[{i}][{j}]")) for j, x in enumerate(e)))
    upper = T.claimed_upper(cert)   # None: cubic; hi: exact (CheckerExact.v, Proof/Link/Exact.v)
    ctx = {
        "upper": None if upper is None else _lit(upper),
        # written into a Coq comment: only 64 hex digits (no "*)" can close the comment early)
        "model_sha256": sha if isinstance(sha := cert.get("model_sha256"), str) and _HEX64.match(sha)
        else "(not 64 lowercase hex digits)",
        "schema_version": _lit(_int(cert["schema_version"], "schema_version")),
        "V": _lit(_int(cfg["d_vocab"], "config.d_vocab")), "n": _lit(_int(cfg["n_ctx"], "config.n_ctx")),
        "d": _lit(_int(cfg["d_model"], "config.d_model")), "h": _lit(_int(cfg["d_head"], "config.d_head")),
        "n_inputs": _lit(_int(cert["n_inputs"], "n_inputs")),
        "claimed_count": _lit(_int(cert["claimed_count"], "claimed_count")),
        "frac_bits": _lit(_int(cert["frac_bits"], "frac_bits")),
        "taylor_terms": _lit(_int(cert["taylor_terms"], "taylor_terms")),
        "sqrt_lo": _lit(_int(cert["sqrt_d_head"]["lo"], "sqrt_d_head.lo")),
        "sqrt_hi": _lit(_int(cert["sqrt_d_head"]["hi"], "sqrt_d_head.hi")),
        "tensors": tensors,
        "eqke_lo": coq_mat(cert["exp_eqke"]["lo"], "exp_eqke.lo"),
        "eqke_hi": coq_mat(cert["exp_eqke"]["hi"], "exp_eqke.hi"),
        "eqkp_lo": coq_mat(cert["exp_eqkp"]["lo"], "exp_eqkp.lo"),
        "eqkp_hi": coq_mat(cert["exp_eqkp"]["hi"], "exp_eqkp.hi"),
        "orders": coq_mat(cert["orders"], "orders"),
        "shifts": coq_mat(cert["shifts"], "shifts"),
        "c0": _wrap(pairs, "  "),
        "cells": _wrap_cells(cells),
    }
    return ctx


def theorem_name(name: str) -> str:
    """The checker theorem of the proof module: "max4-seed123" -> max4_seed123_checked."""
    return T.lower_ident(name) + "_checked"


accuracy_name = T.accuracy_name
model_name = T.model_name


def cert_module_path(name: str) -> str:
    """The untrusted proof module's path relative to the Coq project folder."""
    return T.proof_path(name)


def render_proof(cert: dict, name: str) -> dict:
    """{Certs/<Ident>.v: bytes}: the untrusted proof module of `cert` (data, `check cert = true`,
    and the proof of the trusted statement's claim)."""
    ctx = _context(cert)
    ctx["ident"] = coq_ident(name)
    ctx["theorem"] = theorem_name(name)
    ctx["model"] = model_name(name)
    ctx["accuracy"] = accuracy_name(name)
    text = _env().get_template("cert.v.j2").render(cert=ctx)
    return {cert_module_path(name): text.encode("utf-8")}


def render(cert: dict, name: str) -> dict:
    """{path relative to the Coq project folder: bytes} for certificate `cert` named `name`: the
    trusted statement Certs/<Ident>_Statement.v and check Certs/<Ident>_Check.v (trusted.py),
    and the untrusted proof module Certs/<Ident>.v.

    Complexity: linear in the certificate's size.  Preconditions: `cert` has the key structure
    of schema v2 (the CLI loads it with the schema loader) and claimed_count >= 0.
    Postconditions: deterministic bytes; raises ValueError for a certificate the Coq records
    cannot hold or a negative claimed_count (there is no statement to prove).
    """
    return {**T.render(cert, name), **render_proof(cert, name)}


def render_verdicts(certs: list) -> bytes:
    """One Coq file that prints `check` of each certificate (`= true` / `= false`, in order):
    the differential tests run many small certificates through one coqc call with it."""
    text = _env().get_template("verdicts.v.j2").render(certs=[_context(c) for c in certs])
    return text.encode("utf-8")


def parse_verdicts(stdout: str) -> list:
    """The booleans printed by a render_verdicts file, in order."""
    return [v == "true" for v in re.findall(r"^\s*=\s*(true|false)\s*$", stdout, flags=re.M)]


def hand_written_files(project_dir: Path = PROJECT_DIR) -> dict:
    """{relative path: bytes} of the hand-written files of the Coq project."""
    return {rel: (Path(project_dir) / rel).read_bytes() for rel in HAND_WRITTEN}


def write(files: dict, project_dir: Path = PROJECT_DIR) -> list:
    """Write rendered files under `project_dir` atomically; returns the paths written."""
    out = []
    for rel, data in sorted(files.items()):
        p = Path(project_dir) / rel
        atomic_write_bytes(p, data)
        out.append(p)
    return out


def find_coqc() -> str | None:
    return shutil.which("coqc")


def coqc_command(coqc: str, project_dir: Path, source: str) -> list:
    """The coqc call for one source file of the project (run with cwd = project_dir)."""
    return [coqc, "-q", "-R", ".", LOGICAL_ROOT, source]


def compile_files(sources: list, project_dir: Path = PROJECT_DIR, coqc: str | None = None,
                  timeout: float | None = None, progress=None) -> subprocess.CompletedProcess:
    """coqc on each of `sources` (paths relative to project_dir, in dependency order), stopping
    at the first failure.  Returns the failing CompletedProcess, or one whose stdout is the
    concatenated stdout (the Print Assumptions output of certificate modules).  `progress(i, src)`,
    if given, is called before the i-th coqc call."""
    coqc = coqc or find_coqc()
    if coqc is None:
        raise FileNotFoundError(COQ_MISSING)
    outs = []
    proc = None
    for i, src in enumerate(sources):
        if progress is not None:
            progress(i, src)
        proc = subprocess.run(coqc_command(coqc, project_dir, src), cwd=str(project_dir),
                              capture_output=True, text=True, timeout=timeout)
        outs.append(proc.stdout)
        if proc.returncode != 0:
            return proc
    args = proc.args if proc is not None else []
    return subprocess.CompletedProcess(args, 0, "".join(outs), proc.stderr if proc is not None else "")


def project_sources(project_dir: Path = PROJECT_DIR) -> list:
    """The .v files listed in the project's _CoqProject, in its (dependency) order."""
    return list(_listed_sources(project_dir))


def checker_sources(project_dir: Path = PROJECT_DIR) -> list:
    """What `maxk coq-check` compiles before a certificate module: every file _CoqProject lists
    (checker, Spec.v, proof layers, in order) except AUDIT_SOURCE."""
    return [f for f in project_sources(project_dir) if f != AUDIT_SOURCE]


def compile_project(cert_files: list, project_dir: Path = PROJECT_DIR, coqc: str | None = None,
                    timeout: float | None = None) -> subprocess.CompletedProcess:
    """coqc over checker_sources(project_dir), in order, then each of `cert_files`."""
    sources = checker_sources(project_dir) + [f for f in cert_files]
    return compile_files(sources, project_dir, coqc, timeout)


COMPUTATION_FAILURE = 'Unable to unify "true" with "false"'


def is_computation_failure(stderr: str) -> bool:
    """coqc failed at the `reflexivity` after `vm_compute` (check computed false), as opposed to
    a syntax or type error."""
    return COMPUTATION_FAILURE in stderr


def parse_assumptions(stdout: str) -> list | None:
    """The assumption names from coqc's `Print Assumptions` output: [] for "Closed under the
    global context", the listed names otherwise, None unless there is exactly ONE such output
    (a second one, printed by another file, could stand in for the theorem's).

    Every line after "Axioms:" that does not start with a blank (a type's continuation) must be
    "name : type" or "name"; any other line (e.g. "f is assumed to be guarded.", which Coq prints
    for a fixpoint accepted without its guard check) is returned whole, so that
    disallowed_assumptions rejects it instead of skipping it."""
    lines = stdout.splitlines()
    starts = [i for i, ln in enumerate(lines)
              if ln.strip() == "Axioms:" or "Closed under the global context" in ln]
    if len(starts) != 1:
        return None
    i = starts[0]
    if lines[i].strip() != "Axioms:":
        return []
    names = []
    for ln in lines[i + 1:]:
        if not ln.strip() or ln[0].isspace():
            continue  # continuation of the previous name's type
        m = re.match(r"^([^\s:]+)(?:\s+:|$)", ln)  # "name : type" or "name" (type below)
        names.append(m.group(1) if m else ln.strip())
    return names


def disallowed_assumptions(names: list) -> list:
    """The names outside ALLOWED_ASSUMPTIONS (reals, PrimInt63.*, Uint63.* specifications)."""
    return [x for x in names if x not in ALLOWED_ASSUMPTIONS]
