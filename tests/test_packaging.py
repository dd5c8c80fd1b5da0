"""Issue 19, "Run from anywhere": the package data (the hand-written Coq project, the Jinja2 templates,
the Lean skeleton) ships inside the built wheel, byte for byte equal to the checkout's coq/,
templates/ and lean/ (the source of truth), as real files; and (slow) the wheel, installed into a
temporary folder, certifies, replays, exports a Lake project and coq-checks from an unrelated folder.

The expected file lists here are derived independently of pipeline/resources.py: from
coq/_CoqProject, from a walk of templates/, and from the checkout's tracked lean/ files minus what
the Lean renderer writes."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from helpers import random_weights
from pipeline import resources
from pipeline.model.checkpoint import save_weights

ROOT = Path(__file__).resolve().parents[1]
SHARE = "pipeline/_share/"


def _git_ls(*paths) -> list[str] | None:
    try:
        r = subprocess.run(["git", "ls-files", "-z", "--", *paths], cwd=ROOT, capture_output=True, timeout=60,
                           env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"})
    except (OSError, subprocess.TimeoutExpired):
        return None
    if r.returncode != 0:
        return None
    return [p for p in r.stdout.decode().split("\0") if p]


def _rendered_lean_names(tmp: Path) -> set[str]:
    """Paths (relative to a Lake project) that the Lean renderer writes for a certificate."""
    from pipeline.certificate.certify import certify
    from pipeline.lean_export.render import render_certificate

    cert, _ = certify(random_weights(V=4, n=2, seed=3), progress=False)
    out = tmp / "render"
    render_certificate(cert, out, "probe")
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}


def expected_share(tmp: Path) -> set[str]:
    """Every file the wheel must carry under pipeline/_share/, relative to the checkout."""
    coq = ROOT / "coq"
    listed = [w for line in (coq / "_CoqProject").read_text().splitlines() for w in line.split()[:1]
              if w.endswith(".v")]
    out = {"coq/_CoqProject", "coq/README.md"} | {f"coq/{rel}" for rel in listed}
    for folder in ("coq", "lean"):
        for dirpath, _, filenames in os.walk(ROOT / "templates" / folder):
            out |= {(Path(dirpath) / f).relative_to(ROOT).as_posix() for f in filenames}
    # the Lean skeleton: the tracked lean/ files that are neither rendered nor documentation
    tracked = _git_ls("lean")
    if tracked is None:
        pytest.skip("not a git checkout: the tracked lean/ files are unknown")
    rendered = _rendered_lean_names(tmp)
    skeleton = {rel for rel in tracked
                if not rel.endswith(".md") and Path(rel).name != ".maxk-output"
                and not rel.startswith("lean/MaxKCert/Certs/") and rel[len("lean/"):] not in rendered}
    assert skeleton == {f"lean/{rel}" for rel in resources.LEAN_SKELETON + resources.LEAN_EXACT_SKELETON}, skeleton
    return out | skeleton


def _copy_source(dst: Path) -> Path:
    """The checkout's build inputs, copied (whole folders, so the build's own selection is tested)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "_share", ".lake", "Certs", "*.vo", "*.vok", "*.vos",
                                    "*.glob", ".*.aux", "*.cache", "*.tmp")
    dst.mkdir(parents=True)
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md"):
        shutil.copy2(ROOT / name, dst / name)
    for name in ("pipeline", "coq", "templates", "lean"):
        shutil.copytree(ROOT / name, dst / name, ignore=ignore)
    return dst


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    src = _copy_source(tmp / "src")
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation",
                        "--quiet", "-w", str(tmp / "dist")], cwd=src, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    wheels = list((tmp / "dist").glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_carries_the_package_data(wheel, tmp_path):
    expected = expected_share(tmp_path)
    with zipfile.ZipFile(wheel) as z:
        infos = {i.filename: i for i in z.infolist()}
        shared = {name[len(SHARE):] for name in infos if name.startswith(SHARE) and not name.endswith("/")}
        assert shared == expected, (sorted(expected - shared), sorted(shared - expected))
        for rel in sorted(expected):
            info = infos[SHARE + rel]
            assert not stat.S_ISLNK(info.external_attr >> 16), f"{rel} is a symbolic link in the wheel"
            assert z.read(info) == (ROOT / rel).read_bytes(), f"{rel} differs from the checkout"
        # the package itself: every module and data file of pipeline/
        for p in (ROOT / "pipeline").rglob("*"):
            if p.is_file() and p.suffix in (".py", ".json") and "__pycache__" not in p.parts:
                assert p.relative_to(ROOT).as_posix() in infos, p
    # the module that finds the data lists the same files
    assert set(resources.share_files(ROOT)) == expected


def test_resources_point_at_the_checkout():
    """From a checkout the checkout's folders are the data (editable install: nothing is copied)."""
    assert resources.share_root() == ROOT
    assert resources.coq_dir() == ROOT / "coq" and resources.templates_dir() == ROOT / "templates"
    assert resources.lean_skeleton_dir() == ROOT / "lean"
    from pipeline.coq_export import face as coq_face, render as coq_render
    from pipeline.lean_export import face as lean_face, render as lean_render

    assert coq_render.PROJECT_DIR == ROOT / "coq" and coq_render.TEMPLATE_DIR == ROOT / "templates" / "coq"
    assert lean_render.TEMPLATE_DIR == ROOT / "templates" / "lean"
    assert coq_face.ROOT == ROOT and lean_face.ROOT == ROOT
    assert lean_face.HAND_WRITTEN == [f"lean/{rel}" for rel in resources.LEAN_SKELETON]


def _tree(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): (p.stat().st_mtime_ns, p.stat().st_size)
            for p in root.rglob("*") if p.is_file()}


@pytest.mark.slow
def test_installed_wheel_runs_from_anywhere(wheel, tmp_path):
    """pip install --target T; then, from an unrelated folder with PYTHONPATH=T: certify, replay,
    export-lean (a whole Lake project) and, if coqc exists, coq-check.  Everything lands in
    ./maxk-out/ of that folder; the model's folder and the checkout are untouched."""
    target = tmp_path / "site"
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target),
                        str(wheel)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    models, work = tmp_path / "models", tmp_path / "work"
    models.mkdir()
    work.mkdir()
    model = models / "tiny.safetensors"
    save_weights(random_weights(V=5, n=3, seed=4), model)
    before_models = _tree(models)
    env = {**os.environ, "PYTHONPATH": str(target)}

    def maxk(*args, timeout=600):
        return subprocess.run([sys.executable, "-m", "pipeline.cli", *map(str, args)], cwd=work, env=env,
                              capture_output=True, text=True, timeout=timeout)

    where = subprocess.run([sys.executable, "-c", "import pipeline.resources as r; print(r.__file__); "
                            "print(r.share_root())"], cwd=work, env=env, capture_output=True, text=True, timeout=120)
    mod, share = where.stdout.split()
    assert Path(mod).is_relative_to(target) and Path(share) == target / "pipeline" / "_share", where.stdout

    r = maxk("certify", model, "--quiet")
    assert r.returncode == 0, r.stderr
    cert = work / "maxk-out" / "tiny" / "tiny.cert.json"
    assert cert.is_file()
    r = maxk("replay", cert)
    assert r.returncode == 0 and "PASS" in r.stdout, r.stdout + r.stderr
    r = maxk("export-lean", cert)
    assert r.returncode == 0, r.stderr
    lean = work / "maxk-out" / "tiny" / "lean"
    for rel in resources.LEAN_SKELETON:
        assert (lean / rel).read_bytes() == (ROOT / "lean" / rel).read_bytes(), rel
    from pipeline.lean_export.face import static_checks

    files = {f"lean/{p.relative_to(lean).as_posix()}": p.read_bytes() for p in lean.rglob("*") if p.is_file()}
    assert static_checks(files) == [] and "lean/MaxKCert/Certs/Tiny/Main.lean" in files
    if shutil.which("coqc"):
        r = maxk("coq-check", cert, "--cache-dir", tmp_path / "coq-cache", timeout=3600)
        assert r.returncode == 0 and "PASS" in r.stdout, r.stdout[-3000:] + r.stderr[-3000:]
    assert sorted(p.name for p in work.iterdir()) == ["maxk-out"]
    assert _tree(models) == before_models
