"""The screened float32 accuracy equals the plain torch float32 count (pipeline/model/evaluate.py)."""

import numpy as np
import pytest
import torch

from helpers import maxlike_weights, random_weights
from pipeline.model.checkpoint import load_weights
from pipeline.paths import path_matrices
from pipeline.model.evaluate import all_inputs, correct_mask, float32_accuracy, screen_surely_correct
from pipeline.model.transformer import MaxKTransformer
from pipeline.model.weights import make_weights


def _near_tie(seed):
    w = maxlike_weights(V=6, n=3, seed=seed)
    t = {k: np.array(v, copy=True) for k, v in w.tensors.items()}
    t["W_U"][:, 5] = t["W_U"][:, 4]
    t["W_U"][0, 5] = np.nextafter(t["W_U"][0, 5], np.float32(np.inf))
    return make_weights(t, w.config)


MODELS = ([maxlike_weights(V=5 + i % 4, n=2 + i % 3, seed=i, strength=2 + i, biases=i % 2 == 0) for i in range(6)]
          + [random_weights(V=6, n=3, seed=10 + i, biases=True, scale=1 + i) for i in range(3)]
          + [maxlike_weights(V=6, n=3, seed=20, strength=40)] + [_near_tie(s) for s in range(3)])


def _forward_mask(w):
    """[V^n] bool: the plain MaxKTransformer.forward (not the hoisted path) is right, input by input."""
    model = MaxKTransformer.from_weights(w).eval()
    tokens = all_inputs(w.config.d_vocab, w.config.n_ctx)
    with torch.no_grad():
        return correct_mask(model(tokens), tokens).numpy()


@pytest.mark.parametrize("i", range(len(MODELS)))
def test_screened_equals_torch(i):
    w = MODELS[i]
    full = float32_accuracy(w)
    assert float32_accuracy(w, paths=path_matrices(w)) == full
    assert full[0] == int(_forward_mask(w).sum())


@pytest.mark.parametrize("i", range(len(MODELS)))
def test_screen_only_keeps_inputs_torch_gets_right(i):
    w = MODELS[i]
    sure = screen_surely_correct(w, path_matrices(w))
    assert not (sure & ~_forward_mask(w)).any()


def test_screen_is_not_vacuous():
    """On a max-like model the screen settles most of the correct inputs (so torch runs on few)."""
    w = maxlike_weights(V=8, n=3, seed=0, strength=4)
    sure = screen_surely_correct(w, path_matrices(w))
    correct = _forward_mask(w).sum()
    assert correct >= 0.5 * sure.size and sure.sum() >= 0.9 * correct


@pytest.mark.slow
def test_screened_equals_torch_on_the_shipped_model():
    w = load_weights("artifacts/models/max4-seed123.safetensors")
    assert float32_accuracy(w, paths=path_matrices(w)) == float32_accuracy(w)
