"""Checkpoint io: safetensors + JSON metadata (our format), bare safetensors, TransformerLens .pt.

Loading never unpickles: safetensors is parsed as data; `.pt` files go through
`torch.load(weights_only=True)`.  Every failure raises PipelineError naming the file.
Writes go to a temporary file in the same folder and are renamed into place, so an
interrupted or failed save leaves nothing half-written.

    maxk train --k 4 --seed 123 --out artifacts/models     # writes NAME.safetensors + NAME.json
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np

from ..errors import PipelineError
from .config import ModelConfig
from .weights import Weights, make_weights

# TransformerLens state-dict keys (layer 0, head dimension kept) -> our names.
TL_KEYS = {
    "embed.W_E": "W_E",
    "pos_embed.W_pos": "W_pos",
    "blocks.0.attn.W_Q": "W_Q",
    "blocks.0.attn.W_K": "W_K",
    "blocks.0.attn.W_V": "W_V",
    "blocks.0.attn.W_O": "W_O",
    "blocks.0.attn.b_Q": "b_Q",
    "blocks.0.attn.b_K": "b_K",
    "blocks.0.attn.b_V": "b_V",
    "blocks.0.attn.b_O": "b_O",
    "unembed.W_U": "W_U",
    "unembed.b_U": "b_U",
}
# Buffers TransformerLens keeps in a state dict that are not parameters.
TL_IGNORED_SUFFIXES = ("attn.mask", "attn.IGNORE", "hook_", "attn.rotary")


def metadata_path(model_path: Path) -> Path:
    return Path(model_path).with_suffix(".json")


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write via a temp file in the same folder, fsync, rename (nothing half-written)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file ordinary permissions
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_json(path: Path, obj, sort_keys: bool = True) -> None:
    atomic_write_bytes(path, (json.dumps(obj, indent=1, sort_keys=sort_keys) + "\n").encode())


def load_weights(path) -> Weights:
    """Load a model from .safetensors (with optional JSON metadata beside it) or a TL .pt file."""
    path = Path(path)
    if not path.exists():
        raise PipelineError(path, "file not found")
    if not path.is_file():
        raise PipelineError(path, "not a regular file")
    if path.suffix == ".pt":
        return _load_transformerlens_pt(path)
    return _load_safetensors(path)


def _load_safetensors(path: Path) -> Weights:
    from safetensors import SafetensorError
    from safetensors.numpy import load

    raw = path.read_bytes()
    if len(raw) < 8:
        raise PipelineError(path, f"not a safetensors file (only {len(raw)} bytes)")
    header_len = int.from_bytes(raw[:8], "little")
    if header_len > len(raw) - 8:
        raise PipelineError(path, "not a safetensors file or truncated (header length exceeds file size)")
    try:
        tensors = load(raw)
    except (SafetensorError, ValueError, TypeError, OverflowError) as e:
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise PipelineError(path, f"not a valid safetensors file ({msg})") from None
    config = None
    meta = metadata_path(path)
    if meta.exists():
        try:
            info = json.loads(meta.read_text())
            config = ModelConfig.from_dict(info["config"])
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
            raise PipelineError(meta, f"invalid model metadata ({e})") from None
    try:
        return make_weights(tensors, config)
    except ValueError as e:
        raise PipelineError(path, str(e)) from None


def _load_transformerlens_pt(path: Path) -> Weights:
    import pickle

    import torch

    import warnings

    try:
        with warnings.catch_warnings():  # torch warns about pickle protocols on stderr; we report one line
            warnings.simplefilter("ignore")
            sd = torch.load(path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError, OSError) as e:
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise PipelineError(path, f"cannot read as a weights-only torch file ({msg[:200]})") from None
    if not isinstance(sd, dict):
        raise PipelineError(path, f"expected a state dict, found {type(sd).__name__}")
    tensors = {}
    for key, value in sd.items():
        if key in TL_KEYS:
            if not isinstance(value, torch.Tensor):
                raise PipelineError(path, f"entry {key} is not a tensor")
            tensors[TL_KEYS[key]] = value.detach().cpu().numpy()
        elif key in TL_KEYS.values() and isinstance(value, torch.Tensor):
            tensors[key] = value.detach().cpu().numpy()  # already our names
        elif not any(s in key for s in TL_IGNORED_SUFFIXES):
            raise PipelineError(path, f"unexpected entry {key!r}: not a 1-layer attention-only model")
    try:
        return make_weights(tensors)
    except ValueError as e:
        raise PipelineError(path, str(e)) from None


def save_weights(weights: Weights, path, metadata: dict | None = None) -> dict:
    """Save weights as safetensors and metadata JSON beside it (both atomically). Returns metadata."""
    from safetensors.numpy import save

    path = Path(path)
    data = save({k: np.ascontiguousarray(v) for k, v in weights.tensors.items()})
    atomic_write_bytes(path, data)
    info = dict(metadata or {})
    info["config"] = weights.config.to_dict()
    info["weights_file_sha256"] = hashlib.sha256(data).hexdigest()
    info["model_sha256"] = weights.sha256
    atomic_write_json(metadata_path(path), info)
    return info
