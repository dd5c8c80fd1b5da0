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
import math
import os
from pathlib import Path

import numpy as np

from ..errors import PipelineError
from ..fileio import atomic_write_bytes, atomic_write_json
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
# A state dict carries no config.  coq/Spec.v's model (the certified statement) has no LayerNorm,
# divides scores by sqrt(d_head) and has no soft cap; TransformerLens models with a parameterless
# LayerNorm (LNPre) or another attention scale have the same keys.  A TransformerLens config saved
# beside the .pt as <stem>.cfg.json is checked against that architecture (review-accuracy F4);
# without one, a note says what is assumed.
TL_CONFIG_SUFFIX = ".cfg.json"
TL_CONFIG_MAX_BYTES = 1 << 20
TL_ASSUMED_NOTE = ("{path}: a state dict carries no config; certified as coq/Spec.v's model: no "
                   "LayerNorm (parameterless LNPre included), scores divided by sqrt(d_head), no "
                   "soft cap, the last position read: put its TransformerLens config beside it as "
                   "{cfg} to have this checked")
# key -> (TransformerLens default when the key is absent, the only values Spec.v's model allows)
TL_CONFIG_RULES = {
    "n_layers": (None, (1,)),
    "n_heads": (None, (1,)),
    "attn_only": (False, (True,)),
    "normalization_type": ("LN", (None,)),
    "positional_embedding_type": ("standard", ("standard",)),
    "use_attn_scale": (True, (True,)),
    "attn_scores_soft_cap": (-1.0, (-1, -1.0, None)),
    "output_logits_soft_cap": (-1.0, (-1, -1.0, None)),
    "final_rms": (False, (False,)),
    "use_local_attn": (False, (False,)),
    "parallel_attn_mlp": (False, (False,)),
}


def tl_config_path(pt_path: Path) -> Path:
    """Where the TransformerLens config of `model.pt` is looked for: `model.cfg.json`."""
    pt_path = Path(pt_path)
    return pt_path.with_name(pt_path.stem + TL_CONFIG_SUFFIX)


def check_tl_config(cfg_path: Path, config) -> None:
    """Refuse a TransformerLens config whose architecture is not coq/Spec.v's model.

    Complexity: O(size of the file), at most TL_CONFIG_MAX_BYTES.  Preconditions: `config` is the
    ModelConfig read from the weights' shapes.  Postconditions: returns only if the file is a JSON
    object whose keys of TL_CONFIG_RULES (absent: TransformerLens's default) take allowed values,
    whose attn_scale (if any) is sqrt(d_head), and whose d_vocab, n_ctx, d_model, d_head, d_vocab_out
    (if any) equal the weights'; raises PipelineError naming the file and the first problem.
    """
    if not cfg_path.is_file():
        raise PipelineError(cfg_path, "not a regular file")
    if cfg_path.stat().st_size > TL_CONFIG_MAX_BYTES:
        raise PipelineError(cfg_path, f"over {TL_CONFIG_MAX_BYTES} bytes: not a TransformerLens config")
    try:
        cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise PipelineError(cfg_path, f"not JSON ({str(e).splitlines()[0][:120]})") from None
    if not isinstance(cfg, dict):
        raise PipelineError(cfg_path, f"expected a JSON object, found {type(cfg).__name__}")
    for key, (default, allowed) in TL_CONFIG_RULES.items():
        value = cfg.get(key, default)
        if not any(value == a and type(value) is type(a) for a in allowed):
            raise PipelineError(cfg_path, f"{key} is {value!r}: the certified model (coq/Spec.v) needs "
                                          + " or ".join(repr(a) for a in allowed))
    dims = {"d_vocab": config.d_vocab, "n_ctx": config.n_ctx, "d_model": config.d_model,
            "d_head": config.d_head}
    for key, want in dims.items():
        if key in cfg and cfg[key] != want:
            raise PipelineError(cfg_path, f"{key} is {cfg[key]!r} but the weights have {want}")
    if cfg.get("d_vocab_out", -1) not in (-1, config.d_vocab):
        raise PipelineError(cfg_path, f"d_vocab_out is {cfg['d_vocab_out']!r} but the weights have {config.d_vocab}")
    scale = cfg.get("attn_scale")
    if scale is not None and not (isinstance(scale, (int, float)) and math.isclose(
            float(scale), math.sqrt(config.d_head), rel_tol=1e-12)):
        raise PipelineError(cfg_path, f"attn_scale is {scale!r}: the certified model divides scores by "
                                      f"sqrt(d_head) = {math.sqrt(config.d_head)!r}")


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


MAX_METADATA_BYTES = 16 << 20  # the JSON metadata beside a checkpoint is small; refuse larger ones


def load_weights(path, notes: list | None = None) -> Weights:
    """Load a model from .safetensors (with optional JSON metadata beside it) or a TL .pt file.

    Raises PipelineError (one line, naming the file) for anything that is not a readable model:
    missing, not a regular file, malformed, unsupported dtypes or layouts (sparse, meta-device,
    quantized tensors; non-string keys), wrong shapes, NaN/inf.  bfloat16 tensors are converted
    to float32, which is exact (every bfloat16 value is a float32 value); when `notes` is a list,
    one line saying so is appended to it.  A .pt file's TransformerLens config beside it
    (<stem>.cfg.json) must describe coq/Spec.v's architecture (check_tl_config); without one, a
    note names the architecture that is assumed (TL_ASSUMED_NOTE).  A .pt holding the state dict
    alone under "model" (or "state_dict", "model_state_dict") is read from there, with a note.
    """
    path = Path(path)
    if not path.exists():
        raise PipelineError(path, "file not found")
    if not path.is_file():
        raise PipelineError(path, "not a regular file")
    notes = [] if notes is None else notes
    if path.suffix == ".pt":
        return _load_transformerlens_pt(path, notes)
    return _load_safetensors(path, notes)


def _bf16_note(path: Path, names: list[str]) -> str:
    return (f"{path}: converted bfloat16 tensors {sorted(names)} to float32 exactly (every bfloat16 value "
            "is a float32 value)")


def _read_metadata(meta: Path) -> ModelConfig:
    """The config in the JSON metadata file `meta`; PipelineError(meta, ...) if unusable."""
    import stat

    try:
        st = os.stat(meta)
    except OSError as e:
        raise PipelineError(meta, f"cannot read model metadata ({e.strerror or e})") from None
    if not stat.S_ISREG(st.st_mode):
        raise PipelineError(meta, "model metadata is not a regular file")
    if st.st_size > MAX_METADATA_BYTES:
        raise PipelineError(meta, f"model metadata is {st.st_size} bytes (limit {MAX_METADATA_BYTES})")
    try:
        with open(meta, "rb") as f:
            text = f.read(MAX_METADATA_BYTES + 1).decode("utf-8")
    except OSError as e:
        raise PipelineError(meta, f"cannot read model metadata ({e.strerror or e})") from None
    except UnicodeDecodeError:
        raise PipelineError(meta, "invalid model metadata (not UTF-8 text)") from None
    try:
        info = json.loads(text)
        if not isinstance(info, dict):
            raise TypeError(f"expected a JSON object, got {type(info).__name__}")
        return ModelConfig.from_dict(info["config"])
    except KeyError as e:
        raise PipelineError(meta, f"invalid model metadata (no key {e})") from None
    except RecursionError:
        raise PipelineError(meta, "invalid model metadata (JSON nested too deeply)") from None
    except (json.JSONDecodeError, TypeError, ValueError) as e:
        msg = " ".join(str(e).split())[:200] or type(e).__name__
        raise PipelineError(meta, f"invalid model metadata ({msg})") from None


def _safetensors_dtypes(raw: bytes) -> set:
    """The dtypes named in a safetensors header (empty if the header is not JSON: the loader then
    reports the problem)."""
    header_len = int.from_bytes(raw[:8], "little")
    try:
        header = json.loads(raw[8:8 + header_len].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return set()
    if not isinstance(header, dict):
        return set()
    return {v.get("dtype") for k, v in header.items() if k != "__metadata__" and isinstance(v, dict)
            and isinstance(v.get("dtype"), str)}


def _load_safetensors(path: Path, notes: list) -> Weights:
    from safetensors import SafetensorError
    from safetensors.numpy import load

    raw = path.read_bytes()
    if len(raw) < 8:
        raise PipelineError(path, f"not a safetensors file (only {len(raw)} bytes)")
    header_len = int.from_bytes(raw[:8], "little")
    if header_len > len(raw) - 8:
        raise PipelineError(path, "not a safetensors file or truncated (header length exceeds file size)")
    try:
        if "BF16" in _safetensors_dtypes(raw):  # numpy has no bfloat16: read through torch, convert exactly
            tensors, converted = _bf16_safetensors(raw)
            notes.append(_bf16_note(path, converted))
        else:
            tensors = load(raw)
    except (SafetensorError, ValueError, TypeError, OverflowError, RuntimeError) as e:
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise PipelineError(path, f"not a valid safetensors file ({msg[:200]})") from None
    except KeyError as e:  # safetensors.numpy has no numpy type for this dtype (F8_*, ...)
        raise PipelineError(path, f"unsupported safetensors dtype {e} (float32, float16, float64 and bfloat16 "
                            "are read)") from None
    config = None
    meta = metadata_path(path)
    if meta.exists() or meta.is_symlink():
        config = _read_metadata(meta)
    try:
        return make_weights(tensors, config)
    except ValueError as e:
        raise PipelineError(path, str(e)) from None


def _bf16_safetensors(raw: bytes) -> tuple[dict, list[str]]:
    """Every tensor of a safetensors blob as numpy; bfloat16 ones converted to float32 (exact)."""
    import torch
    from safetensors.torch import load as torch_load

    out, converted = {}, []
    for k, v in torch_load(raw).items():
        if v.dtype == torch.bfloat16:
            converted.append(k)
            v = v.to(torch.float32)
        try:
            out[k] = v.numpy()
        except TypeError:
            raise ValueError(f"tensor {k} has dtype {v.dtype}, which has no numpy type") from None
    return out, converted


def _load_transformerlens_pt(path: Path, notes: list) -> Weights:
    import warnings

    import torch

    try:
        with warnings.catch_warnings():  # torch warns about pickle protocols on stderr; we report one line
            warnings.simplefilter("ignore")
            sd = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # whatever a malformed file makes torch raise: it is not a readable model
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise PipelineError(path, f"cannot read as a weights-only torch file ({msg[:200]})") from None
    if not isinstance(sd, dict):
        raise PipelineError(path, f"expected a state dict, found {type(sd).__name__}")
    sd = _unwrap_state_dict(path, sd, notes)
    tensors, converted = {}, []
    for key, value in sd.items():
        if not isinstance(key, str):
            raise PipelineError(path, f"state dict key {str(key)[:80]!r} is a {type(key).__name__}, not a string")
        if key in TL_KEYS or (key in TL_KEYS.values() and isinstance(value, torch.Tensor)):
            if not isinstance(value, torch.Tensor):
                raise PipelineError(path, f"entry {key} is not a tensor")
            tensors[TL_KEYS.get(key, key)] = _tensor_to_numpy(path, key, value, converted)
        elif not any(s in key for s in TL_IGNORED_SUFFIXES):
            raise PipelineError(path, f"unexpected entry {key[:80]!r}: not a 1-layer attention-only model")
    if converted:
        notes.append(_bf16_note(path, converted))
    try:
        weights = make_weights(tensors)
    except ValueError as e:
        raise PipelineError(path, str(e)) from None
    cfg_path = tl_config_path(path)
    if cfg_path.exists():
        check_tl_config(cfg_path, weights.config)
    else:
        notes.append(TL_ASSUMED_NOTE.format(path=path, cfg=cfg_path.name))
    return weights


# A training checkpoint often wraps the state dict: {"model": state_dict}.
TL_WRAPPER_KEYS = ("model", "state_dict", "model_state_dict")


def _unwrap_state_dict(path: Path, sd: dict, notes: list) -> dict:
    """The state dict itself, or the one a checkpoint holds alone under a key of TL_WRAPPER_KEYS
    (a note names the key).  A wrapper with other entries besides (an optimizer, a config, a step
    count) is refused with a message naming what was found and what is read: nothing beside the
    weights is ever interpreted."""
    if any(isinstance(k, str) and (k in TL_KEYS or k in TL_KEYS.values()) for k in sd):
        return sd  # a state dict at the top level
    wrapped = [k for k in TL_WRAPPER_KEYS if isinstance(sd.get(k), dict)]
    if not wrapped:
        return sd  # the caller names the first unexpected entry
    key = wrapped[0]
    if len(sd) == 1:
        notes.append(f"{path}: read the state dict stored under the key {key!r}")
        return sd[key]
    found = sorted(repr(k)[:40] for k in sd)
    raise PipelineError(path, f"a checkpoint with the entries {', '.join(found[:8])}{', ...' if len(found) > 8 else ''}: "
                        f"expected a TransformerLens state dict (keys such as 'embed.W_E'), at the top level or "
                        f"alone under {key!r}; save the weights alone: torch.save(checkpoint[{key!r}], 'model.pt')")


def _tensor_to_numpy(path: Path, key: str, value, converted: list):
    """A dense CPU float tensor as numpy; bfloat16 converted to float32 exactly (noted in
    `converted`); sparse, meta-device, quantized and nested tensors refused."""
    import torch

    if value.layout != torch.strided or value.is_sparse:
        raise PipelineError(path, f"entry {key} is a {value.layout} tensor; only dense (strided) tensors are read")
    if value.is_meta or value.device.type == "meta":
        raise PipelineError(path, f"entry {key} is a meta-device tensor (it holds no values)")
    if value.is_quantized or getattr(value, "is_nested", False):
        raise PipelineError(path, f"entry {key} is a quantized or nested tensor; only dense float tensors are read")
    value = value.detach()
    if value.dtype == torch.bfloat16:
        converted.append(key)
        value = value.to(torch.float32)
    try:
        return value.cpu().numpy()
    except (TypeError, RuntimeError) as e:
        raise PipelineError(path, f"entry {key} of dtype {value.dtype} cannot be read ({' '.join(str(e).split())[:120]})") from None


def conversion_source(src, notes: list) -> dict:
    """The metadata record `maxk convert` and `maxk audit` keep of a converted model: the source file,
    its sha256, its format, the TransformerLens config read (if any) and the loader's notes."""
    src = Path(src)
    cfg = tl_config_path(src)
    return {"file": str(src), "file_sha256": file_sha256(src),
            "format": "TransformerLens state dict (.pt, torch.load weights_only=True)" if src.suffix == ".pt"
            else "safetensors",
            "tl_config": cfg.name if src.suffix == ".pt" and cfg.exists() else None, "notes": list(notes)}


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
