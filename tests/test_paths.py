"""The path decomposition reproduces the torch forward pass (including non-zero biases)."""

import numpy as np
import pytest
import torch

from pipeline.model.transformer import MaxKTransformer
from pipeline.paths import logits_from_paths, path_matrices

from helpers import random_weights


@pytest.mark.parametrize("biases", [False, True])
@pytest.mark.parametrize("V,n", [(64, 4), (7, 3), (5, 1), (9, 2)])
def test_decomposition_matches_forward(V, n, biases):
    w = random_weights(V=V, n=n, d=16, h=12, seed=V * 10 + n, biases=biases, scale=2.0)
    rng = np.random.default_rng(1)
    tokens = rng.integers(0, V, size=(500, n))
    model = MaxKTransformer.from_weights(w).double()
    with torch.no_grad():
        ref = model(torch.from_numpy(tokens)).numpy()
    got = logits_from_paths(path_matrices(w), tokens, w.config.d_head)
    assert np.abs(got - ref).max() < 1e-9 * max(1.0, np.abs(ref).max()), "decomposition differs from forward"


def test_decomposition_test_has_teeth():
    """Dropping a bias from the decomposition must be detected by the comparison above."""
    w = random_weights(V=7, n=3, d=8, h=8, seed=3, biases=True)
    P = path_matrices(w)
    tokens = np.random.default_rng(0).integers(0, 7, size=(200, 3))
    model = MaxKTransformer.from_weights(w).double()
    with torch.no_grad():
        ref = model(torch.from_numpy(tokens)).numpy()
    broken = type(P)(**{**P.__dict__, "bOV": P.bOV * 0})
    assert np.abs(logits_from_paths(broken, tokens, 8) - ref).max() > 1e-6
