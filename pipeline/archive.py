"""Archives for auditors: one deterministic .tar.gz per certified model, and its verification.

    maxk archive --out artifacts/archives/max4-seed123.tar.gz
    maxk verify-archive artifacts/archives/max4-seed123.tar.gz

Owns the archive layout, the MANIFEST.json format, deterministic packing, safe extraction and the
five verification checks.  An archive holds (paths relative to the archive root, no top folder):

    MANIFEST.json                  {format, created_by, name, model_sha256, claimed_count, n_inputs,
                                    lean_chunk_size, files: {relpath: sha256 of the file's bytes}}
    model/NAME.safetensors         the weights (and model/NAME.json, the training metadata, if any)
    cert/NAME.cert.json            the certificate, canonical bytes (schema.dump_certificate)
    lean/...                       the Lean modules rendered from that certificate, plus the Lake
                                   package files copied from lean/: lean-toolchain, lakefile.toml,
                                   lake-manifest.json (if any), the package root modules (if any) and
                                   every hand-written module they import (e.g. MaxKCert/Checker.lean)
    reports/...                    any report files given

Determinism: members sorted, regular files only, mtime 0, uid/gid 0, empty owner names, mode 0644,
PAX format, gzip header mtime 0 and no file name, compression level 9; the manifest has no
timestamps.  Archiving the same inputs twice gives the same bytes (with the same zlib).

verify_archive extracts into a fresh temporary folder (regular files only; absolute paths, "..",
links, devices and duplicate names are refused; member count and total size are capped) and runs:

    1 files       MANIFEST.json is canonical and exact, lists every file and only those, each
                  re-hashes to its sha256; the layout is the one above
    2 model       the certificate loads (schema v1); the archived model loads and its canonical hash
                  equals the certificate's model_sha256 (and the manifest's)
    3 replay      the exact integer replay passes
    4 regenerate  certify(model, frac_bits=cert["frac_bits"]) reproduces cert/NAME.cert.json byte
                  for byte
    5 lean        a fresh render of the certificate reproduces every rendered Lean module byte for
                  byte, and every package import resolves inside the archive

Any mismatch makes VerifyResult.ok False with a line naming the check and the file.  An archive
that cannot be read at all (not gzip, truncated, not tar, unsafe member, no MANIFEST.json) raises
PipelineError(path, one-line problem).  Copied (hand-written) Lean files are hash-checked only;
verify prints their sha256 so an auditor can compare them with the repository.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import tarfile
import tempfile
import tomllib
import zlib
from pathlib import Path
from typing import Callable, NamedTuple

from . import __version__
from .errors import PipelineError

FORMAT = 1
CREATED_BY = f"maxk-certify {__version__}"
MANIFEST = "MANIFEST.json"
MANIFEST_KEYS = ("claimed_count", "created_by", "files", "format", "lean_chunk_size", "model_sha256",
                 "n_inputs", "name")
TOP_LEVEL = ("model", "cert", "lean", "reports")  # folders an archive may hold, besides MANIFEST.json
# Lake package files copied from the lean folder when the renderer did not write them.
LAKE_REQUIRED = ("lean-toolchain", "lakefile.toml")
LAKE_OPTIONAL = ("lake-manifest.json",)

# Resource limits for verify_archive (a hostile archive must not fill the disk or the memory).
MAX_MEMBERS = 100_000
MAX_BYTES = 4 << 30  # decompressed tar stream, headers included

# One path component: letters, digits, '_', '-', '+', '.', not starting with '.'.
_PART = re.compile(r"[A-Za-z0-9_+\-][A-Za-z0-9_+.\-]*")
_HEX64 = re.compile(r"[0-9a-f]{64}")

Renderer = Callable[..., object]  # render_certificate(cert, out_dir, name, chunk_size) -> list[Path]


class VerifyResult(NamedTuple):
    ok: bool
    lines: list[str]  # one line per check outcome ("PASS <check>: ..." / "FAIL <check>: <file>: ...")


# ----------------------------------------------------------------- small helpers


def _one_line(x) -> str:
    return " ".join(str(x).split())


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def safe_relpath(rel: str) -> bool:
    """True iff `rel` is a relative POSIX path of allowed components (no '', '.', '..', no leading
    '/', no backslash, no hidden files): safe to create under any folder."""
    parts = rel.split("/")
    return bool(rel) and all(_PART.fullmatch(p) for p in parts)


def dump_manifest(manifest: dict) -> bytes:
    """Canonical manifest bytes: indent 1, sorted keys, ASCII, trailing newline."""
    return (json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=True) + "\n").encode()


def pack(files: dict[str, bytes]) -> bytes:
    """Deterministic .tar.gz bytes of `files` (relpath -> content): sorted regular members, mtime 0,
    uid/gid 0, no owner names, mode 0644, PAX format, gzip mtime 0 and no name, level 9."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tf:
            for rel in sorted(files):
                assert safe_relpath(rel), f"unsafe archive member name {rel!r}"
                data = files[rel]
                info = tarfile.TarInfo(rel)
                info.size = len(data)
                info.mtime = 0
                info.mode = 0o644
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                info.type = tarfile.REGTYPE
                tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


# ----------------------------------------------------------------- Lean package files


def _load_renderer(render: Renderer | None) -> Renderer:
    if render is not None:
        return render
    try:
        from .lean_export.render import render_certificate
    except ImportError as e:
        raise PipelineError("pipeline/lean_export/render.py", f"the Lean renderer is not available ({_one_line(e)})") from None
    return render_certificate


def _read_tree(root: Path, prefix: str) -> dict[str, bytes]:
    """Every regular file under `root` as {prefix/relpath: bytes}; refuses links and unsafe names."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for fn in dirnames + filenames:
            p = Path(dirpath) / fn
            if p.is_symlink():
                raise PipelineError(p, "the Lean renderer wrote a symbolic link; archives hold regular files only")
        for fn in filenames:
            p = Path(dirpath) / fn
            rel = f"{prefix}/{p.relative_to(root).as_posix()}"
            if not safe_relpath(rel):
                raise PipelineError(p, f"file name {rel!r} is not archive-safe (letters, digits, _ - + . only)")
            out[rel] = p.read_bytes()
    return out


def render_lean(cert: dict, name: str, chunk_size: int, render: Renderer | None = None) -> dict[str, bytes]:
    """Render the certificate's Lean modules into a fresh temporary Lake folder and return every
    file written, as {"lean/<relpath>": bytes}.  Raises PipelineError if the renderer is missing."""
    render = _load_renderer(render)
    with tempfile.TemporaryDirectory(prefix="maxk-render-") as tmp:
        out = Path(tmp) / "lean"
        out.mkdir()
        render(cert, out, name, chunk_size)
        return _read_tree(out, "lean")


def module_relpath(module: str) -> str:
    """'MaxKCert.Checker' -> 'lean/MaxKCert/Checker.lean'."""
    return "lean/" + "/".join(module.split(".")) + ".lean"


def lean_imports(text: str) -> list[str]:
    """Module names in the import header of a Lean 4 file (lines before the first command; line
    comments and /- -/ block comments in the header are skipped)."""
    mods, depth = [], 0
    for line in text.splitlines():
        s = line.strip()
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
    """Root modules of every lean_lib / lean_exe in a lakefile.toml (Lake's defaults: a library's
    roots are [name], an executable's root is its name).  Raises ValueError if unparsable."""
    data = tomllib.loads(lakefile.decode("utf-8"))
    roots = []
    for lib in data.get("lean_lib", []):
        roots.extend(lib.get("roots", [lib["name"]]))
    for exe in data.get("lean_exe", []):
        roots.append(exe.get("root", exe["name"]))
    return [str(r) for r in roots]


def unresolved_imports(files: dict[str, bytes], packages: set[str]) -> list[tuple[str, str]]:
    """(file, module) for every import of a module of `packages` (first name components) that has
    no file in `files`.  An archive without any is self-contained for `lake build`."""
    out = []
    for rel in sorted(files):
        if rel.startswith("lean/") and rel.endswith(".lean"):
            for mod in lean_imports(files[rel].decode("utf-8", errors="replace")):
                if mod.split(".")[0] in packages and module_relpath(mod) not in files:
                    out.append((rel, mod))
    return out


def collect_lean(cert: dict, name: str, lean_dir: Path, chunk_size: int,
                 render: Renderer | None = None) -> tuple[dict[str, bytes], list[str]]:
    """The lean/ part of an archive: freshly rendered modules, then the Lake package files, root
    modules and (transitively) imported hand-written modules copied from `lean_dir`.  Rendered files
    win over copies.  Returns (files, rendered relpaths).  Raises PipelineError if a required file is
    missing or an import cannot be resolved."""
    lean_dir = Path(lean_dir)
    rendered = render_lean(cert, name, chunk_size, render)
    files = dict(rendered)

    def copy(rel: str, required: bool, why: str) -> bool:
        src = lean_dir / rel[len("lean/"):]
        if src.is_file() and not src.is_symlink():
            files[rel] = src.read_bytes()
            return True
        if required:
            raise PipelineError(src, f"not found ({why})")
        return False

    for fn in LAKE_REQUIRED:
        if f"lean/{fn}" not in files:
            copy(f"lean/{fn}", True, "an archive needs the Lake package files lean-toolchain and lakefile.toml")
    for fn in LAKE_OPTIONAL:
        if f"lean/{fn}" not in files:
            copy(f"lean/{fn}", False, "")
    try:
        roots = lake_roots(files["lean/lakefile.toml"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as e:
        raise PipelineError(lean_dir / "lakefile.toml", f"cannot read the Lake roots ({_one_line(e)})") from None
    for root in roots:
        if module_relpath(root) not in files:
            copy(module_relpath(root), False, "")
    packages = {r.split(".")[0] for r in roots}
    while True:  # transitive closure of package imports, copied from lean_dir
        missing = unresolved_imports(files, packages)
        if not missing:
            break
        for rel, mod in missing:
            if module_relpath(mod) not in files:
                if not safe_relpath(module_relpath(mod)):
                    raise PipelineError(lean_dir, f"{rel} imports {mod}, whose file name is not archive-safe")
                copy(module_relpath(mod), True, f"{rel} imports {mod}")
    return files, sorted(rendered)


# ----------------------------------------------------------------- create


def create_archive(model_path, cert_path, out_path, lean_dir=Path("lean"), reports=(), name=None,
                   chunk_size: int = 1, render: Renderer | None = None) -> dict:
    """Write a deterministic, self-contained .tar.gz for auditors; return its manifest.

    Preconditions: model_path is a .safetensors checkpoint; cert_path its certificate; lean_dir a
    Lake package folder (lean-toolchain, lakefile.toml, hand-written checker).
    Postconditions: the archive at out_path passes verify_archive (checks 2-4 are run on the inputs
    before anything is written, checks 1 and 5 hold by construction); nothing is written on any
    failure (PipelineError), and the file appears atomically (temp file + rename).
    `render` replaces pipeline.lean_export.render.render_certificate (tests only).
    """
    from .certificate.certify import certify
    from .certificate.replay import replay
    from .certificate.schema import CertificateError, dump_certificate, load_certificate
    from .model.checkpoint import atomic_write_bytes, load_weights, metadata_path

    model_path, cert_path = Path(model_path), Path(cert_path)
    if model_path.suffix != ".safetensors":
        raise PipelineError(model_path, "an archive holds a .safetensors model (convert .pt imports first)")
    name = name or model_path.name[: -len(".safetensors")]
    if not safe_relpath(name) or "/" in name:
        raise PipelineError(model_path, f"archive name {name!r} is not archive-safe (letters, digits, _ - + . only)")
    if type(chunk_size) is not int or chunk_size < 1:
        raise PipelineError(None, f"chunk size must be a positive integer, got {chunk_size!r}")

    weights = load_weights(model_path)
    try:
        cert = load_certificate(cert_path)
    except CertificateError as e:
        raise PipelineError(cert_path, e.problem) from None
    if cert["model_sha256"] != weights.sha256:
        raise PipelineError(cert_path, f"certificate is for model {cert['model_sha256']}, but {model_path} "
                            f"hashes to {weights.sha256}")
    res = replay(cert)
    if not res.ok:
        raise PipelineError(cert_path, f"certificate does not replay ({res.detail})")
    cert_bytes = dump_certificate(cert).encode()
    regenerated = dump_certificate(certify(weights, frac_bits=cert["frac_bits"])[0]).encode()
    if regenerated != cert_bytes:
        raise PipelineError(cert_path, "certificate differs from the one this pipeline regenerates from the "
                            "model (re-run `maxk certify`); verify-archive would reject the archive")

    files = {f"model/{name}.safetensors": model_path.read_bytes(), f"cert/{name}.cert.json": cert_bytes}
    meta = metadata_path(model_path)
    if meta.is_file():
        files[f"model/{name}.json"] = meta.read_bytes()
    for r in reports:
        r = Path(r)
        rel = f"reports/{r.name}"
        if not r.is_file():
            raise PipelineError(r, "report not found or not a regular file")
        if not safe_relpath(rel):
            raise PipelineError(r, "report file name is not archive-safe (letters, digits, _ - + . only)")
        if rel in files:
            raise PipelineError(r, f"two reports are named {r.name}")
        files[rel] = r.read_bytes()
    lean_files, _ = collect_lean(cert, name, Path(lean_dir), chunk_size, render)
    files.update(lean_files)

    manifest = {
        "format": FORMAT,
        "created_by": CREATED_BY,
        "name": name,
        "model_sha256": weights.sha256,
        "claimed_count": cert["claimed_count"],
        "n_inputs": cert["n_inputs"],
        "lean_chunk_size": chunk_size,
        "files": {rel: _sha256(data) for rel, data in sorted(files.items())},
    }
    files[MANIFEST] = dump_manifest(manifest)
    atomic_write_bytes(Path(out_path), pack(files))
    return manifest


# ----------------------------------------------------------------- safe extraction


class _LimitedReader:
    """A read()-only view of a binary stream that refuses to deliver more than `limit` bytes."""

    def __init__(self, raw, limit: int, path: Path):
        self.raw, self.limit, self.count, self.path = raw, limit, 0, path

    def read(self, n: int = -1) -> bytes:
        room = self.limit - self.count + 1  # one byte past the limit is enough to detect it
        n = room if n is None or n < 0 else min(n, room)
        data = self.raw.read(n)
        self.count += len(data)
        if self.count > self.limit:
            raise PipelineError(self.path, f"archive expands to more than {self.limit} bytes (limit)")
        return data


def extract_archive(path, dest: Path, max_members: int = MAX_MEMBERS, max_bytes: int = MAX_BYTES) -> dict[str, str]:
    """Safely extract the .tar.gz at `path` into the empty folder `dest`; return {relpath: sha256}.

    Refuses (PipelineError naming `path`, one line): a missing or non-gzip file, a truncated or
    corrupt gzip stream (CRC and length are checked to the end), a malformed tar, members that are
    not regular files or folders (links, devices, fifos), unsafe names (absolute, '..', '.', hidden,
    backslashes, unusual characters), duplicate names, more than `max_members` members or more than
    `max_bytes` decompressed bytes.  Folder members are accepted and ignored.
    """
    path, dest = Path(path), Path(dest)
    if not path.exists():
        raise PipelineError(path, "file not found")
    if not path.is_file():
        raise PipelineError(path, "not a regular file")
    hashes: dict[str, str] = {}
    seen: set[str] = set()
    folders: set[str] = set()  # every folder implied so far (a file may not take a folder's name)
    try:
        with open(path, "rb") as raw:
            if raw.read(2) != b"\x1f\x8b":
                raise PipelineError(path, "not a gzip file (a .tar.gz archive starts with bytes 1f 8b)")
            raw.seek(0)
            with gzip.GzipFile(fileobj=raw, mode="rb") as gz:
                reader = _LimitedReader(gz, max_bytes, path)
                with tarfile.open(fileobj=reader, mode="r|") as tf:
                    for n_members, member in enumerate(tf, start=1):
                        if n_members > max_members:
                            raise PipelineError(path, f"more than {max_members} members (limit)")
                        rel = member.name[:-1] if member.isdir() and member.name.endswith("/") else member.name
                        if not safe_relpath(rel):
                            raise PipelineError(path, f"unsafe member name {member.name!r} (absolute, '..', hidden "
                                                "or unusual characters)")
                        if rel in seen:
                            raise PipelineError(path, f"member {rel} appears twice")
                        seen.add(rel)
                        parents = ["/".join(rel.split("/")[:i]) for i in range(1, rel.count("/") + 1)]
                        if any(p in hashes for p in parents):
                            raise PipelineError(path, f"member {rel} lies under a file member")
                        folders.update(parents)
                        if member.isdir():
                            folders.add(rel)
                            continue
                        if not member.isreg():
                            raise PipelineError(path, f"member {rel} is not a regular file (links, devices and "
                                                "fifos are refused)")
                        if member.size > max_bytes:
                            raise PipelineError(path, f"member {rel} declares {member.size} bytes (limit {max_bytes})")
                        if rel in folders:
                            raise PipelineError(path, f"member {rel} is also a folder of other members")
                        target = dest / rel
                        target.parent.mkdir(parents=True, exist_ok=True)
                        src = tf.extractfile(member)
                        assert src is not None, "a regular member always has a file object"
                        h = hashlib.sha256()
                        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
                        with os.fdopen(fd, "wb") as out:
                            for block in iter(lambda: src.read(1 << 20), b""):
                                h.update(block)
                                out.write(block)
                        hashes[rel] = h.hexdigest()
                # Read to the end of the gzip stream so that truncation and CRC errors surface.
                while reader.read(1 << 20):
                    pass
    except PipelineError:
        raise
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as e:
        raise PipelineError(path, f"not a readable .tar.gz archive (truncated or corrupt: "
                            f"{_one_line(e) or type(e).__name__})") from None
    except OSError as e:
        raise PipelineError(path, f"cannot extract the archive ({_one_line(e)})") from None
    return hashes


# ----------------------------------------------------------------- verify


def manifest_problems(raw: bytes, hashes: dict[str, str]) -> tuple[dict | None, list[str]]:
    """Check MANIFEST.json's bytes against the extracted files' hashes (check 1).

    Returns (manifest or None if unusable, problems).  Problems name the file concerned.  Facts
    that need the model or the certificate (model_sha256, claimed_count, n_inputs, name) are only
    type-checked here; verify_archive compares them.
    """
    try:
        m = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        return None, [f"{MANIFEST}: not valid UTF-8 JSON ({_one_line(e)})"]
    if not isinstance(m, dict) or sorted(m) != sorted(MANIFEST_KEYS):
        keys = sorted(m) if isinstance(m, dict) else type(m).__name__
        return None, [f"{MANIFEST}: expected keys {list(MANIFEST_KEYS)}, found {keys}"]
    problems = []
    if raw != dump_manifest(m):
        problems.append(f"{MANIFEST}: not in canonical form (bytes differ from its canonical dump)")
    if m["format"] != FORMAT or type(m["format"]) is not int:
        problems.append(f"{MANIFEST}: format is {m['format']!r}, this verifier reads {FORMAT}")
    if m["created_by"] != CREATED_BY:
        problems.append(f"{MANIFEST}: created_by is {m['created_by']!r}, this verifier is {CREATED_BY!r} "
                        "(regenerate-and-compare needs the same pipeline version)")
    for k in ("claimed_count", "n_inputs", "lean_chunk_size"):
        if type(m[k]) is not int or m[k] < (1 if k == "lean_chunk_size" else 0):
            problems.append(f"{MANIFEST}: {k} is {m[k]!r}, expected a non-negative integer")
    for k in ("model_sha256", "name"):
        if not isinstance(m[k], str):
            problems.append(f"{MANIFEST}: {k} is not a string")
    if isinstance(m["model_sha256"], str) and not _HEX64.fullmatch(m["model_sha256"]):
        problems.append(f"{MANIFEST}: model_sha256 is not 64 lowercase hex digits")
    files = m["files"]
    if not isinstance(files, dict):
        return None, problems + [f"{MANIFEST}: files is not an object"]
    actual = {k: v for k, v in hashes.items() if k != MANIFEST}
    for rel in sorted(set(files) | set(actual)):
        if rel not in actual:
            problems.append(f"{rel}: listed in {MANIFEST} but not in the archive")
        elif rel not in files:
            problems.append(f"{rel}: in the archive but not listed in {MANIFEST}")
        elif not isinstance(files[rel], str) or not _HEX64.fullmatch(files[rel]):
            problems.append(f"{rel}: {MANIFEST} lists {files[rel]!r}, not a sha256 hex digest")
        elif files[rel] != actual[rel]:
            problems.append(f"{rel}: sha256 {actual[rel]} differs from {MANIFEST}'s {files[rel]}")
    return m, problems


def layout_problems(rels, name: str | None) -> tuple[str | None, list[str]]:
    """The archive's NAME (from its single model/*.safetensors) and layout problems."""
    problems = []
    models = sorted(r for r in rels if r.startswith("model/") and r.endswith(".safetensors"))
    for r in sorted(rels):
        if r != MANIFEST and r.split("/")[0] not in TOP_LEVEL:
            problems.append(f"{r}: not part of the archive layout (top-level folders {list(TOP_LEVEL)})")
    if len(models) != 1:
        return None, problems + [f"model/: expected exactly one .safetensors model, found {models}"]
    found = models[0][len("model/"):-len(".safetensors")]
    if name is not None and name != found:
        problems.append(f"{MANIFEST}: name is {name!r}, the model is {models[0]}")
    allowed = {f"model/{found}.safetensors", f"model/{found}.json", f"cert/{found}.cert.json"}
    for r in sorted(rels):
        if r.split("/")[0] in ("model", "cert") and r not in allowed:
            problems.append(f"{r}: unexpected file (model/ and cert/ hold only {sorted(allowed)})")
    if f"cert/{found}.cert.json" not in rels:
        problems.append(f"cert/{found}.cert.json: missing")
    return found, problems


def verify_archive(path, render: Renderer | None = None, max_members: int = MAX_MEMBERS,
                   max_bytes: int = MAX_BYTES) -> VerifyResult:
    """Extract safely and run checks 1-5 (module docstring).  Every check runs that can; each
    prints PASS or FAIL lines naming the check and the file.  Raises PipelineError (one line) if
    the archive cannot be read (see extract_archive) or has no MANIFEST.json.
    `render` replaces pipeline.lean_export.render.render_certificate (tests only).
    """
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="maxk-verify-") as tmp:
        root = Path(tmp)
        hashes = extract_archive(path, root, max_members=max_members, max_bytes=max_bytes)
        if MANIFEST not in hashes:
            raise PipelineError(path, f"no {MANIFEST} in the archive (not a maxk archive?)")
        return _verify_tree(root, hashes, render)


def _verify_tree(root: Path, hashes: dict[str, str], render: Renderer | None) -> VerifyResult:
    from .certificate.certify import certify
    from .certificate.replay import replay
    from .certificate.schema import CertificateError, dump_certificate, load_certificate
    from .model.checkpoint import load_weights

    lines: list[str] = []
    failed: list[str] = []

    def report(check: str, problems: list[str], success: str) -> None:
        if problems:
            failed.append(check)
            lines.extend(f"FAIL {check}: {p}" for p in problems)
        else:
            lines.append(f"PASS {check}: {success}")

    # 1 files: manifest exact and canonical, hashes, layout
    manifest, problems = manifest_problems((root / MANIFEST).read_bytes(), hashes)
    mname = manifest["name"] if manifest is not None and isinstance(manifest["name"], str) else None
    name, layout = layout_problems(hashes, mname)
    report("files", problems + layout, f"{len(hashes) - 1} files re-hash to the sha256 in {MANIFEST}; layout ok")
    if name is None:
        for check in ("model", "replay", "regenerate", "lean"):
            report(check, ["not run: the archive has no single model/*.safetensors"], "")
        return VerifyResult(False, lines + [f"FAILED: {', '.join(failed)}"])
    model_rel, cert_rel = f"model/{name}.safetensors", f"cert/{name}.cert.json"

    # 2 model: certificate schema, model loads, hashes agree
    problems, cert, weights = [], None, None
    try:
        cert = load_certificate(root / cert_rel)
    except CertificateError as e:
        problems.append(f"{cert_rel}: {e.problem}")
    try:
        weights = load_weights(root / model_rel)
    except PipelineError as e:
        where = Path(e.path).relative_to(root).as_posix() if e.path and e.path.startswith(str(root)) else model_rel
        problems.append(f"{where}: {e.problem}")
    if cert is not None and weights is not None and cert["model_sha256"] != weights.sha256:
        problems.append(f"{cert_rel}: model_sha256 {cert['model_sha256']} differs from {model_rel}'s canonical "
                        f"hash {weights.sha256}")
    if manifest is not None:
        if weights is not None and manifest["model_sha256"] != weights.sha256:
            problems.append(f"{MANIFEST}: model_sha256 {manifest['model_sha256']} differs from {model_rel}'s "
                            f"canonical hash {weights.sha256}")
        if cert is not None:
            for k in ("claimed_count", "n_inputs"):
                if manifest[k] != cert[k]:
                    problems.append(f"{MANIFEST}: {k} {manifest[k]!r} differs from {cert_rel}'s {cert[k]}")
    report("model", problems, f"{cert_rel} loads; {model_rel} hashes to its model_sha256 "
           f"{weights.sha256 if weights is not None else ''}")

    # 3 replay
    if cert is None:
        report("replay", [f"{cert_rel}: not run (the certificate did not load)"], "")
    else:
        res = replay(cert)
        report("replay", [] if res.ok else [f"{cert_rel}: {res.detail}"], f"{cert_rel}: {res.detail}")

    # 4 regenerate
    if cert is None or weights is None:
        report("regenerate", [f"{cert_rel}: not run (the certificate or the model did not load)"], "")
    else:
        try:
            again = dump_certificate(certify(weights, frac_bits=cert["frac_bits"])[0]).encode()
            same = again == (root / cert_rel).read_bytes()
            problems = [] if same else [f"{cert_rel}: differs from certify({model_rel}, frac_bits="
                                        f"{cert['frac_bits']}) (first difference at byte "
                                        f"{_first_difference(again, (root / cert_rel).read_bytes())})"]
        except Exception as e:  # a hostile model must not crash the verifier; say what happened
            problems = [f"{cert_rel}: regeneration failed ({type(e).__name__}: {_one_line(e)})"]
        report("regenerate", problems, f"{cert_rel} is byte-identical to certify({model_rel}, "
               f"frac_bits={cert['frac_bits']})")

    # 5 lean: fresh render compared byte for byte, imports resolve inside the archive
    archived = {r: (root / r).read_bytes() for r in hashes if r.startswith("lean/")}
    if cert is None:
        report("lean", ["lean/: not run (the certificate did not load)"], "")
    elif manifest is None or type(manifest["lean_chunk_size"]) is not int or manifest["lean_chunk_size"] < 1:
        report("lean", [f"{MANIFEST}: no usable lean_chunk_size, cannot re-render"], "")
    else:
        problems, rendered = [], {}
        try:
            rendered = render_lean(cert, name, manifest["lean_chunk_size"], render)
        except PipelineError as e:
            problems.append(f"lean/: cannot re-render ({e})")
        except Exception as e:  # the renderer is untrusted code on hostile input
            problems.append(f"lean/: re-rendering failed ({type(e).__name__}: {_one_line(e)})")
        for rel in sorted(rendered):
            if rel not in archived:
                problems.append(f"{rel}: missing (a fresh render writes it)")
            elif archived[rel] != rendered[rel]:
                problems.append(f"{rel}: differs from a fresh render (first difference at byte "
                                f"{_first_difference(rendered[rel], archived[rel])})")
        if "lean/lakefile.toml" not in archived:
            problems.append("lean/lakefile.toml: missing")
        else:
            try:
                packages = {r.split(".")[0] for r in lake_roots(archived["lean/lakefile.toml"])}
                problems.extend(f"{rel}: imports {mod}, but {module_relpath(mod)} is not in the archive"
                                for rel, mod in unresolved_imports(archived, packages))
            except (ValueError, KeyError, TypeError, UnicodeDecodeError) as e:
                problems.append(f"lean/lakefile.toml: cannot read the Lake roots ({_one_line(e)})")
        if "lean/lean-toolchain" not in archived:
            problems.append("lean/lean-toolchain: missing")
        copied = sorted(set(archived) - set(rendered))
        report("lean", problems, f"{len(rendered)} rendered files byte-identical to a fresh render; "
               "package imports resolve")
        if rendered and not problems:
            lines.extend(f"NOTE lean: copied, hash-checked only (compare with the repository): {rel} "
                         f"sha256 {hashes[rel]}" for rel in copied)

    lines.append("OK: all 5 checks passed" if not failed else f"FAILED: {', '.join(failed)}")
    return VerifyResult(not failed, lines)


def _first_difference(a: bytes, b: bytes) -> int:
    """Index of the first differing byte (the shorter length if one is a prefix of the other)."""
    n, step, i = min(len(a), len(b)), 1 << 12, 0
    while i < n and a[i:i + step] == b[i:i + step]:
        i += step
    while i < n and a[i] == b[i]:
        i += 1
    return min(i, n)
