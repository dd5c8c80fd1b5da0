"""The sound brute force against an independent mpmath evaluation of every input (tiny models)."""

import numpy as np
import pytest

from helpers import maxlike_weights, random_weights
from oracles import mp_truth
from pipeline.model.config import param_shapes
from pipeline.model.weights import make_weights
from pipeline.strategies import brute_force

MODELS = [
    ("random-V5n3", lambda: random_weights(V=5, n=3, seed=1)),
    ("random-V6n2-bias", lambda: random_weights(V=6, n=2, seed=2, biases=True, scale=3.0)),
    ("maxlike-V6n3", lambda: maxlike_weights(V=6, n=3, seed=3)),
    ("maxlike-V4n3-bias", lambda: maxlike_weights(V=4, n=3, seed=4, biases=True)),
    ("random-V3n1", lambda: random_weights(V=3, n=1, seed=5)),
    ("large-V5n2", lambda: random_weights(V=5, n=2, seed=6, scale=40.0)),
    ("trained-V6n3", lambda: _trained(6, 3, 400, seed=1)),
    ("trained-V5n3-short", lambda: _trained(5, 3, 60, seed=2)),
] + [(f"random{i}", lambda i=i: random_weights(V=3 + i % 4, n=1 + i % 3, seed=40 + i, biases=i % 2 == 1,
                                              scale=(0.5, 2.0, 8.0)[i % 3])) for i in range(8)]


def _trained(V, n, steps, seed):
    from pipeline.model.config import ModelConfig
    from pipeline.model.train import TrainConfig, train

    return train(ModelConfig(d_vocab=V, n_ctx=n, d_model=16, d_head=16), TrainConfig(seed=seed, steps=steps),
                 progress=False)[0]


@pytest.mark.parametrize("name,make", MODELS, ids=[m[0] for m in MODELS])
def test_brute_force_matches_mpmath(name, make):
    w = make()
    r = brute_force.run(w, keep_status=True)
    status = r.diagnostics["status"]
    inputs, truth = mp_truth(w)
    got = status[tuple(inputs.T)]
    # soundness: never certify an input the high-precision evaluation contradicts
    assert not np.any((got == 1) & (truth == -1)), "certified correct but mpmath says wrong"
    assert not np.any((got == -1) & (truth == 1)), "certified wrong but mpmath says correct"
    # tightness on these well-separated models: everything mpmath is sure about is decided
    assert np.array_equal(got[truth != 0], truth[truth != 0])
    assert r.extra["n_correct"] + r.extra["n_wrong"] + r.extra["n_undecided"] == r.n_inputs
    assert r.extra["accuracy_lo"] <= r.extra["accuracy_hi"]


def test_exact_tie_is_wrong_not_correct():
    """A model whose logits all tie: every input is wrong (a tie is an error), never correct."""
    cfg_shapes = param_shapes(random_weights(V=4, n=2).config)
    w = make_weights({k: np.zeros(s, np.float32) for k, s in cfg_shapes.items()})
    r = brute_force.run(w)
    assert r.extra["n_correct"] == 0
    assert r.extra["n_wrong"] + r.extra["n_undecided"] == r.n_inputs


def test_near_tie_is_undecided_or_right():
    """Logits that differ by far less than float64 resolution must not be certified correct."""
    w = maxlike_weights(V=4, n=2, seed=7)
    t = dict(w.tensors)
    # make logit[m] and logit[m-1] equal up to 1 ulp-level noise via the unembedding
    U = t["W_U"].copy()
    U[:, 3] = U[:, 2]
    t["W_U"] = U
    w2 = make_weights(t, w.config)
    r = brute_force.run(w2, keep_status=True)
    inputs, truth = mp_truth(w2)
    got = r.diagnostics["status"][tuple(inputs.T)]
    # inputs with max 3 tie logit 3 and logit 2 exactly: wrong (or undecided), never correct
    assert not np.any(got[inputs.max(1) == 3] == 1)
    assert not np.any((got == 1) & (truth != 1))
