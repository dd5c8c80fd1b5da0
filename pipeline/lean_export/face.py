"""The Lean exporter's face: all that pipeline/archive.py (or any other consumer) may use.

Every proof-assistant exporter (lean_export/, later coq_export/) shows the same small face, so
that the archive knows no Lean or Coq internals:

    NAME            "lean": the name of the exporter's check in `maxk verify-archive`
    ROOT            the folder that every relative path below is relative to (the checkout, or the
                    installed package's copy: pipeline/resources.py share_root())
    HAND_WRITTEN    relative paths of the hand-written files that every archive must carry
                    unchanged, byte for byte equal to the installed ones: the checker (which also
                    carries the statement, `CertOk`), the Lake project file and the toolchain pin
    render(cert, name, **options) -> {relative path: bytes}
                    the generated files of one certificate (and the root module that imports
                    them); options: chunk_size (max tokens per chunk module, default 1) and any
                    other keyword option of render.render_certificate
    static_checks(files) -> [problem]
                    the forbidden-construct lint and the package checks (the Lake roots exist,
                    every package import resolves inside `files`, one Lake configuration only),
                    on {relative path: bytes}; one line per problem, naming the file

The statement that `lake build` checks is carried by HAND_WRITTEN (Checker.lean defines what
`CertOk cert paths` means; lakefile.toml says what is built; lean-toolchain which Lean builds it)
and by the rendered final module lean/MaxKCert/Certs/<Name>/Main.lean (`certificate_ok :
CertOk cert paths`), which verify-archive compares byte for byte with a fresh render.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import tomllib
from pathlib import Path

from pipeline import resources

NAME = "lean"
ROOT = resources.share_root()
FOLDER = "lean"  # every path of this exporter lies under ROOT/FOLDER (and under FOLDER/ in an archive)
# the Lean skeleton: lean/MaxKCert/Checker.lean, lean/lakefile.toml, lean/lean-toolchain
HAND_WRITTEN = [f"{FOLDER}/{rel}" for rel in resources.LEAN_SKELETON]

# Constructs that no Lean file of the package may contain (comments included: the files must not
# even mention them).  Each one could make `lake build` accept something the kernel did not check,
# or leave the exact-integer fragment the checker is written in.
FORBIDDEN = {
    "native_decide": r"\bnative_decide\b",
    "sorry": r"\bsorry\b",
    "admit": r"\badmit\b",
    "termination_by": r"\btermination_by\b",
    "decreasing_by": r"\bdecreasing_by\b",
    "partial": r"\bpartial\b",
    "unsafe": r"\bunsafe\b",
    "Float": r"\bFloat\b",
    "Array": r"\bArray\b",
    "Int.div": r"\bInt\.div\b",
    "module header": r"(?m)^module\b",
    "open Classical": r"\bopen\s+(scoped\s+)?Classical\b",
    "implemented_by": r"\bimplemented_by\b",
    "opaque": r"\bopaque\b",
    "axiom": r"(?m)^\s*axiom\b",
    "Nat.fold": r"\bNat\.fold\b",
    "String": r"\bString\b",
}
_FORBIDDEN_RE = {name: re.compile(pat.encode()) for name, pat in FORBIDDEN.items()}
# Lake reads lakefile.lean in preference to lakefile.toml: a package has exactly one configuration.
OTHER_LAKE_CONFIGS = ("lean/lakefile.lean",)
MAX_HEADER_BYTES = 1 << 20  # an import header longer than this is a problem, not read further


def lean_lint(data: bytes) -> list[str]:
    """Names of the FORBIDDEN constructs found in a Lean source (bytes; comments included)."""
    return [name for name, pat in _FORBIDDEN_RE.items() if pat.search(data)]


def module_relpath(module: str) -> str:
    """'MaxKCert.Checker' -> 'lean/MaxKCert/Checker.lean'."""
    return f"{FOLDER}/" + "/".join(module.split(".")) + ".lean"


def lean_imports(source, limit: int = MAX_HEADER_BYTES) -> list[str]:
    """Module names in the import header of a Lean 4 file: the lines before the first command
    (line comments, `/- -/` block comments and `prelude` are skipped).  `source` is bytes, text or
    a binary file object; it is read line by line and only up to the end of the header, so the
    cost is that of the header, not of the file.  Raises ValueError if the header exceeds `limit`
    bytes."""
    if isinstance(source, str):
        source = source.encode("utf-8")
    stream = io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source
    mods, depth, used = [], 0, 0
    while True:
        raw = stream.readline(limit - used + 1)
        if not raw:
            break
        used += len(raw)
        if used > limit:
            raise ValueError(f"import header longer than {limit} bytes")
        s = raw.decode("utf-8", errors="replace").strip()
        if depth > 0 or s.startswith("/-"):
            depth += s.count("/-") - s.count("-/")
            continue
        if not s or s.startswith("--") or s == "prelude":
            continue
        if not s.startswith("import "):
            break
        mods.extend(s[len("import "):].split("--")[0].split())
    return mods


def lake_roots(lakefile: bytes) -> list[str]:
    """Root modules of every lean_lib / lean_exe of a lakefile.toml (Lake's defaults: a library's
    roots are [name], an executable's root is its name).  Raises ValueError, with one line, if the
    file is not TOML or a table has the wrong shape."""
    try:
        data = tomllib.loads(lakefile.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ValueError(f"not UTF-8 TOML ({' '.join(str(e).split())})") from None
    roots = []
    for key, field, default in (("lean_lib", "roots", None), ("lean_exe", "root", None)):
        tables = data.get(key, [])
        if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
            raise ValueError(f"{key} must be an array of tables ([[{key}]]), found {type(tables).__name__}")
        for t in tables:
            name = t.get("name")
            if not isinstance(name, str):
                raise ValueError(f"a [[{key}]] table has no string name")
            value = t.get(field, [name] if key == "lean_lib" else name)
            values = value if isinstance(value, list) else [value]
            if not values or not all(isinstance(v, str) for v in values):
                raise ValueError(f"[[{key}]] {name}: {field} must be {'a list of strings' if key == 'lean_lib' else 'a string'}")
            roots.extend(values)
    return roots


def static_checks(files: dict[str, bytes]) -> list[str]:
    """Problems of a Lean package given as {relative path: bytes} (paths under lean/), one line
    each, naming the file: a FORBIDDEN construct in any .lean file; a missing lakefile.toml or
    lean-toolchain; a second Lake configuration; a Lake root module without its file; an import of
    a package module that has no file.  An empty list means the package passes."""
    problems = []
    lean = {rel: data for rel, data in files.items() if rel.startswith(f"{FOLDER}/")}
    for rel in sorted(lean):
        if rel.endswith(".lean"):
            bad = lean_lint(lean[rel])
            if bad:
                problems.append(f"{rel}: forbidden construct(s) {bad}")
    for rel in (f"{FOLDER}/lakefile.toml", f"{FOLDER}/lean-toolchain"):
        if rel not in lean:
            problems.append(f"{rel}: missing")
    for rel in OTHER_LAKE_CONFIGS:
        if rel in lean:
            problems.append(f"{rel}: a second Lake configuration (Lake would read it instead of lakefile.toml)")
    packages: set[str] = set()
    if f"{FOLDER}/lakefile.toml" in lean:
        try:
            roots = lake_roots(lean[f"{FOLDER}/lakefile.toml"])
        except ValueError as e:
            problems.append(f"{FOLDER}/lakefile.toml: cannot read the Lake roots ({e})")
            roots = []
        for root in roots:
            if module_relpath(root) not in lean:
                problems.append(f"{FOLDER}/lakefile.toml: root module {root} has no file {module_relpath(root)}")
        packages = {r.split(".")[0] for r in roots}
    for rel in sorted(lean):
        if rel.endswith(".lean"):
            try:
                mods = lean_imports(lean[rel])
            except ValueError as e:
                problems.append(f"{rel}: {e}")
                continue
            for mod in mods:
                if mod.split(".")[0] in packages and module_relpath(mod) not in lean:
                    problems.append(f"{rel}: imports {mod}, but {module_relpath(mod)} is not in the package")
    return problems


def render(cert: dict, name: str, chunk_size: int = 1, **options) -> dict[str, bytes]:
    """The generated Lean files of `cert` (modules under lean/MaxKCert/Certs/<Name>/ and the root
    module lean/MaxKCert.lean importing them), as {relative path: bytes}, rendered into a fresh
    temporary folder (nothing under ROOT is touched).  Other keyword options are passed on to
    render_certificate (positive integers).  Raises ValueError or CertificateError for a
    certificate, a name or an option that cannot be rendered (TypeError for an unknown option)."""
    from .render import render_certificate

    if type(chunk_size) is not int or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    for k, v in options.items():
        if type(v) is not int or v < 1:
            raise ValueError(f"{k} must be a positive integer, got {v!r}")
    with tempfile.TemporaryDirectory(prefix="maxk-lean-render-") as tmp:
        out = Path(tmp) / FOLDER
        out.mkdir()
        render_certificate(cert, out, name, chunk_size, **options)
        files = {}
        for dirpath, dirnames, filenames in os.walk(out):
            for fn in dirnames + filenames:
                if (Path(dirpath) / fn).is_symlink():
                    raise ValueError(f"the Lean renderer wrote a symbolic link {fn}")
            for fn in filenames:
                p = Path(dirpath) / fn
                files[f"{FOLDER}/{p.relative_to(out).as_posix()}"] = p.read_bytes()
    return files


def installed() -> dict[str, bytes]:
    """The installed hand-written files, {relative path: bytes}.  Raises OSError if one is missing."""
    return {rel: (ROOT / rel).read_bytes() for rel in HAND_WRITTEN}
