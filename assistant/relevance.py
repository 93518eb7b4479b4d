"""Whether the documents speak to a question at all, and merging two rankings.

Split from :mod:`assistant.api`: the checks that keep an answer from quoting
passages that are only close in wording.  "Hvad siger Aalborg om vindmøller?"
finds Aalborg's statements close to its frame ("Hvad siger Aalborg om ..."),
yet no document mentions wind turbines: when none of a question's topic words
occurs in the documents, the closest passages are offered to look through and
nothing is quoted as the answer.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Callable, Iterable

import numpy as np

from .answer import ScoredSentence
from .gazetteer import Municipality, find_mentions
from .glossary import english_words, glossary_words
from .models import Passage
from .search import Retriever
from .tokens import tokenize

# On the question sets, English questions whose topic words the glossary does
# not know reach a cosine of 0.835 when answerable (own set: family doctors)
# and at most 0.808 when the corpus holds nothing on them (20 off-topic
# questions, see README): the floor (0.78) plus 0.04 sits between.
ENGLISH_MARGIN = 0.04


def absent_topic(retriever: Retriever, query: str, terms: list[str], lang: str,
                 closest: Callable[[], float], floor: float | None,
                 rows: np.ndarray | None = None) -> tuple[str, ...]:
    """The question's topic words when none of them occurs in the documents
    searched (``rows``: a municipality's, say; None: all) nor, for an English
    question, their Danish glossary words; else ().

    ``terms`` are the query's keyword tokens, ``closest()`` gives the best
    passage cosine (asked only for an English question whose topic words are
    all missing) and ``floor`` is the embedder's relevance floor.  An English
    word the glossary does not know may be missing only from the glossary, so
    then the closest passage must also be no nearer than the floor plus
    :data:`ENGLISH_MARGIN` (without a calibrated floor, never).  When the
    glossary knows every topic word ("security": sikkerhed, it-sikkerhed ...)
    and none of its Danish words occurs, the question is as unanswered as a
    Danish one: "What does KL think about security?" (KL never mentions it)."""
    found, missing = retriever.lexicon().topic_terms(terms, rows, english_words(query, lang))
    if found or not missing:
        return ()
    known, asked = glossary_words(query), re.findall(r"\w[\w-]*", query)
    # the words asked in, or (a word the index drops, like "AI") those the glossary knows
    words = tuple(dict.fromkeys(w for w in asked if set(tokenize(w)) & set(missing))) or \
        tuple(w for w in asked if w.lower() in known)
    if lang == "en" and any(w.lower() not in known for w in words) and (
            floor is None or closest() >= floor + ENGLISH_MARGIN):
        return ()
    return words


def naming_sentences(retriever: Retriever, passages: list[Passage],
                     scored: list[ScoredSentence], municipalities: Iterable[Municipality],
                     terms: list[str]) -> tuple[list[Passage], list[ScoredSentence]]:
    """For a municipality without documents that others' documents name: the
    passages and sentences that name it, and the question's topic if it has
    one, renumbered.  "Hvornår er dialogmødet i Vejle?" quotes KL's letter on
    the meetings in København and Vejle; "What does Copenhagen say about
    data?" quotes nothing, as no sentence names both."""
    wanted = set(municipalities)
    lexicon = retriever.lexicon()
    found, missing = lexicon.topic_terms(terms)
    forms = {f for t in found for f in lexicon.forms(t)}
    keep = []
    for s in scored:
        text = passages[s.passage].document.text[s.start:s.end]
        if (any(m.municipality in wanted for m in find_mentions(text))
                and (not (found or missing) or set(tokenize(text)) & forms)):
            keep.append(s)
    order = sorted({s.passage for s in keep})
    new = {old: i for i, old in enumerate(order)}
    return ([replace(passages[old], rank=i + 1) for i, old in enumerate(order)],
            [replace(s, passage=new[s.passage]) for s in keep])


def quoted(words: Iterable[str]) -> str:
    return ", ".join(f"«{w}»" for w in words)


def interleave(first: list, second: list, k: int) -> list:
    """Hits of two rankings alternately (first's first), each row once, ``k`` at most."""
    out, seen = [], set()
    for pair in zip(first + [None] * len(second), second + [None] * len(first)):
        for hit in pair:
            if hit is not None and hit.row not in seen:
                seen.add(hit.row)
                out.append(hit)
    return out[:k]
