"""The Coq exporter's face: all that pipeline/archive.py (or any other consumer) may use.

The same small face as pipeline/lean_export/face.py, so that the archive knows no Coq internals:

    NAME            "coq": the name of the exporter's check in `maxk verify-archive`
    ROOT            the folder that every relative path below is relative to (the checkout, or the
                    installed package's copy: pipeline/resources.py share_root())
    FOLDER          "coq": every path of this exporter lies under ROOT/FOLDER
    HAND_WRITTEN    relative paths of the hand-written files that every archive must carry
                    unchanged: the project file and every .v file it lists (the checker, the
                    statement Spec.v and ModelOf.v, the proof layers)
    TRUSTED         the hand-written files of the trusted base among them (coq/Spec.v,
                    coq/ModelOf.v); verify-archive marks their sha256 lines
    render(cert, name) -> {relative path: bytes}
                    the three generated files of one certificate: coq/Certs/<Ident>_Statement.v
                    (trusted statement), coq/Certs/<Ident>.v (untrusted proof),
                    coq/Certs/<Ident>_Check.v (trusted check)
    static_checks(files) -> [problem]
                    on {relative path: bytes}: no word of render.FORBIDDEN (Admitted, admit,
                    Axiom(s), Parameter(s), Conjecture, native_compute, Hypothesis, Variable,
                    Unset Guard Checking, Declare Instance, Number Notation, Load, ...) outside
                    comments and strings in any .v file; _CoqProject and Checker.v present; every
                    `From MaxK Require` names a module present in `files`
    installed() -> {relative path: bytes} of the installed hand-written files

`maxk coq-check` (pipeline/coq_export/check.py) proves the trusted statement's `claim`:
(claimed <= Z.of_nat (Spec.count_correct <ident>_model))%Z, and judges what coqc proved
(pipeline/coq_export/trusted.py).
"""

from __future__ import annotations

import re

from pipeline import resources

from . import render as _r
from . import trusted as _T

NAME = "coq"
ROOT = resources.share_root()
FOLDER = "coq"
HAND_WRITTEN = [f"{FOLDER}/{rel}" for rel in _r.HAND_WRITTEN]
TRUSTED = [f"{FOLDER}/{rel}" for rel in _T.TRUSTED_SOURCES]

_TRUSTED_RENDERED = re.compile(r"Certs/[A-Za-z0-9_]+_(Statement|Check)\.v")
_REQUIRE = re.compile(r"From\s+MaxK\s+Require\s+(?:Import\s+|Export\s+)?([A-Za-z0-9_. ]+)\.(?:\s|$)")


def render(cert: dict, name: str) -> dict[str, bytes]:
    """The generated Coq file of `cert` as {relative path: bytes} (nothing is written).  Raises
    ValueError for a certificate the Coq record cannot hold or a name without letters/digits."""
    return {f"{FOLDER}/{rel}": data for rel, data in _r.render(cert, name).items()}


def static_checks(files: dict[str, bytes]) -> list[str]:
    """Problems of a Coq project given as {relative path: bytes} (paths under coq/), one line
    each, naming the file.  An empty list means the project passes."""
    coq = {rel: data for rel, data in files.items() if rel.startswith(f"{FOLDER}/")}
    inner = {rel[len(FOLDER) + 1:]: data for rel, data in coq.items()}
    # the trusted rendered statement and check files may Redirect (their read-back); an archive's
    # rendered files are also compared byte for byte with a fresh render (archive.py)
    exempt = {rel for rel in inner if _TRUSTED_RENDERED.fullmatch(rel)}
    problems = [f"{FOLDER}/{p}" for p in _r.static_checks(inner, exempt_redirect=exempt)]
    for rel in (f"{FOLDER}/_CoqProject", f"{FOLDER}/Checker.v"):
        if rel not in coq:
            problems.append(f"{rel}: missing")
    for rel in sorted(coq):
        if rel.endswith(".v"):
            text = coq[rel].decode("utf-8", errors="replace")
            for m in _REQUIRE.finditer(text):
                for mod in m.group(1).split():
                    path = f"{FOLDER}/{mod.replace('.', '/')}.v"
                    if path not in coq:
                        problems.append(f"{rel}: requires MaxK.{mod}, but {path} is not in the project")
    return problems


def installed() -> dict[str, bytes]:
    """The installed hand-written files, {relative path: bytes}.  Raises OSError if one is missing."""
    return {rel: (ROOT / rel).read_bytes() for rel in HAND_WRITTEN}
