"""The ten themes of KL's joint-municipal digitalisation strategy 2016-2020.

"Lokal og digital – et sammenhængende Danmark" has ten themes (the documents
list them: Slagelse's case numbers them 1-10, Aalborg's hearing response
comments on each in turn).  This module is the tagger:
:class:`ThemeTagger` / :func:`tag_chunks` say which themes each chunk of an
index *addresses* (0, 1 or more), for a theme filter and a per-theme
overview, cached per index version.  A theme *named* in a question ("tema 4",
"the security theme") is :mod:`assistant.themes_query`; the theme data is
:mod:`assistant.themes_data`.

What "addresses" means (the rule the hand labels in
``benchmarks/theme_labels.jsonl`` follow): the chunk says something about the
theme's subject as the strategy describes it — a section on the theme, a
comment on it, or a passage on its substance under another heading (the
strategy's goal 2, "the state must secure the digital infrastructure and
mobile/broadband coverage", is theme 1's subject).  A chunk that only
*enumerates* the ten titles is an overview and addresses none of them
(:meth:`ThemeTagger.overviews` finds those); "målsætning 2" is one of the
strategy's four goals, never theme 2.

How the tagger decides (see :meth:`ThemeTagger.tags`), per document in order:

1. Explicit, by structure: a chunk whose section heading is a theme title
   (stemmed, fuzzy: most of the title's content stems) belongs to that theme;
   the theme carries over to the following chunks of the same section and to
   sub-headings that refer back to it ("Temaet lægger vægt på", "Afsnittet
   ..."); any other heading ends it.  "tema 4" / "temaet 4" / "theme 4" in
   the text also tags 4.  A title quoted in the text tags its theme unless the
   chunk enumerates three or more titles (an overview: no tags at all).
2. Semantic: each statement vector of the chunk (``index.statements(row)``)
   against each theme's description vectors (Danish and English, embedded
   once per embedder as e5 "passage" texts: on the tuning half they beat
   "query" texts, micro-F1 1.00 vs 0.96).  A theme is tagged when a
   statement's cosine to it is at least ``sim_floor`` *and* beats that
   statement's mean over all ten themes by ``margin`` (e5 cosines are
   compressed into 0.7-0.9, the margin is what separates topics).
3. Keywords: ``min_keywords`` distinct theme keyword stems in the chunk's
   BM25 tokens (``index.tokens``; compound-aware: a long stem may sit inside
   a Danish compound, "datasikkerheden").

Inside a theme's own section (rule 1) another theme needs both semantic and
keyword evidence, so a section's passing mentions do not spread it; outside
any theme section one kind of evidence is enough only when it is strong, and
semantic + keyword agreement otherwise.  Thresholds were tuned on the even
rows of the labelled set and checked on the odd rows (``python -m
benchmarks.themes_eval``).  Everything is matrix products over precomputed
vectors and set look-ups: ~1,000 chunks take a few milliseconds beyond the
ten-odd theme description embeddings, which are computed once per embedder.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from .themes_data import THEMES
from .tokens import tokenize

if TYPE_CHECKING:  # pragma: no cover
    from .embedders import Embedder
    from .store import StoredIndex


_RAW_WORD = re.compile(r"\w+(?:[-.]\w+)*", re.UNICODE)   # as assistant.tokens.words


@lru_cache(maxsize=65536)
def _word_stems(word: str) -> tuple[str, ...]:
    return tuple(tokenize(word))


def _stems(text: str) -> list[str]:
    """``tokenize(text)``, word by word through a cache (tokenize treats words
    independently, so this is the same list, much faster on repeated words)."""
    out: list[str] = []
    for word in _RAW_WORD.findall(text.lower()):
        out.extend(_word_stems(word))
    return out


@lru_cache(maxsize=1)
def _title_stems() -> dict[int, tuple[frozenset[str], ...]]:
    """Content stems of each theme's Danish and English title."""
    return {t.number: (frozenset(_stems(t.title_da)), frozenset(_stems(t.title_en)))
            for t in THEMES}


def title_in(stems: set[str] | frozenset[str], *, coverage: float = 0.75) -> list[int]:
    """Themes whose title (Danish or English) is covered by ``stems`` to at least
    ``coverage`` of its distinct content stems (and at least two of them, or the
    whole title when it has fewer: "Borgerbetjening 3.0")."""
    found = []
    for n, titles in _title_stems().items():
        for title in titles:
            hit = len(title & stems)
            if hit >= min(2, len(title)) and hit >= coverage * len(title):
                found.append(n)
                break
    return found


@lru_cache(maxsize=4096)
def heading_theme(heading: str | None) -> int | None:
    """The theme a section heading is the title of, or None.

    The heading must be mostly title: at least 75 % of a title's stems, and at
    least 60 % of the heading's stems belong to that title.
    """
    if not heading:
        return None
    stems = set(_stems(heading))
    if not stems:
        return None
    best, best_cover = None, 0.0
    for n, titles in _title_stems().items():
        for title in titles:
            hit = len(title & stems)
            cover = hit / len(title)
            if hit >= min(2, len(title)) and cover >= 0.75 and hit / len(stems) >= 0.6 \
                    and cover > best_cover:
                best, best_cover = n, cover
    return best


# Sub-headings that refer back to the section's theme: "Temaet lægger vægt på",
# "Afsnittet handler om", "Dette afsnit ..."
_ANAPHORIC_HEADING = re.compile(r"^\s*(?:temaet|afsnittet|dette\s+(?:tema|afsnit)|the\s+theme)\b",
                                re.IGNORECASE)
# "tema 4", "temaet 4", "tema nr. 4", "theme 4", "theme no. 4"
_THEME_NUMBER = re.compile(
    r"\b(?:tema(?:et)?|theme)\s*(?:nr\.?|no\.?|number|nummer|#)?\s*(\d{1,2})\b", re.IGNORECASE)


def numbered_themes(text: str) -> list[int]:
    """Theme numbers referred to as "tema 4"/"theme 4" (never "målsætning 2")."""
    return sorted({int(m.group(1)) for m in _THEME_NUMBER.finditer(text)
                   if 1 <= int(m.group(1)) <= len(THEMES)})


@lru_cache(maxsize=1)
def _keyword_index() -> tuple[dict[int, frozenset[str]], dict[int, tuple[tuple[str, ...], ...]],
                              tuple[tuple[int, str], ...]]:
    """Per theme: single keyword stems and multi-word keyword stems; and the long
    single stems (theme, stem) that may also sit inside a compound."""
    single: dict[int, frozenset[str]] = {}
    phrases: dict[int, tuple[tuple[str, ...], ...]] = {}
    long: list[tuple[int, str]] = []
    for t in THEMES:
        one: set[str] = set()
        many: set[tuple[str, ...]] = set()
        for word in t.keywords_da + t.keywords_en:
            toks = _stems(word)
            if len(toks) == 1:
                one.add(toks[0])
            elif toks:
                many.add(tuple(toks))          # a phrase: all its stems must occur
        single[t.number] = frozenset(one)
        phrases[t.number] = tuple(sorted(many))
        long += [(t.number, k) for k in sorted(one) if len(k) >= _COMPOUND_MIN]
    return single, phrases, tuple(long)


_COMPOUND_MIN = 6   # a keyword stem this long may sit inside a compound ("datasikkerhed")


@lru_cache(maxsize=65536)
def _compound_keys(token: str) -> tuple[tuple[int, str], ...]:
    """(theme, keyword stem) pairs of the long keyword stems inside ``token``."""
    return tuple((n, k) for n, k in _keyword_index()[2] if k in token)


def keyword_hits(tokens: list[str] | set[str]) -> dict[int, int]:
    """Distinct keyword stems of each theme found among ``tokens`` (stemmed)."""
    toks = set(tokens)
    single, phrases, _ = _keyword_index()
    found: dict[int, set[str]] = {n: set(single[n] & toks) for n in single}
    for tok in toks:
        for n, k in _compound_keys(tok):
            found[n].add(k)
    return {n: len(found[n]) + sum(all(k in toks for k in ph) for ph in phrases[n])
            for n in found}


@lru_cache(maxsize=1)
def _title_stem_union() -> frozenset[str]:
    return frozenset().union(*(s for titles in _title_stems().values() for s in titles))


def titles_in_lines(text: str, stems: set[str] | frozenset[str]) -> set[int]:
    """Themes whose title is quoted on one line of ``text`` (``stems``: the
    text's stems, a cheap pre-check: most chunks cannot cover any title)."""
    if not title_in(stems):
        return set()
    union = _title_stem_union()
    found: set[int] = set()
    for line in text.splitlines():
        if line.strip():
            line_stems = set(_stems(line)) & union
            if len(line_stems) >= 2 or any("." in s for s in line_stems):
                found.update(title_in(line_stems))
    return found


# --------------------------------------------------------------------------
# Tagging chunks
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class TaggerParams:
    # Grid-searched on the tuning half of benchmarks/theme_labels.jsonl
    # (benchmarks/themes_eval.py --grid); "passage" beat "query" there.
    sim_floor: float = 0.85          # a statement's cosine to the theme ...
    margin: float = 0.025            # ... and its lead over the statement's mean over themes
    strong_margin: float = 0.06      # semantic evidence enough on its own (outside a section)
    min_keywords: int = 2            # keyword evidence: distinct keyword stems
    strong_keywords: int = 3         # keyword evidence enough on its own (outside a section)
    overview_titles: int = 3         # a chunk naming this many titles is an overview
    kind: str = "passage"            # how theme descriptions are embedded
    # ablations (the evaluation script switches evidence off one kind at a time)
    use_structure: bool = True
    use_semantic: bool = True
    use_keywords: bool = True


DEFAULT_PARAMS = TaggerParams()


def theme_texts() -> list[tuple[int, str]]:
    """(theme, text) pairs embedded as each theme's description vectors."""
    out = []
    for t in THEMES:
        out.append((t.number, f"{t.title_da}. {t.description_da}"))
        out.append((t.number, f"{t.title_en}. {t.description_en}"))
    return out


_BLOCK = 65_536     # statement vectors scored at a time


def _best_per_theme(block: np.ndarray, vecs: np.ndarray, owner: np.ndarray,
                    n_themes: int) -> np.ndarray:
    """Each row's best cosine with any of each theme's vectors: ``(len(block), n_themes)``."""
    raw = block @ vecs.T
    out = np.empty((len(block), n_themes), dtype=np.float32)
    for t in range(n_themes):
        out[:, t] = raw[:, owner == t + 1].max(axis=1) if len(block) else 0
    return out


class ThemeTagger:
    """Theme tags of an index's chunks, cached per index version.

        tagger = ThemeTagger(embedder)
        tags = tagger.tags(index)          # list[frozenset[int]], one per chunk row
        rows = tagger.rows(index, 4)       # np.ndarray of the rows tagged 4

    The theme descriptions are embedded once per tagger (ten-odd texts);
    tagging itself needs no model.  Thread-safe.
    """

    def __init__(self, embedder: "Embedder", params: TaggerParams = DEFAULT_PARAMS):
        self.embedder = embedder
        self.params = params
        self._theme_vecs: np.ndarray | None = None
        self._theme_of_vec: np.ndarray | None = None
        self._cache: dict[str, tuple[list[frozenset[int]], frozenset[int]]] = {}
        self._lock = threading.Lock()

    def theme_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(vectors, theme number of each vector)."""
        if self._theme_vecs is None:
            pairs = theme_texts()
            vecs = self.embedder.embed_batch([t for _, t in pairs], self.params.kind)
            self._theme_of_vec = np.array([n for n, _ in pairs], dtype=np.int64)
            self._theme_vecs = np.asarray(vecs, dtype=np.float32)
        return self._theme_vecs, self._theme_of_vec

    def tags(self, index: "StoredIndex") -> list[frozenset[int]]:
        """The themes each chunk of ``index`` addresses (row order)."""
        return self._tagged(index)[0]

    def overviews(self, index: "StoredIndex") -> frozenset[int]:
        """Rows that enumerate the themes (untagged: they address none of them)."""
        return self._tagged(index)[1]

    def rows(self, index: "StoredIndex", theme: int) -> np.ndarray:
        """Rows tagged with ``theme``, ascending."""
        return np.array([i for i, t in enumerate(self.tags(index)) if theme in t],
                        dtype=np.int64)

    def _tagged(self, index):
        key = index.version
        with self._lock:
            hit = self._cache.get(key)
            if hit is None:
                hit = self._compute(index)
                self._cache = {key: hit}     # only the live version is kept
            return hit

    # The per-chunk evidence, exposed for the evaluation script.
    def semantic_scores(self, index: "StoredIndex") -> tuple[np.ndarray, np.ndarray]:
        """(best cosine, best lead over the statement's mean) per chunk and theme,
        both ``(n_chunks, 10)``; chunks without statements use their chunk vector."""
        vecs, owner = self.theme_vectors()
        n_themes = len(THEMES)
        n = len(index.chunks)
        sv = index.sentence_vectors
        n_sv = 0 if sv is None else len(sv)
        counts = np.diff(index.sentence_first)
        # rows without statements: their chunk vector stands in
        empty = np.flatnonzero(counts == 0)
        # a block at a time: at 100k chunks the statements alone are 585,000 x 384
        parts = [_best_per_theme(sv[lo:lo + _BLOCK], vecs, owner, n_themes)
                 for lo in range(0, n_sv, _BLOCK)]
        if len(empty):
            parts.append(_best_per_theme(index.vectors[empty], vecs, owner, n_themes))
        rows = np.concatenate([index.sentence_owner, empty]) if len(empty) else index.sentence_owner
        per_theme = np.concatenate(parts) if parts else np.empty((0, n_themes), dtype=np.float32)
        lead = per_theme - per_theme.mean(axis=1, keepdims=True)
        # the lead counts only where the statement also clears the floor
        lead = np.where(per_theme >= self.params.sim_floor, lead, -1.0).astype(np.float32)
        best_sim = np.full((n, n_themes), -1.0, dtype=np.float32)
        best_lead = np.full((n, n_themes), -1.0, dtype=np.float32)
        if len(per_theme):
            order = np.argsort(rows, kind="stable")          # group the rows' statements
            rows_sorted = rows[order]
            starts = np.flatnonzero(np.r_[True, rows_sorted[1:] != rows_sorted[:-1]])
            owners = rows_sorted[starts]
            best_sim[owners] = np.maximum.reduceat(per_theme[order], starts, axis=0)
            best_lead[owners] = np.maximum.reduceat(lead[order], starts, axis=0)
        return best_sim, best_lead

    def _compute(self, index):
        p = self.params
        n_themes = len(THEMES)
        _, lead = self.semantic_scores(index)
        tags: list[frozenset[int]] = []
        overviews: set[int] = set()
        current: int | None = None        # theme of the section we are in
        last_doc, last_section = None, None
        for row, chunk in enumerate(index.chunks):
            if chunk.doc_id != last_doc:
                current, last_section = None, None
                last_doc = chunk.doc_id
            section = chunk.section
            if not p.use_structure:
                current = None
            elif section != last_section:
                heading = heading_theme(section)
                if heading is not None:
                    current = heading
                elif not (section and _ANAPHORIC_HEADING.match(section)):
                    current = None
                last_section = section
            toks = index.tokens[row]
            text_stems = set(toks)
            # titles quoted in the text, counted line by line (a list of titles)
            titled = titles_in_lines(chunk.text, text_stems)
            if p.use_structure and len(titled) >= p.overview_titles:
                overviews.add(row)
                tags.append(frozenset())
                continue
            found: set[int] = set()
            if p.use_structure:
                found |= titled | set(numbered_themes(chunk.text))
                if current is not None:
                    found.add(current)
            kw = keyword_hits(text_stems)
            for t in range(1, n_themes + 1):
                if t in found:
                    continue
                sem = lead[row, t - 1] >= p.margin
                key = kw[t] >= p.min_keywords
                if not p.use_semantic or not p.use_keywords:    # one kind of evidence alone
                    ok = (p.use_semantic and sem) or (p.use_keywords and key)
                elif current is not None:
                    ok = sem and key                    # inside another theme's section
                else:
                    ok = (sem and key) or lead[row, t - 1] >= p.strong_margin \
                        or kw[t] >= p.strong_keywords
                if ok:
                    found.add(t)
            tags.append(frozenset(found))
        return tags, frozenset(overviews)


def tag_chunks(index: "StoredIndex", embedder: "Embedder",
               params: TaggerParams = DEFAULT_PARAMS) -> list[frozenset[int]]:
    """The themes each chunk of ``index`` addresses; see :class:`ThemeTagger`.

    One-off convenience: keep a :class:`ThemeTagger` to reuse its theme vectors
    and its per-version cache.
    """
    return ThemeTagger(embedder, params).tags(index)
