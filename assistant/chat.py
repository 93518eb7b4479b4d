"""Follow-up questions in a conversation.

A follow-up borrows what it lacks from the question before it:

- "og hvad med Slagelse?" names a municipality but no topic: the previous
  question is asked again about Slagelse.
- "hvad siger de om data?" has a topic but refers back ("de", "they") instead
  of naming a municipality: the previous question's municipality is used.

The resolved question is shown to the user, so the reading is never hidden.
"""
from __future__ import annotations

import re

from .query import analyse
from .tokens import tokenize

# Words that carry no topic in a follow-up: question verbs, "what about".
_NO_TOPIC = frozenset(tokenize(
    "siger sige mener mene skriver skrive synes spørgsmål så end "
    "say says said think thinks write writes what about how regarding"))
# Words that point back to the organisation of the previous question.
_ANAPHORA = re.compile(
    r"\b(de|dem|deres|kommunen|kommunens|they|them|their|theirs|the municipality)\b",
    re.IGNORECASE)


def _has_topic(topic: str) -> bool:
    return any(t not in _NO_TOPIC for t in tokenize(topic))


def resolve_followup(question: str, previous: str | None) -> str:
    """The question to search for, given the previous (resolved) question."""
    if not previous:
        return question
    now, before = analyse(question), analyse(previous)
    if now.municipalities and not _has_topic(now.topic):
        names = " og " if now.language == "da" else " and "
        new_names = names.join(m.name for m in now.municipalities)
        if before.municipalities:
            return _replace_municipalities(previous, new_names)
        return f"{previous.rstrip('?. ')} ({new_names})?"
    if not now.municipalities and before.municipalities and _ANAPHORA.search(question):
        names = " og " if now.language == "da" else " and "
        old_names = names.join(m.name for m in before.municipalities)
        return _ANAPHORA.sub(old_names, question, count=1)
    return question


def _replace_municipalities(question: str, names: str) -> str:
    """``question`` with its first run of municipality mentions ("Aalborg og
    Fredensborg") replaced by ``names``."""
    from .gazetteer import find_mentions

    mentions = find_mentions(question)
    start, end = mentions[0].start, mentions[0].end
    for m in mentions[1:]:
        if not _CONNECTOR.fullmatch(question[end:m.start]):
            break
        end = m.end
    return question[:start] + names + question[end:]


_CONNECTOR = re.compile(r"\s*(?:,|og|and|&)?\s*", re.IGNORECASE)
