"""Tests of the torch module, the Weights conversions, checkpoint io and float32 evaluation."""

from __future__ import annotations

import itertools
import json
import re

import numpy as np
import pytest
import torch

from pipeline.errors import PipelineError
from pipeline.model.checkpoint import TL_KEYS, load_weights, save_weights
from pipeline.model.config import PARAM_NAMES, ModelConfig, param_shapes
from pipeline.model.evaluate import all_inputs, correct_mask, float32_accuracy, index_to_tokens
from pipeline.model.transformer import MaxKTransformer
from pipeline.model.weights import make_weights

SMALL = ModelConfig(d_vocab=7, n_ctx=3, d_model=6, d_head=5)  # d_head != d_model on purpose


def random_weights(config: ModelConfig, seed: int, bias_scale: float = 0.3):
    """Random float32 weights with non-zero biases (as an imported checkpoint may have)."""
    rng = np.random.default_rng(seed)
    tensors = {
        name: (rng.standard_normal(shape) * (bias_scale if name.startswith("b_") else 0.5)).astype(np.float32)
        for name, shape in param_shapes(config).items()
    }
    return make_weights(tensors, config)


def reference_logits(weights, x) -> np.ndarray:
    """Naive float64 forward of one sequence x (list of ints), straight from the definition."""
    W = {k: np.asarray(v, dtype=np.float64) for k, v in weights.tensors.items()}
    n = len(x)
    resid = np.stack([W["W_E"][t] + W["W_pos"][p] for p, t in enumerate(x)])  # [n, d]
    q = resid @ W["W_Q"][0] + W["b_Q"][0]
    k = resid @ W["W_K"][0] + W["b_K"][0]
    v = resid @ W["W_V"][0] + W["b_V"][0]
    out = np.zeros((n, W["W_U"].shape[1]))
    for i in range(n):
        s = np.array([q[i] @ k[j] for j in range(i + 1)]) / np.sqrt(weights.config.d_head)
        a = np.exp(s - s.max())
        a /= a.sum()
        z = sum(a[j] * v[j] for j in range(i + 1))
        out[i] = (resid[i] + z @ W["W_O"][0] + W["b_O"]) @ W["W_U"] + W["b_U"]
    return out  # [n, V]


def test_parameter_names_shapes_and_frozen_biases():
    model = MaxKTransformer(SMALL, seed=3)
    params = dict(model.named_parameters())
    assert list(params) == list(PARAM_NAMES)
    for name, shape in param_shapes(SMALL).items():
        assert tuple(params[name].shape) == shape, name
        assert params[name].dtype == torch.float32
        assert params[name].requires_grad == (not name.startswith("b_")), name
        if name.startswith("b_"):
            assert torch.all(params[name] == 0), name
    std = float(model.W_E.detach().std())
    assert 0.15 < std < 0.5, f"W_E std {std} far from 0.8/sqrt(6) = 0.33"


def test_init_is_deterministic_per_seed():
    a = MaxKTransformer(SMALL, seed=1).to_weights()
    b = MaxKTransformer(SMALL, seed=1).to_weights()
    c = MaxKTransformer(SMALL, seed=2).to_weights()
    assert a.sha256 == b.sha256
    assert a.sha256 != c.sha256


def test_forward_shapes_and_last_position():
    model = MaxKTransformer(SMALL, seed=0)
    tokens = torch.randint(0, SMALL.d_vocab, (11, SMALL.n_ctx), generator=torch.Generator().manual_seed(0))
    last = model(tokens)
    full = model.full_logits(tokens)
    assert last.shape == (11, SMALL.d_vocab)
    assert full.shape == (11, SMALL.n_ctx, SMALL.d_vocab)
    torch.testing.assert_close(last, full[:, -1], rtol=1e-5, atol=1e-6)
    with pytest.raises(AssertionError, match="shape"):
        model(tokens[:, :2])


def test_forward_matches_naive_reference_with_nonzero_biases():
    weights = random_weights(SMALL, seed=5)
    model = MaxKTransformer.from_weights(weights)
    xs = [list(x) for x in itertools.islice(itertools.product(range(SMALL.d_vocab), repeat=SMALL.n_ctx), 0, None, 17)]
    tokens = torch.tensor(xs)
    with torch.no_grad():
        full = model.full_logits(tokens).double().numpy()
        last = model(tokens).double().numpy()
    ref = np.stack([reference_logits(weights, x) for x in xs])  # [batch, n, V]
    np.testing.assert_allclose(full, ref, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(last, ref[:, -1], rtol=1e-4, atol=1e-4)
    # The biases matter: zeroing them changes the output, so the forward really uses them.
    zero = make_weights({k: (np.zeros_like(v) if k.startswith("b_") else v) for k, v in weights.tensors.items()})
    with torch.no_grad():
        assert not torch.allclose(MaxKTransformer.from_weights(zero)(tokens), model(tokens))


def test_causal_mask():
    model = MaxKTransformer.from_weights(random_weights(SMALL, seed=7))
    gen = torch.Generator().manual_seed(1)
    tokens = torch.randint(0, SMALL.d_vocab, (20, SMALL.n_ctx), generator=gen)
    with torch.no_grad():
        base = model.full_logits(tokens)
        for j in range(SMALL.n_ctx):
            changed = tokens.clone()
            changed[:, j] = (changed[:, j] + 1) % SMALL.d_vocab
            after = model.full_logits(changed)
            # earlier positions cannot see position j: bit-identical logits
            assert torch.equal(after[:, :j], base[:, :j]), f"position {j} leaked backwards"
            # position j and later do see it (so the check above is not vacuous)
            assert not torch.allclose(after[:, j:], base[:, j:]), f"position {j} had no effect"


def test_to_from_weights_round_trip_is_exact():
    weights = random_weights(SMALL, seed=11)
    back = MaxKTransformer.from_weights(weights).to_weights()
    assert back.config == weights.config
    for name in PARAM_NAMES:
        assert back[name].dtype == np.float32
        assert np.array_equal(back[name], weights[name]), name
    assert back.sha256 == weights.sha256
    model = MaxKTransformer(SMALL, seed=4)
    again = MaxKTransformer.from_weights(model.to_weights())
    for name in PARAM_NAMES:
        assert torch.equal(getattr(again, name), getattr(model, name)), name
        assert getattr(again, name).requires_grad == (not name.startswith("b_")), name


def test_save_load_round_trip(tmp_path):
    weights = random_weights(SMALL, seed=12)
    path = tmp_path / "m.safetensors"
    info = save_weights(weights, path, {"seed": 1})
    assert path.exists() and path.with_suffix(".json").exists()
    assert info["model_sha256"] == weights.sha256
    loaded = load_weights(path)
    assert loaded.config == SMALL
    for name in PARAM_NAMES:
        assert np.array_equal(loaded[name], weights[name]), name
    # A bare safetensors file (no JSON beside it) loads with the config inferred from shapes.
    path.with_suffix(".json").unlink()
    bare = load_weights(path)
    assert bare.config == SMALL
    assert bare.sha256 == weights.sha256


def test_transformerlens_pt_import(tmp_path):
    weights = random_weights(SMALL, seed=13)
    ours_to_tl = {v: k for k, v in TL_KEYS.items()}
    sd = {ours_to_tl[name]: torch.from_numpy(np.array(weights[name])) for name in PARAM_NAMES}
    n = SMALL.n_ctx
    sd["blocks.0.attn.mask"] = torch.tril(torch.ones(n, n, dtype=torch.bool))  # TL buffers, ignored
    sd["blocks.0.attn.IGNORE"] = torch.tensor(-1e5)
    path = tmp_path / "tl.pt"
    torch.save(sd, path)
    notes = []
    loaded = load_weights(path, notes)
    assert loaded.config == SMALL
    assert loaded.sha256 == weights.sha256
    assert len(notes) == 1 and "no LayerNorm" in notes[0] and "tl.cfg.json" in notes[0]
    # a TransformerLens config beside it is checked against Spec.v's architecture
    cfg_path = tmp_path / "tl.cfg.json"
    good = {"n_layers": 1, "n_heads": 1, "attn_only": True, "normalization_type": None,
            "d_vocab": SMALL.d_vocab, "n_ctx": SMALL.n_ctx, "d_model": SMALL.d_model,
            "d_head": SMALL.d_head, "act_fn": "relu", "attn_scale": SMALL.d_head ** 0.5}
    cfg_path.write_text(json.dumps(good))
    notes = []
    assert load_weights(path, notes).sha256 == weights.sha256 and notes == []
    for change, word in (({"normalization_type": "LNPre"}, "normalization_type"),
                         ({"use_attn_scale": False}, "use_attn_scale"),
                         ({"attn_scale": 1.0}, "attn_scale"),
                         ({"attn_scores_soft_cap": 50.0}, "attn_scores_soft_cap"),
                         ({"n_heads": 2}, "n_heads"), ({"attn_only": 1}, "attn_only"),
                         ({"d_model": SMALL.d_model + 1}, "d_model")):
        cfg_path.write_text(json.dumps({**good, **change}))
        with pytest.raises(PipelineError, match=rf"^{re.escape(str(cfg_path))}: {word} is"):
            load_weights(path)
    bare = {k: v for k, v in good.items() if k != "normalization_type"}  # TL's default is "LN"
    cfg_path.write_text(json.dumps(bare))
    with pytest.raises(PipelineError, match="normalization_type is 'LN'"):
        load_weights(path)
    cfg_path.write_text("{not json")
    with pytest.raises(PipelineError, match="not JSON"):
        load_weights(path)
    cfg_path.unlink()
    # Missing biases (TL exports may omit them) load as zeros.
    del sd["unembed.b_U"]
    torch.save(sd, path)
    assert np.all(load_weights(path)["b_U"] == 0)
    # Anything that is not a plain state dict of tensors is refused (weights_only load).
    torch.save({"embed.W_E": object}, tmp_path / "bad.pt")
    with pytest.raises(PipelineError):
        load_weights(tmp_path / "bad.pt")


def test_index_to_tokens_is_lexicographic():
    V, n = 3, 4
    expected = torch.tensor(list(itertools.product(range(V), repeat=n)))
    assert torch.equal(all_inputs(V, n), expected)
    assert torch.equal(index_to_tokens(torch.tensor([5, 80]), V, n), expected[[5, 80]])


def test_correct_mask_ties_and_nan_are_wrong():
    tokens = torch.tensor([[0, 2], [1, 2], [2, 0], [0, 0]])  # max 2, 2, 2, 0
    logits = torch.tensor(
        [
            [0.0, 0.0, 1.0],  # right
            [0.0, 1.0, 1.0],  # tie -> wrong
            [0.0, 2.0, 1.0],  # wrong
            [float("nan"), 0.0, 0.0],  # NaN -> wrong
        ]
    )
    assert correct_mask(logits, tokens).tolist() == [True, False, False, False]


def naive_accuracy(weights) -> int:
    model = MaxKTransformer.from_weights(weights)
    count = 0
    with torch.no_grad():
        for x in itertools.product(range(weights.config.d_vocab), repeat=weights.config.n_ctx):
            logits = model.full_logits(torch.tensor([x]))[0, -1].tolist()
            m = max(x)
            count += all(logits[m] > logits[y] for y in range(len(logits)) if y != m)
    return count


def test_float32_accuracy_matches_naive_loop():
    config = ModelConfig(d_vocab=6, n_ctx=3, d_model=8, d_head=8)
    # A weakly-trained model has an accuracy strictly between 0 and 1 (the test can fail).
    from pipeline.model.train import TrainConfig, train

    weights, _ = train(config, TrainConfig(seed=0, steps=60, batch_size=32), progress=False)
    expected = naive_accuracy(weights)
    assert 0 < expected < config.n_inputs
    for batch_size in (1 << 15, 7, 1):
        assert float32_accuracy(weights, batch_size=batch_size) == (expected, config.n_inputs)
    biased = random_weights(config, seed=2)
    assert float32_accuracy(biased, batch_size=10) == (naive_accuracy(biased), config.n_inputs)


def test_float32_accuracy_all_ties_is_zero():
    weights = random_weights(SMALL, seed=3)
    tensors = dict(weights.tensors)
    tensors["W_U"] = np.zeros_like(tensors["W_U"])
    tensors["b_U"] = np.zeros_like(tensors["b_U"])  # every logit equal: every input is a tie
    assert float32_accuracy(make_weights(tensors)) == (0, SMALL.n_inputs)
