"""The shipped artifacts: the default model's certificate replays, matches the cubic count, and is
exactly what `maxk certify` regenerates from the shipped weights (so artifacts/ never goes stale)."""

from pathlib import Path

from pipeline.certificate.certify import certify
from pipeline.certificate.replay import replay_file
from pipeline.certificate.schema import dump_certificate
from pipeline.model.checkpoint import load_weights
from pipeline.strategies import cubic

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "artifacts/models/max4-seed123.safetensors"
CERT = ROOT / "artifacts/certs/max4-seed123.cert.json"


def test_shipped_certificate():
    w = load_weights(MODEL)
    res = replay_file(CERT)
    assert res.ok, res.detail
    assert res.count == cubic.run(w).n_proved, "replay N differs from the cubic strategy's count"
    cert, info = certify(w)
    assert dump_certificate(cert) == CERT.read_text(), "artifacts/certs is stale: run make certs"
    assert res.count / res.n_inputs > 0.95


def test_shipped_archive_verifies():
    from pipeline.archive import verify_archive

    res = verify_archive(ROOT / "artifacts/archives/max4-seed123.tar.gz")
    assert res.ok, "\n".join(res.lines)
