"""Query analysis: which language, which municipalities the question is about."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .gazetteer import Municipality, find_mentions
from .tokens import words


@dataclass(frozen=True)
class QueryAnalysis:
    language: str                               # "da" or "en"
    municipalities: tuple[Municipality, ...]    # named in the question, in order
    topic: str                                  # the question without municipality names


def detect_language(text: str) -> str:
    """"da" or "en" from stop-word counts; Danish letters tip the balance."""
    tokens = words(text)
    da = sum(t in _stops("danish") for t in tokens) + 2 * sum(c in "æøåÆØÅ" for c in text)
    en = sum(t in _stops("english") for t in tokens)
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
    "ny nye nyt hvilke hvilket hvilken hvornår hvordan hvorfor hvem hvor meget mange ved "
    "kommune kommuner kommunerne kommunal kommunale kommunens kommunernes "
    "say says said think thinks mention mentions write writes new which when how why who "
    "where much many does municipality municipalities municipal"
)
