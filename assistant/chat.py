"""Follow-up questions in a conversation.

A follow-up borrows what it lacks from the question before it:

- "og hvad med Slagelse?" names a municipality but no topic: the previous
  question is asked again about Slagelse.
- "hvad siger de om data?" has a topic but refers back ("de", "they") instead
  of naming a municipality: the previous question's municipality is used.
- "hvad med data?", "og om data?", "what about data?" switch the topic and
  name no one: the previous question's parties are asked about it ("Hvad
  siger Slagelse om data?"), and after a comparison ("Hvad siger kommunerne
  om sikkerhed?") all of them again.
- KL and other organisations that are not municipalities count the same way:
  "og KL?" after "Hvad siger Aalborg om sikkerhed?" asks what KL says, and
  "og Fredensborg?" after "Hvad siger kommunerne om data?" asks Fredensborg.
- Only a question word ("hvornår?", "og hvorfor?", "when?") asks the
  previous question that way: "Hvornår besluttede Slagelse?" after "Hvad
  besluttede Slagelse?".
- "om det"/"about it" at the end stands for the previous question's topic:
  "Hvad mener de om det?" after "Hvad siger Aalborg om sikkerhed?" asks what
  Aalborg thinks about sikkerhed.

The resolved question is shown to the user, so the reading is never hidden.
"""
from __future__ import annotations

import re
from typing import Iterable

from .compare import comparison_words, with_parties
from .gazetteer import find_mentions, name_mentions, other_organisations
from .query import detect_language
from .tokens import tokenize

# Words that carry no topic in a follow-up: question verbs, "what about".
_NO_TOPIC = frozenset(tokenize(
    "siger sige mener mene skriver skrive synes spørgsmål så end "
    "say says said think thinks write writes what about how regarding"))
# Words that point back to the organisation of the previous question.
_ANAPHORA = re.compile(
    r"\b(de|dem|deres|kommunen|kommunens|they|them|their|theirs|the municipality)\b",
    re.IGNORECASE)


# The previous topic referred back to: "hvad mener de om det?", "what about it?"
_TOPIC_ANAPHORA = re.compile(r"\b(?P<prep>om|til|med|about|on)\s+(?:det|dette|den|denne|it|that|this)"
                             r"(?=[\s?.!]*$)", re.IGNORECASE)
_TOPIC = re.compile(r"\b(?:om|til|about|on)\s+(?P<topic>[^?.!]*\w)[\s?.!]*$", re.IGNORECASE)


# A new topic for the same parties: "hvad med data?", "og om data?", "and what about data?"
_TOPIC_SWITCH = re.compile(
    r"^\s*(?:(?:(?:og|and)\s+)?(?:(?:hvad|hvordan)\s+med|(?:what|how)\s+about)|"
    r"(?:og|and)\s+(?:om|about))\s+(?P<topic>.*?\w.*?)[\s?.!]*$", re.IGNORECASE)


# Only a question word: "hvornår?", "og hvorfor?", "when?" asks the previous
# question again that way ("Hvem sendte brevet?" -> "Hvornår sendte brevet?"),
# in place of the question word it began with
_QUESTION_WORDS = "hvornår|hvorfor|hvordan|hvem|hvor|when|why|how|who|where"
_BARE_ASK = re.compile(rf"^\s*(?:(?:og|and|men|but)\s+)?(?P<word>{_QUESTION_WORDS})\s*[?.!]*\s*$",
                       re.IGNORECASE)
_ASKING = re.compile(rf"^\s*(?:hvad|hvilke[nt]?|what|which|{_QUESTION_WORDS})\b", re.IGNORECASE)


def _has_topic(topic: str) -> bool:
    return any(t not in _NO_TOPIC for t in tokenize(topic))


def _parties(text: str, organisations: Iterable[str]) -> list[tuple[int, int, str]]:
    """Where ``text`` names a municipality or one of ``organisations`` that is
    not a municipality (KL), in order: (start, end, short name)."""
    return sorted([(m.start, m.end, m.municipality.name) for m in find_mentions(text)]
                  + name_mentions(text, other_organisations(organisations)))


def resolve_followup(question: str, previous: str | None,
                     organisations: Iterable[str] = ()) -> str:
    """The question to search for, given the previous (resolved) question;
    ``organisations`` are the indexed ones, so "og KL?" follows up too."""
    if not previous:
        return question
    bare = _BARE_ASK.match(question)
    if bare:
        word = bare["word"].capitalize()
        asking = _ASKING.match(previous)
        return (word + previous[asking.end():] if asking
                else f"{word}? {previous}")
    question = _with_previous_topic(question, previous)
    now, before = _parties(question, organisations), _parties(previous, organisations)
    joiner = " og " if detect_language(question) == "da" else " and "
    rest = "".join(question[e:s] for (_, e, _), (s, _, _) in
                   zip([(0, 0, "")] + now, now + [(len(question), 0, "")]))
    if now and not _has_topic(rest) and not _TOPIC_ANAPHORA.search(question):
        names = list(dict.fromkeys(name for *_, name in now))
        swapped = (_replace_first_run(previous, before, joiner.join(names)) if before
                   else with_parties(previous, joiner.join(names)))
        return (_agreeing(swapped, names) if swapped
                else f"{previous.rstrip('?. ')} ({joiner.join(names)})?")
    if not now and before and _ANAPHORA.search(question):
        names = list(dict.fromkeys(name for *_, name in before))
        return _agreeing(_ANAPHORA.sub(joiner.join(names), question, count=1), names)
    switch = None if now else _TOPIC_SWITCH.match(question)
    if switch:
        return _asked_again(previous, before, switch.group("topic"), joiner) or question
    return question


def _agreeing(question: str, names: list[str]) -> str:
    """"What do Slagelse say" -> "What does Slagelse say" when one party replaced several."""
    if len(names) != 1:
        return question
    return re.sub(rf"\b([Dd])o\s+(?={re.escape(names[0])}\b)", r"\1oes ", question)


def _with_previous_topic(question: str, previous: str) -> str:
    """``question`` with "om det"/"about it" at its end replaced by the topic
    the previous question ended on ("Hvad mener de om det?" after "Hvad siger
    Aalborg om sikkerhed?" asks about sikkerhed)."""
    pronoun, topic = _TOPIC_ANAPHORA.search(question), _TOPIC.search(previous)
    if not (pronoun and topic):
        return question
    return (question[:pronoun.start()] + f"{pronoun['prep']} {topic['topic']}"
            + question[pronoun.end():])


def _asked_again(previous: str, before: list[tuple[int, int, str]], topic: str,
                 joiner: str) -> str | None:
    """"Hvad siger <who> om <topic>?" for whom ``previous`` asked about: all
    municipalities (organisations) in a comparison, else the parties it named;
    None when it asked about no one."""
    danish = joiner == " og "
    who, several = comparison_words(previous, "da" if danish else "en"), True
    if who is None and before:
        names = list(dict.fromkeys(name for *_, name in before))
        who, several = joiner.join(names), len(names) > 1
    if who is None:
        return None
    if danish:
        return f"Hvad siger {who} om {topic}?"
    return f"What {'do' if several else 'does'} {who} say about {topic}?"


def _replace_first_run(question: str, parties: list[tuple[int, int, str]], names: str) -> str:
    """``question`` with its first run of named parties ("Aalborg og
    Fredensborg") replaced by ``names``."""
    start, end, last = parties[0]
    for s, e, name in parties[1:]:
        if not _CONNECTOR.fullmatch(question[end:s]):
            break
        end, last = e, name
    # a genitive stays one: "Aalborgs høringssvar" -> "Slagelses høringssvar"
    written = question[start:end]
    genitive = written[written.rfind(last) + len(last):] if last in written else ""
    return question[:start] + names + (genitive if genitive in ("s", "'s", "’s") else "") \
        + question[end:]


_CONNECTOR = re.compile(r"\s*(?:,|og|and|&)?\s*", re.IGNORECASE)
