"""Build or update the index: documents -> chunks -> vectors -> store.

Incremental: a document whose bytes (and sidecar) are unchanged keeps its
chunks and vectors; a chunk whose embedded text is unchanged keeps its vector
even if its document changed.  Only new and changed text is embedded.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from .chunking import chunk_document, statement_spans
from .config import Settings
from .embedders import Embedder
from .errors import ConfigError, DocumentError, EmbedderError, IndexCorrupt, IndexNotFound, \
    IndexVersionMismatch
from .isolation import IsolatedLoader
from .loaders import check_size, discover
from .metadata import load_metadata, sidecar_path
from .models import Chunk, Document, LoadFailure
from .store import StoredIndex, check_embedder, embedder_fingerprint, index_lock, read_index, \
    remove_stale_versions, write_index
from .tokens import tokenize

# Bump when loading, normalisation or chunking changes what a file turns into,
# so every document is re-processed once.
# 2: DOCX headers/footers, HTML style-sheet hiding; 3: a letterhead is not a
# heading, words broken at line ends are joined; 4: a sentence is not cut at a
# Danish ordinal ("den 18. og den 19. marts"); 5: Markdown's inline marks
# (**bold**, *italic*, [links](...)) leave plain-text files; 6: a sentence is
# not cut after an abbreviation's full stop when a colon follows ("Sagsnr.: ...")
# nor inside a link; 7: a PDF page's wrapped lines are reflowed into paragraphs;
# 8: a PDF's running header/footer and page numbers are dropped; 9: a placeholder
# title field ("untitled", "Microsoft Word - x.docx") gives way to the text's;
# 10: a .txt wrapped at a fixed width is reflowed into paragraphs; 11: a
# sentence is not cut before a lower-case word ("ift. effektivisering");
# 12: typographic ligatures (ﬁ, ﬂ) become their letters; 13: a full PDF line
# ending mid-sentence is joined to the next even when that one is capitalised;
# 14: a list number cut off by the sentence splitter opens its item; 15: a .md
# file's paragraphs are joined onto one line as Markdown reads them; 16: a
# sentence goes on after "f.eks.", "bl.a." and the like; 17: a PDF title near
# the page's width stays a line of its own, and a sender's name on its own
# line is not a document's title; 18: a lower-case line after a sentence with a
# bracket left open continues it, as does a bracket opening in lower case;
# 19: a letter's closing and the names signing it are one sentence, and no heading;
# 20: a committee case's standard headings are headings whatever their shape, the
# attachments under "Bilag" and a value like "Ej relevant" are not, and a chunk
# folded from a run of small sections names them all; 21: an attachment's title
# under "Bilag" is a statement (embedded, quotable); 22: so is a committee case's
# heading with the short value under it ("Beslutning: Godkendt."); 23: an agenda
# item's bare case number under its title is its case number.
PIPELINE_VERSION = "23"


@dataclass
class IndexReport:
    """What an indexing run did, for the CLI, the UI and tests."""

    index_dir: Path
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failures: list[LoadFailure] = field(default_factory=list)
    documents: int = 0
    chunks: int = 0
    embedded: int = 0          # chunks sent to the embedder in this run
    embedded_sentences: int = 0  # statements sent to the embedder in this run
    written: bool = False      # False when nothing changed
    seconds: float = 0.0
    # indexed, but worth knowing: "<doc_id>: hidden text dropped ...", duplicates
    warnings: list[str] = field(default_factory=list)
    # a file with the same content (and sidecar) as one indexed earlier in the
    # run is not indexed again: its doc_id -> the doc_id that was indexed
    duplicates: dict[str, str] = field(default_factory=dict)
    engine: str = ""           # the bulk engine that embedded this run's text, if any


def content_hash(path: Path) -> str:
    """Hash of what determines a document's index entry: its bytes and sidecar."""
    h = hashlib.sha256(PIPELINE_VERSION.encode())
    with path.open("rb") as handle:  # in pieces: a shared drive has multi-GB files
        while piece := handle.read(1 << 20):
            h.update(piece)
    side = sidecar_path(path)
    if side.exists():
        h.update(b"\0sidecar\0" + side.read_bytes())
    return h.hexdigest()


def embed_key(embedder_id: str, text: str) -> str:
    return hashlib.sha256(f"{embedder_id}\0{text}".encode()).hexdigest()[:32]


def _chunking_settings(settings: Settings) -> dict:
    return {"target": settings.chunk_target, "limit": settings.chunk_max,
            "pipeline": PIPELINE_VERSION}


def _previous(index_dir: Path, embedder: Embedder, rebuild: bool) -> StoredIndex | None:
    """The index to update, or None to start afresh."""
    if rebuild:
        return None
    try:
        old = read_index(index_dir)
    except IndexNotFound:
        return None
    except IndexVersionMismatch as exc:
        # An index from an older release is rebuilt in the current format (beside
        # it, switched atomically); one from a newer release is left alone.
        if isinstance(exc.found, int) and exc.found < exc.expected:
            return None
        raise
    except IndexCorrupt:
        raise  # the message says: run with --rebuild
    check_embedder(index_dir, old, embedder)  # by id, then by the model's fingerprint
    return old


def build_index(settings: Settings, embedder: Embedder, docs_dir: Path | None = None,
                rebuild: bool = False, show_progress: bool = True) -> IndexReport:
    """Index ``docs_dir`` into ``settings.index_dir``, touching only what changed."""
    began = time.perf_counter()
    docs_dir = Path(docs_dir or settings.docs_dir)
    if not docs_dir.is_dir():
        raise ConfigError(f"The documents folder {docs_dir.resolve()} does not exist. Create it "
                          f"and put documents in it, or give another folder "
                          f"(python -m assistant index DOCS_DIR or ASSISTANT_DOCS_DIR).")
    index_dir = settings.index_dir
    report = IndexReport(index_dir=index_dir)
    with index_lock(index_dir), IsolatedLoader(settings) as loader:
        remove_stale_versions(index_dir)
        old = _previous(index_dir, embedder, rebuild)
        same_chunking = old is not None and old.manifest.get("chunking") == _chunking_settings(settings)
        old_chunks: dict[str, list[int]] = {}
        if old is not None:
            for i, c in enumerate(old.chunks):
                old_chunks.setdefault(c.doc_id, []).append(i)

        files, report.failures = discover(docs_dir)
        documents: list[Document] = []
        chunks: list[Chunk] = []
        reused_rows: dict[int, int] = {}    # new chunk position -> old vector row
        relocated = False
        seen: dict[str, str] = {}           # content hash -> doc_id, to skip duplicates
        for path in tqdm(files, desc="Dokumenter / documents", unit="dok",
                         disable=not show_progress):
            doc_id = path.relative_to(docs_dir).as_posix()
            try:
                check_size(path, loader.limits)  # before hashing a 50 GB video named .pdf
                digest = content_hash(path)
                if digest in seen:  # the same file under a second name: indexed once
                    report.duplicates[doc_id] = seen[digest]
                    report.warnings.append(f"{doc_id}: same content as {seen[digest]}, "
                                           f"indexed once (as {seen[digest]})")
                    continue
                previous = old.documents.get(doc_id) if old else None
                if previous is not None and previous.content_hash == digest and same_chunking:
                    source = str(path.resolve())
                    if previous.source_path != source:  # the folder was moved: cite the new place
                        previous = replace(previous, source_path=source)
                        relocated = True
                    documents.append(previous)
                    for row in old_chunks.get(doc_id, []):
                        reused_rows[len(chunks)] = row
                        chunks.append(old.chunks[row])
                    report.unchanged.append(doc_id)
                    seen[digest] = doc_id
                    continue
                extracted = loader.load(path)  # in a worker process, with limits
                report.warnings.extend(f"{doc_id}: {w}" for w in extracted.warnings)
                meta = load_metadata(path, extracted)
            except DocumentError as exc:
                report.failures.append(LoadFailure(str(path), exc.reason_code, str(exc)))
                continue
            except OSError as exc:
                report.failures.append(LoadFailure(str(path), "unreadable", f"{path.name}: {exc}"))
                continue
            documents.append(Document(doc_id=doc_id, source_path=str(path.resolve()),
                                      content_hash=digest, meta=meta, text=extracted.text,
                                      page_starts=extracted.page_starts,
                                      warnings=tuple(extracted.warnings)))
            chunks.extend(chunk_document(doc_id, extracted, settings.chunk_target,
                                         settings.chunk_max))
            (report.changed if previous is not None else report.added).append(doc_id)
            seen[digest] = doc_id
        loader.close()  # free the worker before embedding

        if old is not None:
            kept = {d.doc_id for d in documents}
            report.removed = sorted(d for d in old.documents if d not in kept)

        report.documents, report.chunks = len(documents), len(chunks)
        nothing_changed = (old is not None and not relocated
                           and not (report.added or report.changed or report.removed)
                           and [f.path for f in report.failures] == [f.path for f in old.failures])
        if not nothing_changed:
            v = _vectors_for(chunks, documents, reused_rows, old, embedder, settings, report,
                             show_progress)
            write_index(index_dir, manifest={
                "embedder": {"id": embedder.id, "dim": int(v.vectors.shape[1]),
                             **embedder_fingerprint(embedder)},
                "chunking": _chunking_settings(settings),
                "docs_dir": str(docs_dir.resolve()),
                "documents": {d.doc_id: {"content_hash": d.content_hash} for d in documents},
            }, documents=documents, chunks=chunks, tokens=v.tokens, embed_keys=v.keys,
                vectors=v.vectors, sentences=v.sentences, sentence_keys=v.sentence_keys,
                sentence_vectors=v.sentence_vectors, failures=report.failures)
            report.written = True
    report.seconds = time.perf_counter() - began
    return report


def _vectors_for(chunks, documents, reused_rows, old, embedder, settings, report,
                 show_progress) -> _Vectors:
    """Vectors (chunks and their statements), BM25 tokens and embedding keys.

    Every text is keyed by a hash of the embedder id and the text, so only
    text never embedded before reaches the model: an edited chunk re-embeds
    itself and its changed sentences, nothing else.
    """
    texts = {d.doc_id: d.text for d in documents}
    keys = [embed_key(embedder.id, c.index_text) for c in chunks]
    # An unchanged document's chunks keep their statements (sentence splitting is
    # the slow part of an update of a large index); new chunks are split afresh.
    sentences, sentence_texts, sentence_keys = [], [], []
    for pos, c in enumerate(chunks):
        row = reused_rows.get(pos)
        if row is not None:
            sentences.append(old.sentences[row])
            sentence_keys.append(old.sentence_keys[row])
            sentence_texts.append([])        # never needed: their keys are known
            continue
        spans = statement_spans(c)
        sentences.append(spans)
        sentence_texts.append([texts[c.doc_id][s:e] for s, e in spans])
        sentence_keys.append([embed_key(embedder.id, t) for t in sentence_texts[-1]])
    known: dict[str, np.ndarray] = {}
    if old is not None:
        known.update(zip(old.embed_keys, old.vectors))
        flat_keys = [k for ks in old.sentence_keys for k in ks]
        known.update(zip(flat_keys, old.sentence_vectors))
    tokens = [old.tokens[reused_rows[pos]] if pos in reused_rows else tokenize(c.index_text)
              for pos, c in enumerate(chunks)]
    # What must be embedded, grouped by chunk so progress counts chunks.
    todo: list[list[tuple[str, str]]] = []
    for pos, chunk in enumerate(chunks):
        new = [(k, t) for k, t in [(keys[pos], chunk.index_text),
                                    *zip(sentence_keys[pos], sentence_texts[pos])]
               if k not in known]
        if new:
            todo.append(new)
    engine = _engine_for(embedder, sum(len(t) for g in todo for _, t in g), settings, report,
                         show_progress)
    batch_size = engine.batch_size or settings.embed_batch_size
    bar = tqdm(total=len(todo), desc="Afsnit / chunks", unit="afsnit", disable=not show_progress)
    batch: list[tuple[str, str]] = []
    groups_in_batch = 0
    try:
        for i, group in enumerate(todo):
            batch.extend(group)
            groups_in_batch += 1
            if len(batch) >= batch_size or i == len(todo) - 1:
                unique = dict(batch)
                vecs = engine.embed_batch(list(unique.values()), "passage")
                known.update(zip(unique, vecs))
                bar.update(groups_in_batch)
                batch, groups_in_batch = [], 0
    finally:
        bar.close()
        if engine is not embedder:   # a bulk engine's memory is not kept between runs
            engine.release()
    fresh = {k for group in todo for k, _ in group}
    report.embedded = sum(k in fresh for k in keys)
    report.embedded_sentences = sum(k in fresh for ks in sentence_keys for k in ks)
    dim = old.dim if old is not None else (len(next(iter(known.values()))) if known else embedder.dim)
    vectors = np.zeros((len(chunks), dim), dtype=np.float32)
    for pos, key in enumerate(keys):
        vectors[pos] = known[key]
    flat = [k for ks in sentence_keys for k in ks]
    sentence_vectors = np.zeros((len(flat), dim), dtype=np.float32)
    for row, key in enumerate(flat):
        sentence_vectors[row] = known[key]
    return _Vectors(vectors, tokens, keys, sentences, sentence_keys, sentence_vectors)


def _engine_for(embedder: Embedder, chars: int, settings: Settings,
                report: IndexReport, show_progress: bool = False) -> Embedder:
    """The embedder's bulk engine when ``settings.bulk_embed`` asks for it ("auto":
    when the embedder finds it worth loading for ``chars`` characters), else
    the embedder itself.  In "auto" mode an engine that fails to load is
    reported as a warning and the job goes on with the embedder itself."""
    if settings.bulk_embed == "never" or chars == 0:
        return embedder
    bulk = embedder.bulk_engine(None if settings.bulk_embed == "always" else chars)
    if bulk is None:
        return embedder
    if show_progress:   # loading takes seconds (the first time on a machine ~20 s more)
        tqdm.write(f"Den hurtige indekseringsmotor bruges / using the fast indexing engine "
                   f"({bulk.id}, {chars:,} tegn/characters) ...")
    try:
        bulk.dim  # loads it
    except EmbedderError as exc:
        if settings.bulk_embed == "always":
            raise
        report.warnings.append(f"the fast indexing engine is unavailable, indexing with "
                               f"{embedder.id} instead: {exc}")
        return embedder
    report.engine = bulk.id
    return bulk


@dataclass
class _Vectors:
    vectors: np.ndarray
    tokens: list[list[str]]
    keys: list[str]
    sentences: list[list[tuple[int, int]]]
    sentence_keys: list[list[str]]
    sentence_vectors: np.ndarray
