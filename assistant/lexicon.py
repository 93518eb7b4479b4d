"""What the indexed words say about a question before anything is ranked:
which of its topic words the documents use (all of them, or those searched),
and which chunks name a municipality.

Split from :mod:`assistant.search`, which ranks; these checks decide whether
a ranking is an answer ("Hvad siger Aalborg om vindmøller?" finds Aalborg's
nearest passages, but no document uses the word) and where a municipality
without documents is named by others (KL's letter on the meetings in Vejle).
"""
from __future__ import annotations

import bisect
import os
import re
from typing import TYPE_CHECKING, Iterable, Sequence

import numpy as np

from .gazetteer import Municipality, find_mentions
from .models import Chunk
from .query import FRAME_WORDS
from .tokens import tokenize

if TYPE_CHECKING:
    from .search import KeywordIndex

ROOT, ENDING = 5, 4   # a shared root's letters at least, an ending's letters at most
MODIFIER = 6          # letters at least of a word found as the first part of a compound
# what goes on from a stem as a derivation, not as a compound's second word:
# "beslut" + "ningstema" is "beslutningstema", not "beslut" + a word
# the head of a body's name: "Økonomiudvalget" is a committee, not about the economy
_BODY = re.compile(r"s?(?:udvalg|forvaltning|direktør|afdeling|sekretariat)")
_SUFFIX = re.compile(r"(?:n?ing|n?ings|else|hed|lig|skab|isk|ende|ion|sion|tion|er|ere|et)")


class Lexicon:
    """The keyword index's vocabulary and postings, read for one index version."""

    def __init__(self, keywords: KeywordIndex, chunks: Sequence[Chunk],
                 organisations: Iterable[str]):
        self.keywords = keywords
        self.chunks = chunks
        # frame words and the organisations' own names say who is asked, not about what
        self.frame = frozenset(tokenize(f"{FRAME_WORDS} {' '.join(organisations)}"))
        self._sorted: list[str] | None = None

    def topic_terms(self, query_tokens: list[str], rows: np.ndarray | None = None,
                    literal: Iterable[str] = ()) -> tuple[list[str], list[str]]:
        """The question's topic terms (not :data:`FRAME_WORDS`, not an indexed
        organisation's name) split into those the documents contain and those
        they do not; with ``rows``, the documents searched (a municipality
        asked about, a filter) rather than the whole index.

        A term counts as contained when its compound head or another form of
        its root is.  Danish compounds end in their head word, so
        "informationssikkerhed" is found through "sikkerhed" (a head of at
        least five letters).  Forms of one root are not always stemmed alike by
        Snowball: "besluttede" -> "beslutted" but "beslutning" -> "beslutning",
        "drøftede" -> "drøfted" but "drøftet" -> "drøft".  So an indexed word
        counts when it shares at least :data:`ROOT` first letters with the term
        and each goes on for at most :data:`ENDING` more (an ending, not a
        second word).  A compound the term begins counts too, when the term has
        :data:`MODIFIER` letters or more: Aalborg's "mobil- og
        bredbåndsdækning" speaks of broadband, "konsulentudgifter" of
        consultants, and "Hvad siger Aalborg om bredbånd?" used to be told that
        Aalborg never mentions it.  A ``literal`` term (an English question's
        own word) counts only as written: "intelligence", stemmed as Danish, is
        no form of Aalborg's "intelligent".
        """
        topic = [t for t in dict.fromkeys(query_tokens) if t not in self.frame]
        literal = frozenset(literal)
        found = []
        for term in topic:
            forms = ([term] if term in self.keywords.vocab else []) if term in literal \
                else self.forms(term)
            if forms and (rows is None or self.keywords.occurs_in(forms, rows)):
                found.append(term)
        return found, [t for t in topic if t not in found]

    def _heads(self, term: str) -> list[str]:
        """``term`` and its compound heads of at least five letters that are
        indexed, longest first."""
        vocab = self.keywords.vocab
        return [term[i:] for i in range(max(len(term) - 4, 1)) if term[i:] in vocab]

    def keyword_query(self, query_tokens: list[str], rows: np.ndarray | None = None) -> list[str]:
        """BM25 terms with each word the documents never use (with ``rows``,
        the documents searched) replaced: a compound by its longest indexed
        head ("høringsfristen" searches "frist", where the letter says "Frist
        for svar på høringen"), else by the compounds it begins ("bredbånd":
        "bredbåndsdækning"), else by the other forms of its root ("besluttede"
        -> "beslutted": "beslutning"; "Hvad er indstillingen i Aalborg?":
        Aalborg's "indstiller").

        Only for words not indexed as they stand: splitting every compound, in
        the index and the questions, was measured and cost own-set MRR 0.005-0.04
        (README), adding every word's root forms cost hybrid MRR 0.011, while
        this leaves every question whose words are indexed as it was.
        """
        def searched(words: list[str]) -> list[str]:
            return words if rows is None else [w for w in words
                                               if self.keywords.occurs_in([w], rows)]
        return [form for term in query_tokens
                for form in (searched([term] if term in self.keywords.vocab else [])
                             or searched(self._heads(term))[:1]
                             or searched(self._compounds_of(term))
                             or searched(self._root_forms(term)))]

    def forms(self, term: str) -> list[str]:
        """The indexed words that count as ``term`` (see :meth:`topic_terms`)."""
        vocab = self.keywords.vocab
        if not vocab:
            return []
        return list(dict.fromkeys(self._heads(term) + self._root_forms(term)
                                  + self._compounds_of(term)))

    def _words(self) -> list[str]:
        if self._sorted is None:
            self._sorted = sorted(self.keywords.vocab)
        return self._sorted

    def _root_forms(self, term: str) -> list[str]:
        """Indexed words sharing ``term``'s root, each going on at most
        :data:`ENDING` letters past it ("beslutted" -> "beslutning")."""
        words, root = self._words(), term[:max(ROOT, len(term) - ENDING)]
        if len(root) < ROOT:
            return []
        at, forms = bisect.bisect_left(words, root), []
        while at < len(words) and words[at].startswith(root):
            if same_root(term, words[at]):
                forms.append(words[at])
            at += 1
        return forms

    def _compounds_of(self, term: str) -> list[str]:
        """Indexed compounds that ``term`` begins (see :func:`begins_compound`)."""
        words, out = self._words(), []
        at = bisect.bisect_left(words, term)
        while at < len(words) and words[at].startswith(term):
            if begins_compound(term, words[at]):
                out.append(words[at])
            at += 1
        return out

    def rows_mentioning(self, municipalities: Iterable[Municipality]) -> np.ndarray:
        """Chunks that name one of ``municipalities`` (as a place, a party ...):
        candidates from the keyword postings of their names, each confirmed
        by the gazetteer ("Vejle" is not "vejledning")."""
        wanted = set(municipalities)
        names = " ".join(n for m in wanted for n in (m.name, *m.aliases))
        return np.array([r for r in self.keywords.chunks_with(tokenize(names))
                         if any(x.municipality in wanted
                                for x in find_mentions(self.chunks[r].text))], dtype=np.int64)


def same_root(term: str, word: str) -> bool:
    """Whether ``word`` is a form of ``term``'s root: they share at least
    :data:`ROOT` letters and all of ``term`` but :data:`ENDING`, and ``word``
    goes on at most :data:`ENDING` letters past what they share
    ("ajourfør" and "ajourføring", "beslutted" and "beslutning")."""
    shared = len(os.path.commonprefix((term, word)))
    return shared >= max(ROOT, len(term) - ENDING) and len(word) - shared <= ENDING


def goes_on(term: str, word: str) -> bool:
    """Whether ``word`` is the whole ``term`` (of :data:`ROOT` letters or
    more) going on by at most :data:`ENDING` letters: "ajourfør" (the stem of
    "ajourføres") and "ajourføring"."""
    return len(term) >= ROOT and word.startswith(term) and len(word) - len(term) <= ENDING


def begins_compound(term: str, word: str) -> bool:
    """Whether ``word`` is a compound whose first part is ``term`` (of
    :data:`MODIFIER` letters or more): "bredbånd" begins "bredbåndsdækning",
    "konsulent" begins "konsulentudgift".  What follows must be longer than an
    ending and not a derivation ("beslut" + "ningstema" is "beslutningstema"),
    unless the derivation is the term's own, cut off by the stemmer, and a word
    follows it: "beskæftigelse" is stemmed "beskæftig", and Aalborg's
    "beskæftigelsesindsats" is "beskæftig" + "else" + "s" + "indsats".  A
    body named after its field is not about it: "Økonomiudvalget" is no
    answer to what the documents say about the economy."""
    rest = word[len(term):]
    if len(term) < MODIFIER or not word.startswith(term) or len(rest) <= ENDING \
            or _BODY.match(rest):
        return False
    derived = _SUFFIX.match(rest)
    return not derived or len(rest[derived.end():].removeprefix("s")) > ENDING + 1
