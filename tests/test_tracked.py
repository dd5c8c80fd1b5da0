"""Issue 19, "Defaults overwrite shipped results": with default outputs, no command writes into the
repository's files (its outputs go to ./maxk-out/, git-ignored), and from an unrelated folder
nothing appears outside ./maxk-out/ there.  Each command runs in-process (pipeline.cli.main) on a
small random model made in a temporary folder; a non-empty output folder that is not a maxk output
is refused before anything is written."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from helpers import random_weights
from pipeline.cli import main
from pipeline.model.checkpoint import save_weights
from pipeline.outputs import MARKER

ROOT = Path(__file__).resolve().parents[1]
SEED = 918273  # train's model is max2-seed918273 (a name no one else uses)


def _status() -> set[str] | None:
    """`git status --porcelain` lines (untracked files listed one by one), or None outside git."""
    try:
        r = subprocess.run(["git", "status", "--porcelain=v1", "--untracked-files=all"], cwd=ROOT,
                           capture_output=True, text=True, timeout=120, env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"})
    except (OSError, subprocess.TimeoutExpired):
        return None
    return set(r.stdout.splitlines()) if r.returncode == 0 else None


def _tracked_mtimes(changed: set[str]) -> dict:
    """mtime of every tracked file under the folders the commands could write (a byte-identical
    rewrite leaves git status clean but changes the mtime), except those already changed."""
    r = subprocess.run(["git", "ls-files", "-z", "--", "artifacts", "lean", "coq", "templates"], cwd=ROOT,
                       capture_output=True, timeout=120, env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"})
    paths = [p for p in r.stdout.decode().split("\0") if p]
    return {p: (ROOT / p).stat().st_mtime_ns for p in paths if (ROOT / p).exists() and p not in changed}


def _model(folder: Path, stem: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.safetensors"
    save_weights(random_weights(V=5, n=3, seed=2), path)
    return path


def _run_documented_commands(model: Path, capsys) -> Path:
    """The documented commands with default outputs, from the current folder; returns the model's
    default output folder."""
    stem = model.stem
    out = Path("maxk-out") / stem
    commands = [
        ["train", "--k", "2", "--vocab", "4", "--steps", "2", "--seed", str(SEED)],
        ["bound", "cubic", str(model), "--quiet"],
        ["certify", str(model), "--quiet"],
        ["replay", str(out / f"{stem}.cert.json")],
        ["bounds", str(model), "--quiet"],
        ["frontier", str(model), "--configs", "groups", "--quiet"],
        ["export-lean", str(out / f"{stem}.cert.json")],
        ["export-lean", str(out / f"{stem}.cert.json")],  # again: its own output folder is reused
        ["archive", "--model", str(model)],
        ["verify-archive", str(out / f"{stem}.tar.gz")],
        ["lean-bench", "--ops", "3"],
    ]
    for args in commands:
        rc = main(args)
        captured = capsys.readouterr()
        assert rc == 0, (args, captured.out[-2000:], captured.err[-2000:])
    expect = {f"{stem}.cert.json", f"{stem}.bounds.json", f"{stem}.bounds.txt", f"{stem}.tar.gz", "frontier.json",
              "frontier.summary.json", "frontier.md", "frontier.png", "lean", MARKER}
    assert {p.name for p in out.iterdir()} == expect
    lean = out / "lean"
    assert (lean / MARKER).is_file() and (lean / "lakefile.toml").is_file() and (lean / "MaxKCert.lean").is_file()
    return out


def test_default_outputs_leave_the_repository_unchanged(tmp_path, monkeypatch, capsys):
    before = _status()
    if before is None:
        pytest.skip("not a git checkout")
    changed = {line[3:] for line in before}
    mtimes = _tracked_mtimes(changed)
    stem = f"trk{uuid.uuid4().hex[:8]}"
    model = _model(tmp_path / "models", stem)
    maxk_out = ROOT / "maxk-out"
    existed = {p: p.exists() for p in (maxk_out, maxk_out / "models", maxk_out / "lean-bench")}
    trained = [maxk_out / "models" / f"max2-seed{SEED}{ext}" for ext in (".safetensors", ".json")]
    assert not any(p.exists() for p in trained)
    monkeypatch.chdir(ROOT)
    try:
        _run_documented_commands(model, capsys)
        assert all(p.is_file() for p in trained)
        after = _status()
        assert after - before == set(), sorted(after - before)  # nothing new in git status
        now = _tracked_mtimes(changed)
        assert {p for p in mtimes if now.get(p) != mtimes[p]} == set()  # no tracked file rewritten
    finally:
        shutil.rmtree(maxk_out / stem, ignore_errors=True)
        for p in trained:
            p.unlink(missing_ok=True)
        for p in (maxk_out / "lean-bench", maxk_out / "models", maxk_out):
            if not existed[p] and p.is_dir():
                if p.name == "lean-bench":
                    shutil.rmtree(p, ignore_errors=True)
                else:
                    (p / MARKER).unlink(missing_ok=True)
                    if not any(p.iterdir()):
                        p.rmdir()


def _snapshot(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): (p.stat().st_mtime_ns, p.stat().st_size) for p in root.rglob("*")}


def test_from_an_unrelated_folder_only_maxk_out_appears(tmp_path, monkeypatch, capsys):
    before = _status()
    model = _model(tmp_path / "models", "tiny")
    models_before = _snapshot(tmp_path / "models")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    out = _run_documented_commands(model, capsys)
    assert sorted(p.name for p in work.iterdir()) == ["maxk-out"]
    assert sorted(p.name for p in (work / "maxk-out").iterdir()) == ["lean-bench", "models", "tiny"]
    assert out == Path("maxk-out") / "tiny"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["models", "work"]
    assert _snapshot(tmp_path / "models") == models_before
    if before is not None:
        assert _status() - before == set()


def test_a_foreign_non_empty_folder_is_refused(tmp_path, monkeypatch, capsys):
    """An existing non-empty folder without .maxk-output: one error line, exit 2, nothing written."""
    model = _model(tmp_path / "models", "tiny")
    monkeypatch.chdir(tmp_path)
    assert main(["certify", str(model), "--quiet", "--out", "tiny.cert.json"]) == 0
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine\n")
    (tmp_path / "maxk-out" / "tiny").mkdir(parents=True)
    (tmp_path / "maxk-out" / "tiny" / "notes.txt").write_text("mine\n")  # a default folder maxk did not make
    capsys.readouterr()
    before = _snapshot(tmp_path)
    for args, where in [
        (["export-lean", "tiny.cert.json", "--lean-dir", "mine"], "mine"),
        (["lean-bench", "--lean-dir", "mine"], "mine"),
        (["bounds", str(model), "--out-dir", "mine", "--quiet"], "mine"),
        (["frontier", str(model), "--configs", "groups", "--out-dir", "mine", "--quiet"], "mine"),
        (["certify", str(model), "--quiet"], "maxk-out/tiny"),
        (["bounds", str(model), "--quiet"], "maxk-out/tiny"),
        (["archive", "--model", str(model), "--cert", "tiny.cert.json"], "maxk-out/tiny"),
    ]:
        assert main(args) == 2, args
        err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
        assert len(err) == 1 and err[0].startswith(f"error: {where}: ") and "not a maxk output folder" in err[0], err
    assert _snapshot(tmp_path) == before
    # an empty folder is taken (and marked)
    (tmp_path / "empty").mkdir()
    assert main(["export-lean", "tiny.cert.json", "--lean-dir", "empty"]) == 0
    assert (tmp_path / "empty" / MARKER).is_file() and (tmp_path / "empty" / "lakefile.toml").is_file()
