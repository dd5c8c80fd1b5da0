"""The auditor's CLI items of issue 19: infeasible brute forces refused before any work (with the
estimate and the alternative; --force lifts it), --version, convert, each note once, --json,
bound subcubic --config, missing optional dependencies named before any work, line-mode progress
when stderr is not a terminal, and the closing summary of make demo.

Most commands run in-process through pipeline.cli.main on tiny models; the ones whose point is the
process (stderr a pipe, a missing module, the installed entry point) run as subprocesses.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import maxlike_weights, random_weights, tl_state_dict
from pipeline import cli
from pipeline.model.checkpoint import save_weights
from pipeline.strategies import brute_force

ROOT = Path(__file__).resolve().parents[1]


def run_cli(args, capsys, cwd=None, monkeypatch=None):
    """(exit code, stdout, stderr lines) of `maxk ARGS` in this process; each run starts with no
    notes shown (the once-per-process registry is the process's, and pytest is one process)."""
    cli._NOTES_SHOWN.clear()
    if cwd is not None:
        monkeypatch.chdir(cwd)
    try:
        rc = cli.main([str(a) for a in args])
    except SystemExit as e:  # argparse: --help, --version, usage errors
        rc = e.code
    out, err = capsys.readouterr()
    return rc, out, [ln for ln in err.splitlines() if ln.strip()]


def run_sub(args, pre="", cwd=ROOT, timeout=300):
    """`maxk ARGS` in a fresh interpreter (stdout and stderr pipes); `pre` runs first (e.g. hiding a module)."""
    code = f"import sys\n{pre}\nfrom pipeline.cli import main\nsys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout)


def one_error_line(rc, err, *words):
    assert rc == 2, (rc, err)
    assert len(err) == 1 and err[0].startswith("error: "), err
    for w in words:
        assert w in err[0], (w, err[0])
    return err[0]


def tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*"))


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A tiny model (V = 5, K = 3) in our format, and a K = 10, V = 64 one (cheap to load, 64^10 inputs)."""
    d = tmp_path_factory.mktemp("auditor")
    p = d / "small.safetensors"
    save_weights(maxlike_weights(V=5, n=3, seed=1), p)
    big = d / "big.safetensors"
    save_weights(random_weights(V=64, n=10, d=8, h=8, seed=3), big)
    return {"dir": d, "model": p, "big": big}


# ----------------------------------------------------------------- 1. the brute force's budget


@pytest.mark.parametrize("args", [
    ["bound", "brute-force", "{big}"],
    ["bound", "brute-force", "{big}", "--no-float32"],
    ["bounds", "{big}", "--out-dir", "{out}/reports"],
    ["frontier", "{big}", "--out-dir", "{out}/frontier"],
    ["frontier", "{small}", "{big}", "--out-dir", "{out}/frontier"],
], ids=["bound", "bound-no-float32", "bounds", "frontier", "frontier-second-model"])
def test_infeasible_brute_force_is_refused_before_any_work(small, tmp_path, capsys, args):
    args = [a.format(big=small["big"], small=small["model"], out=tmp_path) for a in args]
    before = tree(tmp_path)
    t0 = time.perf_counter()
    rc, out, err = run_cli(args + ["--quiet"], capsys)
    assert time.perf_counter() - t0 < 20
    line = one_error_line(rc, err, str(small["big"]), "64^10", "FLOPs", "memory", "maxk bound cubic",
                          "maxk certify", "--force")
    assert out == "" and tree(tmp_path) == before, line


def test_budget_lets_the_shipped_model_through_and_is_documented():
    from pipeline.model.config import ModelConfig

    shipped = brute_force.estimate(ModelConfig(d_vocab=64, n_ctx=4))  # with the float32 accuracy
    assert shipped.n_inputs == 64**4 and brute_force.budget_problem(shipped) is None
    assert 4e9 < shipped.flops < 5e9  # the shipped report's 4.383e9
    for n in (5, 10):
        assert brute_force.budget_problem(brute_force.estimate(ModelConfig(d_vocab=64, n_ctx=n))) is not None
    # the help text states the budget that is applied
    assert brute_force.BUDGET_FLOPS == 10**11 and brute_force.BUDGET_BYTES == 4 << 30
    for sub in (["bound"], ["bounds"], ["frontier"]):
        text = " ".join(cli.build_parser()._subparsers._group_actions[0].choices[sub[0]].format_help().split())
        assert "1e11 FLOPs" in text and "4 GiB" in text and "--force" in text, sub


def test_estimate_matches_the_flops_the_brute_force_reports():
    w = maxlike_weights(V=6, n=4, seed=0)
    est = brute_force.estimate(w.config, float32=False)
    r = brute_force.run(w)
    by_step = r.diagnostics["flops"]["by_step"]
    assert est.n_inputs == r.n_inputs == 6**4
    assert est.flops == r.flops - by_step.get("bf/refine", 0)


def test_force_lifts_the_refusal(small, capsys, monkeypatch):
    monkeypatch.setattr(brute_force, "BUDGET_FLOPS", 1)  # now even the tiny model is over it
    rc, out, err = run_cli(["bound", "brute-force", small["model"], "--quiet"], capsys)
    one_error_line(rc, err, "over the brute-force budget of 1e+00 FLOPs", "--force")
    rc, out, err = run_cli(["bound", "brute-force", small["model"], "--quiet", "--force"], capsys)
    assert rc == 0 and json.loads(out)["n_inputs"] == 125, err
    rc, out, err = run_cli(["bounds", small["model"], "--quiet", "--force", "--json", "--out-dir",
                            small["dir"] / "forced"], capsys)
    assert rc == 0 and [r["strategy"] for r in json.loads(out)["rows"]] == ["brute-force", "cubic"], err


def test_sweep_records_an_infeasible_brute_force_as_unavailable(small):
    from pipeline import sweep as S

    p = small["big"]
    task = {"step": "brute-force", "seed": 0, "settings": S.SweepSettings(k=10, vocab=64, train_steps=1).to_dict(),
            "model": {"safetensors": p.read_bytes(), "json": p.with_suffix(".json").read_bytes()}}
    t0 = time.perf_counter()
    out = S.run_task(task)
    assert time.perf_counter() - t0 < 30
    assert out["status"] == "unavailable" and out["result"] is None
    assert "64^10" in out["error"] and "maxk bound cubic" in out["error"]


# ----------------------------------------------------------------- 2. --version


def test_version():
    from importlib.metadata import version

    r = subprocess.run([sys.executable, "-m", "pipeline.cli", "--version"], capture_output=True, text=True,
                       cwd=ROOT, timeout=60)
    assert r.returncode == 0 and r.stdout == f"maxk {version('maxk-certify')}\n" and r.stderr == ""


# ----------------------------------------------------------------- 3. convert, 4. each note once


def test_convert_pt_with_and_without_wrapping_then_archive(small, tmp_path, capsys, monkeypatch):
    import torch

    w = maxlike_weights(V=5, n=3, seed=4)
    sd = tl_state_dict(w)
    torch.save(sd, tmp_path / "plain.pt")
    torch.save({"model": sd}, tmp_path / "wrapped.pt")
    for stem in ("plain", "wrapped"):
        out = tmp_path / f"{stem}.safetensors"
        rc, stdout, err = run_cli(["convert", tmp_path / f"{stem}.pt", "--out", out], capsys)
        assert rc == 0 and out.is_file() and out.with_suffix(".json").is_file(), err
        assert w.sha256 in stdout
        notes = [e for e in err if e.startswith("note: ")]
        assert err == notes and sum("carries no config" in e for e in err) == 1, err
        assert sum("under the key 'model'" in e for e in err) == (stem == "wrapped"), err
        meta = json.loads(out.with_suffix(".json").read_text())
        assert meta["model_sha256"] == w.sha256 and meta["converted_from"]["file"].endswith(f"{stem}.pt")
    # the converted model is an ordinary model: certify it, archive it, verify the archive
    model = tmp_path / "wrapped.safetensors"
    cert = tmp_path / "wrapped.cert.json"
    rc, out, err = run_cli(["certify", model, "--out", cert, "--quiet"], capsys)
    assert rc == 0, err
    arch = tmp_path / "wrapped.tar.gz"
    rc, out, err = run_cli(["archive", "--model", model, "--cert", cert, "--out", arch], capsys)
    assert rc == 0 and arch.is_file(), err
    rc, out, err = run_cli(["verify-archive", arch, "--json"], capsys)
    doc = json.loads(out)
    assert rc == 0 and doc["ok"] is True and doc["status"] == "PASS" and doc["n_fail"] == 0, (out, err)
    # a wrapping with more than the weights is refused, saying what was found and what is read
    torch.save({"model": sd, "optimizer": {"lr": torch.tensor(1e-3)}, "step": torch.tensor(3)}, tmp_path / "ckpt.pt")
    before = tree(tmp_path)
    rc, out, err = run_cli(["convert", tmp_path / "ckpt.pt", "--out", tmp_path / "ckpt.safetensors"], capsys)
    one_error_line(rc, err, "ckpt.pt", "'optimizer'", "'step'", "expected a TransformerLens state dict",
                   "torch.save(checkpoint['model']")
    assert tree(tmp_path) == before
    rc, out, err = run_cli(["convert", tmp_path / "plain.pt", "--out", tmp_path / "x.bin"], capsys)
    one_error_line(rc, err, "x.bin", ".safetensors")


def test_each_note_is_printed_once_per_process(tmp_path, capsys):
    import torch

    torch.save(tl_state_dict(maxlike_weights(V=5, n=3, seed=5)), tmp_path / "m.pt")
    rc, out, err = run_cli(["frontier", tmp_path / "m.pt", tmp_path / "m.pt", "--configs", "groups", "--quiet",
                            "--out-dir", tmp_path / "fr"], capsys)
    assert rc == 0, err
    assert len(err) == 1 and err[0].startswith("note: ") and "carries no config" in err[0], err
    # and the helper itself: the same note twice, one line
    cli._NOTES_SHOWN.clear()
    cli._note("x")
    cli._note("x")
    cli._note("y")
    assert capsys.readouterr().err == "note: x\nnote: y\n"


# ----------------------------------------------------------------- 5. --json


def test_json_is_one_document_on_stdout(small, tmp_path, capsys):
    m = small["model"]
    cert = tmp_path / "s.cert.json"
    rc, out, err = run_cli(["certify", m, "--out", cert, "--quiet", "--json"], capsys)
    doc = json.loads(out)
    assert rc == 0 and err == [] and doc["ok"] is True and doc["cert"] == str(cert) and cert.is_file()
    assert doc["n_inputs"] == 125 and 0 <= doc["claimed_count"] <= 125 and doc["seconds"] >= 0
    rc, out, err = run_cli(["bounds", m, "--quiet", "--json", "--out-dir", tmp_path / "b"], capsys)
    doc = json.loads(out)
    assert rc == 0 and err == [] and doc["ok"] is True and Path(doc["json"]).is_file() and Path(doc["txt"]).is_file()
    assert {r["strategy"] for r in doc["rows"]} == {"brute-force", "cubic"}
    rc, out, err = run_cli(["bound", "cubic", m, "--quiet", "--json"], capsys)
    assert rc == 0 and err == [] and json.loads(out)["strategy"] == "cubic"
    # errors stay one line on stderr, stdout empty, the same exit codes
    for args in (["certify", tmp_path / "nope.safetensors", "--json"], ["bounds", tmp_path / "nope.safetensors", "--json"],
                 ["bound", "cubic", tmp_path / "nope.safetensors", "--json"]):
        rc, out, err = run_cli(args, capsys)
        one_error_line(rc, err, "nope.safetensors")
        assert out == ""
    (tmp_path / "junk.tar.gz").write_bytes(b"not an archive")
    rc, out, err = run_cli(["verify-archive", tmp_path / "junk.tar.gz", "--json"], capsys)
    one_error_line(rc, err, "junk.tar.gz")
    assert out == ""


# ----------------------------------------------------------------- 6. bound subcubic --config


def test_bound_subcubic_config(small, capsys):
    from pipeline.strategies.subcubic import all_configs

    rc, out, err = run_cli(["bound", "subcubic", "--config", "list"], capsys)
    names = [c.name for c in all_configs()]
    assert rc == 0 and [ln.split()[0] for ln in out.splitlines()] == names and len(names) == 100
    pick = names[37]
    rc, out, err = run_cli(["bound", "subcubic", small["model"], "--config", pick, "--quiet"], capsys)
    doc = json.loads(out)
    assert rc == 0 and doc["config"] == pick and doc["strategy"] == f"subcubic:{pick}", err
    rc, out, err = run_cli(["bound", "subcubic", small["model"], "--config", pick + "x"], capsys)
    line = one_error_line(rc, err, "unknown subcubic configuration", "nearest:", pick, "--config list")
    assert out == "" and line.count("EUPU-") <= 4
    rc, out, err = run_cli(["bound", "cubic", small["model"], "--config", pick], capsys)
    one_error_line(rc, err, "--config")
    rc, out, err = run_cli(["bound", "subcubic", "--help"], capsys)
    assert rc == 0 and "--config list" in " ".join(out.split())


# ----------------------------------------------------------------- 7. missing optional dependencies


@pytest.mark.parametrize("module,extra,args", [
    ("matplotlib", "plots", ["frontier", "{model}", "--out-dir", "{out}/fr"]),
    ("matplotlib", "plots", ["report", "{out}/no-sweep"]),
    ("ray", "distributed", ["sweep", "--backend", "ray", "--k", "3", "--vocab", "5", "--out", "{out}/sw"]),
])
def test_missing_optional_dependency_is_named_before_any_work(small, tmp_path, module, extra, args):
    args = [a.format(model=small["model"], out=tmp_path) for a in args]
    before = tree(tmp_path)
    r = run_sub(args, pre=f"sys.modules[{module!r}] = None  # as if not installed")
    err = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert r.returncode == 2 and len(err) == 1, r.stderr
    assert err[0].startswith("error: ") and f"pip install -e '.[{extra}]'" in err[0] and module in err[0]
    assert "Traceback" not in r.stderr and r.stdout == "" and tree(tmp_path) == before


# ----------------------------------------------------------------- 8. progress in line mode


def test_progress_is_plain_lines_when_stderr_is_a_pipe(small):
    r = run_sub(["bound", "brute-force", small["model"]])
    assert r.returncode == 0, r.stderr
    assert "\r" not in r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.startswith("brute force: ")]
    assert lines and lines[0].startswith("brute force: 0/5 query") and lines[-1].endswith(", done"), r.stderr
    assert json.loads(r.stdout)["n_inputs"] == 125


def test_line_progress_rate():
    from pipeline.progress import LineProgress, progress_bar

    assert isinstance(progress_bar(range(3), desc="x", stream=io.StringIO()), LineProgress)  # no terminal
    buf = io.StringIO()
    for _ in LineProgress(range(1000), total=1000, desc="work", unit="item", stream=buf):
        pass
    lines = buf.getvalue().splitlines()
    assert "\r" not in buf.getvalue() and 10 <= len(lines) <= 12, lines  # start, every 10%, done
    assert lines[0] == "work: 0/1000 item (0%), 0.0 s" and lines[-1].startswith("work: 1000/1000 item (100%)")
    buf = io.StringIO()
    with LineProgress(total=5, desc="quiet", stream=buf, disable=True) as bar:
        bar.update(5)
    assert buf.getvalue() == ""
    buf = io.StringIO()
    bar = LineProgress(total=10**9, desc="slow", stream=buf, seconds=0.0)  # a line at every update
    bar.update(1)
    bar.update(1)
    assert len(buf.getvalue().splitlines()) == 3


# ----------------------------------------------------------------- 9. the closing summary


def test_summary_reads_what_demo_wrote(small, tmp_path, capsys):
    m = small["model"]
    rep, cert, lean = tmp_path / "reports", tmp_path / "small.cert.json", tmp_path / "lean"
    for strategy in ("brute-force", "cubic"):
        rc, out, err = run_cli(["bound", strategy, m, "--quiet", "--out", rep / f"small.{strategy}.json"], capsys)
        assert rc == 0, err
    assert run_cli(["certify", m, "--out", cert, "--quiet"], capsys)[0] == 0
    rc, out, err = run_cli(["export-lean", cert, "--lean-dir", lean], capsys)
    assert rc == 0, err
    rc, out, err = run_cli(["summary", m, "--reports-dir", rep, "--cert", cert, "--lean-dir", lean,
                            "--coq-exit", "3", "--lean-exit", "1"], capsys)
    assert rc == 0, err
    text = out
    bf = json.loads((rep / "small.brute-force.json").read_text())
    c = json.loads(cert.read_text())
    assert f"[{bf['accuracy_lo']:.6f}, {bf['accuracy_hi']:.6f}]" in text
    assert f"{c['claimed_count']:,} of 125 inputs" in text and "exact replay PASS" in text
    assert "Coq          NOT run: coqc not installed" in text and "Lean         FAIL" in text
    assert str(rep / "small.cubic.json") in text and "Lean files" in text
    rc, out, err = run_cli(["summary", m, "--reports-dir", rep, "--cert", cert, "--lean-dir", lean,
                            "--coq-exit", "0", "--lean-exit", "0"], capsys)
    assert rc == 0 and "Coq          PASS" in out and "Lean         PASS" in out
    (rep / "small.cubic.json").unlink()
    rc, out, err = run_cli(["summary", m, "--reports-dir", rep, "--cert", cert], capsys)
    one_error_line(rc, err, "small.cubic.json", "not found")
    assert out == ""


def test_new_commands_have_help(capsys):
    for command in ("convert", "summary"):
        rc, out, err = run_cli([command, "--help"], capsys)
        assert rc == 0 and f"usage: maxk {command}" in out
    rc, out, err = run_cli(["--help"], capsys)
    assert "--version" in out and "convert" in out and "summary" in out
