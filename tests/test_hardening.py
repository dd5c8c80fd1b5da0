"""Hostile inputs (issue 8): each builds its own input, small enough for CI, and asserts the exit
code, a single stderr line, no traceback, nothing written and, for the resource items, a time
ceiling (fail fast, not merely eventually).  Then a fuzz test: random byte-level and structural
mutations of a valid certificate and of a valid archive, fed to `maxk replay` and
`maxk verify-archive`; the only outcomes allowed are PASS (0), FAIL (1) or bad input (2, one line).

The commands run in-process through pipeline.cli.main (the same code as the `maxk` script, without
a fresh interpreter per case); a few run as real subprocesses to check the whole path, traceback
included.  Item numbers are those of issue 8.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import io
import json
import os
import random
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import numpy as np
import pytest

from helpers import maxlike_weights, tl_state_dict
from pipeline import archive as A
from pipeline.certificate.certify import certify
from pipeline.certificate.schema import dump_certificate
from pipeline.cli import main
from pipeline.lean_export import face as lean_face
from pipeline.model.checkpoint import save_weights

ROOT = Path(__file__).resolve().parents[1]
NAME = "hz"


# ----------------------------------------------------------------- running the CLI


def cli(args, capsys, cwd: Path | None = None):
    """(exit code, stdout, stderr lines, seconds) of `maxk ARGS` run in-process."""
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    t0 = time.perf_counter()
    try:
        try:
            rc = main([str(a) for a in args])
        except SystemExit as e:  # argparse usage errors
            rc = e.code
    finally:
        os.chdir(old)
    dt = time.perf_counter() - t0
    out, err = capsys.readouterr()
    return rc, out, [ln for ln in err.splitlines() if ln.strip()], dt


def bad_input(res, *words):
    """Exit 2, exactly one stderr line 'error: ...' containing every word, no traceback."""
    rc, out, err, _ = res
    assert rc == 2, (rc, out, err)
    assert len(err) == 1 and err[0].startswith("error: "), err
    assert "Traceback" not in err[0]
    for w in words:
        assert w in err[0], (w, err[0])
    return err[0]


def tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*"))


@pytest.fixture()
def tmpdir_env(tmp_path, monkeypatch):
    """A private TMPDIR, so that 'nothing written' covers the verifier's temporary folders too."""
    t = tmp_path / "TMP"
    t.mkdir()
    monkeypatch.setenv("TMPDIR", str(t))
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", str(t))
    return t


# ----------------------------------------------------------------- a small real archive


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """A small model, its certificate and a real archive (the installed Lean exporter)."""
    root = tmp_path_factory.mktemp("hz")
    w = maxlike_weights(V=5, n=3, d=6, h=6, seed=1)
    model = root / f"{NAME}.safetensors"
    save_weights(w, model, {"note": "test"})
    cert, _ = certify(w)
    cert_path = root / f"{NAME}.cert.json"
    cert_path.write_text(dump_certificate(cert))
    arch = root / f"{NAME}.tar.gz"
    A.create_archive(model, cert_path, arch)
    return {"root": root, "model": model, "cert": cert_path, "archive": arch, "cert_obj": cert, "weights": w}


def members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as tf:
        return {m.name: tf.extractfile(m).read() for m in tf.getmembers() if m.isreg()}


def with_manifest(files: dict[str, bytes]) -> dict[str, bytes]:
    """Recompute MANIFEST.json's file hashes the way a careful forger would."""
    m = json.loads(files["MANIFEST.json"])
    m["files"] = {k: hashlib.sha256(v).hexdigest() for k, v in sorted(files.items()) if k != "MANIFEST.json"}
    files["MANIFEST.json"] = A.dump_manifest(m)
    return files


def raw_tar_gz(entries) -> bytes:
    """(TarInfo, bytes) entries, PAX format, no safety asserts."""
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for info, data in entries:
            if data is not None and info.size == 0:
                info.size = len(data)
            tf.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def reg(name: str, data: bytes) -> tuple:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def test_real_archive_verifies(real, capsys):
    rc, out, err, _ = cli(["verify-archive", real["archive"]], capsys)
    assert rc == 0 and err == [] and out.strip().endswith(f"OK: all {5 + len(A.EXPORTERS)} checks passed"), (out, err)
    installed = lean_face.installed()
    for rel in lean_face.HAND_WRITTEN:  # item 9: the statement-carrying files' sha256 are printed
        assert f"{hashlib.sha256(installed[rel]).hexdigest()}  {rel}" in out, rel


# ----------------------------------------------------------------- item 5: sparse members, declared sizes


def gnu_sparse_member(name: str, realsize: int) -> bytes:
    """One old-GNU sparse ('S') member: one byte of data at offset realsize-1 (tar blocks)."""
    info = tarfile.TarInfo(name)
    info.size = 1
    buf = bytearray(info.tobuf(tarfile.GNU_FORMAT))
    assert len(buf) == 512
    buf[156:157] = tarfile.GNUTYPE_SPARSE
    buf[386:398] = b"%011o\0" % (realsize - 1)  # sparse[0].offset
    buf[398:410] = b"%011o\0" % 1  # sparse[0].numbytes
    buf[482:483] = b"\0"  # not extended
    buf[483:495] = b"%011o\0" % realsize
    buf[148:156] = b"        "
    chk = sum(buf)
    buf[148:156] = b"%06o\0 " % chk
    return bytes(buf) + b"x" + b"\0" * 511


def pax_sparse_member(name: str, realsize: int) -> bytes:
    """One PAX 1.0 sparse member (GNU.sparse.major/minor), same shape as above."""
    info = tarfile.TarInfo("GNUSparseFile.0/" + name)
    smap = f"1\n{realsize - 1}\n1\n".encode().ljust(512, b"\0")
    info.size = len(smap) + 1
    info.pax_headers = {"GNU.sparse.major": "1", "GNU.sparse.minor": "0", "GNU.sparse.name": name,
                        "GNU.sparse.realsize": str(realsize)}
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tf:
        tf.addfile(info, io.BytesIO(smap + b"x"))
    return out.getvalue()[:-1024]  # drop the end-of-archive blocks


@pytest.mark.parametrize("kind", ["gnu", "pax"])
def test_item5_sparse_member_refused(tmp_path, tmpdir_env, capsys, kind):
    """The issue's 293-byte archive wrote 180 MiB under a 10 MiB cap; a 6 GiB sparse member now
    costs nothing: refused at its header."""
    member = (gnu_sparse_member if kind == "gnu" else pax_sparse_member)("reports/big.bin", 6 << 30)
    p = tmp_path / f"sparse-{kind}.tar.gz"
    p.write_bytes(gzip.compress(member + b"\0" * 1024, mtime=0))
    assert len(p.read_bytes()) < 1000
    res = cli(["verify-archive", p], capsys)
    bad_input(res, str(p), "sparse")
    assert res[3] < 5, f"took {res[3]:.1f} s"
    assert tree(tmpdir_env) == [], "nothing may be left in the temporary folder"


def test_item5_declared_sizes_count_against_the_cap(tmp_path, tmpdir_env):
    """The sum of the declared sizes is capped, before a member's data is read."""
    p = tmp_path / "declared.tar.gz"
    p.write_bytes(raw_tar_gz([reg("reports/a", b"a" * 60_000), reg("reports/b", b"b" * 60_000)]))
    with pytest.raises(A.PipelineError, match="declare more than 100000 bytes"):
        A.verify_archive(p, max_bytes=100_000)
    big = tarfile.TarInfo("reports/huge")
    big.size = A.MAX_MEMBER_BYTES + 1  # no data follows: refused at the header
    p.write_bytes(gzip.compress(big.tobuf(tarfile.PAX_FORMAT), mtime=0))
    t0 = time.perf_counter()
    with pytest.raises(A.PipelineError, match="per member"):
        A.verify_archive(p)
    assert time.perf_counter() - t0 < 5
    assert tree(tmpdir_env) == []


def test_item5_oversized_header_extension_refused(tmp_path, tmpdir_env, capsys):
    info = tarfile.TarInfo("x")
    info.type = tarfile.XHDTYPE
    info.size = A.MAX_HEADER_BYTES + 1
    p = tmp_path / "pax.tar.gz"
    p.write_bytes(gzip.compress(info.tobuf(tarfile.USTAR_FORMAT) + b"\0" * 4096, mtime=0))
    res = cli(["verify-archive", p], capsys)
    bad_input(res, "header extension")
    assert res[3] < 5 and tree(tmpdir_env) == []


def test_item5_trailing_garbage_after_the_tar_stream_is_capped(tmp_path, tmpdir_env, capsys, real):
    data = gzip.decompress(real["archive"].read_bytes())
    p = tmp_path / "trailing.tar.gz"
    p.write_bytes(gzip.compress(data + b"\0" * (A.MAX_TRAILING_BYTES + (1 << 17)), mtime=0))
    res = cli(["verify-archive", p], capsys)
    bad_input(res, "after the end of the tar stream")
    assert res[3] < 10 and tree(tmpdir_env) == []


def test_item5_oversized_manifest_refused(real, tmp_path, tmpdir_env, capsys):
    """MANIFEST.json is parsed whole: one over its cap is refused before parsing."""
    files = members(real["archive"])
    files["MANIFEST.json"] = b"[" + b"0," * (A.MAX_MANIFEST_BYTES // 2) + b"0]"
    p = tmp_path / "bigmanifest.tar.gz"
    p.write_bytes(A.pack(files))
    res = cli(["verify-archive", p], capsys)
    bad_input(res, "MANIFEST.json", "limit")
    assert res[3] < 10 and tree(tmpdir_env) == []


# ----------------------------------------------------------------- item 6: no regeneration after a failed replay


def test_item6_no_regeneration_after_a_rejected_replay(real, tmp_path, tmpdir_env, capsys):
    """frac_bits 100000 made verify-archive regenerate for 88 s; now the replay's FAIL stops it."""
    files = members(real["archive"])
    cert = json.loads(files[f"cert/{NAME}.cert.json"])
    cert["frac_bits"] = 100_000
    files[f"cert/{NAME}.cert.json"] = dump_certificate(cert).encode()
    p = tmp_path / "f.tar.gz"
    p.write_bytes(A.pack(with_manifest(files)))
    rc, out, err, dt = cli(["verify-archive", p], capsys)
    assert rc == 1 and err == [], (rc, err)
    assert "FAIL replay:" in out and "FAIL regenerate: " + f"cert/{NAME}.cert.json: not run (the replay rejected" in out
    assert dt < 15, f"took {dt:.1f} s"
    assert tree(tmpdir_env) == []


# ----------------------------------------------------------------- item 7: extra Lean files


def test_item7_extra_lean_file_is_not_read(real, tmp_path, tmpdir_env, capsys):
    """A 60 MB extra .lean file took 1.6 GB RSS; now it is only hashed and named as unexpected."""
    files = members(real["archive"])
    files["lean/MaxKCert/Extra.lean"] = b"import MaxKCert.Checker\n" + b"\n" * (40 << 20)
    p = tmp_path / "extra.tar.gz"
    p.write_bytes(A.pack(with_manifest(files)))
    code = ("import resource, sys, time; from pipeline.cli import main; t = time.perf_counter(); "
            "rc = main(['verify-archive', sys.argv[1]]); "
            "print('RSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, 'T', time.perf_counter() - t); "
            "sys.exit(rc)")
    r = subprocess.run([sys.executable, "-c", code, str(p)], capture_output=True, text=True, cwd=ROOT,
                       timeout=300, env={**os.environ, "TMPDIR": str(tmpdir_env)})
    assert r.returncode == 1 and r.stderr == "", (r.returncode, r.stderr)
    assert "FAIL lean: lean/MaxKCert/Extra.lean: not expected" in r.stdout, r.stdout
    rss_kb, secs = int(r.stdout.split("RSS ")[1].split()[0]), float(r.stdout.split(" T ")[1].split()[0])
    assert rss_kb < 900 * 1024, f"max RSS {rss_kb / 1024:.0f} MiB"  # the file alone would be 40 MiB x ~40
    assert secs < 30, f"took {secs:.1f} s"
    assert tree(tmpdir_env) == []


# ----------------------------------------------------------------- item 8: former tracebacks of verify-archive


def test_item8_lakefile_with_string_lean_lib_fails_naming_it(real, tmp_path, capsys):
    for value in ('lean_lib = "MaxKCert"\n', 'lean_lib = ["MaxKCert"]\n'):
        files = members(real["archive"])
        files["lean/lakefile.toml"] = ('name = "maxkcert"\n' + value).encode()
        p = tmp_path / "lakefile.tar.gz"
        p.write_bytes(A.pack(with_manifest(files)))
        rc, out, err, _ = cli(["verify-archive", p], capsys)
        assert rc == 1 and err == [], (rc, err)
        assert "FAIL lean: lean/lakefile.toml: differs from the installed hand-written file" in out, out
    with pytest.raises(ValueError, match="array of tables"):  # and the face's parser says why, in one line
        lean_face.lake_roots(b'lean_lib = "MaxKCert"\n')
    assert lean_face.static_checks({"lean/lakefile.toml": b'lean_lib = ["X"]\n', "lean/lean-toolchain": b"x"})


def test_item8_metadata_folder_in_archive(real, tmp_path, tmpdir_env, capsys):
    files = members(real["archive"])
    files.pop(f"model/{NAME}.json")
    files[f"model/{NAME}.json/x"] = b"{}"
    p = tmp_path / "metadir.tar.gz"
    p.write_bytes(A.pack(with_manifest(files)))
    bad_input(cli(["verify-archive", p], capsys), str(p), f"model/{NAME}.json", "not a regular file")
    entries = [reg(k, v) for k, v in sorted(members(real["archive"]).items()) if k != f"model/{NAME}.json"]
    d = tarfile.TarInfo(f"model/{NAME}.json")
    d.type = tarfile.DIRTYPE
    p.write_bytes(raw_tar_gz(entries + [(d, None)]))
    rc, out, err, _ = cli(["verify-archive", p], capsys)  # an empty folder member is never created:
    assert rc == 1 and err == [] and f"FAIL files: 'model/{NAME}.json': listed in" in out, (rc, err, out)
    assert tree(tmpdir_env) == []


def deep_json(depth: int) -> bytes:
    return b'{"config": ' + b"[" * depth + b"]" * depth + b"}"


def test_item8_deeply_nested_metadata_in_archive(real, tmp_path, tmpdir_env, capsys):
    files = members(real["archive"])
    files[f"model/{NAME}.json"] = deep_json(100_000)
    p = tmp_path / "deep.tar.gz"
    p.write_bytes(A.pack(with_manifest(files)))
    res = cli(["verify-archive", p], capsys)
    bad_input(res, f"model/{NAME}.json", "nested too deeply")
    assert res[3] < 10 and tree(tmpdir_env) == []


def long_n_certificate(cert: dict, n: int) -> dict:
    """`cert` reshaped to n_ctx = n (every list that depends on n resized, values kept small) and a
    wrong n_inputs: V^n has thousands of digits (issue 8 item 1, inside an archive)."""
    c = copy.deepcopy(cert)
    V, d = c["config"]["d_vocab"], c["config"]["d_model"]
    c["config"]["n_ctx"] = n
    c["weights"]["W_pos"] = {"shape": [n, d], "exponent": 0, "mantissas": [0] * (n * d)}
    for side in ("lo", "hi"):
        c["exp_eqkp"][side] = [[1] * n for _ in range(V)]
    c["orders"] = [list(range(n - 1)) for _ in range(V)]
    c["n_inputs"] = 7
    return c


def test_item8_huge_n_certificate_in_archive(real, tmp_path, tmpdir_env, capsys):
    cert = long_n_certificate(real["cert_obj"], 15_000)
    assert (cert["config"]["d_vocab"] ** 15_000).bit_length() * 0.30103 > 4300  # more digits than int->str allows
    files = members(real["archive"])
    files[f"cert/{NAME}.cert.json"] = dump_certificate(cert).encode()
    p = tmp_path / "longn.tar.gz"
    p.write_bytes(A.pack(with_manifest(files)))
    rc, out, err, dt = cli(["verify-archive", p], capsys)
    # the replay's header check rejects it (FAIL, exit 1), or the schema does (bad input, exit 2)
    assert rc in (1, 2) and dt < 20, (rc, err, dt)
    if rc == 2:
        bad_input((rc, out, err, dt), f"cert/{NAME}.cert.json")
    else:
        assert err == [] and "FAIL replay:" in out and "not run" in out
    assert tree(tmpdir_env) == []


# ----------------------------------------------------------------- item 9: the hand-written files are pinned


def test_item9_replaced_checker_extra_lakefile_and_toolchain_fail(real, tmp_path, capsys):
    """The issue's archive: CertOk := True, an added lakefile.lean, an attacker's toolchain.  It
    verified 'OK'; now each file is a FAIL naming it."""
    files = members(real["archive"])
    checker = files["lean/MaxKCert/Checker.lean"].decode()
    i = checker.index("def CertOk")
    files["lean/MaxKCert/Checker.lean"] = (checker[:i] + "def CertOk (c : Cert) (p : Paths) : Prop := True\n\n"
                                           + "def Unused" + checker[i + len("def CertOk"):]).encode()
    files["lean/lakefile.lean"] = b'import Lake\nopen Lake DSL\npackage maxkcert\n@[default_target] lean_lib MaxKCert\n'
    files["lean/lean-toolchain"] = b"attacker/lean4:v0.0.1\n"
    p = tmp_path / "attack.tar.gz"
    p.write_bytes(A.pack(with_manifest(files)))
    rc, out, err, _ = cli(["verify-archive", p], capsys)
    assert rc == 1 and err == [], (rc, err)
    fails = [ln for ln in out.splitlines() if ln.startswith("FAIL ")]
    assert [ln.split(":")[0] for ln in fails] == ["FAIL lean"] * 3, fails
    for rel in ("lean/MaxKCert/Checker.lean", "lean/lean-toolchain", "lean/lakefile.lean"):
        assert any(f"FAIL lean: {rel}: " in ln for ln in fails), (rel, fails)
    assert out.strip().splitlines()[-1] == "FAILED: lean"


def test_item9_every_hand_written_file_is_pinned(real, tmp_path, capsys):
    """One changed byte in any hand-written file, or any file added under lean/, is a FAIL naming it."""
    base = members(real["archive"])
    for rel in lean_face.HAND_WRITTEN + ["lean/MaxKCert/Certs/Hz/Main.lean"]:
        files = dict(base)
        files[rel] = files[rel] + b"\n"
        p = tmp_path / "one.tar.gz"
        p.write_bytes(A.pack(with_manifest(files)))
        rc, out, err, _ = cli(["verify-archive", p], capsys)
        assert rc == 1 and f"FAIL lean: {rel}: differs from" in out, (rel, out)
    for extra in ("lean/lake-manifest.json", "lean/MaxKCert/Spec.lean", "lean/MaxKCert/Certs/Hz/Extra.lean"):
        files = dict(base)
        files[extra] = b"-- extra\n"
        p = tmp_path / "extra.tar.gz"
        p.write_bytes(A.pack(with_manifest(files)))
        rc, out, err, _ = cli(["verify-archive", p], capsys)
        assert rc == 1 and f"FAIL lean: {extra}: not expected" in out, (extra, out)


def test_face_is_all_archive_uses():
    """archive.py knows no Lean internals: only the face names, and one exporter list."""
    body = (ROOT / "pipeline" / "archive.py").read_text().split('"""', 2)[2]  # after the module docstring
    for word in ("lakefile", "Checker", "MaxKCert", "lean_export.render", "toolchain", "lake", "import MaxK"):
        assert word not in body, word
    assert "pipeline.lean_export.face" in A.EXPORTERS  # others (Coq) are added to the same tuple
    exps = A.load_exporters()
    assert "lean" in [e.NAME for e in exps] and len({e.NAME for e in exps}) == len(exps)
    for attr in ("NAME", "ROOT", "HAND_WRITTEN", "render", "static_checks"):
        assert hasattr(lean_face, attr)
    installed = lean_face.installed()
    assert lean_face.static_checks({**installed, **lean_face.render(_tiny_cert(), "x")}) == []


def _tiny_cert():
    w = maxlike_weights(V=3, n=2, d=4, h=4, seed=0)
    return certify(w)[0]


def test_face_lint_matches_the_lean_tests_lint():
    """The face's forbidden-construct lint is the one tests/test_lean_export.py applies to lean/."""
    import test_lean_export as T

    assert T.FORBIDDEN is lean_face.FORBIDDEN
    for word in ("native_decide", "sorry", "termination_by", "partial", "Float"):  # it fires
        assert lean_face.lean_lint(f"def x := {word}".encode()), word
    assert lean_face.lean_lint(b"theorem t : True := by sorry") == ["sorry"]
    bad = lean_face.static_checks({**lean_face.installed(), "lean/MaxKCert.lean": b"import MaxKCert.Nope\n",
                                   "lean/lakefile.lean": b""})
    assert any("MaxKCert.Nope" in p for p in bad) and any("second Lake configuration" in p for p in bad), bad


def test_face_import_header_is_streamed():
    """lean_imports reads the header only: a huge body costs nothing, a huge header is refused."""
    body = io.BytesIO(b"import A\n\ndef x := 1\n" + b"-" * (50 << 20))
    t0 = time.perf_counter()
    assert lean_face.lean_imports(body) == ["A"]
    assert body.tell() < 100 and time.perf_counter() - t0 < 1
    with pytest.raises(ValueError, match="header longer"):
        lean_face.lean_imports(b"-- c\n" * 1000, limit=100)


# ----------------------------------------------------------------- item 10: bad checkpoints


@pytest.fixture(scope="module")
def model_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("ckpt")
    w = maxlike_weights(V=4, n=2, d=4, h=4, seed=2)
    good = d / "good.safetensors"
    save_weights(w, good)
    return {"dir": d, "weights": w, "good": good}


@pytest.mark.parametrize("command", ["bound", "certify"])
def test_item10_metadata_folder_and_deep_nesting(model_files, tmp_path, capsys, command):
    for label in ("folder", "deep"):
        d = tmp_path / label
        d.mkdir()
        m = d / "m.safetensors"
        m.write_bytes(model_files["good"].read_bytes())
        if label == "folder":
            (d / "m.json").mkdir()
        else:
            (d / "m.json").write_bytes(deep_json(100_000))
        before = tree(tmp_path)
        args = ["bound", "cubic", m, "--quiet", "--out", d / "o.json"] if command == "bound" else \
            ["certify", m, "--quiet", "--out", d / "o.cert.json"]
        res = cli(args, capsys)
        bad_input(res, str(d / "m.json"), "not a regular file" if label == "folder" else "nested too deeply")
        assert res[3] < 10 and tree(tmp_path) == before, label


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_item10_pt_files(model_files, tmp_path, capsys):
    import torch

    w = model_files["weights"]
    cases = {
        "sparse": (tl_state_dict(w, lambda k, t: t.to_sparse() if k == "W_E" else t), "sparse"),
        "meta": (tl_state_dict(w, lambda k, t: torch.empty(t.shape, device="meta") if k == "W_U" else t), "meta"),
        "intkey": ({**tl_state_dict(w), 7: torch.zeros(1)}, "not a string"),
        "float8": (tl_state_dict(w, lambda k, t: t.to(torch.float8_e4m3fn) if k == "W_E" else t), "cannot be read"),
        "quantized": (tl_state_dict(w, lambda k, t: torch.quantize_per_tensor(t, 0.1, 0, torch.qint8)
                                    if k == "W_E" else t), "quantized"),
    }
    for label, (sd, word) in cases.items():
        p = tmp_path / f"{label}.pt"
        torch.save(sd, p)
        before = tree(tmp_path)
        bad_input(cli(["bound", "cubic", p, "--quiet", "--out", tmp_path / "o.json"], capsys), str(p), word)
        bad_input(cli(["certify", p, "--quiet", "--out", tmp_path / "o.cert.json"], capsys), str(p), word)
        assert tree(tmp_path) == before, label


def test_item10_bfloat16_is_converted_exactly_and_said(model_files, tmp_path, capsys):
    """bfloat16 -> float32 is exact (every bfloat16 value is a float32 value): the model loads, the
    hash is that of the same values in float32, and one note line says so."""
    import torch
    from safetensors.torch import save_file

    from pipeline.model.checkpoint import load_weights
    from pipeline.model.weights import make_weights

    w = model_files["weights"]
    bf = {k: torch.from_numpy(np.array(v)).to(torch.bfloat16) for k, v in w.tensors.items()}
    expect = make_weights({k: v.to(torch.float32).numpy() for k, v in bf.items()}).sha256
    st = tmp_path / "bf.safetensors"
    save_file(bf, str(st))
    pt = tmp_path / "bf.pt"
    torch.save(tl_state_dict(w, lambda k, t: t.to(torch.bfloat16)), pt)
    for p in (st, pt):
        notes = []
        assert load_weights(p, notes).sha256 == expect
        # a .pt file also gets the note on the architecture a state dict cannot show
        n_arch = 1 if p.suffix == ".pt" else 0
        assert len(notes) == 1 + n_arch and "bfloat16" in notes[0] and "exactly" in notes[0], notes
        rc, out, err, _ = cli(["bound", "cubic", p, "--quiet"], capsys)
        assert rc == 0 and json.loads(out)["model_sha256"] == expect
        assert len(err) == 1 + n_arch and all(e.startswith("note: ") for e in err), err
        assert "bfloat16" in err[0] and all("no LayerNorm" in e for e in err[1:]), err
    bad = tmp_path / "f8.safetensors"
    save_file({"W_E": torch.zeros(4, 4).to(torch.float8_e5m2)}, str(bad))
    bad_input(cli(["bound", "cubic", bad, "--quiet"], capsys), str(bad))


# ----------------------------------------------------------------- CLI arguments


@pytest.mark.parametrize("args,words", [
    (["train", "--k", "0"], ["--k"]),
    (["train", "--k", "x"], ["--k", "integer"]),
    (["train", "--vocab", "1"], ["--vocab"]),
    (["train", "--vocab", "100000000"], ["--vocab"]),
    (["train", "--steps", "-1"], ["--steps"]),
    (["train", "--seed", "-1"], ["--seed"]),
    (["train", "--seed", str(2**64)], ["--seed"]),
    (["train", "--steps", "1", "--k", "2", "--vocab", "4", "--out", "afile"], ["afile", "not a folder"]),
    (["bound", "cubic", "MODEL", "--out", "adir"], ["adir", "folder"]),
    (["bound", "cubic", "MODEL", "--out", "afile/x.json"], ["afile"]),
    (["bounds", "MODEL", "--out-dir", "afile"], ["afile"]),
    (["certify", "MODEL", "--out", "adir"], ["adir"]),
    (["export-lean", "CERT", "--name", "___", "--lean-dir", "L"], ["___"]),
    (["export-lean", "CERT", "--lean-dir", "afile"], ["afile"]),
    (["lean-bench", "--ops", "0"], ["--ops"]),
    (["lean-bench", "--lean-dir", "afile"], ["afile"]),
    (["lean-check", "--lean-dir", "nowhere"], ["nowhere"]),
    (["archive", "--model", "MODEL", "--cert", "CERT", "--chunk-size", "0"], ["--chunk-size"]),
    (["archive", "--model", "MODEL", "--cert", "CERT", "--out", "adir"], ["adir"]),
    (["verify-archive", "adir"], ["adir"]),
    (["nosuchcommand"], ["nosuchcommand"]),
    (["bound", "nosuchstrategy", "MODEL"], ["nosuchstrategy"]),
])
def test_cli_arguments_bad_input(real, tmp_path, capsys, args, words):
    (tmp_path / "adir").mkdir()
    (tmp_path / "afile").write_text("x")
    sub = {"MODEL": str(real["model"]), "CERT": str(real["cert"])}
    args = [sub.get(a, a) for a in args]
    before = tree(tmp_path)
    res = cli(args, capsys, cwd=tmp_path)
    bad_input(res, *words)
    assert tree(tmp_path) == before


def test_cli_bad_input_end_to_end_subprocess(tmp_path):
    """The same contract through a real `python -m pipeline.cli` (no traceback reaches stderr)."""
    (tmp_path / "m.safetensors").write_bytes(b"\x08" + b"\0" * 7 + b"{}")
    (tmp_path / "m.json").mkdir()
    for args in (["train", "--k", "0"], ["bound", "cubic", "m.safetensors"], ["verify-archive", "m.json"]):
        r = subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True,
                           cwd=tmp_path, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
        lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
        assert r.returncode == 2 and len(lines) == 1 and lines[0].startswith("error: "), (args, r.stderr)
        assert "Traceback" not in r.stderr


# ----------------------------------------------------------------- fuzz: replay and verify-archive


def _random_value(rng: random.Random, depth: int = 0):
    kind = rng.randrange(11)
    if kind == 0:
        return rng.randrange(-3, 3)
    if kind == 1:
        return rng.choice([2**64, -2**64, HUGE if rng.random() < 0.3 else 10**300, 2**31])
    if kind == 2:
        return rng.choice([True, False, None])
    if kind == 3:
        return rng.choice(["", "x", "cubic", "0" * 64, "é\u2028"])
    if kind == 4:
        return 0.5
    if kind == 5 and depth < 2:
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    if kind == 6 and depth < 2:
        return {str(rng.randrange(5)): _random_value(rng, depth + 1)}
    if kind == 7:
        return [[0] * rng.randrange(4)] * rng.randrange(4)
    return rng.randrange(0, 100)


HUGE = "<a 5000-digit integer>"  # json cannot write it; dumps() substitutes the digits


def dumps(obj) -> bytes:
    return json.dumps(obj).replace(json.dumps(HUGE), "9" * 5000).encode()


def _nodes(obj, path=()):
    """Every (path, value) in a JSON tree (lists sampled: at most 3 children each)."""
    yield path, obj
    if isinstance(obj, dict):
        for k in obj:
            yield from _nodes(obj[k], path + (k,))
    elif isinstance(obj, list) and obj:
        for i in sorted({0, len(obj) // 2, len(obj) - 1}):
            yield from _nodes(obj[i], path + (i,))


def mutate_json(obj, rng: random.Random):
    """A structural mutation of a JSON tree (a deep copy): a node replaced, deleted, duplicated,
    an int nudged, a list truncated or extended, a key added."""
    obj = copy.deepcopy(obj)
    nodes = list(_nodes(obj))
    path, value = rng.choice(nodes[1:])
    parent = obj
    for k in path[:-1]:
        parent = parent[k]
    key = path[-1]
    op = rng.randrange(6)
    if op == 0:
        parent[key] = _random_value(rng)
    elif op == 1:
        del parent[key]
    elif op == 2 and type(value) is int:
        parent[key] = value + rng.choice([-1, 1, 2**40, -(2**40)])
    elif op == 3 and isinstance(value, list) and value:
        parent[key] = value[: rng.randrange(len(value))]
    elif op == 4 and isinstance(value, list):
        parent[key] = value + [copy.deepcopy(value[0]) if value else 0]
    elif isinstance(parent, dict):
        parent["extra" if rng.random() < 0.5 else key + "_"] = _random_value(rng)
    else:
        parent[key] = _random_value(rng)
    return obj


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    op = rng.randrange(4)
    if op == 0:
        for _ in range(rng.randrange(1, 4)):
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
    elif op == 1:
        b = b[: rng.randrange(len(b))]
    elif op == 2:
        i = rng.randrange(len(b))
        b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 8)))
    else:
        i = rng.randrange(len(b))
        j = min(len(b), i + rng.randrange(1, 64))
        b[i:j] = rng.choice([b"", b"\0" * (j - i), b"9" * (j - i), b"[" * (j - i)])
    return bytes(b)


def outcome_ok(res, expect_no_pass: bool = False):
    rc, out, err, _ = res
    assert rc in (0, 1, 2), res
    if rc == 2:
        assert len(err) == 1 and err[0].startswith("error: "), err
    else:
        assert all(ln.startswith("note: ") for ln in err), err
        assert out.startswith(("PASS", "FAIL")) or "OK: all" in out or "FAILED:" in out, out[:300]
    return rc


def run_fuzz(real, tmp_path, capsys, n_cert: int, n_archive: int, seed: int):
    rng = random.Random(seed)
    cert_obj = real["cert_obj"]
    cert_bytes = real["cert"].read_bytes()
    counts = {"replay": {0: 0, 1: 0, 2: 0}, "verify-archive": {0: 0, 1: 0, 2: 0}}
    p = tmp_path / "fuzz.cert.json"
    for i in range(n_cert):
        if i % 2:
            p.write_bytes(mutate_bytes(cert_bytes, rng))
        else:
            p.write_bytes(dumps(mutate_json(cert_obj, rng)))
        counts["replay"][outcome_ok(cli(["replay", p], capsys))] += 1
    base = members(real["archive"])
    raw = real["archive"].read_bytes()
    a = tmp_path / "fuzz.tar.gz"
    for i in range(n_archive):
        op = rng.randrange(6)
        files = dict(base)
        if op == 0:
            a.write_bytes(mutate_bytes(raw, rng))
        else:
            if op == 1:
                rel = rng.choice(sorted(files))
                files[rel] = mutate_bytes(files[rel], rng)
            elif op == 2:
                rel = f"cert/{NAME}.cert.json"
                files[rel] = dumps(mutate_json(cert_obj, rng))
            elif op == 3:
                m = json.loads(files["MANIFEST.json"])
                files["MANIFEST.json"] = dumps(mutate_json(m, rng))
            elif op == 4:
                files.pop(rng.choice(sorted(files)))
            else:
                files[rng.choice(["lean/X.lean", "reports/x", "lean/lakefile.lean", "other/x",
                                  f"model/{NAME}.json"])] = mutate_bytes(b'{"config": {}}\n', rng)
            if rng.random() < 0.7 and "MANIFEST.json" in files and op != 3:
                try:
                    files = with_manifest(files)
                except ValueError:
                    pass
            a.write_bytes(A.pack(files))
        counts["verify-archive"][outcome_ok(cli(["verify-archive", a], capsys))] += 1
    return counts


def test_fuzz_replay_and_verify_archive(real, tmp_path, tmpdir_env, capsys):
    """~30 s: 300 certificate mutations (replay) and 25 archive mutations (verify-archive)."""
    counts = run_fuzz(real, tmp_path, capsys, n_cert=300, n_archive=25, seed=8)
    assert all(c[1] + c[2] > 0 for c in counts.values()), counts
    assert tree(tmpdir_env) == []


@pytest.mark.slow
def test_fuzz_campaign_slow(real, tmp_path, tmpdir_env, capsys):
    counts = run_fuzz(real, tmp_path, capsys, n_cert=5000, n_archive=400, seed=88)
    assert all(c[1] + c[2] > 0 for c in counts.values()), counts
    assert tree(tmpdir_env) == []
