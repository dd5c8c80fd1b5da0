"""Shipped artifacts never contradict each other (issue 19): every report under artifacts/ and
README.md's numbers agree with the shipped certificates, models and each other.

The logic is pipeline/artifacts_check.py (also behind verify-archive's "reports" check); these tests
run it on the repository (cheap: JSON reading plus one cubic run for its FLOPs, no brute force) and
show that it can fail: each deliberately altered copy of one file is caught, naming the file and
the field with both values.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline import artifacts_check as AC
from pipeline import sweep as S

ROOT = Path(__file__).resolve().parent.parent
CERT = ROOT / "artifacts/certs/max4-seed123.cert.json"
MODEL = ROOT / "artifacts/models/max4-seed123.safetensors"


def facts() -> dict:
    return AC.cert_facts(json.loads(CERT.read_bytes()))


def test_shipped_artifacts_agree():
    """Counts, bounds, FLOPs (the cubic's recomputed), schema version, model hashes: every shipped
    report, the archive's manifest and README.md agree with the certificates and each other."""
    from pipeline.model.checkpoint import load_weights
    from pipeline.strategies import cubic

    w = load_weights(MODEL)
    problems = AC.check_shipped(ROOT, cubic_flops={w.sha256: cubic.run(w).flops})
    assert problems == [], "shipped artifacts disagree:\n" + "\n".join(problems)


def test_a_recomputed_cubic_flop_count_is_compared():
    f = facts()
    rows = json.loads((ROOT / "artifacts/reports/max4-seed123.bounds.json").read_text())
    flops = next(r["flops"] for r in rows if r["strategy"] == "cubic")
    problems = AC.check_shipped(ROOT, cubic_flops={f["model_sha256"]: flops + 1})
    assert f"artifacts/reports/max4-seed123.bounds.json: cubic.flops is {flops}, a recomputation (cubic.run) says " \
           f"{flops + 1}" in problems, problems
    assert any(p.startswith("artifacts/reports/frontier.json: record") and "a recomputation" in p for p in problems)


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    """A copy of artifacts/ and README.md; each alteration below is undone after its test."""
    root = tmp_path_factory.mktemp("shipped")
    shutil.copytree(ROOT / "artifacts", root / "artifacts")
    shutil.copy(ROOT / "README.md", root / "README.md")
    assert AC.check_shipped(root) == []
    return root


def _json(path: Path, change) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=1))


def _text(path: Path, old: str, new: str) -> None:
    t = path.read_text()
    assert old in t, (path, old)
    path.write_text(t.replace(old, new, 1))


def _stale_cubic_row(rows):  # the v1 cubic's numbers the shipped report once had
    cu = next(r for r in rows if r["strategy"] == "cubic")
    cu.update(n_proved=16075323, bound=16075323 / cu["n_inputs"], flops=19429440)


def _sweep_result(root: Path):
    """Rewrite one K = 5 result file with another count and a valid checksum: the report is now stale."""
    res = root / "artifacts/sweeps/max5-paper-seeds/results"
    p = sorted(res.glob("*/cubic.json"))[0]
    rec, problem = S.read_record(p)
    assert problem is None
    rec["result"]["n_proved"] -= 1000
    S.write_record(p, rec)


def _cubic_index(root: Path) -> int:
    recs = json.loads((root / "artifacts/reports/frontier.json").read_text())
    return next(i for i, r in enumerate(recs) if r["config"] == "cubic" and r["model_sha256"] == facts()["model_sha256"])


def _exact_index(root: Path) -> int:
    recs = json.loads((root / "artifacts/reports/frontier.json").read_text())
    return next(i for i, r in enumerate(recs) if r["config"] == "exact" and r["model_sha256"] == facts()["model_sha256"])


CLAIMED = facts()["claimed_count"]
EXACT = json.loads((ROOT / "artifacts/certs/max4-seed123.exact.cert.json").read_bytes())
LO, HI = EXACT["claimed_count"], EXACT["claimed_upper"]
EXACT_AT = f"artifacts/reports/frontier.json: record {_exact_index(ROOT)} (max4-seed123.safetensors exact)"
BOUND = f"{CLAIMED / facts()['n_inputs']:.6f}"  # as the bounds table and README print it
ALTERATIONS = {
    # name: (file, change(root, path), expected start of one problem line)
    "bounds.json stale cubic row": (
        "artifacts/reports/max4-seed123.bounds.json", lambda r, p: _json(p, _stale_cubic_row),
        f"artifacts/reports/max4-seed123.bounds.json: cubic.n_proved is 16075323, the certificate (claimed_count) "
        f"says {CLAIMED}"),
    "bounds.txt cubic bound": (
        "artifacts/reports/max4-seed123.bounds.txt", lambda r, p: _text(p, BOUND, "0.958164"),
        "artifacts/reports/max4-seed123.bounds.txt: cubic bound is '0.958164', the certificate"),
    "bounds.txt seconds (archive now stale too)": (
        "artifacts/reports/max4-seed123.bounds.txt", lambda r, p: p.write_text(p.read_text() + "\n"),
        "artifacts/archives/max4-seed123.tar.gz: MANIFEST.json: sha256 of reports/max4-seed123.bounds.txt is"),
    "frontier.json cubic count": (
        "artifacts/reports/frontier.json",
        lambda r, p: _json(p, lambda d: d[_cubic_index(r)].update(n_proved=CLAIMED - 1)),
        "artifacts/reports/frontier.json: record"),
    "frontier.json exact lo": (  # the exact row of seed 123 is the shipped exact certificate's (lo, hi)
        "artifacts/reports/frontier.json",
        lambda r, p: _json(p, lambda d: d[_exact_index(r)].update(n_proved=LO - 1, bound=(LO - 1) / 64**4)),
        f"{EXACT_AT}: n_proved is {LO - 1}, the exact certificate (claimed_count, lo) says {LO}"),
    "frontier.json exact hi": (
        "artifacts/reports/frontier.json",
        lambda r, p: _json(p, lambda d: d[_exact_index(r)].update(n_upper=HI + 1, upper=(HI + 1) / 64**4)),
        f"{EXACT_AT}: n_upper is {HI + 1}, the exact certificate (claimed_upper, hi) says {HI}"),
    "frontier.json exact FLOPs": (
        "artifacts/reports/frontier.json",
        lambda r, p: _json(p, lambda d: d[_exact_index(r)].update(flops=d[_exact_index(r)]["flops"] + 1)),
        f"{EXACT_AT}: flops is"),
    "frontier.json exact row missing": (
        "artifacts/reports/frontier.json", lambda r, p: _json(p, lambda d: d.pop(_exact_index(r))),
        "artifacts/reports/frontier.json: no exact record for the exact certificate of"),
    "frontier.summary.json mean": (
        "artifacts/reports/frontier.summary.json",
        lambda r, p: _json(p, lambda d: next(g for g in d if g["group"] == "cubic").update(mean=0.958)),
        "artifacts/reports/frontier.summary.json: group 'cubic': mean is 0.958"),
    "frontier.md cubic mean": (
        "artifacts/reports/frontier.md", lambda r, p: _text(p, "| cubic | 0.9685", "| cubic | 0.9585"),
        "artifacts/reports/frontier.md: group 'cubic' mean is '0.9585'"),
    "bench.json cubic bound": (
        "artifacts/reports/bench.json", lambda r, p: _json(p, lambda d: d["shipped"].update(cubic_bound=0.958)),
        "artifacts/reports/bench.json: shipped: cubic_bound is 0.958"),
    "bench.json old format": (
        "artifacts/reports/bench.json", lambda r, p: _json(p, lambda d: d["shipped"].pop("v2_count")),
        "artifacts/reports/bench.json: shipped: no field 'v2_count'"),
    "sweep report.json row": (
        "artifacts/sweeps/max5-paper-seeds/report.json",
        lambda r, p: _json(p, lambda d: d["seeds"][0].update(cubic=0.9)),
        "artifacts/sweeps/max5-paper-seeds/report.json: seed"),
    "sweep report.md table": (
        "artifacts/sweeps/max4-paper-seeds/report.md", lambda r, p: _text(p, "| cubic | 151 | 0.96", "| cubic | 151 | 0.95"),
        "artifacts/sweeps/max4-paper-seeds/report.md: bounds row 'cubic': mean is"),
    "sweep result newer than its report": (
        "artifacts/sweeps/max5-paper-seeds/results", lambda r, p: _sweep_result(r),
        "artifacts/sweeps/max5-paper-seeds/report.json: seed"),
    "README count": (
        "README.md", lambda r, p: _text(p, f"{CLAIMED} <= count_correct", "16075323 <= count_correct"),
        "README.md: the count in '16075323 <= count_correct max4_seed123_model' is '16075323', the certificate"),
    "README results table": (
        "README.md", lambda r, p: _text(p, f"| {BOUND} |", "| 0.958164 |"),
        "README.md: results row 'cubic"),
    "certificate schema version": (
        "artifacts/certs/max4-seed123.cert.json", lambda r, p: _json(p, lambda d: d.update(schema_version=1)),
        "artifacts/certs/max4-seed123.cert.json: schema_version is 1, this pipeline"),
    "model metadata hash": (
        "artifacts/models/max4-seed123.json", lambda r, p: _json(p, lambda d: d.update(weights_file_sha256="0" * 64)),
        "artifacts/models/max4-seed123.json: weights_file_sha256 is '0000"),
}


@pytest.mark.parametrize("name", list(ALTERATIONS))
def test_an_altered_copy_is_caught(copy, name):
    rel, change, expected = ALTERATIONS[name]
    path = copy / rel
    saved = {p: p.read_bytes() for p in ([path] if path.is_file() else sorted(path.rglob("*.json")))}
    try:
        change(copy, path)
        problems = AC.check_shipped(copy)
    finally:
        for p, data in saved.items():
            p.write_bytes(data)
    assert any(line.startswith(expected) for line in problems), (expected, problems)


def test_printed_matches_is_half_a_unit_in_the_last_digit():
    assert AC.printed_matches("0.9652", 0.96518761)
    assert not AC.printed_matches("0.9652", 0.96525001)
    assert AC.printed_matches("1.111e+07", 11109924) and not AC.printed_matches("1.943e+07", 11109924)
    assert AC.printed_matches("1.1e7", 11109924) and AC.printed_matches("1.1·10^7", 11109924)
    assert AC.printed_matches("16,187,868", 16187868) and not AC.printed_matches("16,187,867", 16187868)
    assert not AC.printed_matches("–", 0.5) and not AC.printed_matches("0.5", None)
