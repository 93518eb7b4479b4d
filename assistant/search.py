"""Hybrid retrieval over a stored index: FAISS (dense chunk and statement
vectors) + BM25, fused by a weighted sum of each list's z-scores (or, with
``fusion="rrf"``, weighted reciprocal rank fusion).

Standardising each list by its own mean and spread needs no calibration
between retrievers, like RRF, but keeps how far ahead a passage is: on both
question sets MRR@10 rises by 0.03 over RRF (README, "Retrieval figures").

BM25 is bm25s over our own Danish tokens: it precomputes every term's
scores in a sparse matrix, so a query costs only the postings of its terms.
rank-bm25 scored every chunk in Python: ~300 ms a query at 100k chunks against
~0.3 ms now (building takes a few seconds more, once per loaded index; see
``benchmarks/scale.py``).  Filters are computed with NumPy over per-document
arrays built once per index (the Python loop took ~165 ms at 100k chunks).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Iterable, Literal

import numpy as np

from .chunking import attachment_spans
from .config import Settings
from .embedders import Embedder
from .glossary import with_danish_keywords
from .lexicon import Lexicon
from .store import StoredIndex
from .tokens import tokenize

Mode = Literal["hybrid", "dense", "bm25"]


@dataclass(frozen=True)
class Hit:
    row: int                      # chunk position in the index
    score: float                  # fused score (or the single retriever's score)
    dense_score: float | None = None
    bm25_score: float | None = None
    sentence_score: float | None = None


class KeywordIndex:
    """BM25 over pre-tokenised chunks (our stems and stop words), via bm25s."""

    def __init__(self, tokens: list[list[str]], k1: float = 1.5, b: float = 0.75):
        # dict.fromkeys and map run in C: 3x faster than a setdefault loop at 100k chunks
        vocab = {t: i for i, t in enumerate(dict.fromkeys(itertools.chain.from_iterable(tokens)))}
        ids = [list(map(vocab.__getitem__, doc)) for doc in tokens]
        self.vocab = vocab            # term -> id: the indexed vocabulary
        self.n_docs = len(tokens)
        self._bm25 = None
        if vocab:
            import bm25s

            # Robertson idf (log((N - df + 0.5) / (df + 0.5)), floored at 0): the
            # Okapi formula rank-bm25 used; it ranks the question set exactly as
            # rank-bm25 did, where Lucene's idf was slightly worse.
            self._bm25 = bm25s.BM25(k1=k1, b=b, method="robertson")
            self._bm25.index((ids, vocab), create_empty_token=False, show_progress=False)

    def chunks_with(self, terms: Iterable[str]) -> np.ndarray:
        """The chunks (rows) in which any of ``terms`` occurs.  Reads the
        postings bm25s keeps for every (term, chunk) pair, zero scores too."""
        ids = [self.vocab[t] for t in terms if t in self.vocab]
        if not ids or self._bm25 is None:
            return np.zeros(0, dtype=np.int64)
        indptr, indices = self._bm25.scores["indptr"], self._bm25.scores["indices"]
        return np.unique(np.concatenate([indices[indptr[i]:indptr[i + 1]] for i in ids]))

    def occurs_in(self, terms: list[str], rows: np.ndarray) -> bool:
        """Whether any of ``terms`` occurs in any chunk of ``rows``: each term's
        postings read against a mask of the rows, with no sort (a common
        word's postings, sorted and merged, cost ~3 ms at 100k chunks)."""
        ids = [self.vocab[t] for t in terms if t in self.vocab]
        if not ids or not len(rows) or self._bm25 is None:
            return False
        searched = np.zeros(self.n_docs, dtype=bool)
        searched[rows] = True
        indptr, indices = self._bm25.scores["indptr"], self._bm25.scores["indices"]
        return any(searched[indices[indptr[i]:indptr[i + 1]]].any() for i in ids)

    def get_scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every chunk (0 where no query term occurs)."""
        ids = [self.vocab[t] for t in query_tokens if t in self.vocab]
        if not ids:
            return np.zeros(self.n_docs, dtype=np.float32)
        return self._bm25.get_scores_from_ids(ids)


class FaissRows:
    """The vectors of a FAISS flat index, read back on demand.

    Stands in for the ``(n, dim)`` array it was built from: ``len``, ``shape``,
    a row, a range of rows or a list of rows read the rows asked for;
    ``np.asarray(rows)`` reads them all (a full copy, on purpose only)."""

    def __init__(self, index):
        self._index = index
        self.shape = (int(index.ntotal), int(index.d))
        self.dtype = np.dtype(np.float32)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, key) -> np.ndarray:
        if isinstance(key, slice) and key.step in (None, 1):
            lo, hi, _ = key.indices(self.shape[0])
            if hi <= lo:
                return np.zeros((0, self.shape[1]), dtype=np.float32)
            return self._index.reconstruct_n(lo, hi - lo)
        if isinstance(key, (int, np.integer)):
            return self[key:key + 1][0] if key >= 0 else self[len(self) + key]
        rows = np.asarray(key)
        if rows.dtype.kind not in "iu" or rows.ndim != 1:
            raise TypeError(f"FaissRows reads rows by number, range or list, not {key!r}")
        rows = np.where(rows < 0, rows + len(self), rows).astype(np.int64)
        return self._index.reconstruct_batch(rows) if len(rows) else self[0:0]

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        whole = self[0:len(self)]
        return whole if dtype is None else whole.astype(dtype)


def _held_by_faiss(vectors, dim: int | None = None):
    """A FAISS flat inner-product index over ``vectors``, and what stands in for
    them from then on.  FAISS keeps its own copy, so the loaded array is let go
    and rows are read back from FAISS (:class:`FaissRows`): the process holds
    the vectors once (the statements alone are 900 MB at 100k chunks)."""
    import faiss

    index = faiss.IndexFlatIP(dim if dim is not None else vectors.shape[1])
    if vectors is None or not len(vectors):
        return index, vectors
    index.add(vectors)
    return index, FaissRows(index)


class Retriever:
    """Search one loaded index version.  Built lazily, reused across questions."""

    def __init__(self, index: StoredIndex, embedder: Embedder, settings: Settings):
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self._faiss = None
        self._faiss_sentences = None
        self._organisations: list[str] | None = None
        self._lexicon: Lexicon | None = None
        self._bm25: KeywordIndex | None = None
        self._titles: np.ndarray | None = None
        self._doc_arrays = None

    # -- building blocks -------------------------------------------------
    def _dense_index(self):
        if self._faiss is None:
            self._faiss, self.index.vectors = _held_by_faiss(self.index.vectors)
        return self._faiss

    def _sentence_index(self):
        if self._faiss_sentences is None:
            self._faiss_sentences, self.index.sentence_vectors = _held_by_faiss(
                self.index.sentence_vectors, dim=self.index.vectors.shape[1])
        return self._faiss_sentences

    def _bm25_index(self):
        if self._bm25 is None:
            self._bm25 = KeywordIndex(self.index.tokens)
        return self._bm25

    def lexicon(self) -> Lexicon:
        """The indexed words, for the checks on what a question's words find."""
        if self._lexicon is None:
            self._lexicon = Lexicon(self._bm25_index(), self.index.chunks, self.organisations())
        return self._lexicon

    def _filter_arrays(self):
        """Per chunk: its document's number; per document: organisation and type codes."""
        if self._doc_arrays is None:
            docs = list(self.index.documents.values())
            number = {d.doc_id: i for i, d in enumerate(docs)}
            orgs: dict[str, int] = {}
            types: dict[str | None, int] = {}
            doc_org = np.array([orgs.setdefault((d.meta.organisation or "").casefold(), len(orgs))
                                for d in docs], dtype=np.int32)
            doc_type = np.array([types.setdefault(d.meta.doc_type, len(types)) for d in docs],
                                dtype=np.int32)
            chunk_doc = np.fromiter((number[c.doc_id] for c in self.index.chunks),
                                    dtype=np.int32, count=len(self.index.chunks))
            self._doc_arrays = (chunk_doc, doc_org, doc_type, orgs, types)
        return self._doc_arrays

    def organisations(self) -> list[str]:
        """Organisations with documents in this index version (computed once)."""
        if self._organisations is None:
            self._organisations = sorted({d.meta.organisation for d in self.index.documents.values()
                                          if d.meta.organisation})
        return self._organisations

    def rows_where(self, organisations: Iterable[str] | None = None,
                   doc_types: Iterable[str] | None = None) -> np.ndarray | None:
        """Chunk rows whose document matches the filters; None means no filter."""
        if not organisations and not doc_types:
            return None
        chunk_doc, doc_org, doc_type, org_codes, type_codes = self._filter_arrays()
        keep = np.ones(len(doc_org), dtype=bool)
        if organisations:
            wanted = [org_codes[o] for o in {o.casefold() for o in organisations} if o in org_codes]
            keep &= np.isin(doc_org, wanted)
        if doc_types:
            wanted = [type_codes[t] for t in set(doc_types) if t in type_codes]
            keep &= np.isin(doc_type, wanted)
        return np.flatnonzero(keep[chunk_doc]).astype(np.int64)

    def dense(self, query_vec: np.ndarray, n: int, rows: np.ndarray | None) -> list[tuple[int, float]]:
        total = len(self.index.chunks) if rows is None else len(rows)
        n = min(n, total)
        if n == 0:
            return []
        if rows is None:
            scores, ids = self._dense_index().search(query_vec.reshape(1, -1), n)
        else:
            allowed = np.zeros(len(self.index.chunks), dtype=bool)
            allowed[rows] = True
            scores, ids = _search_within(self._dense_index(), query_vec, n, allowed)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def dense_sentences(self, query_vec: np.ndarray, n: int,
                        rows: np.ndarray | None) -> list[tuple[int, float]]:
        """Chunks ranked by their best-matching statement."""
        owner = self.index.sentence_owner
        allowed = None
        if rows is not None:
            chunks = np.zeros(len(self.index.chunks), dtype=bool)
            chunks[rows] = True
            allowed = chunks[owner]
        total = len(owner) if allowed is None else int(allowed.sum())
        if total == 0 or n == 0:
            return []
        # Several sentences of one chunk may rank high: fetch enough to fill n chunks.
        want = min(total, n * 4)
        if allowed is None:
            scores, ids = self._sentence_index().search(query_vec.reshape(1, -1), want)
        else:
            scores, ids = _search_within(self._sentence_index(), query_vec, want, allowed)
        best: dict[int, float] = {}
        titles = self._attachment_titles()
        for i, score in zip(ids[0], scores[0]):
            if i >= 0 and not titles[i]:
                best.setdefault(int(owner[i]), float(score))
        return list(best.items())[:n]

    def _attachment_titles(self) -> np.ndarray:
        """Per statement, whether it is an attachment's title under "Bilag".
        Quotable when attachments are asked about, but no reason to rank its
        chunk: Aalborg's "... digitalisering_udsendelse.pdf 13724949_1_1.pdf"
        ranked its attachment list 1st for "How should municipalities respond
        to the hearing?" and 2nd for a question on broadband."""
        if self._titles is None:
            titles = np.zeros(len(self.index.sentence_owner), dtype=bool)
            for row, chunk in enumerate(self.index.chunks):
                listed = attachment_spans(chunk) if "ilag" in chunk.text else []
                first = self.index.sentence_first[row]
                for j, (s, e) in enumerate(self.index.sentences[row] if listed else ()):
                    titles[first + j] = any(a <= s and e <= b for a, b in listed)
            self._titles = titles
        return self._titles

    def keyword_tokens(self, question: str, lang: str | None = None) -> list[str]:
        """BM25 terms of the question; an English one also gets Danish glossary words."""
        return tokenize(with_danish_keywords(question, lang) if self.settings.query_glossary
                        else question)

    def keyword(self, query_tokens: list[str], n: int, rows: np.ndarray | None) -> list[tuple[int, float]]:
        if not query_tokens or not self.index.chunks:
            return []
        scores = self._bm25_index().get_scores(query_tokens)
        if rows is None:
            found = np.flatnonzero(scores > 0)
        else:
            rows = np.asarray(rows, dtype=np.int64)
            found = rows[scores[rows] > 0]
        if len(found) > n:  # keep the n best (and every tie with the n-th) before sorting
            nth = np.partition(scores[found], len(found) - n)[len(found) - n]
            found = found[scores[found] >= nth]
        top = found[np.lexsort((found, -scores[found]))][:n]  # best first, ties by row
        return [(int(i), float(scores[i])) for i in top]

    def coverage(self, query_tokens: list[str]) -> float:
        """Share of the query's terms that occur in the indexed text.

        An English question against Danish documents matches only names and
        numbers; scaling BM25's weight by this share keeps its few, noisy
        matches from outvoting the dense ranking.  A term found through a
        compound (see :meth:`Lexicon.keyword_query`) counts as occurring.
        """
        if not query_tokens or not self.index.chunks:
            return 0.0
        if self.settings.compound_heads:   # found through a compound counts as found
            lexicon = self.lexicon()
            return sum(bool(lexicon.keyword_query([t])) for t in query_tokens) / len(query_tokens)
        vocab = self._bm25_index().vocab
        return sum(t in vocab for t in query_tokens) / len(query_tokens)

    # -- the search ------------------------------------------------------
    def search(self, question: str, k: int, rows: np.ndarray | None = None,
               mode: Mode = "hybrid", query_vec: np.ndarray | None = None,
               lang: str | None = None) -> list[Hit]:
        """The ``k`` best chunks (among ``rows``); ``lang`` is the question's
        language when ``question`` is only its topic."""
        s = self.settings
        pool = max(s.candidates, k)
        dense: list[tuple[int, float]] = []
        sentences: list[tuple[int, float]] = []
        bm25: list[tuple[int, float]] = []
        if mode in ("hybrid", "dense"):
            if query_vec is None:
                query_vec = self.embedder.embed_query(question)
            dense = self.dense(query_vec, pool, rows)
        if mode == "hybrid" and s.sentence_weight > 0:
            sentences = self.dense_sentences(query_vec, pool, rows)
        q_tokens = self.keyword_tokens(question, lang)
        if mode in ("hybrid", "bm25"):
            terms = self.lexicon().keyword_query(q_tokens, rows) if s.compound_heads else q_tokens
            bm25 = self.keyword(terms, pool, rows)
        if mode == "dense":
            return [Hit(r, sc, dense_score=sc) for r, sc in dense[:k]]
        if mode == "bm25":
            return [Hit(r, sc, bm25_score=sc) for r, sc in bm25[:k]]
        return self.fuse(dense, sentences, bm25, q_tokens, k)

    def fuse(self, dense: list[tuple[int, float]], sentences: list[tuple[int, float]],
             bm25: list[tuple[int, float]], query_tokens: list[str], k: int) -> list[Hit]:
        """Weighted fusion of the ranked lists: z-scores (default) or reciprocal ranks."""
        s = self.settings
        fused: dict[int, float] = {}
        bm25_weight = s.bm25_weight * (self.coverage(query_tokens) if s.bm25_coverage else 1.0)
        lists = [(w, ranked) for w, ranked in ((s.dense_weight, dense),
                                               (s.sentence_weight, sentences),
                                               (bm25_weight, bm25)) if w > 0 and ranked]
        if s.fusion == "rrf":
            for weight, ranked in lists:
                for rank, (row, _) in enumerate(ranked):
                    fused[row] = fused.get(row, 0.0) + weight / (s.rrf_k + rank + 1)
        else:
            standardised = [(w, *_standardise(ranked)) for w, ranked in lists]
            rows = {row for _, z, _ in standardised for row in z}
            fused = {row: sum(w * z.get(row, floor) for w, z, floor in standardised)
                     for row in rows}
        dense_of, sentence_of, bm25_of = dict(dense), dict(sentences), dict(bm25)
        order = sorted(fused, key=lambda r: (-fused[r], r))[:k]
        return [Hit(r, fused[r], dense_of.get(r), bm25_of.get(r), sentence_of.get(r))
                for r in order]


def _search_within(index, query_vec: np.ndarray, n: int, allowed: np.ndarray):
    """FAISS search among the vectors ``allowed`` marks.  A bitmap selector is
    built in 0.04 ms where a batch of ids took 1.2 ms (a comparison builds two
    for each of 98 municipalities); the bitmap is FAISS's to read, not copy,
    so it is held here until the search returns."""
    import faiss

    bits = np.packbits(allowed, bitorder="little")
    params = faiss.SearchParameters(sel=faiss.IDSelectorBitmap(len(allowed), faiss.swig_ptr(bits)))
    return index.search(query_vec.reshape(1, -1), n, params=params)


def _standardise(ranked: list[tuple[int, float]]) -> tuple[dict[int, float], float]:
    """Each listed row's z-score within the list, and the value for an unlisted row.

    Cosines of one model cluster in a narrow band (0.78-0.90 on the shipped
    corpus) and BM25 scores are unbounded, so each list is put on one scale by
    its own mean and spread.  Unlike reciprocal ranks this keeps the margins: a
    passage far ahead in one list is not pulled level by a near-tie in another.
    A row missing from a list counts as that list's lowest; a list without
    spread (one candidate, or ties) ranks its rows one unit above the rest.
    """
    scores = np.fromiter((sc for _, sc in ranked), dtype=np.float64, count=len(ranked))
    spread = scores.std()
    if spread > 0:
        z = (scores - scores.mean()) / spread
        return {row: float(v) for (row, _), v in zip(ranked, z)}, float(z.min())
    return {row: 0.0 for row, _ in ranked}, -1.0
