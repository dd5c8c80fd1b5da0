"""Archives for auditors: one deterministic .tar.gz per certified model, and its verification.

    maxk archive --out artifacts/archives/max4-seed123.tar.gz
    maxk verify-archive artifacts/archives/max4-seed123.tar.gz

Owns the archive layout, the MANIFEST.json format, deterministic packing, safe extraction and the
verification checks.  It knows no proof assistant: every exporter in EXPORTERS (Lean and Coq) is
used only through its face (pipeline/lean_export/face.py, pipeline/coq_export/face.py):

    NAME            the exporter's check name ("lean")
    ROOT            the folder its relative paths are relative to (the installed repository)
    HAND_WRITTEN    relative paths of the hand-written files (checker, statement, project file,
                    toolchain pin) that an archive must carry byte for byte unchanged
    render(cert, name, **options) -> {relative path: bytes}
    static_checks(files) -> [problem]

An archive holds (paths relative to the archive root, no top folder):

    MANIFEST.json                  {format, created_by, name, model_sha256, claimed_count, n_inputs,
                                    render_options: {exporter NAME: {option: int}},
                                    files: {relpath: sha256 of the file's bytes}}
    model/NAME.safetensors         the weights (and model/NAME.json, the training metadata, if any)
    cert/NAME.cert.json            the certificate, canonical bytes (schema.dump_certificate)
    reports/...                    any report files given
    <exporter folder>/...          for every exporter: exactly render(cert, NAME, **options) and
                                   the installed HAND_WRITTEN files, nothing else (lean/...)

Determinism: members sorted, regular files only, mtime 0, uid/gid 0, empty owner names, mode 0644,
PAX format, gzip header mtime 0 and no file name, compression level 9; the manifest has no
timestamps.  Archiving the same inputs twice gives the same bytes (with the same zlib).

verify_archive extracts into a fresh temporary folder (regular files only; absolute paths, "..",
links, devices, sparse members and duplicate names are refused; member count, each member's
declared size, the sum of the declared sizes and the decompressed stream are capped) and runs:

    1 files       MANIFEST.json is canonical and exact, lists every file and only those, each
                  re-hashes to its sha256; the layout is the one above
    2 model       the archived model's canonical hash equals the certificate's model_sha256 (and
                  the manifest's)
    3 replay      the exact integer replay passes
    4 regenerate  certify(model, frac_bits=cert["frac_bits"]) reproduces cert/NAME.cert.json byte
                  for byte (run only after the replay passed, so frac_bits is within the schema's
                  range and the work is bounded)
    5 reports     the reports that pipeline/artifacts_check.py knows (NAME.bounds.json / .txt,
                  NAME.cubic.json, NAME.brute-force.json) agree with the certificate and with a
                  recomputation: the cubic row's count and bound are claimed_count / n_inputs, its
                  FLOPs those of the cubic run inside check 4, the brute-force row is consistent and
                  sound against the certificate, the txt says what the json says; one FAIL line per
                  mismatch, naming the report and the field with both values (a report of these
                  kinds over artifacts_check.MAX_REPORT_BYTES is a FAIL, not parsed).  Any other
                  report is only hashed (check 1), and a NOTE line says so
    6 <exporter>  one per exporter ("lean"): every rendered file equals a fresh render byte for
                  byte; every HAND_WRITTEN file equals the installed one byte for byte; the folder
                  holds no other file (an extra lakefile.lean, say, is a FAIL naming it); the
                  exporter's static checks pass.  The sha256 of every hand-written file (the ones
                  carrying the statement) is printed for comparison with the published ones.

Outcomes.  Any mismatch makes VerifyResult.ok False with a line naming the check and the file
(exit 1).  An archive that cannot be read as a maxk archive raises PipelineError(path, one-line
problem) (exit 2): not gzip, truncated, not tar, an unsafe or sparse member, a limit exceeded,
no MANIFEST.json or one over MAX_MANIFEST_BYTES, or a certificate or model (with its metadata) that is present but cannot be
loaded (malformed JSON, nested too deeply, not a safetensors file, a folder where the metadata
file belongs...), exactly as `maxk replay` and `maxk bound` treat those files.  Contents of the
exporter folders are only hashed, never parsed: a hostile file there costs its hashing.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib
import io
import json
import os
import re
import tarfile
import tempfile
import zlib
from pathlib import Path
from typing import NamedTuple

from . import __version__
from .errors import PipelineError

FORMAT = 2  # 2: render_options replaces lean_chunk_size; exporter folders hold exactly render + HAND_WRITTEN
CREATED_BY = f"maxk-certify {__version__}"
MANIFEST = "MANIFEST.json"
MANIFEST_KEYS = ("claimed_count", "created_by", "files", "format", "model_sha256", "n_inputs", "name",
                 "render_options")
BASE_FOLDERS = ("model", "cert", "reports")  # top-level folders besides the exporters' (and MANIFEST.json)

# The proof-assistant exporters, each a module with the face described above.  Adding one (e.g.
# "pipeline.coq_export.face") is a one-line change here.
EXPORTERS = (
    "pipeline.lean_export.face",
    "pipeline.coq_export.face",
)

# Resource limits for verify_archive (a hostile archive must not fill the disk or the memory).
MAX_MEMBERS = 20_000
MAX_MEMBER_BYTES = 256 << 20  # the declared size of any one member
MAX_BYTES = 1 << 30  # the sum of the declared member sizes, and the decompressed tar stream
MAX_HEADER_BYTES = 1 << 20  # one PAX extended header or GNU long name
MAX_TRAILING_BYTES = 1 << 20  # decompressed bytes after the end of the tar stream (zero padding)
MAX_MANIFEST_BYTES = 16 << 20  # MANIFEST.json is parsed whole (a real one is ~100 bytes per file)

# One path component: letters, digits, '_', '-', '+', '.', not starting with '.'.
_PART = re.compile(r"[A-Za-z0-9_+\-][A-Za-z0-9_+.\-]*")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_FACE = ("NAME", "ROOT", "HAND_WRITTEN", "render", "static_checks")


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


# ----------------------------------------------------------------- exporters (through their face)


def load_exporters(names=EXPORTERS) -> list:
    """The exporter modules named in `names`, checked to show the face (module docstring).
    Raises PipelineError if one cannot be imported or lacks part of the face."""
    out = []
    for modname in names:
        try:
            mod = importlib.import_module(modname)
        except ImportError as e:
            raise PipelineError(modname, f"the exporter is not available ({_one_line(e)})") from None
        missing = [a for a in _FACE if not hasattr(mod, a)]
        if missing:
            raise PipelineError(modname, f"the exporter lacks {missing} of its face")
        out.append(mod)
    return out


def exporter_folders(exp) -> set[str]:
    """The top-level archive folders an exporter owns: those of its hand-written files."""
    return {rel.split("/")[0] for rel in exp.HAND_WRITTEN}


def installed_files(exp) -> dict[str, bytes]:
    """The exporter's installed hand-written files, {relpath: bytes}.  Raises PipelineError naming
    a missing or unreadable one."""
    out = {}
    for rel in exp.HAND_WRITTEN:
        p = Path(exp.ROOT) / rel
        if not safe_relpath(rel):
            raise PipelineError(p, f"hand-written file name {rel!r} is not archive-safe")
        try:
            out[rel] = p.read_bytes()
        except OSError as e:
            raise PipelineError(p, f"installed hand-written file unreadable ({e.strerror or e})") from None
    return out


def rendered_files(exp, cert: dict, name: str, options: dict) -> dict[str, bytes]:
    """exp.render(cert, name, **options), checked: archive-safe paths under the exporter's folders,
    no clash with a hand-written file.  Raises PipelineError (one line) on any problem."""
    where = f"{exp.NAME} exporter"
    try:
        files = exp.render(cert, name, **options)
    except PipelineError:
        raise
    except (ValueError, TypeError, KeyError, OSError) as e:  # the renderer is untrusted code
        raise PipelineError(where, f"cannot render the certificate ({type(e).__name__}: {_one_line(e)})") from None
    folders = exporter_folders(exp)
    for rel in files:
        if not isinstance(rel, str) or not safe_relpath(rel) or rel.split("/")[0] not in folders:
            raise PipelineError(where, f"rendered file name {rel!r} is not archive-safe or not under {sorted(folders)}")
        if rel in exp.HAND_WRITTEN:
            raise PipelineError(where, f"the renderer wrote {rel}, which is a hand-written file")
    return dict(files)


# ----------------------------------------------------------------- create


def create_archive(model_path, cert_path, out_path, reports=(), name=None, render_options=None,
                   exporters=None) -> dict:
    """Write a deterministic, self-contained .tar.gz for auditors; return its manifest.

    Preconditions: model_path is a .safetensors checkpoint; cert_path its certificate;
    render_options maps an exporter NAME to keyword options of its render (e.g. {"lean":
    {"chunk_size": 2}}); missing exporters get {} (their defaults).
    Postconditions: the archive at out_path passes verify_archive (checks 2-4 and the exporters'
    static checks are run on the inputs before anything is written, the rest hold by
    construction); nothing is written on any failure (PipelineError), and the file appears
    atomically (temp file + rename).  `exporters` replaces load_exporters() (tests only).
    """
    from .certificate.certify import certify
    from .certificate.replay import replay
    from .certificate.schema import CertificateError, dump_certificate, load_certificate
    from .fileio import atomic_write_bytes
    from .model.checkpoint import load_weights, metadata_path

    exporters = load_exporters() if exporters is None else list(exporters)
    model_path, cert_path = Path(model_path), Path(cert_path)
    if model_path.suffix != ".safetensors":
        raise PipelineError(model_path, "an archive holds a .safetensors model (convert .pt imports first)")
    name = name or model_path.name[: -len(".safetensors")]
    if not safe_relpath(name) or "/" in name:
        raise PipelineError(model_path, f"archive name {name!r} is not archive-safe (letters, digits, _ - + . only)")
    options = _check_render_options(render_options or {}, exporters, None)
    options = {exp.NAME: options.get(exp.NAME, {}) for exp in exporters}

    weights = load_weights(model_path)
    try:
        cert = load_certificate(cert_path)
    except CertificateError as e:
        raise PipelineError(cert_path, e.problem) from None
    if cert["model_sha256"] != weights.sha256:
        raise PipelineError(cert_path, f"certificate is for model {cert['model_sha256']}, but {model_path} "
                            f"hashes to {weights.sha256}")
    if cert["strategy"] != "cubic":
        raise PipelineError(cert_path, f"strategy {cert['strategy']!r}: archives carry a cubic certificate (its "
                            "Lean rendering and its regeneration from the model); archive the cubic one")
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
    taken = set(BASE_FOLDERS)
    for exp in exporters:
        folders = exporter_folders(exp)
        if folders & taken:
            raise PipelineError(f"{exp.NAME} exporter", f"folders {sorted(folders & taken)} are already used")
        taken |= folders
        own = installed_files(exp)
        own.update(rendered_files(exp, cert, name, options[exp.NAME]))
        problems = exp.static_checks(own)
        if problems:
            raise PipelineError(problems[0].split(":")[0], f"the {exp.NAME} files fail the static checks "
                                f"({_one_line(problems[0].split(':', 1)[-1])}; {len(problems)} problem(s))")
        files.update(own)

    manifest = {
        "format": FORMAT,
        "created_by": CREATED_BY,
        "name": name,
        "model_sha256": weights.sha256,
        "claimed_count": cert["claimed_count"],
        "n_inputs": cert["n_inputs"],
        "render_options": options,
        "files": {rel: _sha256(data) for rel, data in sorted(files.items())},
    }
    files[MANIFEST] = dump_manifest(manifest)
    atomic_write_bytes(Path(out_path), pack(files))
    return manifest


def _check_render_options(options, exporters, where) -> dict:
    """`options` as {exporter NAME: {option name: int}}, or raise PipelineError(where, ...)."""
    names = {exp.NAME for exp in exporters}
    if not isinstance(options, dict):
        raise PipelineError(where, f"render_options must be an object, got {type(options).__name__}")
    for k, v in options.items():
        if k not in names:
            raise PipelineError(where, f"render_options names {k!r}, not an exporter (exporters: {sorted(names)})")
        if not isinstance(v, dict) or not all(isinstance(o, str) and type(x) is int for o, x in v.items()):
            raise PipelineError(where, f"render_options.{k} must map option names to integers")
    return options


# ----------------------------------------------------------------- safe extraction


class _Refused(Exception):
    """A member refused while tarfile parses its headers (converted to PipelineError)."""


class _StrictTarInfo(tarfile.TarInfo):
    """TarInfo that refuses, before reading them, sparse members (GNU old, PAX 0.0/0.1/1.0) and
    header extensions (PAX, GNU long name) larger than MAX_HEADER_BYTES.  A sparse member would
    expand to far more bytes than the stream holds; an extension is read whole into memory."""

    def _proc_member(self, tf):
        if self.type == tarfile.GNUTYPE_SPARSE:
            raise _Refused(f"member {self.name!r} is a sparse file (refused)")
        if self.type in (tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK, tarfile.XHDTYPE, tarfile.XGLTYPE,
                         tarfile.SOLARIS_XHDTYPE) and self.size > MAX_HEADER_BYTES:
            raise _Refused(f"a header extension declares {self.size} bytes (limit {MAX_HEADER_BYTES})")
        return super()._proc_member(tf)

    def _proc_gnusparse_00(self, *args):
        raise _Refused("a member is a sparse file (GNU.sparse PAX header; refused)")

    _proc_gnusparse_01 = _proc_gnusparse_10 = _proc_gnusparse_00


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


def extract_archive(path, dest: Path, max_members: int = MAX_MEMBERS, max_bytes: int = MAX_BYTES,
                    max_member_bytes: int = MAX_MEMBER_BYTES) -> dict[str, str]:
    """Safely extract the .tar.gz at `path` into the empty folder `dest`; return {relpath: sha256}.

    Refuses (PipelineError naming `path`, one line): a missing or non-gzip file, a truncated or
    corrupt gzip stream (CRC and length are checked to the end), a malformed tar, members that are
    not regular files or folders (links, devices, fifos, sparse files), unsafe names (absolute,
    '..', '.', hidden, backslashes, unusual characters), duplicate names, more than `max_members`
    members, a member declaring more than `max_member_bytes`, declared sizes summing to more than
    `max_bytes`, more than `max_bytes` decompressed bytes, a header extension over
    MAX_HEADER_BYTES, or more than MAX_TRAILING_BYTES after the end of the tar stream.  Folder
    members are accepted and ignored.  Postcondition: at most `max_bytes` bytes were written.
    """
    path, dest = Path(path), Path(dest)
    if not path.exists():
        raise PipelineError(path, "file not found")
    if not path.is_file():
        raise PipelineError(path, "not a regular file")
    hashes: dict[str, str] = {}
    seen: set[str] = set()
    folders: set[str] = set()  # every folder implied so far (a file may not take a folder's name)
    declared = 0
    try:
        with open(path, "rb") as raw:
            if raw.read(2) != b"\x1f\x8b":
                raise PipelineError(path, "not a gzip file (a .tar.gz archive starts with bytes 1f 8b)")
            raw.seek(0)
            with gzip.GzipFile(fileobj=raw, mode="rb") as gz:
                reader = _LimitedReader(gz, max_bytes, path)
                with tarfile.open(fileobj=reader, mode="r|", tarinfo=_StrictTarInfo) as tf:
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
                        if not member.isreg() or member.issparse():
                            raise PipelineError(path, f"member {rel} is not a regular file (links, devices, "
                                                "fifos and sparse files are refused)")
                        if member.size > max_member_bytes:
                            raise PipelineError(path, f"member {rel} declares {member.size} bytes "
                                                f"(limit {max_member_bytes} per member)")
                        declared += member.size
                        if declared > max_bytes:
                            raise PipelineError(path, f"members declare more than {max_bytes} bytes in all (limit)")
                        if rel in folders:
                            raise PipelineError(path, f"member {rel} is also a folder of other members")
                        target = dest / rel
                        target.parent.mkdir(parents=True, exist_ok=True)
                        src = tf.extractfile(member)
                        assert src is not None, "a regular member always has a file object"
                        h = hashlib.sha256()
                        written = 0
                        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
                        with os.fdopen(fd, "wb") as out:
                            for block in iter(lambda: src.read(1 << 20), b""):
                                written += len(block)
                                if written > member.size:  # cannot happen for a non-sparse member
                                    raise PipelineError(path, f"member {rel} holds more than it declares")
                                h.update(block)
                                out.write(block)
                        hashes[rel] = h.hexdigest()
                # Read to the end of the gzip stream so that truncation and CRC errors surface;
                # what follows the tar stream is padding, and only a little of it is allowed.
                end = reader.count
                while reader.read(1 << 16):
                    if reader.count - end > MAX_TRAILING_BYTES:
                        raise PipelineError(path, f"more than {MAX_TRAILING_BYTES} bytes after the end of the "
                                            "tar stream (limit)")
    except PipelineError:
        raise
    except _Refused as e:
        raise PipelineError(path, str(e)) from None
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as e:
        raise PipelineError(path, f"not a readable .tar.gz archive (truncated or corrupt: "
                            f"{_one_line(e) or type(e).__name__})") from None
    except (UnicodeError, ValueError, OverflowError) as e:  # malformed header fields
        raise PipelineError(path, f"not a readable .tar.gz archive (malformed header: "
                            f"{_one_line(e) or type(e).__name__})") from None
    except OSError as e:
        raise PipelineError(path, f"cannot extract the archive ({_one_line(e)})") from None
    return hashes


# ----------------------------------------------------------------- verify


def manifest_problems(raw: bytes, hashes: dict[str, str], exporters=None) -> tuple[dict | None, list[str]]:
    """Check MANIFEST.json's bytes against the extracted files' hashes (check 1).

    Returns (manifest or None if unusable, problems).  Problems name the file concerned.  Facts
    that need the model or the certificate (model_sha256, claimed_count, n_inputs, name) are only
    type-checked here; verify_archive compares them.  render_options must name exactly the
    exporters (load_exporters() when `exporters` is None).
    """
    exporters = load_exporters() if exporters is None else exporters
    try:
        m = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        return None, [f"{MANIFEST}: not valid UTF-8 JSON ({_one_line(e)[:200]})"]
    if not isinstance(m, dict) or sorted(m) != sorted(MANIFEST_KEYS):
        keys = sorted(m)[:20] if isinstance(m, dict) else type(m).__name__
        return None, [f"{MANIFEST}: expected keys {list(MANIFEST_KEYS)}, found {keys}"]
    problems = []
    if raw != dump_manifest(m):
        problems.append(f"{MANIFEST}: not in canonical form (bytes differ from its canonical dump)")
    if m["format"] != FORMAT or type(m["format"]) is not int:
        problems.append(f"{MANIFEST}: format is {_short(m['format'])}, this verifier reads {FORMAT}")
    if m["created_by"] != CREATED_BY:
        problems.append(f"{MANIFEST}: created_by is {_short(m['created_by'])}, this verifier is {CREATED_BY!r} "
                        "(regenerate-and-compare needs the same pipeline version)")
    for k in ("claimed_count", "n_inputs"):
        if type(m[k]) is not int or m[k] < 0:
            problems.append(f"{MANIFEST}: {k} is {_short(m[k])}, expected a non-negative integer")
    for k in ("model_sha256", "name"):
        if not isinstance(m[k], str):
            problems.append(f"{MANIFEST}: {k} is not a string")
    if isinstance(m["model_sha256"], str) and not _HEX64.fullmatch(m["model_sha256"]):
        problems.append(f"{MANIFEST}: model_sha256 is not 64 lowercase hex digits")
    try:
        _check_render_options(m["render_options"], exporters, None)
        if sorted(m["render_options"]) != sorted(exp.NAME for exp in exporters):
            raise PipelineError(None, f"render_options names {sorted(m['render_options'])}, the exporters are "
                                f"{sorted(exp.NAME for exp in exporters)}")
    except PipelineError as e:
        problems.append(f"{MANIFEST}: {e.problem}")
    files = m["files"]
    if not isinstance(files, dict):
        return None, problems + [f"{MANIFEST}: files is not an object"]
    actual = {k: v for k, v in hashes.items() if k != MANIFEST}
    for rel in sorted(set(files) | set(actual)):
        if rel not in actual:
            problems.append(f"{_short(rel)}: listed in {MANIFEST} but not in the archive")
        elif rel not in files:
            problems.append(f"{rel}: in the archive but not listed in {MANIFEST}")
        elif not isinstance(files[rel], str) or not _HEX64.fullmatch(files[rel]):
            problems.append(f"{rel}: {MANIFEST} lists {_short(files[rel])}, not a sha256 hex digest")
        elif files[rel] != actual[rel]:
            problems.append(f"{rel}: sha256 {actual[rel]} differs from {MANIFEST}'s {files[rel]}")
    return m, problems


def _short(x, n: int = 80) -> str:
    """repr(x) cut to n characters (a hostile manifest must not flood the report)."""
    try:
        r = repr(x)
    except ValueError:  # an int too long to print
        return f"<{type(x).__name__}>"
    return r if len(r) <= n else r[:n] + "..."


def layout_problems(rels, name: str | None, folders=()) -> tuple[str | None, list[str]]:
    """The archive's NAME (from its single model/*.safetensors) and layout problems.  `folders`
    are the exporters' top-level folders (their contents are checked per exporter)."""
    problems = []
    top = set(BASE_FOLDERS) | set(folders)
    models = sorted(r for r in rels if r.startswith("model/") and r.endswith(".safetensors"))
    for r in sorted(rels):
        if r != MANIFEST and r.split("/")[0] not in top:
            problems.append(f"{r}: not part of the archive layout (top-level folders {sorted(top)})")
    if len(models) != 1:
        return None, problems + [f"model/: expected exactly one .safetensors model, found {models[:5]}"]
    found = models[0][len("model/"):-len(".safetensors")]
    if name is not None and name != found:
        problems.append(f"{MANIFEST}: name is {_short(name)}, the model is {models[0]}")
    allowed = {f"model/{found}.safetensors", f"model/{found}.json", f"cert/{found}.cert.json"}
    for r in sorted(rels):
        if r.split("/")[0] in ("model", "cert") and r not in allowed:
            problems.append(f"{r}: unexpected file (model/ and cert/ hold only {sorted(allowed)})")
    if f"cert/{found}.cert.json" not in rels:
        problems.append(f"cert/{found}.cert.json: missing")
    return found, problems


def verify_archive(path, exporters=None, max_members: int = MAX_MEMBERS, max_bytes: int = MAX_BYTES,
                   max_member_bytes: int = MAX_MEMBER_BYTES) -> VerifyResult:
    """Extract safely and run checks 1-6 (module docstring).  Every check runs that can; each
    prints PASS or FAIL lines naming the check and the file.  Raises PipelineError (one line) if
    the archive cannot be read as a maxk archive (see the module docstring).
    `exporters` replaces load_exporters() (tests only).
    """
    path = Path(path)
    exporters = load_exporters() if exporters is None else list(exporters)
    with tempfile.TemporaryDirectory(prefix="maxk-verify-") as tmp:
        root = Path(tmp)
        hashes = extract_archive(path, root, max_members=max_members, max_bytes=max_bytes,
                                 max_member_bytes=max_member_bytes)
        if MANIFEST not in hashes:
            raise PipelineError(path, f"no {MANIFEST} in the archive (not a maxk archive?)")
        size = (root / MANIFEST).stat().st_size
        if size > MAX_MANIFEST_BYTES:
            raise PipelineError(path, f"{MANIFEST} is {size} bytes (limit {MAX_MANIFEST_BYTES})")
        return _verify_tree(path, root, hashes, exporters)


def _verify_tree(path: Path, root: Path, hashes: dict[str, str], exporters: list) -> VerifyResult:
    from .certificate.certify import certify
    from .certificate.replay import replay
    from .certificate.schema import CertificateError, dump_certificate, load_certificate
    from .model.checkpoint import load_weights

    try:
        from .certificate.schema import MAX_FRAC_BITS
    except ImportError:  # INTEGRATOR: schema.MAX_FRAC_BITS arrives with schema v2; until then the replay's
        from .certificate.replay import MAX_FRAC_BITS

    lines: list[str] = []
    failed: list[str] = []

    def report(check: str, problems: list[str], success: str) -> None:
        if problems:
            failed.append(check)
            lines.extend(f"FAIL {check}: {p}" for p in problems)
        else:
            lines.append(f"PASS {check}: {success}")

    checks = ["files", "model", "replay", "regenerate", "reports"] + [exp.NAME for exp in exporters]

    # 1 files: manifest exact and canonical, hashes, layout
    manifest, problems = manifest_problems((root / MANIFEST).read_bytes(), hashes, exporters)
    mname = manifest["name"] if manifest is not None and isinstance(manifest["name"], str) else None
    owned = set().union(*(exporter_folders(exp) for exp in exporters)) if exporters else set()
    name, layout = layout_problems(hashes, mname, owned)
    report("files", problems + layout, f"{len(hashes) - 1} files re-hash to the sha256 in {MANIFEST}; layout ok")
    if name is None:
        for check in checks[1:]:
            report(check, ["not run: the archive has no single model/*.safetensors"], "")
        return VerifyResult(False, lines + [f"FAILED: {', '.join(failed)}"])
    model_rel, cert_rel = f"model/{name}.safetensors", f"cert/{name}.cert.json"

    # Load the certificate and the model: present but unloadable is bad input (exit 2), as for
    # `maxk replay` and `maxk bound`; absent is a layout FAIL already reported.
    cert = weights = None
    if (root / cert_rel).exists() or (root / cert_rel).is_symlink():
        try:
            cert = load_certificate(root / cert_rel)
        except CertificateError as e:
            raise PipelineError(path, f"{cert_rel}: {e.problem}") from None
    try:
        weights = load_weights(root / model_rel)
    except PipelineError as e:
        where = Path(e.path).relative_to(root).as_posix() if e.path and e.path.startswith(str(root)) else model_rel
        raise PipelineError(path, f"{where}: {e.problem}") from None

    # 2 model: hashes agree
    problems = []
    if cert is None:
        problems.append(f"{cert_rel}: not run (no certificate)")
    elif cert["model_sha256"] != weights.sha256:
        problems.append(f"{cert_rel}: model_sha256 {cert['model_sha256']} differs from {model_rel}'s canonical "
                        f"hash {weights.sha256}")
    if manifest is not None:
        if manifest["model_sha256"] != weights.sha256:
            problems.append(f"{MANIFEST}: model_sha256 {_short(manifest['model_sha256'])} differs from "
                            f"{model_rel}'s canonical hash {weights.sha256}")
        if cert is not None:
            for k in ("claimed_count", "n_inputs"):
                if manifest[k] != cert[k]:
                    problems.append(f"{MANIFEST}: {k} {_short(manifest[k])} differs from {cert_rel}'s value")
    report("model", problems, f"{cert_rel} loads; {model_rel} hashes to its model_sha256 {weights.sha256}")

    # 3 replay
    replayed = False
    if cert is None:
        report("replay", [f"{cert_rel}: not run (no certificate)"], "")
    else:
        try:
            res = replay(cert)
            replayed = res.ok
            report("replay", [] if res.ok else [f"{cert_rel}: {res.detail}"], f"{cert_rel}: {res.detail}")
        except Exception as e:  # a replay bug must not crash the verifier: it rejects, and says why
            report("replay", [f"{cert_rel}: rejected, the replay raised {type(e).__name__} "
                              f"({_one_line(e)[:200]}) (a bug in the replay: please report it)"], "")

    # 4 regenerate: only a certificate that replays (so frac_bits is in range and the work bounded)
    cubic_flops = None  # the cubic run's FLOPs, for check 5
    if cert is None:
        report("regenerate", [f"{cert_rel}: not run (no certificate)"], "")
    elif not replayed:
        report("regenerate", [f"{cert_rel}: not run (the replay rejected the certificate)"], "")
    elif type(cert["frac_bits"]) is not int or not 1 <= cert["frac_bits"] <= MAX_FRAC_BITS:
        report("regenerate", [f"{cert_rel}: not run (frac_bits outside 1..{MAX_FRAC_BITS})"], "")
    else:
        try:
            fresh, info = certify(weights, frac_bits=cert["frac_bits"])
            again = dump_certificate(fresh).encode()
            cubic_flops = info.get("cubic_flops")
            archived = (root / cert_rel).read_bytes()
            problems = [] if again == archived else [
                f"{cert_rel}: differs from certify({model_rel}, frac_bits={cert['frac_bits']}) (first "
                f"difference at byte {_first_difference(again, archived)})"]
        except Exception as e:  # a hostile model must not crash the verifier; say what happened
            problems = [f"{cert_rel}: regeneration failed ({type(e).__name__}: {_one_line(e)[:200]})"]
        report("regenerate", problems, f"{cert_rel} is byte-identical to certify({model_rel}, "
               f"frac_bits={cert['frac_bits']})")

    # 5 reports: cross-checked against the certificate (pipeline/artifacts_check.py)
    problems, success, notes = _report_problems(root, hashes, cert, cubic_flops)
    report("reports", problems, success)
    lines.extend(notes)

    # 6 one check per exporter: exactly the fresh render and the installed hand-written files
    options = manifest["render_options"] if manifest is not None and isinstance(manifest["render_options"], dict) else {}
    for exp in exporters:  # a certificate the replay rejected is not rendered (its rendering is unbounded work)
        problems, notes = _exporter_problems(exp, root, hashes, cert if replayed else None, name,
                                             options.get(exp.NAME))
        report(exp.NAME, problems, f"{sum(1 for n in notes if n[0] == 'rendered')} rendered files byte-identical "
               f"to a fresh render; {len(exp.HAND_WRITTEN)} hand-written files identical to the installed ones; "
               "static checks pass")
        for kind, rel, digest in notes:
            if kind == "hand-written":
                role = "trusted base, " if rel in getattr(exp, "TRUSTED", ()) else ""
                lines.append(f"SHA256 {exp.NAME}: {digest}  {rel} ({role}hand-written, identical to the installed "
                             "file; compare with the published sha256)")

    n = len(checks)
    lines.append(f"OK: all {n} checks passed" if not failed else f"FAILED: {', '.join(failed)}")
    return VerifyResult(not failed, lines)


def _report_problems(root: Path, hashes: dict[str, str], cert, cubic_flops) -> tuple[list[str], str, list[str]]:
    """Check 5: (problems, success line, notes) for the archive's reports/ against its certificate
    (artifacts_check.check_reports).  notes: one line per report that is hashed only."""
    from .artifacts_check import check_reports

    rels = sorted(r for r in hashes if r.startswith("reports/"))
    if not rels:
        return [], "no reports in the archive", []
    if cert is None:
        return [f"{', '.join(rels)}: not cross-checked (no certificate)"], "", []
    checked, hashed_only, problems = check_reports({rel: (root / rel).read_bytes() for rel in rels}, cert, cubic_flops)
    notes = [f"NOTE reports: {rel} is hashed only, not cross-checked (a report kind pipeline/artifacts_check.py "
             "does not parse)" for rel in hashed_only]
    if not checked:
        return problems, "no report of a kind that is cross-checked", notes
    flops = "" if cubic_flops is not None else " (cubic FLOPs not recomputed: check 4 did not run)"
    return problems, f"{', '.join(checked)} agree with the certificate{flops}", notes


def _exporter_problems(exp, root: Path, hashes: dict[str, str], cert, name: str, options):
    """(problems, notes) of one exporter's check.  notes: (kind, rel, sha256 in the archive) for
    every expected file present, kind "rendered" or "hand-written"."""
    problems, notes = [], []
    folders = exporter_folders(exp)
    archived = {r for r in hashes if r.split("/")[0] in folders}
    try:
        hand = installed_files(exp)
    except PipelineError as e:
        return [f"{e.path}: {e.problem}"], notes
    for rel in sorted(hand):
        if rel not in hashes:
            problems.append(f"{rel}: missing (archives carry the installed hand-written file)")
        elif hashes[rel] != _sha256(hand[rel]):
            problems.append(f"{rel}: differs from the installed hand-written file (sha256 {hashes[rel]}, "
                            f"installed {_sha256(hand[rel])})")
        else:
            notes.append(("hand-written", rel, hashes[rel]))
    rendered = {}
    if cert is None:
        problems.append(f"{'/, '.join(sorted(folders))}/: not re-rendered (no certificate that replays)")
    elif options is None:
        problems.append(f"{MANIFEST}: no usable render_options.{exp.NAME}, cannot re-render")
    else:
        try:
            rendered = rendered_files(exp, cert, name, options)
        except PipelineError as e:
            problems.append(f"{'/, '.join(sorted(folders))}/: cannot re-render ({e.problem})")
    for rel in sorted(rendered):
        if rel not in hashes:
            problems.append(f"{rel}: missing (a fresh render writes it)")
        elif hashes[rel] != _sha256(rendered[rel]):
            problems.append(f"{rel}: differs from a fresh render (first difference at byte "
                            f"{_first_difference(rendered[rel], (root / rel).read_bytes())})")
        else:
            notes.append(("rendered", rel, hashes[rel]))
    if rendered:  # without a render, which files are extra is unknown
        for rel in sorted(archived - set(rendered) - set(hand)):
            problems.append(f"{rel}: not expected (the archive's {'/'.join(sorted(folders))}/ holds exactly the "
                            "rendered files and the installed hand-written ones)")
    if rendered and not problems:  # the archived files are exactly these bytes
        problems.extend(exp.static_checks({**rendered, **hand}))
    return problems, notes


def _first_difference(a: bytes, b: bytes) -> int:
    """Index of the first differing byte (the shorter length if one is a prefix of the other)."""
    n, step, i = min(len(a), len(b)), 1 << 12, 0
    while i < n and a[i:i + step] == b[i:i + step]:
        i += step
    while i < n and a[i] == b[i]:
        i += 1
    return min(i, n)
