"""Tests of the training recipe: strict config, determinism, learning, output files."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

from pipeline.model.checkpoint import load_weights
from pipeline.model.config import PARAM_NAMES, ModelConfig
from pipeline.model.evaluate import float32_accuracy
from pipeline.model.train import TrainConfig, train, train_to_file
from pipeline.model.transformer import MaxKTransformer

TINY = ModelConfig(d_vocab=8, n_ctx=3, d_model=16, d_head=16)


def test_train_config_defaults_are_the_paper_recipe():
    tc = TrainConfig()
    assert (tc.seed, tc.steps, tc.batch_size, tc.lr, tc.betas, tc.weight_decay) == (
        123, 3000, 128, 1e-3, (0.9, 0.999), 0.01
    )


def test_train_config_from_dict_is_strict():
    tc = TrainConfig(seed=4, steps=10)
    assert TrainConfig.from_dict(json.loads(json.dumps(tc.to_dict()))) == tc
    with pytest.raises(ValueError, match="unknown TrainConfig keys"):
        TrainConfig.from_dict({"seed": 1, "learning_rate": 0.1})
    for bad in ({"steps": "10"}, {"seed": 1.5}, {"steps": 0}, {"lr": float("nan")}, {"betas": [0.9]},
                {"batch_size": True}, {"seed": -1}, {"weight_decay": -0.1}, {"betas": (0.9, 1.0)}):
        with pytest.raises(ValueError):
            TrainConfig.from_dict(bad)


def test_training_is_deterministic_and_seed_dependent():
    tc = TrainConfig(seed=7, steps=50, batch_size=32)
    a, meta_a = train(TINY, tc, progress=False)
    b, meta_b = train(TINY, tc, progress=False)
    for name in PARAM_NAMES:
        assert np.array_equal(a[name], b[name]), name
    assert a.sha256 == b.sha256
    assert meta_a["final_loss"] == meta_b["final_loss"]
    c, _ = train(TINY, TrainConfig(seed=8, steps=50, batch_size=32), progress=False)
    assert c.sha256 != a.sha256
    # The weights moved away from the initialisation, and the frozen biases stayed at zero.
    assert not np.array_equal(a["W_E"], MaxKTransformer(TINY, seed=7).to_weights()["W_E"])
    for name in PARAM_NAMES:
        if name.startswith("b_"):
            assert np.all(a[name] == 0), name


def test_training_restores_global_torch_state():
    threads = torch.get_num_threads()
    deterministic = torch.are_deterministic_algorithms_enabled()
    train(TINY, TrainConfig(steps=2, batch_size=4), progress=False)
    assert torch.get_num_threads() == threads
    assert torch.are_deterministic_algorithms_enabled() == deterministic


def test_short_run_learns():
    untrained, _ = train(TINY, TrainConfig(seed=1, steps=1, batch_size=64), progress=False)
    trained, meta = train(TINY, TrainConfig(seed=1, steps=400, batch_size=64), progress=False)
    assert meta["final_loss_mean_100"] < 0.5 * math.log(TINY.d_vocab), meta
    before, total = float32_accuracy(untrained)
    after, _ = float32_accuracy(trained)
    assert after > max(2 * before, total // 2), (before, after, total)


def test_train_to_file(tmp_path):
    tc = TrainConfig(seed=3, steps=5, batch_size=8)
    path = train_to_file(TINY, tc, tmp_path, progress=False)
    assert path == tmp_path / "max3-seed3.safetensors"
    meta = json.loads(path.with_suffix(".json").read_text())
    for key in ("seed", "steps", "final_loss", "wall_time_seconds", "versions", "git_revision", "git_dirty",
                "train_config", "config", "model_sha256"):
        assert key in meta, key
    assert meta["seed"] == 3 and meta["steps"] == 5
    assert set(meta["versions"]) == {"python", "torch", "numpy", "torch_cpu_capability"}
    assert TrainConfig.from_dict(meta["train_config"]) == tc
    assert ModelConfig.from_dict(meta["config"]) == TINY
    weights = load_weights(path)
    assert weights.sha256 == meta["model_sha256"]
    assert weights.sha256 == train(TINY, tc, progress=False)[0].sha256
    assert not list(tmp_path.glob(".*tmp")), "temporary files left behind"
