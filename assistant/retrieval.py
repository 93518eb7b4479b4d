"""The search stage of a question: its scope (the organisations it names, a
filter, a place it mentions), its theme, a goal it names by number and a part
of a document it asks for, turned into ranked passages; and whether anything
found is on its topic.  ``Assistant.ask`` answers from what this returns."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

import numpy as np

from .gazetteer import lookup
from .goals import with_goal_words
from .kinds import Kind, part_asked, rows_holding
from .models import Passage
from .query import QueryAnalysis
from .relevance import absent_topic, interleave
from .scope import question_scope
from .search import Mode, Retriever
from .store import StoredIndex
from .themes_query import theme_query

if TYPE_CHECKING:
    from .api import Assistant

PART_SCAN = 2000    # chunks read whole for a part of a document asked for ...
PART_POOL = 200     # ... else the best of them by the question


@dataclass(frozen=True)
class Retrieval:
    """What was searched and found for one question."""

    passages: list[Passage]
    analysis: QueryAnalysis
    missing: list[str]            # municipalities asked about that have no documents
    query: str                    # what was searched (the question minus municipality names)
    query_vec: np.ndarray | None
    relevant: bool                # anything in the index resembles the question
    rows: tuple[int, ...] = ()    # index rows of the passages ...
    index: StoredIndex | None = None  # ... in this index version (a reload may follow)
    themes: tuple[int, ...] = ()  # theme filter applied (given, or named in the question)
    unmatched: tuple[str, ...] = ()  # when no topic word occurs in the documents: those words
    scope: tuple[str, ...] | None = None  # searched only these organisations' documents
    mentions: bool = False        # searched where others name a municipality without documents
    terms: tuple[str, ...] = ()   # the question's keyword tokens (its topic when ``mentions``)
    excluded: tuple[str, ...] = ()  # named in the question, left out by the filter
    part_absent: str = ""         # the part of a document asked for, held by none searched


def canonical_orgs(names: Iterable[str] | None) -> list[str] | None:
    """'Aalborg' or 'aalborg kommune' -> 'Aalborg Kommune' (as stored)."""
    if not names:
        return None
    out = []
    for name in names:
        m = lookup(name)
        out.append(m.official if m else name)
    return out


def retrieve(bot: Assistant, question: str, analysis: QueryAnalysis, k: int, organisations,
             doc_types, mode: Mode, themes: Iterable[int] | None = None) -> Retrieval:
    """The ``k`` passages for ``question`` within the filters and the scope
    it names, and what the answer needs to know about them."""
    retriever = bot.retriever()
    scope = question_scope(question, analysis, canonical_orgs(organisations),
                           bot.organisations(), retriever.lexicon())
    missing, query, orgs, place = list(scope.missing), scope.query, scope.organisations, \
        scope.place
    if scope.nothing:
        return Retrieval([], analysis, missing, question, None, False,
                         themes=tuple(themes or ()), excluded=scope.excluded)
    query, themes = theme_query(question, query, themes, analysis.language)
    rows = retriever.rows_where(orgs, doc_types)
    if place is not None:
        rows = place if rows is None else np.intersect1d(rows, place)
    if themes:
        in_themes = bot.theme_rows(themes, retriever.index)
        rows = in_themes if rows is None else np.intersect1d(rows, in_themes)
    as_asked, query = query, with_goal_words(query, question)
    lang = analysis.language
    query_vec = bot.embed_query(query, lang) if mode != "bm25" else None
    hits = retriever.search(query, k, rows, mode, query_vec, lang)
    if query != as_asked:   # a goal named by number: its wording, then the words asked
        asked_vec = bot.embed_query(as_asked, lang) if mode != "bm25" else None
        hits = interleave(hits, retriever.search(as_asked, k, rows, mode, asked_vec, lang), k)
    part = part_asked(question) if mode == "hybrid" else None
    holding, part_absent = part_rows(retriever, part, rows, query, query_vec, lang)
    if holding is not None and len(holding):  # its signature, its recommendation ...
        hits = interleave(retriever.search(query, k, holding, mode, query_vec, lang), hits, k)
    index = retriever.index
    passages = [Passage(rank=i + 1, chunk=index.chunks[h.row],
                        document=index.documents[index.chunks[h.row].doc_id], score=h.score)
                for i, h in enumerate(hits)]
    # Relevant: the question has content words and either shares some with the
    # documents or is close enough in meaning to a passage.
    floor = bot.embedder.relevance_floor
    # the topic, not the name every passage found by its mention shares
    terms = retriever.keyword_tokens(analysis.topic if place is not None else query, lang)
    relevant = bool(terms) and (floor is None or retriever.coverage(terms) > 0
                                or any((h.dense_score or 0) >= floor for h in hits))

    def closest() -> float:
        return max((h.dense_score or 0.0 for h in hits), default=0.0)
    unmatched = absent_topic(retriever, query, terms, lang, closest, floor, rows)
    if unmatched and holding is not None and len(holding):   # the part asked for is there
        unmatched = absent_topic(retriever, query, _topic(terms, part, question), lang, closest,
                                 floor, rows)
    return Retrieval(passages, analysis, missing, query, query_vec, relevant,
                     tuple(h.row for h in hits), index, tuple(themes), unmatched,
                     tuple(orgs) if orgs else None, place is not None, tuple(terms),
                     part_absent=part_absent)


def part_rows(retriever: Retriever, part: Kind | None, rows: np.ndarray | None, query: str,
              query_vec: np.ndarray | None, lang: str, scan: int | None = None,
              pool: int | None = None) -> tuple[np.ndarray | None, str]:
    """The rows holding the part asked for, and its name when none does.

    Every chunk searched is read when they are few (up to ``scan``, default
    :data:`PART_SCAN`: a municipality's documents); else only the best
    ``pool`` (:data:`PART_POOL`) of them: reading every statement's heading
    of 100k chunks took 0.6-9 s.  Only a full reading may say the part is
    missing."""
    if part is None:
        return None, ""
    searched = len(retriever.index.chunks) if rows is None else len(rows)
    if searched <= (PART_SCAN if scan is None else scan):
        held = rows_holding(retriever.index, part, rows)
        return held, ("" if len(held) else part.name)
    best = retriever.search(query, PART_POOL if pool is None else pool, rows, "hybrid",
                            query_vec, lang)
    return rows_holding(retriever.index, part, [h.row for h in best]), ""


def _topic(terms: list[str], part: Kind | None, question: str) -> list[str]:
    """The question's terms less the words naming the part it asks for: where
    the part is found, "indstillingen" is no topic a case must mention (Horsens
    heads its recommendation "Forslag til beslutning" and was told it never
    mentions "indstillingen")."""
    if part is None:
        return terms
    naming = part.naming(question)
    return [t for t in terms if t not in naming]
