"""Query analysis: which language, which municipalities the question is about."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from .errors import InvalidQuestion
from .gazetteer import Municipality, find_mentions
from .tokens import tokenize, words


@dataclass(frozen=True)
class QueryAnalysis:
    language: str                               # "da" or "en"
    municipalities: tuple[Municipality, ...]    # named in the question, in order
    topic: str                                  # the question without municipality names


def detect_language(text: str) -> str:
    """"da" or "en" from stop-word counts; Danish letters tip the balance.

    A possessive's "s" ("KL's", written so in both languages) is not the
    English stop word "s": "Hvem er KL's formand?" is Danish.  Without stop
    words either way (a bare keyword), an English word the glossary translates
    into other words makes it English: "security" is; "data", "digital"
    (Danish words too) and "sikkerhed" are not."""
    tokens = words(re.sub(r"['’]s\b", "", text))
    da = sum(t in _stops("danish") for t in tokens) + 2 * sum(c in "æøåÆØÅ" for c in text)
    en = sum(t in _stops("english") for t in tokens)
    if en == da == 0:
        from .glossary import danish_keywords   # the glossary needs this module first

        en = sum(1 for t in tokens if (kw := danish_keywords(t))
                 and not set(tokenize(t)) & set(tokenize(kw)))
    return "en" if en > da else "da"


@lru_cache(maxsize=2)
def _stops(lang: str) -> frozenset[str]:
    from stop_words import get_stop_words

    return frozenset(get_stop_words(lang))


def analyse(question: str) -> QueryAnalysis:
    """Language, municipalities named, and the topic left when they are removed.

    The municipality becomes a filter, so its name is removed from the text
    that is searched: otherwise every chunk saying "Aalborg Kommune er enig"
    outranks the chunk that answers the question.
    """
    seen: list[Municipality] = []
    topic, pos = [], 0
    for mention in find_mentions(question):
        if mention.municipality not in seen:
            seen.append(mention.municipality)
        topic.append(question[pos:mention.start])
        pos = mention.end
    topic.append(question[pos:])
    return QueryAnalysis(language=detect_language(question), municipalities=tuple(seen),
                         topic=" ".join("".join(topic).split()))


# Words that frame a question rather than name its topic: what is asked
# ("siger", "mener", "think"), of whom ("kommunerne", "municipalities"; the
# indexed organisations' own names are added by the retriever) and generic
# modifiers.  A question whose remaining words occur nowhere in the documents
# has no answer there, however close the embedding finds some passage: "Hvad
# siger Aalborg om vindmøller?" shares only "siger" with the corpus.
FRAME_WORDS = (
    "siger sagt sige mener mene synes tænker gør gøre står stå handler nævner nævne skriver "
    "sagde mente syntes tænkte nævnte nævnt skrev skrevet foreslår foreslog anbefaler anbefalede "
    "holdning holdningen holdninger synspunkt synspunkter "
    "ny nye nyt hvilke hvilket hvilken hvornår hvordan hvorfor hvem hvor meget mange ved "
    "kommune kommuner kommunerne kommunal kommunale kommunens kommunernes "
    "say says said think thinks mention mentions write writes new which when how why who "
    "thought wrote written mentioned suggest suggests suggested propose proposes proposed "
    "recommend recommends recommended "
    "where much many does municipality municipalities municipal view views opinion opinions "
    "position stance "
    "nogen noget nogle nogensinde anyone anybody anything someone somebody something any "
    # the documents themselves, asked about, not a topic they hold ("Hvem har
    # skrevet under på KL's brev?": no letter calls itself one)
    "brev brevet breve brevene dokument dokumentet dokumenter dokumenterne "
    "nyhed nyheden nyheder nyhederne pressemeddelelse pressemeddelelsen dagsorden dagsordenen "
    "referat referatet letter letters document documents news item items agenda minutes "
    # who signed: answered by a letter's closing, a word no letter holds
    "underskrevet underskrev underskrift underskrifter afsender afsenderen signed signature sender"
)


# Verbs that ask for an organisation's view, its stance too ("Hvad kritiserer
# KL?" asks KL, not those who name it); "ifølge"/"according to" likewise.
_VIEW_DA = (r"(?:siger|sagde|mener|skriver|skrev|foreslår|foreslog|anbefaler|anbefalede|synes|"
            r"kritiserer|kritiserede|roser|roste|savner|efterlyser|støtter|besluttede|beslutter|"
            r"indstiller)")
_ASKS_EN = r"(?:does|do|did)"
_VIEW_EN = (r"(?:say|think|write|propose|suggest|recommend|critici[sz]e|praise|support|miss|"
            r"decide)")
_VIEWS_EN = (r"(?:says|said|thinks|writes|wrote|proposes|proposed|suggests|recommends|"
             r"critici[sz]es|criticised|criticized|praises|praised|supports|misses|decided|"
             r"decides)")
# An organisation's own view or documents, named by its possessive: "KL's
# holdning", "KL's høringsbrev", "KLs nyhed", "KL's view", "KL's letter".
_OWN = (r"(?:holdning\w*|synspunkt\w*|mening\w*|høringsbrev\w*|brev\w*|nyhed\w*|"
        r"pressemeddelelse\w*|hjemmeside\w*|views?|opinions?|positions?|stance|"
        r"(?:hearing\s+)?letters?|news(?:\s+items?)?|press\s+releases?|website)")


# The strategy as the one speaking: "Hvad siger strategien om skoler?", "står
# der i forslaget", "ifølge strategien", "What does the strategy say about ...".
# Every document here is about the strategy, so the word names no topic; left
# in, it pulls the search to sentences about the strategy as such ("Er
# kommunen enig i strategiens vision ...") and away from the one on schools.
_STRATEGY_DA = (r"(?:den\s+(?:nye\s+)?(?:fælleskommunale\s+)?)?"
                r"(?:(?:digitaliserings)?strategi(?:forslag)?et|(?:digitaliserings)?strategien|"
                r"forslaget|strategi\b)")
_STRATEGY_EN = (r"the\s+(?:new\s+)?(?:joint\s+municipal\s+)?(?:digital(?:isation)?\s+)?"
                r"(?:strategy|proposal|draft(?:\s+strategy)?)")
_SPEAKER = re.compile(
    rf"\b(?P<verb>siger|skriver|beskriver|nævner|foreslår|fortæller|does)\s+"
    rf"(?:{_STRATEGY_DA}|{_STRATEGY_EN}(?=\s+(?:say|describe|mention|write|propose|state)\b))\b"
    rf"|\b(?P<stands>står|nævnes|skrives)\s+(?:der\s+)?i\s+(?:{_STRATEGY_DA})\b"
    rf"|\bifølge\s+(?:{_STRATEGY_DA})\b"
    rf"|\b(?:according\s+to|in)\s+{_STRATEGY_EN}(?=(?:\s+according\s+to\b[^?.]*)?\s*[?.]?\s*$)",
    re.IGNORECASE)


# What a stance misses or faults "i strategien": the strategy is where, not what
# ("Hvad savner Aalborg i strategien?" drew every sentence naming the strategy).
_MISSES = re.compile(r"\b(?:savne\w*|mangle\w*|efterlys\w*|kritiser\w*|utilfreds\w*)\b",
                     re.IGNORECASE)
_WHERE = re.compile(rf"\bi\s+(?:{_STRATEGY_DA})(?=(?:\s+ifølge\b[^?.]*)?\s*[?.]?\s*$)",
                    re.IGNORECASE)


def without_strategy_speaker(text: str) -> str:
    """``text`` without the strategy named as the speaker ("Hvad siger
    strategien om skoler?" -> "Hvad siger om skoler?") or as where a stance
    finds fault ("Hvad savner Aalborg i strategien?" -> "Hvad savner
    Aalborg?"); unchanged otherwise, as where the strategy is the topic ("Hvad
    mener Aalborg om strategien?", "Hvad er visionen i strategien?")."""
    searched = _WHERE.sub(" ", text) if _MISSES.search(text) else text
    return " ".join(_SPEAKER.sub(lambda m: f" {m['verb'] or m['stands'] or ''} ",
                                 searched).split()) or text


def organisation_asked(question: str, names: Iterable[str]) -> tuple[str, str] | None:
    """The organisation among ``names`` (KL and others that are not
    municipalities) whose view the question asks for, and the question without
    its name: "Hvad siger KL om ...", "What does KL think ...", "ifølge KL",
    "according to KL", or its own view or documents: "KL's holdning til ...",
    "KL's høringsbrev", "KL's letter".  Named otherwise it is part of the topic, not a filter:
    "Which questions does KL ask the municipalities?" is answered by
    Slagelse's case, which quotes them."""
    for name in sorted(names, key=len, reverse=True):
        n = re.escape(name)
        patterns = (rf"\b{_VIEW_DA}\s+(?P<n>{n})(?!\w)", rf"\bifølge\s+(?P<n>{n})(?!\w)",
                    rf"\baccording to\s+(?P<n>{n})(?!\w)",
                    rf"\b{_ASKS_EN}\s+(?P<n>{n})\s+{_VIEW_EN}\b",
                    rf"(?<!\w)(?P<n>{n})\s+{_VIEWS_EN}\b",
                    rf"(?<!\w)(?P<n>{n})(?P<s>['’]?s)\s+{_OWN}\b")
        for pattern in patterns:
            m = re.search(pattern, question, re.IGNORECASE)
            if m and m.group("n") == name:   # the name as written: "KL", not "kl."
                end = m.end("s") if "s" in m.groupdict() else m.end("n")
                rest = question[:m.start("n")] + question[end:]
                return name, " ".join(rest.split())
    return None


# Control characters that are not whitespace (C0, DEL, C1) and lone surrogates: dropped.
# Whitespace controls (tab, newline, CR, ...) are collapsed to single spaces.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff]")


def checked_question(question: str, max_chars: int) -> str:
    """The question as searched: control characters dropped, whitespace
    collapsed; not text, empty or over ``max_chars`` raises InvalidQuestion."""
    if not isinstance(question, str):
        raise InvalidQuestion("The question is not text.")
    if len(question) > max_chars:
        raise InvalidQuestion(
            f"The question has {len(question)} characters; the limit is "
            f"{max_chars} (setting ASSISTANT_MAX_QUESTION_CHARS).")
    question = _CONTROL.sub("", question)
    if not question.strip():
        raise InvalidQuestion("The question is empty.")
    return " ".join(question.split())
