"""The index on disk: plain files, a versioned manifest, atomic switches.

Layout of the index directory::

    CURRENT                      name of the live version (one line)
    LOCK                         held by the indexer while it writes
    <version>/manifest.json      format version, embedder, documents, checksums
    <version>/documents.jsonl    one Document per line (with its extracted text)
    <version>/chunks.jsonl       one Chunk per line (+ BM25 tokens, embedding key)
    <version>/vectors.npy        float32 unit vectors, row i = chunk i
    <version>/sentence_vectors.npy  float32 unit vectors of the chunks' statements,
                                 in chunk order (spans listed in chunks.jsonl)

Each update writes a complete new version directory beside the old one, then
replaces ``CURRENT`` with ``os.replace`` (atomic on POSIX and Windows).  A crash
at any point leaves ``CURRENT`` naming a complete version; leftovers of the
failed attempt are removed by the next indexer.  No pickle anywhere: JSON and
``np.load(allow_pickle=False)`` only, and every file is checked against the
SHA-256 recorded in the manifest before it is used.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import uuid
import weakref
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from .errors import (
    EmbedderFingerprintMismatch, EmbedderMismatch, IndexCorrupt, IndexLocked, IndexNotFound,
    IndexVersionMismatch, IndexWriteError,
)
from .models import Chunk, Document, LoadFailure

FORMAT_VERSION = 2  # 2: sentence vectors
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
_VERSION_NAME = re.compile(r"^v\d{8}T\d{6}-[0-9a-f]{8}$")
_DATA_FILES = ("documents.jsonl", "chunks.jsonl", "vectors.npy", "sentence_vectors.npy")


@dataclass
class StoredIndex:
    """An index version loaded in memory."""

    path: Path                       # the version directory
    manifest: dict
    documents: dict[str, Document]
    chunks: list[Chunk]
    tokens: list[list[str]]          # BM25 tokens per chunk
    embed_keys: list[str]            # content key of the embedded text per chunk
    vectors: np.ndarray              # (n_chunks, dim) float32
    sentences: list[list[tuple[int, int]]] = field(default_factory=list)  # spans per chunk
    sentence_keys: list[list[str]] = field(default_factory=list)
    sentence_vectors: np.ndarray | None = None   # (n_sentences, dim), chunk order
    failures: list[LoadFailure] = field(default_factory=list)

    def __post_init__(self):
        counts = [len(s) for s in self.sentences]
        #: chunk row of each sentence vector, and each chunk's first sentence row
        self.sentence_owner = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
        self.sentence_first = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    def embedded_texts(self) -> list[str]:
        """What the indexer embedded: each chunk's text, then each statement."""
        return [c.index_text for c in self.chunks] + [
            self.documents[c.doc_id].text[s:e]
            for row, c in enumerate(self.chunks) for s, e in self.sentences[row]]

    def statements(self, row: int) -> tuple[list[tuple[int, int]], np.ndarray]:
        """Spans and vectors of chunk ``row``'s statements."""
        lo, hi = self.sentence_first[row], self.sentence_first[row + 1]
        return self.sentences[row], self.sentence_vectors[lo:hi]

    def counts(self, key: Callable[[Document], str]) -> dict[str, dict[str, int]]:
        """Documents and chunks per ``key`` (an organisation, a type), sorted by key."""
        per_doc: dict[str, int] = {}
        for c in self.chunks:
            per_doc[c.doc_id] = per_doc.get(c.doc_id, 0) + 1
        table: dict[str, dict[str, int]] = {}
        for doc in self.documents.values():
            row = table.setdefault(key(doc), {"documents": 0, "chunks": 0})
            row["documents"] += 1
            row["chunks"] += per_doc.get(doc.doc_id, 0)
        return dict(sorted(table.items()))

    @property
    def version(self) -> str:
        return self.path.name

    @property
    def embedder_id(self) -> str:
        return self.manifest["embedder"]["id"]

    @property
    def dim(self) -> int:
        return int(self.manifest["embedder"]["dim"])


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _fsync_dir(path: Path) -> None:
    if os.name == "posix":
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_file(path: Path, write) -> str:
    """Write with ``write(fh)``, fsync, and return the file's SHA-256."""
    with open(path, "wb") as fh:
        write(fh)
        fh.flush()
        os.fsync(fh.fileno())
    return _sha256(path)


def _jsonl(rows: Iterator[dict]):
    def write(fh):
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False).encode("utf-8"))
            fh.write(b"\n")
    return write


def current_version(index_dir: Path) -> str | None:
    """Name of the live version, or None when there is no index yet."""
    try:
        name = (Path(index_dir) / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name or None


@contextmanager
def index_lock(index_dir: Path):
    """Exclusive writer lock on the index directory (one indexer at a time)."""
    from filelock import FileLock, Timeout

    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(index_dir / "LOCK"), timeout=0)
    try:
        lock.acquire()
    except Timeout as exc:
        raise IndexLocked(index_dir) from exc
    try:
        yield
    finally:
        lock.release()


def write_index(index_dir: Path, *, manifest: dict, documents: list[Document],
                chunks: list[Chunk], tokens: list[list[str]], embed_keys: list[str],
                vectors: np.ndarray, sentences: list[list[tuple[int, int]]],
                sentence_keys: list[list[str]], sentence_vectors: np.ndarray,
                failures: list[LoadFailure]) -> Path:
    """Write a complete new version and make it current.  Caller holds the lock.

    Any file-system error before the switch (disk full, permissions, I/O)
    becomes :class:`IndexWriteError`, naming the folder and the fix; ``CURRENT``
    still names the previous version, and the partial one is removed by the
    next run (``remove_stale_versions``).
    """
    index_dir = Path(index_dir)
    try:
        return _write_version(index_dir, manifest, documents, chunks, tokens, embed_keys,
                              vectors, sentences, sentence_keys, sentence_vectors, failures)
    except IndexWriteError:
        raise
    except OSError as exc:
        raise IndexWriteError(index_dir, exc) from exc


def _write_version(index_dir, manifest, documents, chunks, tokens, embed_keys, vectors,
                   sentences, sentence_keys, sentence_vectors, failures) -> Path:
    index_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    version = index_dir / f"v{stamp}-{uuid.uuid4().hex[:8]}"
    version.mkdir()
    checksums = {
        "documents.jsonl": _write_file(
            version / "documents.jsonl", _jsonl(d.to_dict() for d in documents)),
        "chunks.jsonl": _write_file(version / "chunks.jsonl", _jsonl(
            {**asdict(c), "tokens": t, "embed_key": k, "sentences": [list(x) for x in sp],
             "sentence_keys": sk}
            for c, t, k, sp, sk in zip(chunks, tokens, embed_keys, sentences, sentence_keys))),
        "vectors.npy": _write_file(
            version / "vectors.npy",
            lambda fh: np.save(fh, np.ascontiguousarray(vectors, dtype=np.float32),
                               allow_pickle=False)),
        "sentence_vectors.npy": _write_file(
            version / "sentence_vectors.npy",
            lambda fh: np.save(fh, np.ascontiguousarray(sentence_vectors, dtype=np.float32),
                               allow_pickle=False)),
    }
    full = {
        **manifest,
        "format_version": FORMAT_VERSION,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "counts": {"documents": len(documents), "chunks": len(chunks)},
        "failures": [asdict(f) for f in failures],
        "files": checksums,
    }
    _write_file(version / MANIFEST,
                lambda fh: fh.write(json.dumps(full, ensure_ascii=False, indent=1).encode()))
    _fsync_dir(version)
    _switch_current(index_dir, version.name)
    try:
        remove_stale_versions(index_dir)
    except OSError:
        pass  # the new version is live; leftovers go on the next run
    return version


def _switch_current(index_dir: Path, name: str) -> None:
    tmp = index_dir / f"{CURRENT}.{uuid.uuid4().hex[:8]}.tmp"
    _write_file(tmp, lambda fh: fh.write(name.encode("utf-8") + b"\n"))
    os.replace(tmp, index_dir / CURRENT)
    _fsync_dir(index_dir)


def remove_stale_versions(index_dir: Path) -> None:
    """Delete every version directory and temp file except the current one.

    Readers hold their index in memory, so removing the previous version
    after the switch does not disturb a running app.
    """
    live = current_version(index_dir)
    for entry in Path(index_dir).iterdir():
        if entry.name == live or entry.name in (CURRENT, "LOCK", "LOCK.lock"):
            continue
        if entry.is_dir() and _VERSION_NAME.match(entry.name):
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.name.startswith(f"{CURRENT}.") and entry.name.endswith(".tmp"):
            entry.unlink(missing_ok=True)


def read_manifest(index_dir: Path) -> tuple[Path, dict]:
    """The live version directory and its manifest, format version checked."""
    index_dir = Path(index_dir)
    name = current_version(index_dir)
    if name is None:
        raise IndexNotFound(index_dir)
    version = index_dir / name
    try:
        manifest = json.loads((version / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise IndexCorrupt(index_dir, f"{name}/{MANIFEST} is missing") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise IndexCorrupt(index_dir, f"{name}/{MANIFEST} is not valid JSON: {exc}") from exc
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexVersionMismatch(index_dir, manifest.get("format_version"), FORMAT_VERSION)
    return version, manifest


def read_index(index_dir: Path) -> StoredIndex:
    """Load the live version, verifying every file's checksum first."""
    index_dir = Path(index_dir)
    version, manifest = read_manifest(index_dir)
    files = manifest.get("files", {})
    for name in _DATA_FILES:
        path = version / name
        if not path.exists():
            raise IndexCorrupt(index_dir, f"{version.name}/{name} is missing")
        if files.get(name) != _sha256(path):
            raise IndexCorrupt(index_dir, f"{version.name}/{name} does not match its checksum")
    try:
        documents = {}
        with open(version / "documents.jsonl", encoding="utf-8") as fh:
            for line in fh:
                doc = Document.from_dict(json.loads(line))
                documents[doc.doc_id] = doc
        chunks, tokens, keys, sentences, sentence_keys = [], [], [], [], []
        with open(version / "chunks.jsonl", encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                tokens.append(row.pop("tokens"))
                keys.append(row.pop("embed_key"))
                sentences.append([tuple(x) for x in row.pop("sentences")])
                sentence_keys.append(row.pop("sentence_keys"))
                chunks.append(Chunk(**row))
        vectors = np.load(version / "vectors.npy", allow_pickle=False)
        sentence_vectors = np.load(version / "sentence_vectors.npy", allow_pickle=False)
        failures = [LoadFailure(**f) for f in manifest.get("failures", [])]
    except (ValueError, KeyError, TypeError, EOFError) as exc:
        raise IndexCorrupt(index_dir, f"cannot parse {version.name}: {exc}") from exc
    if vectors.shape[0] != len(chunks):
        raise IndexCorrupt(index_dir, f"{len(chunks)} chunks but {vectors.shape[0]} vectors")
    n_sentences = sum(map(len, sentences))
    if sentence_vectors.shape[0] != n_sentences:
        raise IndexCorrupt(index_dir, f"{n_sentences} sentences but "
                                      f"{sentence_vectors.shape[0]} sentence vectors")
    return StoredIndex(path=version, manifest=manifest, documents=documents, chunks=chunks,
                       tokens=tokens, embed_keys=keys, vectors=vectors, sentences=sentences,
                       sentence_keys=sentence_keys, sentence_vectors=sentence_vectors,
                       failures=failures)


# --- embedder fingerprint ------------------------------------------------------------

#: Embedded at index time; its vector, stored in the manifest, identifies the model
#: (an id is only a name: two models of the same dimension can share one).
PROBE_TEXT = ("Kommunens strategi for digitalisering og velfærd 2015-2018 / "
              "the municipality's strategy for digital welfare")
PROBE_DECIMALS = 4
#: cosine between the stored and the recomputed probe vector below which the
#: configured model is not the one that built the index.  Float noise (threads,
#: BLAS, rounding to PROBE_DECIMALS) stays above 0.999; unrelated models of the
#: same dimension land far below (their spaces are not aligned).
PROBE_MIN_COSINE = 0.99


_PROBES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def embedder_probe(embedder, text: str = PROBE_TEXT) -> list[float]:
    """The embedder's query vector for the probe text, rounded (the fingerprint).

    Computed once per embedder object: the indexer checks it, writes it and the
    app checks it again on load."""
    cached = _PROBES.setdefault(embedder, {})
    if text not in cached:
        vec = np.asarray(embedder.embed_batch([text], "query"), dtype=np.float64)[0]
        cached[text] = [round(float(x), PROBE_DECIMALS) for x in vec]
    return cached[text]


def embedder_fingerprint(embedder) -> dict:
    """Manifest fields identifying the model: probe text and vector, and a short hash."""
    vector = embedder_probe(embedder)
    digest = hashlib.sha256(json.dumps([round(x, 2) for x in vector]).encode()).hexdigest()
    return {"probe_text": PROBE_TEXT, "probe": vector, "fingerprint": digest[:16]}


def check_embedder(index_dir: Path, index: StoredIndex, embedder) -> None:
    """Refuse an index built with another model: by id, then by fingerprint.

    Indexes written before fingerprints existed have no probe and are checked by
    id only.
    """
    if index.embedder_id != embedder.id:
        raise EmbedderMismatch(index_dir, index.embedder_id, index.dim, embedder.id)
    meta = index.manifest.get("embedder", {})
    stored, text = meta.get("probe"), meta.get("probe_text", PROBE_TEXT)
    if not stored:
        return
    mine = embedder_probe(embedder, text)
    a, b = np.asarray(stored, dtype=np.float64), np.asarray(mine, dtype=np.float64)
    cos = 0.0
    if a.shape == b.shape and a.any() and b.any():
        cos = float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
    if cos < PROBE_MIN_COSINE:
        raise EmbedderFingerprintMismatch(index_dir, index.embedder_id, index.dim,
                                          embedder.id, cos)
