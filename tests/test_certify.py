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


def test_shifts_are_converted_exactly_and_off_grid_is_refused():
    from fractions import Fraction

    import numpy as np

    from pipeline.certificate.certify import exact_shift

    z = 3  # grid 2^(4 e0) = 2^-12
    vec = np.array([0.0, 3 * 2.0**-12, -(2.0**40 + 2.0**-12), 5.5])
    got = exact_shift(vec, z)
    assert [Fraction(g, 2**12) for g in got] == [Fraction(float(v)) for v in vec]
    with pytest.raises(AssertionError):
        exact_shift(np.array([2.0**-13]), z)


def test_emitter_drops_what_the_exact_check_refuses(monkeypatch):
    """A strategy that over-claims (every k < m in every mask, an unused shift index, a false c0)
    still yields a certificate that replays: the emitter re-checks every witness exactly."""
    from pipeline.strategies import cubic

    for name, make in MODELS:  # a model where some inputs are not proved, so there is something to refuse
        w = make()
        honest = cubic.run(w)
        if honest.diagnostics["cells"] and honest.n_proved < w.config.n_inputs // 2:
            break
    V = w.config.d_vocab
    real_run = cubic.run

    def greedy_run(weights, progress=False):
        res = real_run(weights, progress=progress)
        d = res.diagnostics
        d["cells"] = [(m, q, c, j, (1 << m) - 1) for m, q, c, j, _ in d["cells"]]
        d["c0"] = sorted({(m, q) for m in range(V) for q in range(m + 1)})
        return res

    monkeypatch.setattr(cubic, "run", greedy_run)
    cert, info = certify(w)
    res = replay(cert)
    assert res.ok, res.detail
    assert res.count == cert["claimed_count"] >= honest.n_proved
    assert info["dropped_k"] > 0 and info["dropped_c0"] > 0, info  # the over-claim was really refused
    assert all(cell[4] != 0 for cell in cert["cells"])
    assert len(cert["shifts"]) == len(honest.diagnostics["shifts"])
