"""The lint of the Coq files that coq-check compiles (trusted: part of the Coq route's base).

    maxk coq-check CERT        (pipeline/coq_export/check.py calls static_checks on every untrusted file)

The structure of the Coq route (trusted.py) makes an untrusted file's notations, modules and
axioms harmless to the statement; this lint covers what structure cannot:
  - code that runs outside the kernel or writes files (Declare ML Module, Load, LoadPath, ML Path,
    Cd, Drop, Redirect, Extraction, Extract): a plugin can do anything inside coqc;
  - known soundness bugs of Coq 8.16.1's kernel reachable through the module system or universe
    polymorphism (Module, Include, Polymorphic, Cumulative, ...), whose proofs of False Print
    Assumptions reports as "Closed under the global context";
  - axioms by any name (Axiom(s), Parameter(s), Conjecture, Admitted, admit, Declare Instance,
    Declare Module, section hypotheses outside a Section) and unchecked-kernel switches: the
    judge also refuses them by full path, this only fails earlier with the file and line named.
Words are matched outside comments and string literals, lexed as Coq does.  The two trusted
rendered files of a certificate may use `Redirect` (their read-back), and nothing else.
"""

from __future__ import annotations

import re

FORBIDDEN = ("Admitted", "admit", "Axiom", "Parameter", "Conjecture", "native_compute",
             # review-coq: the plural forms also declare axioms, Admit Obligations admits,
             # native_cast_no_check trusts the native compiler, and the checking flags /
             # bypass_check attribute let the kernel accept unchecked terms
             "Axioms", "Parameters", "Admit", "native_cast_no_check", "bypass_check", "Guard Checking",
             "Positivity Checking", "Universe Checking", "Type In Type", "Typing Flags",
             # issue 17: declarations that create an axiom without a forbidden word (Declare
             # Instance, Declare Module), rebind what a literal or a name means (Number/String
             # Notation, Primitive, Register), load code or vernacular from elsewhere (Declare ML
             # Module, Load, LoadPath, ML Path, Cd, Drop) or write files (Redirect, Extraction,
             # Extract); none has a use in the project's files, trusted or not
             "Declare Instance", "Declare Module", "Number Notation", "String Notation", "Primitive",
             "Register", "Declare ML Module", "Load", "LoadPath", "ML Path", "Cd", "Drop", "Redirect",
             "Extraction", "Extract",
             # the module system and universe polymorphism: Coq 8.16.1's kernel has known proofs of
             # False through functors (rocq#21051: strengthening; rocq#12155/#16646: unsafe flags
             # hidden by a functor) that Print Assumptions reports as closed; the project uses none
             "Module", "Include", "Polymorphic", "Cumulative", "Universe Polymorphism", "universes",
             # round-2 review: new tokens change how Coq lexes the rest of a file (a token ending
             # in "(" makes "(*" code for Coq and a comment for this lint), so no untrusted file may
             # declare any (an abbreviation `Notation x := t.` declares none and stays allowed);
             # Print [Sorted] Universes "file" writes a file
             "Infix", "Reserved Notation", "Tactic Notation", "Declare Custom Entry", "Ltac2",
             # round 3: `Print Sorted Universes "file"` writes files too; no project file uses the word
             "Universes")
# Section hypotheses: discharged (generalised) when their Section ends, but axioms at top level.
SECTION_ONLY = ("Hypothesis", "Hypotheses", "Variable", "Variables", "Context")

_FORBIDDEN_RE = re.compile(r"\b(" + "|".join(w.replace(" ", r"\s+") for w in FORBIDDEN) + r")\b")
_SECTION_ONLY_RE = re.compile(r"\b(" + "|".join(SECTION_ONLY) + r")\b")
_SECTION_RE = re.compile(r"\b(Section|End)\s+([A-Za-z_][A-Za-z0-9_']*)\s*\.")


def section_spans(code: str) -> list:
    """[(start, end)] of the closed Sections of `code` (comments and strings already blanked):
    each `Section X.` matched with the `End X.` that closes it (an `End` of a Module is skipped).
    A Section that is never closed gives no span (conservative: its hypotheses count as top level)."""
    stack, spans = [], []
    for m in _SECTION_RE.finditer(code):
        if m.group(1) == "Section":
            stack.append((m.group(2), m.start()))
        elif stack and stack[-1][0] == m.group(2):
            spans.append((stack.pop()[1], m.end()))
    return spans


def code_only(text: str, comment_starts: list | None = None) -> str:
    """`text` with every comment and the inside of every string literal blanked (newlines kept),
    lexed as Coq does: comments nest, a string inside a comment is lexed as a string (so its
    "*)" closes nothing), and "" inside a string is an escaped quote.  (A regex that strips
    (* ... *) without knowing strings would hide `Definition s := "(*". Axiom a : False. ...`.)"""
    out = []
    i, n, depth, in_str = 0, len(text), 0, False
    while i < n:
        ch = text[i]
        two = text[i:i + 2]
        if in_str:
            if two == '""':
                out.append("  ")
                i += 2
                continue
            if ch == '"':
                in_str = False
                out.append('"' if depth == 0 else " ")
            else:
                out.append("\n" if ch == "\n" else " ")
            i += 1
        elif two == "(*":
            if depth == 0 and comment_starts is not None:
                comment_starts.append(i)
            depth += 1
            out.append("  ")
            i += 2
        elif depth > 0 and two == "*)":
            depth -= 1
            out.append("  ")
            i += 2
        elif ch == '"':
            in_str = True
            out.append('"' if depth == 0 else " ")
            i += 1
        else:
            out.append(ch if depth == 0 or ch == "\n" else " ")
            i += 1
    return "".join(out)


# A notation that declares tokens: its first argument is a string ("x '!(' y"), not an identifier.
_TOKEN_NOTATION_RE = re.compile(r"\b(?:Notation|where)\s*\"")  # `Notation"x"` needs no blank; `where "..."` too


def static_checks(files: dict, exempt_redirect=()) -> list:
    """Problems found by a lint of the Coq sources in `files` ({path: bytes}): any word of
    FORBIDDEN (Admitted, admit, Axiom(s), Parameter(s), Conjecture, native_compute, ...) outside
    comments and string literals, and any word of SECTION_ONLY (Hypothesis, Variable, Context, ...)
    outside a closed Section, any notation that declares tokens (`Notation "..."`), and any
    comment opener `(*` glued to the character before it (so that this lexer and Coq's agree on
    where comments are).  Returns [] when clean.  The paths in `exempt_redirect` (the two trusted
    rendered files of the certificate at hand: their read-back) may use `Redirect`, and nothing
    else of FORBIDDEN."""
    problems = []
    for path in sorted(files):
        if not str(path).endswith(".v"):
            continue
        raw = files[path].decode("utf-8", errors="replace")
        starts: list = []
        text = code_only(raw, starts)
        for i in starts:
            if i > 0 and raw[i - 1] not in " \t\n\r\f":  # Coq's blanks only (not Unicode spaces)
                line = raw.count("\n", 0, i) + 1
                problems.append(f"{path}:{line}: forbidden comment opener glued to the text before it")
        hits = list(_FORBIDDEN_RE.finditer(text)) + list(_TOKEN_NOTATION_RE.finditer(text))
        if str(path) in exempt_redirect:
            hits = [m for m in hits if m.group(0) != "Redirect"]
        spans = section_spans(text)
        hits += [m for m in _SECTION_ONLY_RE.finditer(text) if not any(a < m.start() < b for a, b in spans)]
        for m in sorted(hits, key=lambda m: m.start()):
            line = text.count("\n", 0, m.start()) + 1
            what = (m.group(1) if m.re is _FORBIDDEN_RE else "token-declaring Notation \"..."
                    if m.re is _TOKEN_NOTATION_RE else m.group(1) + " outside a Section")
            problems.append(f"{path}:{line}: forbidden {what}")
    return problems


