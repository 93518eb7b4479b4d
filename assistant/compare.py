"""Compare organisations: what each says on a topic, and who says nothing.

A question about several municipalities ("Hvordan forholder Aalborg og
Slagelse sig til ...", "Hvad siger kommunerne om sikkerhed?", "Which
municipalities mention welfare technology?") is answered per organisation:
the topic is searched within each organisation's documents, and the
organisation's best statement is quoted when it is about as relevant as the
best statement anyone made.

Relevance is relative, not absolute: e5 cosines of unrelated Danish text sit
around 0.80-0.85, so a fixed cosine cannot tell "says something" from "says
nothing".  An organisation counts as addressing the topic when its best
statement scores within ``GAP`` of the best statement of all organisations,
and its documents use at least one of the topic's words.  On the two question
sets (39 questions naming no municipality, each compared across all
organisations: 43 organisation x question pairs hold the evidence, 113 do not;
``benchmarks/compare_eval.py``) a gap of 0.02 keeps 39 of the 43; 0.03 keeps
42 but lets 58 of the other 113 speak instead of 38, mostly organisations
whose documents merely mention the words.  A direct statement on the topic
speaks within the wider ``DIRECT_GAP`` (see :func:`_best_statement`): 40 of
the 43 kept (36 quoting the evidence), 42 of the 113 others speaking.
"""
from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from .answer import score_sentences, shared_terms
from .gazetteer import lookup, name_mentions, other_organisations
from .glossary import english_words
from .kinds import Kind
from .models import Finding, Passage
from .overview import takes_stance
from .query import QueryAnalysis
from .retrieval import part_rows
from .search import Retriever
from .tokens import tokenize

GAP = 0.02
DIRECT_GAP = 0.05   # ... for a direct statement on the topic (see _best_statement)
PASSAGES_PER_ORGANISATION = 2
# a part of a document asked for (its recommendation, its decision): each
# organisation's chunks are read for it up to this many, else its best ones
PART_SCAN, PART_POOL = 100, 20

# "kommunernes"/"municipalities'" asks for each one's view only before a word
# for a view: "kommunernes holdning til ...", but "kommunernes rammearkitektur"
# (theme 5) and "the goal about municipalities' joint efforts" are topics.
_VIEWS_DA = (r"(?:holdning\w*|syn|svar|høringssvar\w*|mening\w*|kommentar\w*|bemærkning\w*|"
             r"vurdering\w*|tilbagemelding\w*|reaktion\w*)")
_VIEWS_EN = (r"(?:views?|opinions?|positions?|responses?|hearing responses|comments?|answers?|"
             r"reactions?|stances?|feedback)")
_ALL_MUNICIPALITIES = re.compile(
    rf"\b(kommunerne\b(?!s)|kommunernes\s+{_VIEWS_DA}\b|hvilke kommuner\b|alle kommuner\b|"
    rf"hver kommune\b|(?:the\s+)?municipalities'\s+{_VIEWS_EN}\b|the municipalities\b(?!')|"
    rf"which municipalities\b|all municipalities\b|each municipality\b)", re.IGNORECASE)
_ALL_ORGANISATIONS = re.compile(
    r"\b(organisationerne|alle organisationer|hvem siger|hvem nævner|"
    r"the organisations|which organisations|all organisations|who says|who mentions)\b",
    re.IGNORECASE)
# "Hvad skal kommunerne svare på i høringen?", "When must the municipalities
# respond?": what is asked of them, answered by KL's letter, not a comparison
# of what each says.
_ASKED_OF = re.compile(
    r"\b(?:skal|skulle|bør|burde|kan|kunne|må|måtte|should|must|shall|can|could|need to|"
    r"have to|are (?:asked|expected|required) to)\s+(?:alle\s+|all\s+)?(?:de\s+)?(?:the\s+)?"
    r"(?:\d+\s+)?(?:kommunerne|municipalities)\b"
    # ... or sent to them: "Who sent the letter to the municipalities?"
    r"|\b(?:sendt|sendte|sender|sent|sends)\b[^.?!]*\b(?:til|to)\s+(?:alle\s+|all\s+)?(?:the\s+)?"
    r"(?:\d+\s+)?(?:kommunerne|municipalities)\b", re.IGNORECASE)
_COMPARE = re.compile(r"\b(sammenlign\w*|compare\w*|forskel\w*|differ\w*)\b", re.IGNORECASE)


def comparison_scope(question: str, analysis: QueryAnalysis,
                     organisations: list[str]) -> list[str] | None:
    """The organisations a question asks to compare, or None for a plain question.

    Two or more municipalities named, or "kommunerne"/"the municipalities"
    (every municipality with documents), or "organisationerne"/"who says"
    (every organisation, KL too).  The party named first is the one asked
    about: "Which questions does KL ask the municipalities?" asks what KL says,
    "Hvad siger kommunerne om KL's forslag?" what the municipalities say.
    What the municipalities must do ("Hvad skal kommunerne svare på?") is
    asked of them, not of each one.
    """
    named = [m.official for m in analysis.municipalities]
    if len(named) >= 2:
        present = {o.casefold(): o for o in organisations}
        return [present[n.casefold()] for n in named if n.casefold() in present]
    if named and not _COMPARE.search(question):
        return None
    if _ALL_ORGANISATIONS.search(question):
        return list(organisations)
    every = _ALL_MUNICIPALITIES.search(question)
    if every and not _COMPARE.search(question) and _ASKED_OF.search(question):
        return None
    if every and not _COMPARE.search(question) and any(
            start < every.start() for start, _, _ in name_mentions(
                question, other_organisations(organisations))):
        return None
    if every or _COMPARE.search(question):
        return [o for o in organisations if lookup(o) is not None]
    return None


def comparison_words(question: str, lang: str) -> str | None:
    """How ``question`` names everyone it compares ("kommunerne", "the
    organisations"), for a follow-up that asks them about something else."""
    if _ALL_ORGANISATIONS.search(question):
        return "organisationerne" if lang == "da" else "the organisations"
    if _ALL_MUNICIPALITIES.search(question):
        return "kommunerne" if lang == "da" else "the municipalities"
    return None


# "kommunerne", "the municipalities": words that stand for a party and can be
# swapped for one ("og Fredensborg?" after "Hvad siger kommunerne om data?")
_PARTY_WORDS = re.compile(r"\b(?:kommunerne|organisationerne|the municipalities|the organisations)"
                          r"\b(?!['’])", re.IGNORECASE)


def with_parties(question: str, names: str) -> str | None:
    """``question`` asking ``names`` instead of everyone it compares, or None
    when it names everyone in a way that cannot be swapped ("Hvilke kommuner ...")."""
    if not _PARTY_WORDS.search(question):
        return None
    return _PARTY_WORDS.sub(names, question, count=1)


def topic_of(question: str) -> str:
    """The topic without the comparison words ("Hvad siger kommunerne om X" -> "Hvad siger om X")."""
    for pattern in (_ALL_MUNICIPALITIES, _ALL_ORGANISATIONS):
        question = pattern.sub(" ", question)
    return " ".join(question.split())


def _best_statement(query: str, query_vec: np.ndarray, index, row: int,
                    topic: set[str]) -> tuple[float, float]:
    """The cosine of the chunk's closest statement, and of its closest direct
    statement on the topic (-1 for none).  A chunk whose statements are all
    asides scores -1: a chunk of label lines ("Kompetence: Økonomiudvalget")
    does not make its organisation speak.  (Counting only the statements that
    are not asides kept 36 instead of 37 of the 41 evidence holders, with 40
    instead of 42 others speaking: KL's goal 2 fell behind its own lead-in.)

    A direct statement holds the ``topic`` term (as a word or a compound's
    head; the question's rarest topic term, so not "strategien") and takes a
    stance: "Horsens Kommune mener, at informationssikkerhed skal prioriteres
    højere." scored 0.843 for "Hvad siger kommunerne om sikkerhed?", 0.044
    below Aalborg's best, and Horsens was listed as having nothing as
    relevant."""
    chunk = index.chunks[row]
    doc = index.documents[chunk.doc_id]
    passage = Passage(rank=1, chunk=chunk, document=doc, score=0.0)
    scored = score_sentences(query, query_vec, [passage], [index.statements(row)])
    if all(s.aside for s in scored):
        return -1.0, -1.0
    direct = [s.cosine for s in scored if not s.aside and takes_stance(doc.text[s.start:s.end])
              and shared_terms(topic, tokenize(doc.text[s.start:s.end]))]
    return max(s.cosine for s in scored), max(direct, default=-1.0)


def compare(retriever: Retriever, query: str, query_vec: np.ndarray,
            organisations: list[str], doc_types=None, gap: float = GAP,
            floor: float | None = None, restrict: np.ndarray | None = None,
            lang: str | None = None, terms: list[str] | None = None,
            direct_gap: float = DIRECT_GAP, part: Kind | None = None) -> list[Finding]:
    """Each organisation's best passages on ``query``; silent ones get none.

    Asked for a ``part`` of a document ("Hvad er indstillingen i Aalborg og
    Slagelse?"), an organisation speaks with the best passage holding one,
    whatever the gap (each case has its own recommendation, none is more
    relevant than another), and is silent when a whole reading finds none.

    Passages are ranked 1..n across the whole comparison, in row order, so
    citations are unique; the matched sentence of each is highlighted.

    Given the question's keyword ``terms``, an organisation whose documents use
    none of those that occur in the index is silent whatever its cosines: the
    rule a single organisation asked about gets ("Dokumenterne fra Slagelse
    Kommune nævner ikke ..."), so "What do Aalborg and Fredensborg say about
    data?" no longer quotes Fredensborg's nearest lines about its own strategy.
    Topic words found nowhere (an English word the glossary lacks) decide
    nothing; the relative gap still does.
    """
    index = retriever.index
    lexicon = retriever.lexicon()
    literal = english_words(query, lang or "da")
    topic = lexicon.topic_terms(terms, literal=literal)[0] if terms else []
    # the topic term fewest chunks use: what a direct statement must hold
    rarest = {min(topic, key=lambda t: len(lexicon.keywords.chunks_with(lexicon.forms(t))))} \
        if topic else set()
    scored_rows: dict[str, list[tuple[int, float, float]]] = {}   # org -> (row, best, direct)
    parted: set[str] = set()      # searched only where the part asked for is
    for org in organisations:
        rows = retriever.rows_where([org], doc_types)
        if restrict is not None:
            rows = np.intersect1d(rows, restrict)
        if topic and len(rows) and not lexicon.topic_terms(topic, rows, literal)[0]:
            rows = rows[:0]   # its documents never use the topic's words
        held, absent = part_rows(retriever, part, rows, query, query_vec, lang, PART_SCAN,
                                 PART_POOL) if part is not None and len(rows) else (None, "")
        if held is not None and (len(held) or absent):
            rows = held
            parted.add(org)
        hits = retriever.search(query, PASSAGES_PER_ORGANISATION, rows, "hybrid",
                                query_vec, lang) if len(rows) else []
        scored_rows[org] = [(h.row, *_best_statement(query, query_vec, index, h.row, rarest))
                            for h in hits]
    top = max((b for pairs in scored_rows.values() for _, b, _ in pairs), default=None)
    findings, rank = [], 0
    for org in organisations:
        pairs = scored_rows[org]
        keep = [(r, b) for r, b, _ in pairs[:1]] if org in parted else \
            [(r, b) for r, b, direct in pairs
             if (b >= top - gap or direct >= top - direct_gap) and (floor is None or b >= floor)]
        passages = []
        for row, best in keep:
            rank += 1
            chunk = index.chunks[row]
            passages.append(Passage(rank=rank, chunk=chunk, document=index.documents[chunk.doc_id],
                                    score=best))
        if passages:
            scored = score_sentences(query, query_vec, passages,
                                     [index.statements(r) for r, _ in keep])
            marks = {}
            for s in scored:
                marks.setdefault(s.passage, s)
            passages = [replace(p, highlights=((m.start, m.end),) if (m := marks.get(i)) else ())
                        for i, p in enumerate(passages)]
        findings.append(Finding(org, tuple(passages), max((b for _, b, _ in pairs), default=None),
                                in_passing=bool(passages) and all(m.aside for m in marks.values())))
    return findings
