"""What kind of fact a question asks for, and whether a statement holds it.

"Hvornår ...?" asks for a time, "Hvem har skrevet under ...?" for a letter's
closing, "Hvad er indstillingen?" for what a committee case recommends.  The
embedder puts such facts far from the question ("Med venlig hilsen Martin
Damm ..." 0.81 against 0.87 for KL's deadline), so the answer gives a
statement holding the kind a small bonus (:mod:`assistant.answer`), and for
a *part* of a document (its recommendation, decision, signature, case
number, attachments, cost, who stands behind it) the search also looks among
the chunks holding one (:func:`rows_holding`; :mod:`assistant.retrieval`),
and the answer quotes only statements in it: Aalborg's "Borgmesterens
Forvaltning indstiller ..." ranked below ten of its chunks on welfare
technology and data for "Hvad er indstillingen i Aalborg?".
"""
from __future__ import annotations

import re
from typing import Callable, Iterable, NamedTuple

import numpy as np

from .chunking import heading_above, lists_attachments
from .metadata import case_number, holds_date
from .sentences import is_closing
from .tokens import tokenize

KIND_BONUS = 0.03      # a statement holding what is asked for: a time, a number, a signature

# asks for a time: "hvornår", "when", and the deadline or date of something
_WHEN = re.compile(r"\b(hvornår|when|frist(?:en|er|erne)?|deadline|datoe?n?|tidspunkt(?:et)?|"
                   r"what date|which date)\b", re.IGNORECASE)
_HOW_MANY = re.compile(r"\b(hvor (?:mange|meget|stor|store|lang|længe)|"
                       r"how (?:many|much|big|large|long)|antal(?:let)?|number of)\b",
                       re.IGNORECASE)
_NUMBER = re.compile(r"\b(\d+(?:[.,]\d+)*|to|tre|fire|fem|seks|syv|otte|ni|ti|elleve|tolv|"
                     r"tyve|tredive|fyrre|halvtreds|hundrede|tusinde?|mio|mia|millioner|"
                     r"milliarder)\b", re.IGNORECASE)
_MONTHS = ("januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|"
           "december|january|february|march|june|july|october")   # not "may": a verb
# a year, but not one end of a period ("kanalstrategi 2015-2018" names the strategy)
TIME = re.compile(rf"\b(\d{{1,2}}[-./]\d{{1,2}}[-./](?:19|20)\d\d|"   # 19-01-2015
                  rf"(?<![-–])(?<![-–]\s)(?:19|20)\d\d(?!\s?[-–]\s?\d)|{_MONTHS}|ultimo|"
                  r"primo|medio|mandag|tirsdag|onsdag|torsdag|fredag|hvert år|årligt|"
                  r"\d{1,2}\.\s?(?:og|-)|\d{1,2}/\d{1,2})\b", re.IGNORECASE)
# asks who signed or sent a letter: answered by its closing and the names under it
_WHO_SIGNED = re.compile(r"\b(underskr\w*|(?:skrevet|skrev|skriver) under|signe[dr]|signature|"
                         r"signator\w*|afsender\w*|sender|hvem (?:har )?sendt|hvem sendte|"
                         r"who sent)\b", re.IGNORECASE)
# asks what a committee case recommends: its "Indstilling" ("Hvad indstiller
# forvaltningen?"), which Fredensborg's case states without the verb asked
_RECOMMENDS = re.compile(r"\b(indstil\w*|recommendation|"
                         r"(?:administration|staff)\b[^?]*\brecommend\w*)", re.IGNORECASE)
# asks for a case number: a label line ("Sagsnr.: 330-2015-27782") that e5
# puts far below the case's prose (0.81 against 0.85 for Slagelse's)
_CASE_ASKED = re.compile(r"\b(sags?[- ]?(?:id|nr|numm\w*)|journal[- ]?n\w*|j\.\s?nr|"
                         r"case (?:number|no|id)|reference number|file number)\b", re.IGNORECASE)
# asks what is attached or enclosed: the titles under "Bilag", or the letter's
# "Til brug for høringen vedlægges ..."
_ATTACHED_ASKED = re.compile(r"\b(bilag\w*|vedlagt\w*|vedlæg\w*|vedhæft\w*|attach\w*|enclos\w*|"
                             r"appendi\w*)", re.IGNORECASE)
_ATTACHING = re.compile(r"\b(vedlægges|vedlagt|vedhæftet)\b", re.IGNORECASE)
# asks what a committee decided, not what it is to decide ("besluttes"): the
# text under its "Beslutning ..." heading ("Anbefaler Økonomiudvalgets indstilling.")
_DECIDED = re.compile(r"\b(besluttede|besluttet|beslutning(?:en)?|decide[ds]?|decision)\b",
                      re.IGNORECASE)
_DECISION = re.compile(r"^beslutning(?!stema)", re.IGNORECASE)
# the heading it stands under: "Indstilling", or as other councils head it
_RECOMMENDATION = re.compile(r"^(indstilling|forslag til beslutning|(?:forvaltningens|"
                             r"administrationens|direktionens) forslag)", re.IGNORECASE)
_RECOMMENDING = re.compile(r"\bindstiller\b", re.IGNORECASE)   # or its verb: "... indstiller, at"


# asks what comes next ("What happens after the hearing?", "Hvad er den videre
# proces?"): answered by what a document says follows ("Derefter går arbejdet
# ... i gang", "forventer KL's bestyrelse at behandle forslaget igen i maj"),
# which e5 put below the hearing's deadline and KL's "Vi ser frem til ..."
_NEXT_ASKED = re.compile(
    r"\b(what happens (?:after|next|then|now)|next steps?|what (?:comes|is) next|"
    r"further process|hvad sker der (?:så|nu|efter\w*|bagefter|derefter|herefter)|"
    r"næste (?:skridt|fase)|videre (?:proces|forløb|behandling)|hvad skal der (?:så )?ske)",
    re.IGNORECASE)
_NEXT = re.compile(r"\b(derefter|herefter|efterfølgende|dernæst|forventer|"
                   r"forventes|vil blive|igen)\b", re.IGNORECASE)


# asks who wrote or stands behind something: answered by how it came about
# ("Strategiforslaget er blevet til i samarbejde mellem KL og kommunerne"),
# which e5 put below any sentence on the strategy itself
_AUTHORS_ASKED = re.compile(
    r"\b(hvem (?:står|stod) bag|hvem (?:har )?(?:skrevet|udarbejdet|lavet|forfattet)(?!\s+under)|"
    r"hvem (?:skrev|udarbejdede|lavede)(?!\s+under)|hvem har været med til at (?:udarbejde|skrive|"
    r"lave)|who (?:wrote|is behind|was behind|drafted|prepared|developed|authored)|"
    r"who (?:has|have) (?:written|drafted|prepared|developed)|authors? of)\b", re.IGNORECASE)
_AUTHORED = re.compile(r"\b(blevet til|blevet udarbejdet|udarbejdet (?:af|i samarbejde|i dialog)|"
                       r"i samarbejde (?:med|mellem)|i dialog med|står bag|skrevet af|"
                       r"forfattet af)\b", re.IGNORECASE)
# asks what something costs: answered by a case's "Bevilling" or economy section,
# or a statement on expenses ("Sagen har ingen bevillingsmæssige konsekvenser")
_COST_ASKED = re.compile(r"\b(kost(?:er|ede|e)|omkostning\w*|udgift\w*|prisen|bevilling\w*|"
                         r"budget\w*|finansier\w*|costs?|costing|price|expens\w*|funding|"
                         r"appropriation\w*)\b", re.IGNORECASE)
_COSTING = re.compile(r"(bevilling|udgift|omkostning|\bkost(?:er|ede|e)\b|\bpris|\bkr\b|"
                      r"\bkroner\b|\bmio\b|\bmia\b|millioner|finansier|\bbudget|\bcosts?\b|"
                      r"\bprice)", re.IGNORECASE)
_COST_HEADING = re.compile(r"^(bevilling|økonomi\b|økonomiske)", re.IGNORECASE)


def _tells_time(sentence: str, heading: str | None) -> bool:
    # a decision's date often stands only in its heading ("Beslutning i
    # Økonomiudvalget den 19-01-2015" over "Anbefaler ... indstilling.")
    return bool(TIME.search(sentence) or (heading and holds_date(heading)))


class Kind(NamedTuple):
    asks: re.Pattern                                  # the question asks for it
    holds: Callable[[str, str | None], bool]          # a statement (under its heading) holds it
    bonus: float                                      # added to such a statement's score
    # a part of a document is searched for among the chunks holding one: those
    # whose text or section has one of these cues (a quick test, needed but not enough)
    cue: tuple[str, ...] = ()
    # a part's name, for saying the documents searched have none: only where its
    # form is fixed (a closing, a labelled case number, a case's headings), not
    # where words vary (a cost may be told in any words: none found is no proof)
    name: str = ""

    def naming(self, question: str) -> set[str]:
        """The keyword tokens of the words in ``question`` that ask for this
        kind ("indstillingen"): what is asked for, not a topic to search for."""
        return set(tokenize(" ".join(m.group(0) for m in self.asks.finditer(question))))


WHEN = Kind(_WHEN, _tells_time, KIND_BONUS)
# Parts of a document get twice the usual bonus: few statements hold one, and
# e5 puts a closing or a label line far from any question.
CASE_NUMBER = Kind(_CASE_ASKED, lambda sentence, _: bool(case_number(sentence)), 2 * KIND_BONUS,
                   ("sag", "nr", "numm"), "case_number")
COUNT = Kind(_HOW_MANY, lambda sentence, _: bool(_NUMBER.search(sentence)), KIND_BONUS)
SIGNATURE = Kind(_WHO_SIGNED, lambda sentence, _: is_closing(sentence), 2 * KIND_BONUS,
                 ("hilsen", "mvh", "regards", "sincerely", "faithfully"), "signature")
ATTACHED = Kind(_ATTACHED_ASKED, lambda sentence, heading: bool(
    _ATTACHING.search(sentence) or lists_attachments(heading)), 2 * KIND_BONUS,
                ("bilag", "vedlag", "vedlæg", "vedhæft"), "attachments")
RECOMMENDATION = Kind(_RECOMMENDS, lambda sentence, heading: bool(
    _RECOMMENDING.search(sentence) or (heading and _RECOMMENDATION.match(heading))),
                      2 * KIND_BONUS, ("indstil", "forslag"), "recommendation")
AUTHORS = Kind(_AUTHORS_ASKED, lambda sentence, _: bool(_AUTHORED.search(sentence)),
               2 * KIND_BONUS, ("blevet", "udarbejdet", "samarbejde", "dialog", "bag", "skrevet",
                                "forfattet"))
COST = Kind(_COST_ASKED, lambda sentence, heading: bool(
    _COSTING.search(sentence) or (heading and _COST_HEADING.match(heading))), 2 * KIND_BONUS,
            ("bevilling", "udgift", "omkostning", "kost", "pris", "kr", "mio", "mia", "million",
             "finansier", "budget", "cost", "price", "økonomi"))
NEXT = Kind(_NEXT_ASKED, lambda sentence, _: bool(_NEXT.search(sentence)), KIND_BONUS)
DECISION = Kind(_DECIDED, lambda sentence, heading: bool(
    _DECISION.match(sentence) or (heading and _DECISION.match(heading))), 2 * KIND_BONUS,
                ("beslut",), "decision")
# in order of precedence: "the case number of ..." counts nothing
KINDS = (WHEN, CASE_NUMBER, COUNT, SIGNATURE, ATTACHED, RECOMMENDATION, AUTHORS, COST, NEXT,
         DECISION)


def kind_asked(question: str) -> Kind | None:
    """The first kind of fact ``question`` asks for, or None."""
    return next((k for k in KINDS if k.asks.search(question)), None)


def part_asked(question: str) -> Kind | None:
    """The part of a document ``question`` asks for (its recommendation, its
    signature ...), or None: a time or a number is no part of its own."""
    return next((k for k in KINDS if k.cue and k.asks.search(question)), None)


def asks_when(question: str) -> bool:
    """Whether ``question`` asks for a time ("hvornår", "when", a deadline)."""
    return bool(_WHEN.search(question))


def asks_of_document(question: str) -> bool:
    """Whether ``question`` asks what a document holds about itself: who
    signed or sent it, what is attached, its case number."""
    return any(asks.search(question) for asks in (_WHO_SIGNED, _ATTACHED_ASKED, _CASE_ASKED))


def asks_for_kind(question: str) -> bool:
    """Whether ``question`` asks for a kind of fact (a time, a number, a part
    of a document, what comes next): not the gist of what those it names say."""
    return kind_asked(question) is not None


def rows_holding(index, kind: Kind, rows: Iterable[int] | None = None) -> np.ndarray:
    """The index rows (of ``rows``; None: all) whose chunk has a statement
    holding the part ``kind``.  Its cues skip the rest (a case-blind regex
    took 2.5 s over 100k chunks, the cues 0.4 s)."""
    held = []
    for row in range(len(index.chunks)) if rows is None else rows:
        chunk = index.chunks[row]
        text = f"{chunk.section or ''} {chunk.text}".lower()   # once, not once per cue
        if any(cue in text for cue in kind.cue) and any(
                kind.holds(chunk.text[s - chunk.start:e - chunk.start], heading_above(chunk, s))
                for s, e in index.sentences[row]):
            held.append(row)
    return np.array(held, dtype=np.int64)
