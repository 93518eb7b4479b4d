"""Hybrid retrieval over a stored index: FAISS (dense) + BM25, fused by
weighted reciprocal rank fusion.

RRF needs no score calibration between the two retrievers.  The weights let
dense retrieval lead: BM25 over Danish stems finds nothing for an English
question, and equal weighting would then let its noise dilute the dense list.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

import numpy as np

from .config import Settings
from .embedders import Embedder
from .store import StoredIndex
from .tokens import tokenize

Mode = Literal["hybrid", "dense", "bm25"]


@dataclass(frozen=True)
class Hit:
    row: int                      # chunk position in the index
    score: float                  # fused score (or the single retriever's score)
    dense_score: float | None = None
    bm25_score: float | None = None


class Retriever:
    """Search one loaded index version.  Built lazily, reused across questions."""

    def __init__(self, index: StoredIndex, embedder: Embedder, settings: Settings):
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self._faiss = None
        self._bm25 = None

    # -- building blocks -------------------------------------------------
    def _dense_index(self):
        if self._faiss is None:
            import faiss

            self._faiss = faiss.IndexFlatIP(self.index.vectors.shape[1])
            self._faiss.add(self.index.vectors)
        return self._faiss

    def _bm25_index(self):
        if self._bm25 is None:
            from rank_bm25 import BM25Okapi

            self._bm25 = BM25Okapi(self.index.tokens)
        return self._bm25

    def rows_where(self, organisations: Iterable[str] | None = None,
                   doc_types: Iterable[str] | None = None) -> np.ndarray | None:
        """Chunk rows whose document matches the filters; None means no filter."""
        if not organisations and not doc_types:
            return None
        orgs = {o.casefold() for o in organisations or ()}
        types = set(doc_types or ())
        keep = []
        for row, chunk in enumerate(self.index.chunks):
            meta = self.index.documents[chunk.doc_id].meta
            if orgs and (meta.organisation or "").casefold() not in orgs:
                continue
            if types and meta.doc_type not in types:
                continue
            keep.append(row)
        return np.array(keep, dtype=np.int64)

    def dense(self, query_vec: np.ndarray, n: int, rows: np.ndarray | None) -> list[tuple[int, float]]:
        import faiss

        total = len(self.index.chunks) if rows is None else len(rows)
        n = min(n, total)
        if n == 0:
            return []
        params = None if rows is None else faiss.SearchParameters(sel=faiss.IDSelectorBatch(rows))
        scores, ids = self._dense_index().search(query_vec.reshape(1, -1), n, params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def keyword(self, query_tokens: list[str], n: int, rows: np.ndarray | None) -> list[tuple[int, float]]:
        if not query_tokens or not self.index.chunks:
            return []
        scores = self._bm25_index().get_scores(query_tokens)
        if rows is not None:
            masked = np.full_like(scores, -np.inf)
            masked[rows] = scores[rows]
            scores = masked
        top = np.argsort(-scores, kind="stable")[:n]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]

    def coverage(self, query_tokens: list[str]) -> float:
        """Share of the query's terms that occur in the indexed text.

        An English question against Danish documents matches only names and
        numbers; scaling BM25's weight by this share keeps its few, noisy
        matches from outvoting the dense ranking.
        """
        if not query_tokens or not self.index.chunks:
            return 0.0
        vocab = self._bm25_index().idf
        return sum(t in vocab for t in query_tokens) / len(query_tokens)

    # -- the search ------------------------------------------------------
    def search(self, question: str, k: int, rows: np.ndarray | None = None,
               mode: Mode = "hybrid", query_vec: np.ndarray | None = None) -> list[Hit]:
        s = self.settings
        pool = max(s.candidates, k)
        dense: list[tuple[int, float]] = []
        bm25: list[tuple[int, float]] = []
        if mode in ("hybrid", "dense"):
            if query_vec is None:
                query_vec = self.embedder.embed_query(question)
            dense = self.dense(query_vec, pool, rows)
        q_tokens = tokenize(question)
        if mode in ("hybrid", "bm25"):
            bm25 = self.keyword(q_tokens, pool, rows)
        if mode == "dense":
            return [Hit(r, sc, dense_score=sc) for r, sc in dense[:k]]
        if mode == "bm25":
            return [Hit(r, sc, bm25_score=sc) for r, sc in bm25[:k]]
        return self.fuse(dense, bm25, q_tokens, k)

    def fuse(self, dense: list[tuple[int, float]], bm25: list[tuple[int, float]],
             query_tokens: list[str], k: int) -> list[Hit]:
        """Weighted reciprocal rank fusion of the two ranked lists."""
        s = self.settings
        fused: dict[int, float] = {}
        bm25_weight = s.bm25_weight * (self.coverage(query_tokens) if s.bm25_coverage else 1.0)
        for weight, ranked in ((s.dense_weight, dense), (bm25_weight, bm25)):
            for rank, (row, _) in enumerate(ranked):
                fused[row] = fused.get(row, 0.0) + weight / (s.rrf_k + rank + 1)
        dense_of, bm25_of = dict(dense), dict(bm25)
        order = sorted(fused, key=lambda r: (-fused[r], r))[:k]
        return [Hit(r, fused[r], dense_of.get(r), bm25_of.get(r)) for r in order]
