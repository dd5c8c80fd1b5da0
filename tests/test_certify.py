"""The emitter: on every model of the cubic soundness zoo, the certificate built from the cubic
witnesses replays, and its count equals the cubic strategy's count (no witness is dropped)."""

import pytest

from pipeline.certificate.certify import certify
from pipeline.certificate.replay import replay
from pipeline.certificate.schema import dump_certificate
from test_cubic import MODELS


@pytest.mark.parametrize("name,make", MODELS, ids=[m[0] for m in MODELS])
def test_certificate_from_cubic_replays_with_the_same_count(name, make):
    w = make()
    cert, info = certify(w)
    res = replay(cert)
    assert res.ok, res.detail
    assert info["dropped_k"] == 0 and info["dropped_c0"] == 0, info
    assert res.count == info["cubic_count"] == cert["claimed_count"]


def test_certify_is_deterministic():
    w = MODELS[0][1]()
    assert dump_certificate(certify(w)[0]) == dump_certificate(certify(w)[0])
