"""Extractive answers: the question's best sentences, each with its citation.

Nothing is generated.  The sentences of the top passages are scored against
the question (cosine of their stored embeddings, plus the question's rarer
stemmed terms they contain) and the best are quoted, each followed by the
number of the passage it comes from.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, replace

import numpy as np

from .chunking import heading_above, lists_attachments, looks_like_heading
from .glossary import stance_keywords
from .kinds import ATTACHED, COUNT, KIND_BONUS, TIME, WHEN, kind_asked, part_asked
from .lexicon import begins_compound, goes_on
from .messages import cited_quote
from .metadata import holds_date, is_date_line
from .models import Passage
from .sentences import is_list_tail, is_question, list_body, list_mark
from .tokens import tokenize

_LEXICAL_WEIGHT = 0.15
_MARGIN = 0.05          # quote/mark sentences within this much of the best one
_COUNTED = re.compile(r"\b\d+\s+(\w+)")   # "10 temaer": the thing counted
_LEAD_IN_CHARS = 400    # how much a lead-in ("... følgende spørgsmål:") brings along
# A statement that asks rather than states (the hearing's questions, "Er kommunen
# enig i ...?"), or a few words sharing nothing with the question (a label line
# "Kompetence: Økonomiudvalget", a bullet "- intelligent ledelsesinformation"),
# is an aside: e5 puts questions near questions and short lines near anything.
# So is a lead-in whose passage ends before what it introduces ("... strategiens
# målsætninger om," closing a chunk of KL's letter).
_ASIDE_PENALTY = 0.04
_FRAGMENT_WORDS = 4
# asks about the questions themselves (KL's hearing questions, a questionnaire)
_ABOUT_QUESTIONS = re.compile(r"\b(spørgsmål\w*|spørgeskema\w*|questions?|questionnaires?|"
                              r"survey|asks?|asked|beder|stiller|spørger)\b", re.IGNORECASE)


@dataclass(frozen=True)
class ScoredSentence:
    passage: int            # index into the passage list
    start: int              # document offsets
    end: int
    score: float
    cosine: float = 0.0     # the statement's cosine to the query alone
    aside: bool = False     # a question, a fragment, a list tail or title, a cut-off lead-in
    of_kind: bool = False   # holds what was asked for: a time, a signature, a case number ...


def score_sentences(query: str, query_vec: np.ndarray, passages: list[Passage],
                    statements: list[tuple[list[tuple[int, int]], np.ndarray]]
                    ) -> list[ScoredSentence]:
    """Every statement of the passages, scored against the query, best first.

    The score is the statement's cosine to the question, plus the question's
    terms it contains (with the words a stance asked about is written in:
    "Hvad roser Aalborg?" -> "enig"; :func:`stance_keywords`) weighted by how
    rare they are among these statements (a term every candidate shares, like
    the name of the strategy asked about, tells them apart no more than it
    tells the answer), plus a small bonus when
    the statement holds the kind of thing asked for: a time expression for
    "hvornår"/"when", a number for "hvor mange"/"how many" (the Aalborg
    response's "Teksten er meget lang (33 sider)" for "Hvor mange sider er
    strategien?", not a sentence that only shares "strategien"), a letter's
    closing with the names under it for who signed or sent it, a labelled
    case number, the titles under "Bilag" (or "vedlægges") for what is
    attached, what stands under a committee case's "Indstilling" for what it
    recommends, and, asked for a stance, a statement in the words it is
    written in ("udmærket" for "enig").  Against plain
    term overlap, answers quoting the evidence went 68 -> 73 of 89 (dev, own
    and parallel sets; README).  An aside (:data:`_ASIDE_PENALTY`) loses a
    little: a question, unless questions are asked about, a fragment that
    shares no term with the query, a list item finishing a sentence begun
    before the list, or a title in a list.  Over the 89 questions and 22
    more, quoted questions went 18 -> 3 and quoted fragments 9 -> 4, the
    evidence quoted staying 74 of 89;
    over 146 questions, quoted list tails went 23 -> 2, and titles in lists
    gave way in 5 answers ("29. Høring om forslag til ..." to the evidence).
    ``statements`` holds, per passage, the spans and stored vectors of its
    statements (embedded at indexing time, so answering embeds nothing more).
    """
    stance = stance_keywords(query)
    q_terms, stance_terms = set(tokenize(f"{query} {stance}")), frozenset(tokenize(stance))
    asked, part = kind_asked(query), part_asked(query)
    if part is not None:  # the words naming the part asked for are no topic
        q_terms -= part.naming(query)
    kind, bonus = (asked.holds, asked.bonus) if asked else (None, KIND_BONUS if stance else 0.0)
    counting = asked is COUNT
    questions_asked = bool(_ABOUT_QUESTIONS.search(query))
    candidates = []
    for i, (p, (spans, vecs)) in enumerate(zip(passages, statements)):
        for (s, e), cos in zip(spans, vecs @ query_vec):
            sentence = p.document.text[s:e]
            heading = heading_above(p.chunk, s)
            shared = shared_terms(q_terms, tokenize(sentence))
            end = _quoted_end(p.document.text, s, e, spans)
            # a question counting what is asked about still tells how many ("Er
            # kommunen enig i, at strategiens 10 temaer er relevante?" for "Hvor
            # mange temaer ...", but not for "How much will the strategy cost?")
            tells = counting and any(q_terms.intersection(tokenize(w))
                                     for w in _COUNTED.findall(sentence))
            quoted = p.document.text[s:end].rstrip()
            asking = not questions_asked and not tells and is_question(quoted)
            # asked for a stance, a statement in the words it is written in ("Er
            # Slagelse enig ...?": "udmærket") holds what is asked for; a question
            # put in a document holds no one's stance, whatever its words
            of_kind = (kind(sentence, heading) if kind is not None
                       else bool(stance_terms & shared) and not asking)
            aside = (asking
                     or (not shared and not of_kind and len(sentence.split()) < _FRAGMENT_WORDS)
                     or is_list_tail(sentence) or _is_title_item(sentence)
                     # an attachment's title names a document, unless attachments are asked about
                     or (asked is not ATTACHED and lists_attachments(heading))
                     # a date line dates a document, unless a time is asked for
                     or (asked is not WHEN and is_date_line(sentence))
                     or quoted.endswith((":", ",")))   # a lead-in cut off by the passage's end
            # asked whether one agrees, a question put in a document ("Er kommunen
            # enig i ...?") is worded alike but holds no one's stance
            penalty = _ASIDE_PENALTY * (2 if asking and stance else 1) if aside else 0.0
            in_part = part is not None and part.holds(sentence, heading)
            candidates.append((i, s, end, float(cos), shared, of_kind, aside, penalty, in_part))
    # asked for a part of a document (its decision, its signature ...), a
    # statement outside it is no answer: "Hvad besluttede Magistraten i
    # Aalborg?" quoted the recommendation naming "Magistraten", not "Beslutning:
    # Godkendt.", and "Hvornår besluttede ...?" the talk of strategies "fra 2010"
    in_part = [c for c in candidates if c[-1]]   # the last field: it holds the part asked for
    candidates = in_part or candidates
    n = len(candidates)
    df = Counter(t for _, _, _, _, shared, *_ in candidates for t in shared)
    weight = {t: math.log(1 + n / df[t]) for t in df}
    most = len(q_terms) * math.log(1 + n) or 1.0   # every term in exactly one statement
    scored = []
    for i, s, e, cos, shared, of_kind, aside, penalty, _ in candidates:
        lexical = sum(weight[t] for t in shared) / most
        scored.append(ScoredSentence(
            i, s, e, cos + _LEXICAL_WEIGHT * lexical + (bonus if of_kind else 0.0) - penalty,
            cos, aside,
            # any number is too common to stand for the answer alone: Aalborg's
            # list of the themes counts them without one
            of_kind and not counting))
    return sorted(scored, key=lambda x: (-x.score, x.passage, x.start))


def _is_title_item(sentence: str) -> bool:
    """A list item that is a title, not a statement ("5. Kommunernes
    rammearkitektur – fælles strategiske spilleregler" in Slagelse's list of
    the strategy's themes): it says what a document lists, not what it holds."""
    return bool(list_mark(sentence)) and looks_like_heading(list_body(sentence))


def shared_terms(q_terms: set[str], tokens: list[str]) -> set[str]:
    """The query terms a statement holds, as words or as a compound's parts: its
    head ("sikkerhed" in "informationssikkerhed", five letters or more) or its
    first word ("bredbånd" in "bredbåndsdækning": :func:`begins_compound`), or
    as the whole word going on in another form ("ajourføres" and Fredensborg's
    "Der lægges op til, at ajourføringen foregår hvert år i maj.":
    :func:`goes_on`).  (Any form of its root, shorter than the word, let the
    glossary's Danish words of English questions match too widely: evidence
    quoted 83 -> 81 of 93, against 84 this way.)"""
    shared = q_terms.intersection(tokens)
    for term in q_terms - shared:
        if any((len(term) >= 5 and t.endswith(term)) or begins_compound(term, t)
               or goes_on(term, t) for t in tokens):
            shared.add(term)
    return shared


def _quoted_end(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> int:
    """Where the quote of the statement ``text[start:end]`` ends.

    A statement ending in a colon or comma only introduces what follows
    ("KL ønsker kommunernes svar på følgende overordnede spørgsmål:",
    "Økonomi- og vicekommunaldirektøren indstiller,"); quoted alone it says
    nothing.  It is quoted with the statements after it in the passage, as
    many whole ones as fit in :data:`_LEAD_IN_CHARS` (at least one).
    """
    if not text[start:end].rstrip().endswith((":", ",")):
        return end
    quoted_end = end
    for s, e in sorted(spans):
        if s < end:
            continue
        if quoted_end > end and e - start > _LEAD_IN_CHARS:
            break
        quoted_end = e
    return quoted_end


def _finishes_list(passage: Passage, s: ScoredSentence) -> bool:
    """An aside that still says something: a list item finishing a lead-in
    (Aalborg: "Det er målet, at i 2020" / "- skal digitalisering styrke
    oplevelsen af nærhed ...")."""
    return is_list_tail(passage.document.text[s.start:s.end])


def _within(inner: ScoredSentence, outer: ScoredSentence) -> bool:
    return (inner.passage == outer.passage and outer.start <= inner.start
            and inner.end <= outer.end)


def compose(passages: list[Passage], scored: list[ScoredSentence], n_sentences: int,
            intro: str, lang: str = "da", in_passing: str = "",
            when: bool = False) -> tuple[str, list[Passage]]:
    """The answer text and the passages with their matched sentences marked.

    A quote from a passage that runs over a page break names its own page
    after the citation ("[1] (s. 6)"): the passage's citation says "s. 5-6",
    and the quote is what a reader looks up.  When every quote is an aside
    (Slagelse's case names security only in its list of the strategy's
    themes), ``in_passing`` follows the intro: the reader is not to take a
    title or a question for what the organisation says.  Asked ``when``, a
    quote holding no time of its own is led by its section heading when that
    holds one ("Beslutning i Økonomiudvalget den 19-01-2015: «Anbefaler
    Økonomiudvalgets indstilling.»").  When the best statement holds what a
    kind of question asks for (a signature, a case number, a recommendation,
    a time), only those that also hold it are quoted beside it: "Hvem har
    underskrevet høringsbrevet?" quoted the deadline before the signature
    (over 146 questions: evidence quoted 77 -> 78 of 91, 6 quotes fewer)."""
    if not scored:
        return "", passages
    best = scored[0].score
    chosen: list[ScoredSentence] = []
    for s in scored:
        if s.score < best - _MARGIN or len(chosen) == n_sentences:
            break
        if any(_within(s, c) for c in chosen):   # already quoted with its lead-in
            continue
        if s.aside and not scored[0].aside and not _finishes_list(passages[s.passage], s):
            continue    # beside a statement, a question, label or title adds nothing
        if scored[0].of_kind and not s.of_kind:
            continue    # beside what was asked for (a date, a signature), the rest is talk
        chosen = [c for c in chosen if not _within(c, s)] + [s]
    marks: dict[int, set[tuple[int, int]]] = {}
    for s in chosen:
        marks.setdefault(s.passage, set()).add((s.start, s.end))
    for s in scored:  # each passage's own best sentence, if it is close to the best
        if s.passage not in marks and s.score >= best - _MARGIN:
            marks[s.passage] = {(s.start, s.end)}
    lines = [intro] + ([in_passing] if in_passing and all(s.aside for s in chosen) else [])
    for s in sorted(chosen, key=lambda x: (x.passage, x.start)):
        p = passages[s.passage]
        who = f"{p.document.meta.organisation}: " if p.document.meta.organisation else ""
        quote = " ".join(p.document.text[s.start:s.end].split())
        heading = heading_above(p.chunk, s.start) if when else None
        if heading and holds_date(heading) and not TIME.search(quote):
            who += f"{heading}: "
        lines.append(f"- {who}" + cited_quote(quote, p.rank, p.page_of(s.start), lang))
    marked = [replace(p, highlights=tuple(sorted(marks.get(i, ())))) for i, p in enumerate(passages)]
    return "\n".join(lines), marked


def bare_case_numbers(passages: list[Passage], intro: str,
                      lang: str = "da") -> tuple[str, list[Passage]] | None:
    """Asked for a case number no statement labels, the one the passages'
    documents print bare under an agenda item's title (Aalborg's
    "2014-185390", read into its metadata), quoted where it stands; None when
    none does.  Without it the answer said Aalborg's documents hold no case
    number while its citations named one."""
    lines, marked = [intro], list(passages)
    for i, p in enumerate(passages):
        number = p.document.meta.case_number
        at = p.chunk.text.find(number) if number else -1
        if at < 0 or any(number in line for line in lines):
            continue
        start = p.chunk.start + at
        marked[i] = replace(p, highlights=((start, start + len(number)),))
        who = f"{p.document.meta.organisation}: " if p.document.meta.organisation else ""
        lines.append(f"- {who}" + cited_quote(number, p.rank, p.page_of(start), lang))
    return ("\n".join(lines), marked) if len(lines) > 1 else None
