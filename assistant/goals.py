"""The strategy's four goals (målsætninger), named by their number in questions.

People refer to the goals by number ("Hvad går målsætning 2 ud på?"; Slagelse's
committee: "Økonomiudvalget ønsker, at der lægges vægt på målsætning 2"), but
the passages that state or discuss a goal seldom carry its number.  A question
naming goal N is searched twice, with the goal's own words added (in Danish,
the documents' language, as an English question gets its Danish glossary
words) and as asked, and the two rankings are interleaved: the first finds what
is said about the goal without naming it (Aalborg on broadband coverage, for
goal 2), the second what names it ("... lægges vægt på målsætning 2").  The
wording is the strategy's, as listed in the hearing material (Slagelse's case,
KL's hearing letter).
"""
from __future__ import annotations

import re

GOALS: dict[int, str] = {
    1: "Digitalisering skal sikre en stærk decentral offentlig sektor",
    2: "KL og kommunerne skal stille krav til staten om primært at koncentrere sig om den "
       "grundlæggende digitale infrastruktur, herunder tilstrækkelig mobil- og bredbåndsdækning",
    3: "Den digitale udvikling sker i partnerskab med borgere og virksomheder",
    4: "Kommunerne skal løfte en række afgørende digitale indsatser i fællesskab",
}

# "målsætning 2", "målsætningen nr. 2", "mål 2", "goal 2", "objective no. 2";
# not "mål 2020" (a year) nor a number outside 1-4.
_GOAL = re.compile(r"\b(?:målsætning(?:en)?|mål(?:et)?|goal|objective)\s*"
                   r"(?:nr\.?|no\.?|number|nummer)?\s*([1-4])\b(?![.,]?\d)", re.IGNORECASE)


def find_goals(question: str) -> list[int]:
    """The goals a question names by number, in order."""
    return list(dict.fromkeys(int(m.group(1)) for m in _GOAL.finditer(question)))


def with_goal_words(query: str, question: str | None = None) -> str:
    """``query`` with the Danish wording of every goal ``question`` names."""
    goals = find_goals(question if question is not None else query)
    if not goals:
        return query
    return f"{query} ({' '.join(GOALS[n] for n in goals)})"
