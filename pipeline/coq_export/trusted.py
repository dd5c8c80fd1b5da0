"""The trusted part of the Coq route: a certificate's statement, and the judge of what coqc proved.

    maxk coq-check artifacts/certs/max4-seed123.cert.json      (pipeline/coq_export/check.py drives it)

Threat model (README "Trust model"): an adversary controls every file except the trusted base,
and the auditor compares the trusted base's sha256, printed on every PASS, with published values.
The trusted base of the Coq route is:
  - coq/Spec.v and coq/ModelOf.v (hand-written: the model over R, and tensor_of);
  - this module and the two templates it renders (templates/coq/trusted/statement.v.j2 and
    check.v.j2), and pipeline/coq_export/build.py, which runs coqc on copies of the sources in a
    fresh folder with the flags it chooses (`-q -noglob -R <folder> MaxK`, never _CoqProject's);
  - the replay's header, float32 and sha256 checks, which bind the integers to model_sha256
    (Coq does no hashing);
  - coqc's kernel with its VM and primitive integers, and the standard library.
Everything else (Checker.v, the proof layers, _CoqProject, the untrusted proof module and its
template, the renderer of it) may be hostile: the worst it can cause is a FAIL, because

 1. the statement Certs/<Ident>_Statement.v is rendered here and compiled in a context of the
    standard library, Spec.v and ModelOf.v only, with full names: no untrusted notation, scope
    or module can change how its literals and names are read;
 2. that compile prints the elaborated claim with every notation off (the count in binary) and
    the model's normal form, and judge() compares both with the terms expected from the
    certificate; the PASS line's count is the one parsed from what coqc printed;
 3. Certs/<Ident>_Check.v, compiled last, loads the untrusted proof only with Require (never
    Import), defines `final : MaxK.Certs.<Ident>_Statement.claim := <the proof>` (so the kernel
    checks the proof against the trusted constant), Locates that name (exactly one object, the
    trusted one), and prints Print Assumptions of `final`;
 4. each assumption is identified by its full path (About ... "Expands to: Constant <path>"),
    and must be one of ALLOWED (the exact names the honest proof uses, pinned with their types
    for coqc ALLOWED_COQ_VERSION): a look-alike such as a project's own `PrimInt63.ltsb` has a
    path under MaxK and is refused, and any line that is not an axiom entry (an unguarded
    fixpoint, a collapsed universe hierarchy, ...) is refused.

Every output this module reads was written by coqc with `Redirect` into one file per command,
so no output of one command can be mistaken for another's; check.py takes the statement's
outputs right after its coqc (which runs before any untrusted file is compiled) and the check
file's right after its coqc (the last one), and removes them, so no untrusted coqc can write them.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from pipeline.certificate.schema import PARAM_NAMES
from pipeline.render_common import template_env, wrap_list
from pipeline.resources import templates_dir

REPO = Path(__file__).resolve().parents[2]   # where pipeline/ is (a checkout, or site-packages)
TEMPLATE_DIR = templates_dir() / "coq" / "trusted"   # the checkout's, or the packaged copy
CERTS_DIR = "Certs"
# The hand-written trusted files (relative to the Coq project folder).
TRUSTED_SOURCES = ("Spec.v", "ModelOf.v")
# The trusted templates (relative to the repository) and the trusted Python (this module and
# the coqc driver): their sha256 are printed on every PASS beside the .v files'.
TRUSTED_TEMPLATES = ("templates/coq/trusted/statement.v.j2", "templates/coq/trusted/check.v.j2",
                     # the proof module's templates (round-2 review: a hostile one could carry a
                     # proof of False through a Coq 8.16.1 kernel bug while every other digest
                     # stays the same; pinned, a forged PASS must change a printed sha256)
                     "templates/coq/cert.v.j2", "templates/coq/_data.v.j2")
TRUSTED_PYTHON = ("pipeline/coq_export/trusted.py", "pipeline/coq_export/build.py", "pipeline/coq_export/check.py",
                  "pipeline/coq_export/lint.py", "pipeline/coq_export/allowed_assumptions.json",
                  "pipeline/certificate/replay.py", "pipeline/certificate/schema.py",
                  # it decides which Spec.v, ModelOf.v and templates are read (checkout or package)
                  "pipeline/resources.py")
PINS_FILE = Path(__file__).with_name("allowed_assumptions.json")
WRAP = 100


def _pins() -> dict:
    data = json.loads(PINS_FILE.read_text())
    return data


_PINS = _pins()
ALLOWED_COQ_VERSION: str = _PINS["coq_version"]
# full path -> {"name": the short name Print Assumptions uses, "type": the type as printed with
# Set Printing All, whitespace folded}
ALLOWED: dict = _PINS["assumptions"]
# full paths coqchk may list besides ALLOWED: axioms of the loaded standard library the theorem
# does not use (coqchk -o reports the environment, not one theorem)
COQCHK_ENVIRONMENT: frozenset = frozenset(_PINS["coqchk_environment"])


# ----------------------------------------------------------------------------- names


def coq_ident(name: str) -> str:
    """A Coq module identifier for a certificate name: "max4-seed123" -> "Max4_seed123"."""
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", str(name)) if p]
    if not parts:
        raise ValueError(f"certificate name {name!r} has no letters or digits")
    ident = "_".join(parts)
    if ident[0].isdigit():
        ident = "C" + ident
    return ident[0].upper() + ident[1:]


def lower_ident(name: str) -> str:
    ident = coq_ident(name)
    return ident[0].lower() + ident[1:]


def model_name(name: str) -> str:
    """The model of the trusted statement: "max4-seed123" -> max4_seed123_model."""
    return lower_ident(name) + "_model"


def accuracy_name(name: str) -> str:
    """The untrusted proof module's theorem of the claim: max4_seed123_accuracy."""
    return lower_ident(name) + "_accuracy"


def final_name(name: str) -> str:
    """The check module's definition, typed by the trusted claim: max4_seed123_accuracy_checked."""
    return lower_ident(name) + "_accuracy_checked"


def statement_path(name: str) -> str:
    return f"{CERTS_DIR}/{coq_ident(name)}_Statement.v"


def check_path(name: str) -> str:
    return f"{CERTS_DIR}/{coq_ident(name)}_Check.v"


def proof_path(name: str) -> str:
    """The untrusted proof module (render.py renders it)."""
    return f"{CERTS_DIR}/{coq_ident(name)}.v"


def outputs(name: str) -> dict:
    """The Redirect targets (relative to the build folder, without coqc's ".out")."""
    base = f"{CERTS_DIR}/{coq_ident(name)}_readback_"
    return {k: base + k for k in ("claim", "model", "locate", "check", "assumptions")}


def about_outputs(name: str) -> list:
    """[(short name, Redirect target)] of the About queries, one per allowed assumption."""
    base = f"{CERTS_DIR}/{coq_ident(name)}_readback_about"
    return [(v["name"], f"{base}{i}") for i, v in enumerate(sorted(ALLOWED.values(), key=lambda v: v["name"]))]


# ----------------------------------------------------------------------------- rendering


def _env() -> jinja2.Environment:
    return template_env(TEMPLATE_DIR)


def _int(x, where: str) -> int:
    if type(x) is not int:
        raise ValueError(f"cannot render {where} = {x!r}: expected an integer")
    return x


def _lit(x: int) -> str:
    """A Z (or bigZ) literal; negatives are parenthesised so that lists parse unambiguously."""
    return str(x) if x >= 0 else f"({x})"


def _wrap(items: list, indent: str) -> str:
    """`[a; b; ...]` with line breaks after WRAP characters.  A one-element list is written
    `(a :: nil)`: `[a]` would be Bignums' notation for BigZ.to_Z under bigZ_scope."""
    if len(items) == 1:
        return "(" + items[0] + " :: nil)"
    return wrap_list(items, indent, ";", WRAP)


def coq_vec(xs, where: str, indent: str = "    ") -> str:
    """A list of integer literals (ValueError naming `where` for anything else)."""
    if not isinstance(xs, list):
        raise ValueError(f"cannot render {where}: expected a list")
    return _wrap([_lit(_int(x, f"{where}[{i}]")) for i, x in enumerate(xs)], indent)


def coq_mat(rows, where: str, indent: str = "  ") -> str:
    """A list of rows, one row per line."""
    if not isinstance(rows, list):
        raise ValueError(f"cannot render {where}: expected a list of rows")
    if not rows:
        return "[]"
    body = (";\n" + indent + " ").join(coq_vec(r, f"{where}[{i}]", indent + "  ") for i, r in enumerate(rows))
    if len(rows) == 1:
        return "(" + body + " :: nil)"
    return "[" + body + "]"


def tensor_rows(w: dict, where: str) -> list:
    """Row-major mantissas cut into rows of the last axis; a vector is one row.  (A last axis
    that is not a positive integer cuts rows of 1: Checker.v compares the declared shape with
    the config anyway, and rejects; the statement's model is read back against the flat list.)"""
    shape, mants = w["shape"], w["mantissas"]
    if not isinstance(shape, list) or not isinstance(mants, list):
        raise ValueError(f"cannot render {where}: expected a shape and a list of mantissas")
    cols = shape[-1] if shape and type(shape[-1]) is int and shape[-1] >= 1 else 1
    return [mants[i:i + cols] for i in range(0, len(mants), cols)]


def _dims(cert: dict) -> tuple:
    cfg = cert["config"]
    return tuple(_int(cfg[k], f"config.{k}") for k in ("d_vocab", "n_ctx", "d_model", "d_head"))


def claimed_upper(cert: dict) -> int | None:
    """hi of an exact certificate (strategy "exact": lo <= count_correct <= hi); None for a cubic
    one (claimed_count <= count_correct).  Raises ValueError for any other strategy."""
    if cert.get("strategy") == "cubic":
        return None
    if cert.get("strategy") == "exact":
        return _int(cert["claimed_upper"], "claimed_upper")
    raise ValueError(f"strategy {str(cert.get('strategy'))[:40]!r} has no Coq statement")


def render_statement(cert: dict, name: str) -> bytes:
    """The trusted statement file of `cert` (Certs/<Ident>_Statement.v).

    Preconditions: `cert` passed the replay's check_header and check_float32 and hashes to its
    model_sha256 (check.py establishes this first); claimed_count >= 0.
    Postconditions: deterministic bytes; the file imports only the standard library, Spec.v and
    ModelOf.v, defines model_name(name) and `claim`, and Redirects their read-back."""
    V, n, d, h = _dims(cert)
    claimed = _int(cert["claimed_count"], "claimed_count")
    if claimed < 0:
        raise ValueError("claimed_count is negative: there is no statement to prove")
    upper = claimed_upper(cert)
    if upper is not None and upper < claimed:
        raise ValueError("claimed_upper is below claimed_count: there is no statement to prove")
    sha = cert.get("model_sha256")
    tensors = []
    for pname in PARAM_NAMES:
        w = cert["weights"][pname]
        tensors.append({"field": pname, "exponent": _lit(_int(w["exponent"], f"weights.{pname}.exponent")),
                        "rows": coq_mat(tensor_rows(w, f"weights.{pname}"), f"weights.{pname}.mantissas")})
    out = outputs(name)
    text = _env().get_template("statement.v.j2").render(
        name=re.sub(r"[^0-9A-Za-z_.-]", "?", str(name)),
        sha256=sha if isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{64}", sha) else "(not 64 hex digits)",
        V=V, n=n, d=d, h=h, claimed=claimed, upper=upper, model=model_name(name), ident=coq_ident(name),
        tensors=tensors, out_claim=out["claim"], out_model=out["model"])
    return text.encode("utf-8")


def render_check(name: str) -> bytes:
    """The trusted check file (Certs/<Ident>_Check.v): compiled after the untrusted proof."""
    out = outputs(name)
    text = _env().get_template("check.v.j2").render(
        ident=coq_ident(name), final=final_name(name), accuracy=accuracy_name(name),
        out_locate=out["locate"], out_check=out["check"], out_assumptions=out["assumptions"],
        about=[{"name": a, "out": o} for a, o in about_outputs(name)])
    return text.encode("utf-8")


def render(cert: dict, name: str) -> dict:
    """{path relative to the Coq project folder: bytes} of the two trusted rendered files."""
    return {statement_path(name): render_statement(cert, name), check_path(name): render_check(name)}


# ----------------------------------------------------------------------------- judging


def fold(text: str) -> str:
    """Whitespace folded to single blanks (Coq breaks lines only where a blank may stand)."""
    return " ".join(text.split())


def zpos_term(p: int) -> str:
    """Coq's binary positive p >= 1 as printed with Set Printing All (xI/xO/xH, LSB outermost)."""
    if p == 1:
        return "xH"
    inner = zpos_term(p >> 1)
    return f"{'xI' if p & 1 else 'xO'} {inner if inner == 'xH' else '(' + inner + ')'}"


def z_term(z: int) -> str:
    """Coq's binary Z as printed with Set Printing All: Z0, Zpos xH, Zneg (xO xH), ..."""
    if z == 0:
        return "Z0"
    p = zpos_term(abs(z))
    return f"{'Zpos' if z > 0 else 'Zneg'} {p if p == 'xH' else '(' + p + ')'}"


def parse_z_term(text: str) -> int | None:
    """The integer of a printed binary Z term (z_term's inverse); None if it is not exactly one."""
    t = fold(text)
    if t == "Z0":
        return 0
    m = re.fullmatch(r"(Zpos|Zneg) (.*)", t)
    if not m:
        return None
    bits = re.findall(r"x[IOH]", m.group(2))
    if not bits or bits[-1] != "xH" or len(bits) > 1 << 16:
        return None
    v = 1
    for b in reversed(bits[:-1]):
        v = 2 * v + (b == "xI")
    v = v if m.group(1) == "Zpos" else -v
    return v if z_term(v) == t else None


def _zarg(z: int) -> str:
    t = z_term(z)
    return t if t == "Z0" else f"({t})"


def expected_claim(cert: dict, name: str) -> str:
    """The claim as coqc prints it with Set Printing All (folded): for a cubic certificate
    `Z.le lo X`, for an exact one `and (Z.le lo X) (Z.le X hi)`, or `@eq Z X lo` when lo = hi,
    with X = Z.of_nat (Spec.count_correct <model>)."""
    lo, hi = cert["claimed_count"], claimed_upper(cert)
    x = f"(Z.of_nat (Spec.count_correct {model_name(name)}))"
    if hi is None:
        body = f"Z.le {_zarg(lo)} {x}"
    elif hi == lo:
        body = f"@eq Z {x} {_zarg(lo)}"
    else:
        body = f"and (Z.le {_zarg(lo)} {x}) (Z.le {x} {_zarg(hi)})"
    return fold(f"claim = {body} : Prop")


def parse_claim(claim: str) -> tuple:
    """(lo, hi) parsed from an elaborated claim of one of expected_claim's three shapes (hi None
    for `Z.le lo X`); (None, None) if it has none of them."""
    x = r"\(Z\.of_nat \(Spec\.count_correct \S+\)\)"
    z = r"(Z0|\(Z(?:pos|neg) [^:]*?\))"

    def num(t):
        return parse_z_term(t[1:-1] if t.startswith("(") and t.endswith(")") else t)

    m = re.fullmatch(rf"claim = Z\.le {z} {x} : Prop", claim)
    if m:
        return num(m.group(1)), None
    m = re.fullmatch(rf"claim = @eq Z {x} {z} : Prop", claim)
    if m:
        v = num(m.group(1))
        return v, v
    m = re.fullmatch(rf"claim = and \(Z\.le {z} {x}\) \(Z\.le {x} {z}\) : Prop", claim)
    if m:
        return num(m.group(1)), num(m.group(2))
    return None, None


def expected_model(cert: dict) -> str:
    """The model's normal form as `Eval vm_compute` prints it (folded)."""
    V, n, d, h = _dims(cert)
    fields = [f"Spec.d_vocab := {V};", f"Spec.n_ctx := {n};", f"Spec.d_model := {d};", f"Spec.d_head := {h};"]
    for i, pname in enumerate(PARAM_NAMES):
        w = cert["weights"][pname]
        flat = [x for r in tensor_rows(w, pname) for x in r]
        sep = ";" if i + 1 < len(PARAM_NAMES) else ""
        fields.append(f"Spec.{pname} := {{| Spec.exponent := {w['exponent']}; "
                      f"Spec.mantissas := [{'; '.join(str(x) for x in flat)}] |}}{sep}")
    return fold("= {| " + " ".join(fields) + " |} : Spec.model")


def parse_assumptions(text: str) -> list | None:
    """[(name, folded type)] of one Print Assumptions output; [] when "Closed under the global
    context"; None when it is neither.  Any line after "Axioms:" that starts an entry but is not
    `name : type` or `name` (e.g. "f is assumed to be guarded.") becomes an entry with the whole
    line as its name and type None, which judge() refuses."""
    lines = text.splitlines()
    head = [i for i, ln in enumerate(lines) if ln.strip()]
    if not head:
        return None
    first = lines[head[0]].strip()
    if first == "Closed under the global context":
        return [] if len(head) == 1 else None
    if first != "Axioms:":
        return None
    entries = []
    for ln in lines[head[0] + 1:]:
        if not ln.strip():
            continue
        if ln[0].isspace() and entries and entries[-1][1] is not None:
            entries[-1][1] += " " + ln.strip()
            continue
        m = re.match(r"^([A-Za-z_][A-Za-z0-9_'.]*)(?:\s*:\s*(.*))?$", ln)
        if m and " " not in m.group(1):
            entries.append([m.group(1), m.group(2) or ""])
        else:
            entries.append([ln.strip(), None])
    out = []
    for nm, ty in entries:
        if ty is not None:
            ty = fold(ty.lstrip(": ").strip()) if ty.strip() else ""
        out.append((nm, ty))
    return out


_EXPANDS = re.compile(r"Expands to: Constant (\S+)")


def parse_about(text: str) -> str | None:
    """The full path of one About output (its "Expands to: Constant <path>" line)."""
    found = _EXPANDS.findall(fold(text))
    return found[0] if len(found) == 1 else None


@dataclass
class Judgement:
    ok: bool
    problem: str = ""
    claimed: int | None = None       # the count parsed from coqc's elaborated claim (lo)
    upper: int | None = None         # hi, parsed likewise (exact certificates; None for cubic)
    claim_text: str = ""             # that claim, folded, as coqc printed it
    final: str = ""                  # "<final> : <Ident>_Statement.claim", as coqc printed it
    assumptions: list = field(default_factory=list)  # [(full path, short name)]


def statement_targets(name: str) -> list:
    """The Redirect targets the statement file writes (read right after its coqc)."""
    out = outputs(name)
    return [out["claim"], out["model"]]


def check_targets(name: str) -> list:
    """The Redirect targets the check file writes (read right after its coqc)."""
    out = outputs(name)
    return [out["locate"], out["check"], out["assumptions"]] + [t for _, t in about_outputs(name)]


def take_outputs(build_dir: Path, targets: list) -> dict:
    """{target: text} of the given Redirect outputs, each read once (a regular file, never
    through a link) and then removed, so that no later coqc can stand in for them; a missing
    one is absent from the result.  At most 256 MiB each."""
    got = {}
    for t in targets:
        p = Path(build_dir) / (t + ".out")
        try:
            if p.is_symlink() or not p.is_file() or p.stat().st_size > 256 << 20:
                continue
            got[t] = p.read_text(errors="replace")
            p.unlink()
        except OSError:
            continue
    return got


def judge(texts: dict, cert: dict, name: str, coq_version: str) -> Judgement:
    """Decide from what coqc printed while compiling the trusted Statement and Check files
    (`texts`: {Redirect target: text}, from take_outputs right after each of those compiles).

    Complexity: linear in the size of the outputs.  Preconditions: the statement compiled before
    any untrusted file, the check file last, and each file's outputs taken right after its
    coqc.  Postconditions: ok only if (a) the elaborated
    claim is exactly the certificate's claim about the statement's model, (b) the model's normal
    form is exactly the certificate's dimensions and weights, (c) the check file's definition
    has type MaxK.Certs.<Ident>_Statement.claim and that name denotes exactly one object, and
    (d) every assumption of it is, by full path and type, in ALLOWED."""
    if coq_version != ALLOWED_COQ_VERSION:
        return Judgement(False, f"the assumption allowlist is pinned for coqc {ALLOWED_COQ_VERSION}; "
                                f"this coqc is {coq_version or 'of an unknown version'}")
    out = outputs(name)
    got = {k: texts.get(t) for k, t in out.items()}
    missing = [k for k, v in got.items() if v is None]
    if missing:
        return Judgement(False, "coqc printed no read-back for: " + ", ".join(missing))
    claim = fold(got["claim"])
    claimed, upper = parse_claim(claim)
    j = Judgement(False, claimed=claimed, upper=upper, claim_text=claim)
    if claim != expected_claim(cert, name) or claimed != cert["claimed_count"] or upper != claimed_upper(cert):
        j.problem = f"the elaborated claim is not the certificate's: coqc printed {claim[:300]!r}"
        return j
    if fold(got["model"]) != expected_model(cert):
        j.problem = "the statement's model, as coqc computed it, is not the certificate's weights"
        return j
    ident = coq_ident(name)
    full = f"Constant MaxK.Certs.{ident}_Statement.claim"
    if fold(got["locate"]) not in (full, f"{full} (shorter name to refer to it in current context is "
                                         f"{ident}_Statement.claim)"):
        j.problem = f"MaxK.Certs.{ident}_Statement.claim does not denote exactly the trusted claim: " \
                    f"Locate printed {fold(got['locate'])[:300]!r}"
        return j
    final = fold(got["check"])
    if final != f"{final_name(name)} : {ident}_Statement.claim":
        j.problem = f"the checked definition does not have the trusted type: coqc printed {final[:300]!r}"
        return j
    j.final = final
    entries = parse_assumptions(got["assumptions"])
    if entries is None:
        j.problem = "no Print Assumptions output"
        return j
    paths = {}
    for short, target in about_outputs(name):
        text = texts.get(target)
        paths[short] = parse_about(text) if text is not None else None
    bad = []
    for nm, ty in entries:
        path = paths.get(nm)
        pin = ALLOWED.get(path) if path else None
        if ty is None:
            bad.append(f"{nm!r} (not an axiom entry)")
        elif path is None:
            bad.append(f"{nm} (not one of the allowed names)")
        elif pin is None or pin["name"] != nm:
            bad.append(f"{nm} (is {path})")
        elif pin["type"] != ty:
            bad.append(f"{nm} (= {path}, but of another type: {ty[:200]})")
        else:
            j.assumptions.append((path, nm))
    if bad:
        j.problem = "the proof rests on assumptions outside the allowlist: " + "; ".join(bad)
        j.assumptions = []
        return j
    missing = sorted(set(ALLOWED) - {p for p, _ in j.assumptions})
    if missing:  # a tripwire, not evidence: every honest proof rests on all of them, but a hostile
        # one can mention the names without running the checker
        j.problem = (f"the proof does not rest on {len(missing)} of the pinned assumptions (e.g. {missing[0]}), "
                     "as every proof through the checker does")
        j.assumptions = []
        return j
    j.ok = True
    return j


_COQCHK_NONE = ("* Constants/Inductives relying on type-in-type: <none>",
                 "* Constants/Inductives relying on unsafe (co)fixpoints: <none>",
                 "* Inductives whose positivity is assumed: <none>")


def judge_coqchk(output: str) -> tuple:
    """(ok, problem, axioms) from the context summary `coqchk -o` printed after re-checking the
    certificate's compiled files and everything they load.
    Complexity: linear in the output.  Postconditions: ok only if the summary says Set is
    predicative, lists no constant relying on type-in-type or unsafe fixpoints and no inductive
    with assumed positivity, and every axiom it lists (full paths) is in ALLOWED or
    COQCHK_ENVIRONMENT; `axioms` is that list."""
    lines = [ln.strip() for ln in output.splitlines()]
    if lines.count("CONTEXT SUMMARY") != 1:
        return False, "coqchk printed no context summary, or more than one", []
    lines = lines[lines.index("CONTEXT SUMMARY"):]   # only what follows the one summary header
    if "* Theory: Set is predicative" not in lines:
        return False, "coqchk: the theory is not the default one (Set is not predicative)", []
    for want in _COQCHK_NONE:
        if want not in lines:
            return False, f"coqchk did not report {want!r}", []
    if lines.count("* Axioms:") != 1:
        return False, "coqchk printed no axioms list, or more than one", []
    i = lines.index("* Axioms:")
    axioms = []
    for ln in lines[i + 1:]:
        if not ln:
            break
        axioms.append(ln)
    bad = [a for a in axioms if a not in ALLOWED and a not in COQCHK_ENVIRONMENT]
    if bad:
        return False, f"coqchk lists {len(bad)} axioms outside the allowlist: " + ", ".join(bad[:5]), axioms
    return True, "", axioms


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
