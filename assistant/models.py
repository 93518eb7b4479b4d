"""The small typed objects that flow through the pipeline, defined once.

load -> :class:`ExtractedText` + :class:`Document`
chunk -> :class:`Chunk`
search -> :class:`Passage`
answer -> :class:`Answer`
"""
from __future__ import annotations

import bisect
from dataclasses import asdict, dataclass, field
from typing import Optional

DOC_TYPES = (
    "strategy", "summary", "hearing_response", "committee_case", "news", "letter", "other",
)


def page_at(page_starts: tuple[int, ...], offset: int) -> Optional[int]:
    """1-based page number holding ``offset``, or None for unpaged formats."""
    if not page_starts:
        return None
    return max(1, bisect.bisect_right(page_starts, offset))


@dataclass(frozen=True)
class ExtractedText:
    """What a loader gets out of one file.

    ``text`` is normalised (NFC, plain spaces, ``\\n`` line ends); every offset
    in the index points into exactly this string.  ``page_starts[i]`` is the
    offset where page ``i + 1`` begins (PDF only; empty otherwise).
    ``headings`` are texts the file itself marks as headings (DOCX heading
    styles, HTML ``<h1>``-``<h6>``), a hint for the chunker.
    """

    text: str
    page_starts: tuple[int, ...] = ()
    headings: tuple[str, ...] = ()
    title: Optional[str] = None  # title stored in the file's own metadata, if any
    # What the reader should know but did not stop indexing (hidden text that
    # was dropped, say); shown in the indexing report, never fatal.
    warnings: tuple[str, ...] = ()

    def page_at(self, offset: int) -> Optional[int]:
        return page_at(self.page_starts, offset)


@dataclass(frozen=True)
class DocumentMeta:
    """Metadata of one document.  ``None`` means unknown: we never guess."""

    title: Optional[str] = None
    organisation: Optional[str] = None
    doc_type: Optional[str] = None
    date: Optional[str] = None          # ISO 8601: YYYY-MM-DD, YYYY-MM or YYYY
    case_number: Optional[str] = None


@dataclass(frozen=True)
class Document:
    doc_id: str                 # path relative to the documents folder, POSIX style
    source_path: str            # absolute path of the file when indexed
    content_hash: str           # sha256 of file bytes (+ sidecar bytes)
    meta: DocumentMeta
    text: str
    page_starts: tuple[int, ...] = ()
    # what reading it noticed ("hidden text dropped: ..."): kept with the index so
    # the index panel shows it after the run that found it
    warnings: tuple[str, ...] = ()

    def page_at(self, offset: int) -> Optional[int]:
        return page_at(self.page_starts, offset)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["page_starts"] = list(self.page_starts)
        d["warnings"] = list(self.warnings)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Document":
        return cls(
            doc_id=d["doc_id"], source_path=d["source_path"], content_hash=d["content_hash"],
            meta=DocumentMeta(**d["meta"]), text=d["text"],
            page_starts=tuple(d.get("page_starts", ())),
            warnings=tuple(d.get("warnings", ())),
        )


@dataclass(frozen=True)
class Chunk:
    """A retrievable unit: ``text == document.text[start:end]`` exactly.

    ``section`` is the nearest heading above the chunk; it is prepended to the
    text that is embedded and keyword-indexed, so a heading travels with every
    chunk under it even when the section is split.
    """

    chunk_id: str               # "<doc_id>#<n>"
    doc_id: str
    start: int
    end: int
    text: str
    section: Optional[str] = None
    page: Optional[int] = None
    page_end: Optional[int] = None

    @property
    def spans_pages(self) -> bool:
        """Whether the chunk runs over a page break (its citation names a range)."""
        return bool(self.page) and self.page_end not in (None, self.page)

    @property
    def index_text(self) -> str:
        """Text given to the embedder and BM25: heading + body."""
        if self.section and not self.text.startswith(self.section):
            return f"{self.section}\n{self.text}"
        return self.text


@dataclass(frozen=True)
class LoadFailure:
    """A file that was not indexed, and why (shown to the user, never hidden)."""

    path: str
    reason_code: str
    reason: str


@dataclass(frozen=True)
class Passage:
    """A chunk returned for a question, with its document's metadata."""

    rank: int
    chunk: Chunk
    document: Document
    score: float
    highlights: tuple[tuple[int, int], ...] = ()  # matched sentences, document offsets

    def quote(self) -> str:
        """Its first matched sentence (or the whole passage), on one line."""
        s, e = self.highlights[0] if self.highlights else (self.chunk.start, self.chunk.end)
        return " ".join(self.document.text[s:e].split())

    def page_of(self, offset: int | None = None) -> Optional[int]:
        """The page of ``offset`` (default: the first matched sentence) when this
        passage runs over a page break, so its citation names a range; else None."""
        if not self.chunk.spans_pages:
            return None
        if offset is None:
            offset = self.highlights[0][0] if self.highlights else self.chunk.start
        return self.document.page_at(offset)

    def in_context(self, chars: int = 700) -> tuple[str, str, str]:
        """The passage with up to ``chars`` characters of its document on each
        side, cut at paragraph or word boundaries: (before, passage, after)."""
        text, start, end = self.document.text, self.chunk.start, self.chunk.end
        lo, hi = max(0, start - chars), min(len(text), end + chars)
        if lo > 0:
            cut = text.find("\n", lo, start)
            lo = cut + 1 if cut >= 0 else (text.find(" ", lo, start) + 1 or lo)
        if hi < len(text):
            cut = text.rfind("\n", end, hi)
            hi = cut if cut >= 0 else (text.rfind(" ", end, hi) if text.rfind(" ", end, hi) > 0 else hi)
        return text[lo:start], text[start:end], text[end:hi]

    def to_dict(self) -> dict:
        m = self.document.meta
        return {
            "rank": self.rank, "doc_id": self.chunk.doc_id,
            "source_path": self.document.source_path, "title": m.title or self.chunk.doc_id,
            "organisation": m.organisation, "doc_type": m.doc_type,
            "page": self.chunk.page, "section": self.chunk.section,
            "start": self.chunk.start, "end": self.chunk.end, "text": self.chunk.text,
            "score": round(float(self.score), 6),
            "highlights": [list(h) for h in self.highlights],
        }


@dataclass(frozen=True)
class Finding:
    """One organisation's row in a comparison: its most relevant passages, or
    none when its documents say nothing on the topic."""

    organisation: str
    passages: tuple[Passage, ...]
    best: Optional[float] = None   # its best statement's similarity to the topic
    in_passing: bool = False       # every quote a title, a list item or a question

    @property
    def silent(self) -> bool:
        return not self.passages

    @property
    def outranked(self) -> bool:
        """Silent, though its documents use the topic's words: its best
        statement fell short of the others' (Slagelse's case lists the theme
        "Sikkerhed og tilgængelighed" without saying anything on security)."""
        return self.silent and self.best is not None

    def to_dict(self) -> dict:
        return {"organisation": self.organisation, "silent": self.silent,
                "outranked": self.outranked, "in_passing": self.in_passing,
                "passages": [p.to_dict() for p in self.passages]}


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    passages: tuple[Passage, ...] = ()
    no_source_for: Optional[str] = None   # municipality asked about with no documents
    language: str = "da"
    filters: dict = field(default_factory=dict)
    # set only when a language model wrote ``answer`` (its name) or was asked and
    # could not be used or had sentences removed (why, in the answer's language)
    generated_by: Optional[str] = None
    generation_note: Optional[str] = None
    comparison: tuple[Finding, ...] = ()  # set when the question compares organisations
    # the question's topic words when none occurs in the documents: the passages
    # are only the closest ones, nothing is quoted as the answer
    not_in_documents: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        d = {
            "question": self.question, "answer": self.answer,
            "no_source_for": self.no_source_for,
            "passages": [p.to_dict() for p in self.passages],
        }
        if self.generated_by is not None:
            d["generated_by"] = self.generated_by
        if self.generation_note is not None:
            d["generation_note"] = self.generation_note
        if self.comparison:
            d["comparison"] = [f.to_dict() for f in self.comparison]
        if self.not_in_documents:
            d["not_in_documents"] = list(self.not_in_documents)
        return d
