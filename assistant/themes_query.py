"""A theme named in a question ("tema 4", "the security theme", "sikkerhedstemaet").

Split from :mod:`assistant.themes`, which tags index chunks with the themes
they address; this module only reads the user's question: :func:`find_theme`
says which theme it names, :func:`strip_theme` removes the reference so the
rest can be searched inside that theme.  Theme data is in
:mod:`assistant.themes_data`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .themes import _stems, title_in
from .themes_data import THEMES, theme_label

# The rule: a question names a theme only with the word "tema"/"temaet"/
# "theme" tied to a number or a theme name, or by the theme's (nearly) full
# title.  A topic word alone is a topic, not a filter: "Hvad siger Aalborg om
# sikkerhed?" searches for security everywhere; "Hvad siger Aalborg om
# sikkerhedstemaet?", "... i tema 4?", "the security theme" restrict to
# theme 4.  Accepted forms, Danish and English:
#
#   tema 4, temaet 4, tema nr. 4, theme 4, theme no. 4
#   temaet om sikkerhed, tema om data, temaet for børn og unge,
#   the theme on/about/of security
#   the security theme, the children and young people theme
#   sikkerhedstemaet, beskæftigelsestemaet, data-temaet, ungetemaet
#   the full title: "Borgerbetjening 3.0", "Effektiv styring og administration",
#   "Security and accessibility must go hand in hand" (75 % of the title's
#   content stems, at least two: "sikkerhed og tilgængelighed" alone is a topic)
#
# "temaer"/"themes" (plural: "Hvilke temaer har strategien?") and
# "målsætning 2" (a goal) never match; nor does a number outside 1-10.

_PREP = r"(?:(?:i|under|om|for|til|in|on|about|within|regarding|of|from|inden\s+for)\s+)?"
_ART = r"(?:(?:the|det|dette|this)\s+)?"
_NUMBERED = re.compile(
    rf"{_PREP}{_ART}\b(?:tema(?:et)?|theme)\s*(?:nr\.?|no\.?|number|nummer|#)?\s*(\d{{1,2}})\b(?!\s*%)",
    re.IGNORECASE)
# "temaet om X", "the theme on X": group 1 is the part to drop, group 2 starts X
_THEME_ABOUT = re.compile(
    rf"({_PREP}{_ART}\b(?:temaet|tema|theme)\s+)((?:om|for|med|vedr\.?|on|about|of|for|regarding)\s+)",
    re.IGNORECASE)
_THEME_WORD = re.compile(r"\btheme\b", re.IGNORECASE)
_COMPOUND = re.compile(r"\b(\w+?)-?(temaet|tema)\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def _name_index() -> dict[tuple[str, ...], int]:
    """Stem sequence of each short name (and title) -> theme."""
    out: dict[tuple[str, ...], int] = {}
    for t in THEMES:
        for name in t.names_da + t.names_en + (t.title_da, t.title_en):
            stems = tuple(_stems(name))
            if stems:
                out.setdefault(stems, t.number)
    return out


def _name_at_start(text: str) -> tuple[int, int] | None:
    """(theme, length in characters) of the longest theme name at the start of ``text``."""
    matches = list(re.finditer(r"\w+(?:[-.]\w+)*", text))[:8]
    best = None
    for k in range(len(matches), 0, -1):
        if not _stems(matches[k - 1].group()):             # ends on a stop word
            continue
        stems = tuple(_stems(text[:matches[k - 1].end()]))
        theme = _name_index().get(stems)
        if theme is not None:
            best = (theme, matches[k - 1].end())
            break
    return best


def _name_at_end(text: str) -> tuple[int, int] | None:
    """(theme, start offset) of the longest theme name ending ``text``."""
    matches = list(re.finditer(r"\w+(?:[-.]\w+)*", text))[-8:]
    for k in range(len(matches)):
        if not _stems(matches[k].group()):                 # starts on a stop word ("the")
            continue
        stems = tuple(_stems(text[matches[k].start():]))
        theme = _name_index().get(stems)
        if theme is not None:
            return theme, matches[k].start()
    return None


@dataclass(frozen=True)
class ThemeMention:
    theme: int
    start: int
    end: int
    replacement: str       # what the mention leaves in the question ("" or the topic)


def theme_mention(question: str) -> ThemeMention | None:
    """The first theme reference in ``question`` and how to strip it."""
    found: list[ThemeMention] = []
    for m in _NUMBERED.finditer(question):
        n = int(m.group(1))
        if 1 <= n <= len(THEMES):
            found.append(ThemeMention(n, m.start(), m.end(), ""))
    for m in _THEME_ABOUT.finditer(question):
        hit = _name_at_start(question[m.end(2):])
        if hit:
            found.append(ThemeMention(hit[0], m.start(), m.end(1), ""))
    for m in _THEME_WORD.finditer(question):               # "the security theme"
        if _NUMBERED.match(question, m.start()):
            continue
        hit = _name_at_end(question[:m.start()].rstrip())
        if hit:
            before = question[:hit[1]]
            art = re.search(r"\bthe\s+$", before, re.IGNORECASE)
            start = art.start() if art else hit[1]
            topic = question[hit[1]:m.start()].strip()
            found.append(ThemeMention(hit[0], start, m.end(), topic))
    for m in _COMPOUND.finditer(question):                 # "sikkerhedstemaet"
        prefix = m.group(1)
        candidates = [prefix]
        if len(prefix) > 3 and prefix.lower().endswith("s"):   # linking -s-: sikkerheds-
            candidates.insert(0, prefix[:-1])
        elif len(prefix) > 3 and prefix.lower().endswith("e"):  # børne-, unge-
            candidates.append(prefix[:-1])
        for cand in candidates:
            theme = _name_index().get(tuple(_stems(cand)))
            if theme is not None:
                found.append(ThemeMention(theme, m.start(), m.end(), cand))
                break
    if not found:
        stems = set(_stems(question))
        titled = [n for n in title_in(stems) if _full_title(question, n)]
        if len(titled) == 1:
            return ThemeMention(titled[0], 0, 0, "")         # the title stays: it is the topic
        return None
    return min(found, key=lambda f: (f.start, -f.end))


def _full_title(question: str, n: int) -> bool:
    """The title's stems cover 75 % of it (``title_in``) — and for titles of two
    stems both are there ("Borgerbetjening 3.0", not "borgerbetjening")."""
    return n in title_in(set(_stems(question)))


def find_theme(question: str) -> int | None:
    """The theme a question names ("tema 4", "the security theme",
    "Borgerbetjening 3.0", "sikkerhedstemaet"), or None; see the rule above."""
    mention = theme_mention(question)
    return mention.theme if mention else None


def strip_theme(question: str) -> str:
    """``question`` without its theme reference, for searching inside the theme.

    "Hvad siger Aalborg om tema 4?" -> "Hvad siger Aalborg?"; a named topic
    stays ("... om sikkerhedstemaet?" -> "... om sikkerhed?", "the security
    theme" -> "security"), a full title stays (it is the topic).  A question
    that is only a reference ("tema 4") strips to "".  Without a reference
    the question comes back unchanged.
    """
    mention = theme_mention(question)
    if mention is None or mention.start == mention.end:
        return question
    out = question[:mention.start] + mention.replacement + question[mention.end:]
    out = re.sub(r"\s+([?.!,;:])", r"\1", out)
    out = re.sub(r"^[\s:;,.\-–]+", "", out)
    out = re.sub(r"\s{2,}", " ", out).strip()
    return "" if not re.search(r"\w", out) else out


def theme_query(question: str, query: str, themes, lang: str) -> tuple[str, list[int]]:
    """The text to search and the theme filter: a theme named in the question
    ("tema 4", "the security theme") becomes a filter and leaves the searched
    text; the theme's title stands in when nothing else is left."""
    named = find_theme(question)
    if named is None:
        return query, list(themes or ())
    return (strip_theme(query) or theme_label(named, lang, numbered=False),
            sorted(set(themes or ()) | {named}))
