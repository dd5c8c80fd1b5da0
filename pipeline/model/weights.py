"""Model weights as float32 numpy arrays: validation, config inference, and the canonical hash.

`Weights` is what every strategy consumes (strategies never see torch).  The canonical hash
`model_sha256` identifies the *values* of the twelve tensors, independent of the file format:

    sha256( for name in PARAM_NAMES: b"<name>:<d0>x<d1>x...\\n" + little-endian float32 bytes )

with -0.0 written as +0.0 (the two are the same real number, and a certificate stores reals).
The exact replay (pipeline/certificate/replay.py) recomputes the same hash from the integer
mantissas of a certificate, using only the standard library.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from .config import PARAM_NAMES, ModelConfig, param_shapes


@dataclass(frozen=True)
class Weights:
    """The twelve parameters of the model (TransformerLens names), float32, validated."""

    config: ModelConfig
    tensors: dict  # name -> np.ndarray float32, shapes as in config.param_shapes

    def __getitem__(self, name: str) -> np.ndarray:
        return self.tensors[name]

    @property
    def sha256(self) -> str:
        return canonical_sha256(self.tensors)


def infer_config(shapes: dict[str, tuple[int, ...]]) -> ModelConfig:
    """Infer d_vocab, n_ctx, d_model, d_head from tensor shapes (for bare checkpoints)."""
    try:
        V, d = shapes["W_E"]
        n, d2 = shapes["W_pos"]
        _, d3, h = shapes["W_Q"]
    except KeyError as e:
        raise ValueError(f"missing tensor {e.args[0]}") from None
    except ValueError:
        raise ValueError("W_E, W_pos or W_Q has the wrong number of dimensions") from None
    if d != d2 or d != d3:
        raise ValueError(f"d_model disagrees: W_E has {d}, W_pos {d2}, W_Q {d3}")
    return ModelConfig(d_vocab=V, n_ctx=n, d_model=d, d_head=h)


def make_weights(tensors: dict, config: ModelConfig | None = None) -> Weights:
    """Validate names, shapes and finiteness; convert to float32 (exactly) and freeze.

    Missing biases are filled with zeros (TransformerLens exports may omit them).
    Raises ValueError with a one-line message on any problem.
    """
    tensors = dict(tensors)
    unknown = sorted(set(tensors) - set(PARAM_NAMES))
    if unknown:
        raise ValueError(f"unexpected tensors {unknown}")
    if config is None:
        config = infer_config({k: tuple(np.shape(v)) for k, v in tensors.items()})
    shapes = param_shapes(config)
    out = {}
    for name in PARAM_NAMES:
        if name not in tensors:
            if name.startswith("b_"):
                out[name] = np.zeros(shapes[name], dtype=np.float32)
                continue
            raise ValueError(f"missing tensor {name}")
        a = np.asarray(tensors[name])
        if a.dtype.kind != "f":
            raise ValueError(f"tensor {name} has dtype {a.dtype}, expected a float type")
        if tuple(a.shape) != shapes[name]:
            raise ValueError(f"tensor {name} has shape {tuple(a.shape)}, expected {shapes[name]}")
        a32 = a.astype(np.float32)
        if not np.all(np.isfinite(a32)):
            raise ValueError(f"tensor {name} contains NaN or infinite values")
        if a.dtype != np.float32 and not np.array_equal(a32.astype(a.dtype), a):
            raise ValueError(f"tensor {name} is {a.dtype} and not exactly representable in float32")
        a32 = np.ascontiguousarray(a32)
        a32.setflags(write=False)
        out[name] = a32
    return Weights(config=config, tensors=out)


def canonical_sha256(tensors: dict) -> str:
    h = hashlib.sha256()
    for name in PARAM_NAMES:
        a = np.asarray(tensors[name], dtype=np.float32)
        a = np.where(a == 0, np.float32(0), a).astype("<f4")  # -0.0 -> +0.0
        h.update(f"{name}:{'x'.join(str(s) for s in a.shape)}\n".encode())
        h.update(a.tobytes(order="C"))
    return h.hexdigest()
