"""Overviews: a document's main points, quoted.

"Giv mig et overblik over Aalborgs høringssvar", "Summarise KL's letter": a
politician wants the gist of a document, not the passage nearest some words.
Nothing is written: the answer quotes the document's own statements, chosen
as a centroid summary chooses them (the statements closest to the mean of the
document's statement vectors, which were embedded at indexing time), with
two changes that suit these documents:

- a statement that takes a position counts for more ("Der savnes ...",
  "... er enig i ...", "bør", "foreslår", "opfordrer", "indstiller"): in a
  hearing response or a committee case that is what the reader is after,
  while the most central statements alone restate the strategy;
- near-duplicates are skipped, and asides are never chosen (headings, list
  titles, questions, lead-ins, lines of a few words).

The chosen statements are quoted in the order they stand in the document.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from . import messages
from .chunking import looks_like_heading
from .models import Document, Passage
from .sentences import is_closing, is_question, list_body
from .store import StoredIndex

POINTS_ONE = 6           # main points quoted for a single document
POINTS_EACH = 3          # ... for each of several
MAX_DOCUMENTS = 5        # documents covered in one overview
_STANCE_WEIGHT = 1.0     # in standard deviations of centrality
_NEAR_DUPLICATE = 0.93   # cosine between two statements saying the same
_MIN_WORDS = 6

_ASKS = re.compile(
    r"\b(overblik\w*|opsummer\w*|sammenfat\w*|resum[eé]\s+af|hovedpunkt\w*|hovedbudskab\w*|"
    r"vigtigste\s+pointer|kort\s+fortalt|summar(?:y|ies|ise|ize|ised|ized)|overview|"
    r"main\s+points|key\s+points|gist)\b", re.IGNORECASE)
# Which kind of document the question asks about ("Aalborgs høringssvar", "KL's letter").
_TYPES = {
    "hearing_response": r"høringssvar\w*|hearing\s+responses?",
    "letter": r"(?:hørings)?brev\w*|letters?",
    "news": r"nyhed\w*|pressemeddelelse\w*|news|press\s+releases?",
    "committee_case": r"udvalgssag\w*|dagsorden\w*|dagsordenspunkt\w*|sagen|committee\s+cases?|"
                      r"agenda\s+items?",
}
# ... named ("Aalborgs høringssvar"), or as where to look ("i pressemeddelelsen", "in its letter")
_NAMED = {t: re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE) for t, pattern in _TYPES.items()}
_LOOKED_IN = {t: re.compile(rf"\b(?:i|in)\s+(?:the\s+|its\s+|their\s+|sit\s+|sin\s+|deres\s+)?"
                            rf"(?:[\w.-]+['’]?s\s+)?(?:{pattern})\b", re.IGNORECASE)
              for t, pattern in _TYPES.items()}
_STANCE = re.compile(
    r"\b(mener|mente|prioriter\w*|enig\w*|uenig\w*|savne\w*|bør|burde|foreslå\w*|forslag\w*|"
    r"vigtig\w*|mangle\w*|anbefal\w*|ønske\w*|kritik\w*|positiv\w*|vurder\w*|opfordr\w*|"
    r"forvent\w*|nødvendig\w*|bekymr\w*|støtte\w*|godkend\w*|indstill\w*)\b", re.IGNORECASE)
_UNFINISHED = re.compile(r"\b(?:og|eller|samt|men|at|and|or)\s*$")   # a list item going on


@dataclass(frozen=True)
class Point:
    row: int        # the chunk it stands in
    start: int      # document offsets of the statement
    end: int


def takes_stance(sentence: str) -> bool:
    """Whether a statement takes a stance ("mener", "bør", "enig", "savnes" ...)."""
    return bool(_STANCE.search(sentence))


def asks_overview(question: str) -> bool:
    """Whether ``question`` asks for the gist of documents rather than a fact."""
    return bool(_ASKS.search(question))


def searched_in(question: str) -> tuple[list[str], str]:
    """The document types a question searches in ("Hvad står der i
    pressemeddelelsen om ...?", "What does KL write in its letter?"), not
    those it merely names ("fristen for høringssvar" is a topic), and the
    question without those words: they name where to look, not what."""
    types, rest = [], question
    for t, looked_in in _LOOKED_IN.items():
        if looked_in.search(rest):
            types.append(t)
            rest = looked_in.sub(" ", rest)
    return types, " ".join(rest.split())


def doc_types_named(question: str) -> list[str]:
    """The document types a question names ("høringssvar" -> hearing_response)."""
    return [t for t, named in _NAMED.items() if named.search(question)]


def key_points(index: StoredIndex, rows: np.ndarray, n: int) -> list[Point]:
    """Up to ``n`` main points among the statements of chunk ``rows`` (one
    document), in document order."""
    candidates: list[Point] = []
    vectors = []
    for row in rows:
        chunk = index.chunks[int(row)]
        text = index.documents[chunk.doc_id].text
        spans, vecs = index.statements(int(row))
        for (s, e), vec in zip(spans, vecs):
            if _is_point(text[s:e]):
                candidates.append(Point(int(row), s, e))
                vectors.append(vec)
    if not candidates:
        return []
    v = np.asarray(vectors, dtype=np.float32)
    centroid = v.mean(axis=0)
    centrality = v @ (centroid / (np.linalg.norm(centroid) or 1.0))
    spread = float(centrality.std()) or 1.0
    text = index.documents[index.chunks[candidates[0].row].doc_id].text
    score = (centrality - centrality.mean()) / spread + _STANCE_WEIGHT * np.array(
        [takes_stance(text[p.start:p.end]) for p in candidates], dtype=np.float32)
    chosen: list[int] = []
    for i in np.argsort(-score, kind="stable"):
        if any(float(v[i] @ v[j]) > _NEAR_DUPLICATE for j in chosen):
            continue
        chosen.append(int(i))
        if len(chosen) == n:
            break
    return sorted((candidates[i] for i in chosen), key=lambda p: p.start)


def _is_point(sentence: str) -> bool:
    """A statement that can stand as a main point: a whole sentence of some
    length, not a heading, list title, question or lead-in, nor a list item
    that finishes another sentence ("• nuværende digitaliseringsstrategi, som
    ...", "1. at Økonomiudvalget drøfter ... og"), nor a letter's closing."""
    body = list_body(sentence)
    return (len(body.split()) >= _MIN_WORDS and body[:1].isupper()   # not a list's tail
            and not body.endswith((":", ",")) and not is_question(body) and not is_closing(body)
            and not _UNFINISHED.search(body)
            and not looks_like_heading(body))


def overview_passages(index: StoredIndex, documents: list[Document],
                      rows_of: dict[str, np.ndarray]) -> list[tuple[Document, list[Passage]]]:
    """Each document's main points as passages (one per chunk holding a point,
    the points highlighted), numbered across the whole overview."""
    per_doc = POINTS_ONE if len(documents) == 1 else POINTS_EACH
    out, rank = [], 0
    for doc in documents:
        by_row: dict[int, list[Point]] = {}
        for point in key_points(index, rows_of[doc.doc_id], per_doc):
            by_row.setdefault(point.row, []).append(point)
        passages = []
        for row, points in by_row.items():
            rank += 1
            passages.append(Passage(rank=rank, chunk=index.chunks[row], document=doc, score=0.0,
                                    highlights=tuple((p.start, p.end) for p in points)))
        out.append((doc, passages))
    return out


def compose_overview(groups: list[tuple[Document, list[Passage]]], left_out: int,
                     lang: str) -> tuple[str, list[Passage]]:
    """The overview's text (a line per document, its points quoted and cited
    under it) and its passages."""
    lines = [messages.text("overview_intro", lang)]
    for doc, passages in groups:
        meta = doc.meta
        about = ", ".join(x for x in (meta.organisation,
                                      messages.doc_type_label(meta.doc_type, lang), meta.date) if x)
        lines.append(f"\n{meta.title or doc.doc_id}" + (f" ({about})" if about else "") + ":")
        if not passages:
            lines.append(f"- {messages.text('overview_no_points', lang)}")
        for p in passages:
            for s, e in p.highlights:
                quote = " ".join(doc.text[s:e].split())
                lines.append("- " + messages.cited_quote(quote, p.rank, p.page_of(s), lang))
    if left_out:
        lines.append("\n" + messages.text("overview_more", lang, n=left_out))
    return "\n".join(lines), [p for _, passages in groups for p in passages]


def overview(index: StoredIndex, rows: np.ndarray | None, lang: str) -> tuple[str, list[Passage]]:
    """The overview of the documents holding chunk ``rows`` (None: all), at
    most :data:`MAX_DOCUMENTS` of them (by organisation, then date): its text
    and passages, or a plain message when no document matches."""
    rows = np.arange(len(index.chunks)) if rows is None else rows
    rows_of: dict[str, list[int]] = {}
    for row in rows:
        rows_of.setdefault(index.chunks[int(row)].doc_id, []).append(int(row))
    documents = sorted((index.documents[d] for d in rows_of),
                       key=lambda d: (d.meta.organisation or "", d.meta.date or "", d.doc_id))
    if not documents:
        return messages.text("filter_empty" if index.chunks else "empty_index", lang), []
    shown = documents[:MAX_DOCUMENTS]
    groups = overview_passages(index, shown, {d: np.array(r) for d, r in rows_of.items()})
    return compose_overview(groups, len(documents) - len(shown), lang)
