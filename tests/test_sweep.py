"""Seed sweeps (pipeline/sweep.py) and their report (pipeline/sweep_report.py).

Tiny settings (K = 3, V = 8, 30 training steps) keep every sweep to seconds; the process pool and
Ray startup dominate.  The local-vs-Ray comparison is slow-marked (a local Ray with 2 CPUs).
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import sweep as S
from pipeline import sweep_report
from pipeline.sweep_report import collect, seed_rows, write_report

ROOT = Path(__file__).resolve().parent.parent
MAXK = [sys.executable, "-m", "pipeline.cli"]
TINY = S.SweepSettings(k=3, vocab=8, train_steps=30)
TINY_ARGS = ["--k", "3", "--vocab", "8", "--train-steps", "30"]


def cli(*args, timeout=300):
    return subprocess.run(MAXK + [str(a) for a in args], capture_output=True, text=True, cwd=ROOT, timeout=timeout)


def records(out: Path) -> dict:
    """{(seed, step): record} of every intact record under out/results."""
    got = {}
    for p in sorted((out / "results").glob("*/*.json")):
        rec, problem = S.read_record(p)
        assert problem is None, (p, problem)
        got[(rec["seed"], rec["step"])] = rec
    return got


def snapshot(out: Path) -> dict:
    """path -> (bytes, mtime_ns) of every result file."""
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (out / "results").glob("*/*.json")}


def assert_complete(out: Path, seeds, steps=S.STEPS):
    recs = records(out)
    for seed in seeds:
        for step in steps:
            rec = recs[(seed, step)]
            if step == "subcubic" and rec["status"] == "unavailable":
                continue  # the strategy is not registered (yet): listed, not dropped
            assert rec["status"] == "ok", rec
        assert recs[(seed, "replay")]["result"]["verdict"] == "PASS"
        assert recs[(seed, "replay")]["result"]["matches_certify"] is True


# ----------------------------------------------------------------- parsing


def test_paper_seeds_are_the_151_of_the_paper_code():
    doc = json.loads((ROOT / "pipeline/data/paper_seeds.json").read_text())
    seeds = S.paper_seeds()
    assert seeds == doc["seeds"] and len(seeds) == doc["count"] == 151
    assert len(set(seeds)) == 151 and seeds == sorted(seeds) and 123 in seeds  # 123: the paper's main seed
    assert doc["source"]["repository"].endswith("JasonGross/guarantees-based-mechanistic-interpretability")
    assert len(doc["source"]["commit"]) == 40


def test_parse_seeds():
    assert S.parse_seeds("7") == [7]
    assert S.parse_seeds("3-5") == [3, 4, 5]
    assert S.parse_seeds("5,3-4,5") == [5, 3, 4]
    assert S.parse_seeds("paper") == S.paper_seeds()
    assert S.parse_seeds("paper:6") == S.paper_seeds()[:6]
    for bad in ["", "5-3", "-1", "a", "1,,2", "1-", "paper:0", "paper:152", "1.5", "٣"]:
        with pytest.raises(ValueError):
            S.parse_seeds(bad)


def test_parse_steps_adds_dependencies_in_order():
    assert S.parse_steps("replay") == ("train", "certify", "replay")
    assert S.parse_steps("cubic,brute-force") == ("train", "brute-force", "cubic")
    assert S.parse_steps(",".join(reversed(S.STEPS))) == S.STEPS
    with pytest.raises(ValueError, match="unknown step"):
        S.parse_steps("cubic,quadratic")


def test_record_checksum_detects_any_change():
    base = {"format": S.FORMAT, "step": "cubic", "seed": 1, "k": 3, "vocab": 8, "model_sha256": "ab" * 32,
            "status": "ok", "result": {"n_proved": 5}, "error": None, "run": {"seconds": 1.0}}
    base["checksum"] = S.record_checksum(base)
    assert S.check_record(base, "cubic", "ab" * 32) is None
    assert S.check_record(base, "replay", "ab" * 32) is not None
    assert S.check_record(base, "cubic", "cd" * 32) is not None
    for key, value in [("result", {"n_proved": 6}), ("seed", 2), ("status", "failed"), ("run", {"seconds": 2.0})]:
        assert S.check_record({**base, key: value}) == "checksum mismatch"
    assert "missing keys" in S.check_record({k: v for k, v in base.items() if k != "error"})


# ----------------------------------------------------------------- worker


def test_missing_strategy_is_an_unavailable_record(monkeypatch, tmp_path):
    """A strategy that is not in the registry gives status "unavailable", never a crash or a gap."""
    from pipeline import strategies
    from pipeline.model.checkpoint import save_weights
    from helpers import random_weights

    p = tmp_path / "m.safetensors"
    save_weights(random_weights(V=5, n=3), p)
    task = {"step": "cubic", "seed": 0, "settings": S.SweepSettings(k=3, vocab=5, train_steps=1).to_dict(),
            "model": {"safetensors": p.read_bytes(), "json": p.with_suffix(".json").read_bytes()}}
    ok = S.run_task(task)
    assert ok["status"] == "ok" and ok["result"]["n_inputs"] == 125 and 0 <= ok["result"]["n_proved"] <= 125
    monkeypatch.setattr(strategies, "REGISTRY", {k: v for k, v in strategies.REGISTRY.items() if k != "cubic"})
    out = S.run_task(task)
    assert out["status"] == "unavailable" and "'cubic'" in out["error"] and out["result"] is None
    broken = dict(task, model={"safetensors": b"not a model", "json": b"{}"})
    out = S.run_task(broken)
    assert out["status"] == "failed" and out["error"]


# ----------------------------------------------------------------- a finished tiny sweep


@pytest.fixture(scope="module")
def done_sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep") / "tiny"
    summary = S.run_sweep(out, TINY, [1, 2, 3], S.STEPS, jobs=2, progress=False)
    assert summary.counts["ran"] + summary.counts["unavailable"] == 3 * len(S.STEPS)
    assert not summary.failures or all(step == "subcubic" for _, step, _ in summary.failures)
    return out


def test_sweep_writes_one_record_per_model_and_step(done_sweep):
    assert_complete(done_sweep, [1, 2, 3])
    recs = records(done_sweep)
    for seed in (1, 2, 3):
        sha = recs[(seed, "train")]["model_sha256"]
        assert {p.stem for p in (done_sweep / "results" / sha).glob("*.json")} == set(S.STEPS)
        model = done_sweep / "models" / f"max3-seed{seed}.safetensors"
        from pipeline.model.checkpoint import load_weights

        assert load_weights(model).sha256 == sha  # the model is in the sweep folder, under its hash
        bf, cub = recs[(seed, "brute-force")]["result"], recs[(seed, "cubic")]["result"]
        assert cub["n_proved"] <= bf["n_proved"] + bf["n_undecided"]  # two sound bounds cannot disagree
        assert recs[(seed, "certify")]["result"]["claimed_count"] <= cub["n_proved"]
        assert recs[(seed, "replay")]["result"]["count"] == recs[(seed, "certify")]["result"]["claimed_count"]


def test_rerun_skips_everything_finished(done_sweep):
    before = snapshot(done_sweep)
    s = S.run_sweep(done_sweep, TINY, [1, 2, 3], S.STEPS, jobs=2, progress=False)
    finished = sum(1 for p in before if json.loads(p.read_text())["status"] == "ok")
    assert s.counts["skipped"] == finished and s.counts["ran"] == 0 and not s.corrupt
    after = snapshot(done_sweep)
    for p, (raw, mtime) in before.items():
        if json.loads(raw)["status"] == "ok":
            assert after[p] == (raw, mtime), f"{p} was rewritten"


def test_shipped_results_without_models_need_no_training(done_sweep, tmp_path):
    """A fresh clone has results/ but no models/ or certs/: a re-run finds everything finished."""
    import shutil

    out = tmp_path / "clone"
    shutil.copytree(done_sweep, out, ignore=shutil.ignore_patterns("models", "certs"))
    before = snapshot(out)
    s = S.run_sweep(out, TINY, [1, 2, 3], S.STEPS, jobs=2, progress=False)
    assert s.counts["ran"] == 0 and s.counts["failed"] == 0
    assert not list((out / "models").iterdir()) and not list((out / "certs").iterdir())
    assert {p: v for p, v in snapshot(out).items() if json.loads(v[0])["status"] == "ok"} == \
        {p: v for p, v in before.items() if json.loads(v[0])["status"] == "ok"}


def test_corrupt_and_partial_files_are_redone(done_sweep, tmp_path):
    import shutil

    out = tmp_path / "copy"
    shutil.copytree(done_sweep, out)
    recs = records(out)
    sha1, sha2 = recs[(1, "train")]["model_sha256"], recs[(2, "train")]["model_sha256"]
    res = out / "results"
    (res / sha1 / "cubic.json").write_bytes((res / sha1 / "cubic.json").read_bytes()[:50])  # partial write
    edited = json.loads((res / sha1 / "brute-force.json").read_text())
    edited["result"]["n_proved"] += 1  # a changed number, checksum left as it was
    (res / sha1 / "brute-force.json").write_text(json.dumps(edited))
    (res / sha2 / "replay.json").unlink()  # missing
    (out / "certs" / "max3-seed2.cert.json").write_text("{}")  # replay must not trust this file
    (res / sha2 / ".certify.json.123.tmp").write_text("half")  # left by a killed atomic write
    model3 = out / "models" / "max3-seed3.safetensors"
    good_model = model3.read_bytes()
    model3.write_bytes(good_model[:-7] + b"garbage")  # a damaged model: retrained, bit for bit
    (res / recs[(3, "cubic")]["model_sha256"] / "cubic.json").unlink()
    untouched = {p: v for p, v in snapshot(out).items()
                 if p.parent.name == recs[(3, "train")]["model_sha256"] and p.stem in ("brute-force", "certify")}

    s = S.run_sweep(out, TINY, [1, 2, 3], S.STEPS, jobs=2, progress=False)
    assert sorted(p for p, _ in s.corrupt) == sorted([f"results/{sha1}/cubic.json", f"results/{sha1}/brute-force.json"])
    assert_complete(out, [1, 2, 3])
    after = records(out)
    assert after[(1, "brute-force")]["result"] == recs[(1, "brute-force")]["result"]  # redone, same numbers
    assert after[(1, "cubic")]["result"] == recs[(1, "cubic")]["result"]
    assert after[(2, "certify")]["result"] == recs[(2, "certify")]["result"]  # certificate rebuilt for replay
    assert after[(2, "replay")]["result"] == recs[(2, "replay")]["result"]
    assert model3.read_bytes() == good_model  # deterministic training
    assert not list(res.rglob("*.tmp"))
    for p, v in untouched.items():
        assert snapshot(out)[p] == v, f"{p} was redone although it was intact"


def test_report(done_sweep, tmp_path):
    r = write_report(done_sweep, tmp_path / "rep")
    md = r["markdown"].read_text()
    rows = seed_rows(collect(done_sweep))
    assert [row["seed"] for row in rows] == [1, 2, 3]
    recs = records(done_sweep)
    # the relative statistic, recomputed from the raw records
    rel = [recs[(s, "cubic")]["result"]["n_proved"] / recs[(s, "brute-force")]["result"]["n_proved"] for s in (1, 2, 3)]
    mean = sum(rel) / 3
    std = (sum((x - mean) ** 2 for x in rel) / 2) ** 0.5
    cubic = next(t for t in r["table"] if t["strategy"] == "cubic")
    assert cubic["seeds"] == 3 and abs(cubic["relative_mean"] - mean) < 1e-12 and abs(cubic["relative_std"] - std) < 1e-12
    assert f"{mean:.4f} ± {std:.4f}" in md
    for seed in (1, 2, 3):
        assert f"| {seed} | `{recs[(seed, 'train')]['model_sha256'][:12]}` |" in md
    failed = [(seed, step) for (seed, step), rec in recs.items() if rec["status"] == "failed"]
    unavailable = [(seed, step) for (seed, step), rec in recs.items() if rec["status"] == "unavailable"]
    assert len(r["failures"]) == len(failed) and f"## Failures ({len(failed)})" in md
    assert len(r["not_run"]) == len(unavailable) and f"## Not run ({len(unavailable)})" in md
    for p in r["plots"]:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 5000
    assert json.loads(r["json"].read_text())["summary"] == json.loads(json.dumps(r["table"]))


def _without(done_sweep, tmp_path, steps, seeds=(1, 2, 3)) -> Path:
    """A copy of the tiny sweep as if `steps` had not been requested for `seeds` (no result files)."""
    import shutil

    out = tmp_path / "partial"
    shutil.copytree(done_sweep, out)
    recs = records(out)
    for seed in seeds:
        for step in steps:
            (out / "results" / recs[(seed, "train")]["model_sha256"] / f"{step}.json").unlink()
    return out


def test_skipped_steps_are_not_run_not_failures(done_sweep, tmp_path):
    """Like the shipped K = 5 sweep (--steps train,cubic,certify,replay): steps never requested are
    listed once under "Not run" with the reason, never as failures; the plots draw absolute bounds,
    no empty panel, and no seed as "no certificate" when every certificate exists and replays."""
    out = _without(done_sweep, tmp_path, ("brute-force", "subcubic"))
    r = write_report(out)
    md = r["markdown"].read_text()
    assert r["failures"] == [] and "## Failures (0)" in md
    assert sorted(r["not_run"]) == sorted((seed, step, sweep_report.NO_RESULT) for seed in (1, 2, 3)
                                          for step in ("brute-force", "subcubic"))
    assert "## Not run (6)" in md and f"| all 3 seeds | brute-force, subcubic | {sweep_report.NO_RESULT} |" in md
    assert "| brute-force | 0 | not run |" in md and "No relative bounds" in md
    said = r["plot_contents"]
    assert not any("no certificate" in x for x in said["seeds.png"]), said["seeds.png"]
    assert "cubic = its certificate (3/3 replay PASS), 3 seeds" in said["seeds.png"], said["seeds.png"]
    assert any("not run: brute-force, subcubic" in x for x in said["histograms.png"]), said["histograms.png"]
    assert "certified accuracy bound (n_proved / all inputs)" in said["histograms.png"]  # one panel: absolute bounds
    assert not any(x.startswith("no data") for xs in said.values() for x in xs), said
    report = json.loads(r["json"].read_text())
    assert report["failures"] == [] and len(report["not_run"]) == 6


def test_missing_certificate_is_drawn_as_such(done_sweep, tmp_path):
    out = _without(done_sweep, tmp_path, ("certify", "replay"), seeds=(2,))
    r = write_report(out)
    assert r["failures"] == []
    assert ("seed 2", "certify, replay", sweep_report.NO_RESULT) in sweep_report.not_run_groups(r["not_run"], 3)
    said = r["plot_contents"]["seeds.png"]
    assert "no certificate (1)" in said and "certificate, replay PASS (2)" not in said, said  # the cubic's entry says it
    assert "cubic = its certificate (2/2 replay PASS), 3 seeds" in said, said


def test_unavailable_step_is_not_run_with_its_reason(done_sweep, tmp_path):
    import shutil

    out = tmp_path / "unavail"
    shutil.copytree(done_sweep, out)
    recs = records(out)
    why = "strategy 'subcubic' is not registered"
    for seed in (1, 2, 3):
        S.write_record(out / "results" / recs[(seed, "train")]["model_sha256"] / "subcubic.json",
                       dict(recs[(seed, "subcubic")], status="unavailable", result=None, error=why))
    r = write_report(out)
    md = r["markdown"].read_text()
    assert r["failures"] == [] and "## Failures (0)" in md
    assert f"| all 3 seeds | subcubic | unavailable: {why} |" in md


def test_report_with_nothing_to_draw_says_no_data(tmp_path):
    """Seeds whose training failed: no bounds at all.  Every plot says "no data", none is an empty frame."""
    out = tmp_path / "empty"
    (out / "results" / "seed-4").mkdir(parents=True)
    (out / "sweep.json").write_text(json.dumps(TINY.to_dict()))
    S.write_record(out / "results" / "seed-4" / "train.json",
                   {"format": S.FORMAT, "k": 3, "vocab": 8, "seed": 4, "step": "train", "model_sha256": None,
                    "status": "failed", "result": None, "error": "RuntimeError: diverged", "run": {}})
    r = write_report(out)
    assert len(r["failures"]) == 1 and len(r["not_run"]) == len(S.STEPS) - 1
    assert all(any(x.startswith("no data") for x in xs) for xs in r["plot_contents"].values()), r["plot_contents"]


def test_report_lists_failures_never_drops_them(done_sweep, tmp_path):
    import shutil

    out = tmp_path / "copy"
    shutil.copytree(done_sweep, out)
    recs = records(out)
    sha = recs[(2, "train")]["model_sha256"]
    failed = dict(recs[(2, "cubic")], status="failed", result=None, error="RuntimeError: boom")
    S.write_record(out / "results" / sha / "cubic.json", failed)
    (out / "results" / sha / "certify.json").write_text("{truncated")
    S.write_record(out / "results" / "seed-9" / "train.json",
                   dict(recs[(1, "train")], seed=9, model_sha256=None, status="failed", result=None,
                        error="RuntimeError: training diverged"))
    r = write_report(out)
    text = r["markdown"].read_text()
    assert "RuntimeError: boom" in text and "training diverged" in text and "certify.json" in text
    cubic = next(t for t in r["table"] if t["strategy"] == "cubic")
    assert cubic["seeds"] == 2  # seed 2's failed cubic is not averaged in, but it is listed


# ----------------------------------------------------------------- resume after a kill


def test_killed_sweep_resumes_without_redoing_finished_steps(tmp_path):
    out = tmp_path / "killed"
    seeds = "1-5"
    proc = subprocess.Popen(MAXK + ["sweep", *TINY_ARGS, "--seeds", seeds, "--jobs", "1", "--out", str(out), "--quiet"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.time() + 240
        while time.time() < deadline and proc.poll() is None:
            done = list((out / "results").glob("*/replay.json")) if (out / "results").exists() else []
            if done:  # at least one seed is complete: kill the sweep midway, workers and all
                break
            time.sleep(0.05)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:  # it already ended (the asserts below then say why this is a failure)
            pass
        proc.wait()
    before = {p: v for p, v in snapshot(out).items() if json.loads(v[0])["status"] == "ok"}
    assert before, "the sweep was killed before it finished anything"
    assert len(before) < 5 * len(S.STEPS) - 5, "the sweep finished before it could be killed"
    r = cli("sweep", *TINY_ARGS, "--seeds", seeds, "--jobs", "2", "--out", out, "--quiet")
    assert r.returncode == 0, r.stderr
    assert f"already finished (skipped) {len(before)}," in r.stdout, r.stdout
    assert_complete(out, range(1, 6))
    after = snapshot(out)
    for p, v in before.items():
        assert after[p] == v, f"{p} was redone"


# ----------------------------------------------------------------- bad input


def _one_error_line(r):
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in r.stderr, r.stderr
    return lines[0]


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.mark.parametrize("args, needle", [
    (["--steps", "train,cubic,quadratic"], "unknown step 'quadratic'"),
    (["--seeds", "9-3"], "bad seed range"),
    (["--seeds", "1,x"], "bad seed list"),
    (["--seeds", "paper:999"], "paper:N"),
    (["--jobs", "0"], "--jobs"),
    (["--k", "0"], "k must be"),
    (["--ray-address", "127.0.0.1:1"], "--backend ray"),
])
def test_bad_input_one_line_exit_2_nothing_written(tmp_path, args, needle):
    out = tmp_path / "never"
    line = _one_error_line(cli("sweep", *TINY_ARGS, *args, "--out", out))
    assert needle in line
    assert not out.exists()


def test_unreachable_ray_address(tmp_path):
    out = tmp_path / "never"
    addr = f"127.0.0.1:{_closed_port()}"
    t = time.time()
    line = _one_error_line(cli("sweep", *TINY_ARGS, "--seeds", "1", "--backend", "ray", "--ray-address", addr,
                               "--out", out, timeout=120))
    assert time.time() - t < 60
    try:
        import ray  # noqa: F401
    except ImportError:  # a clean clone's venv has no Ray extra: still one line, exit 2
        assert "not installed" in line and "'.[distributed]'" in line
    else:
        assert addr in line and "cannot reach the Ray cluster" in line
    assert not out.exists()


def test_settings_mismatch_with_an_existing_sweep(done_sweep):
    line = _one_error_line(cli("sweep", "--k", "3", "--vocab", "8", "--train-steps", "31", "--seeds", "1",
                               "--out", done_sweep))
    assert "sweep.json" in line and "train_steps" in line


def test_report_bad_input(tmp_path):
    line = _one_error_line(cli("report", tmp_path / "nope"))
    assert "nope" in line
    (tmp_path / "empty").mkdir()
    assert "no sweep.json" in _one_error_line(cli("report", tmp_path / "empty"))


def test_help():
    for cmd in ("sweep", "report"):
        r = cli(cmd, "--help")
        assert r.returncode == 0 and f"usage: maxk {cmd}" in r.stdout


# ----------------------------------------------------------------- Ray


@pytest.mark.slow
def test_local_and_ray_give_identical_results(tmp_path):
    pytest.importorskip("ray")
    seeds = [4, 5, 6]
    local, ray_out = tmp_path / "local", tmp_path / "ray"
    S.run_sweep(local, TINY, seeds, S.STEPS, jobs=2, backend="local", progress=False)
    s = S.run_sweep(ray_out, TINY, seeds, S.STEPS, jobs=2, backend="ray", progress=False)
    assert s.backend == "ray" and s.jobs == 2

    def strip(recs):
        return {k: {f: v for f, v in rec.items() if f not in ("run", "checksum")} for k, rec in recs.items()}

    a, b = records(local), records(ray_out)
    assert len(a) == 3 * len(S.STEPS) and strip(a) == strip(b)
    assert {rec["run"]["backend"] for rec in b.values()} == {"ray"}
    for seed in seeds:
        for rel in (f"models/max3-seed{seed}.safetensors", f"certs/max3-seed{seed}.cert.json"):
            assert (local / rel).read_bytes() == (ray_out / rel).read_bytes(), rel
