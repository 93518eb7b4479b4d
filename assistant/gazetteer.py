"""Recognise Danish municipalities in questions, texts and file names.

The assistant must know which municipality a question is about (to filter,
or to say plainly that no document from it exists) and which municipality
wrote a document.  Both come down to spotting the 98 names reliably: with
genitive ``-s``, hyphenated names, English names (Copenhagen, Elsinore) and
ASCII spellings (Koege, Sonderborg), without matching inside other words
("Vejle" in "Vejledning") or matching names that are ordinary Danish words
("på vejen" is "on the road", not Vejen Kommune).

Everything heavy (the form index, the big regex) is built on first use.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Optional

from .gazetteer_data import ROWS


@dataclass(frozen=True)
class Municipality:
    """One of the 98 councils; ``official`` is how its own documents sign."""

    name: str                   # "Aalborg", "København", "Lyngby-Taarbæk"
    official: str               # "Aalborg Kommune", "Københavns Kommune"
    region: str                 # "Nordjylland", "Hovedstaden", ...
    aliases: tuple[str, ...]    # other names and spellings, never ``name`` itself


@dataclass(frozen=True)
class Mention:
    """One place in a text that names a municipality; ``text[start:end] == surface``."""

    municipality: Municipality
    start: int
    end: int
    surface: str
    official_form: bool         # written "X Kommune", "Xs Kommune(s)", "Bornholms Regionskommune"


# Spellings (casefolded) that are also ordinary words, so they count only when
# capitalised; at the start of a sentence or line, or in capitals, only in
# the official form ("Vejen frem mod 2020" is a heading, "VEJEN KOMMUNE" and
# "Vejen Kommune" are the council):
COMMON_WORD_FORMS = frozenset({
    "vejen",    # "the road"
    "odder",    # "otter"
    "greve",    # "count" (the noble title)
    "skive",    # "disc, slice"
    "varde",    # "cairn, beacon"
    "lejre",    # "camps" (plural of lejr)
    "tønder",   # "barrels" (plural of tønde)
    "aero",     # ASCII Ærø; English "aero"
})

# Each Danish letter may be written in ASCII in these ways (Koege and Koge).
_ASCII = {"ø": ("oe", "o"), "æ": ("ae",), "å": ("aa",),
          "Ø": ("Oe", "O"), "Æ": ("Ae",), "Å": ("Aa",)}


def _spellings(form: str) -> list[str]:
    """``form`` plus its ASCII transliterations and, if hyphenated, space variants."""
    options = [_ASCII.get(ch, (ch,)) for ch in form]
    out = [form] + ["".join(p) for p in itertools.product(*options)]
    out += [s.replace("-", " ") for s in out if "-" in s]
    return list(dict.fromkeys(out))


def _build() -> tuple[Municipality, ...]:
    result = []
    for name, region, official, extra in ROWS:
        forms = [s for f in (name, *extra) for s in _spellings(f)]
        aliases = tuple(dict.fromkeys(f for f in forms if f != name))
        result.append(Municipality(name, official or f"{name} Kommune", region, aliases))
    return tuple(result)


MUNICIPALITIES: tuple[Municipality, ...] = _build()


@lru_cache(maxsize=1)
def _index() -> dict[str, Municipality]:
    """Casefolded name, official name and every alias -> municipality."""
    index: dict[str, Municipality] = {}
    for m in MUNICIPALITIES:
        for key in (m.name, m.official, *m.aliases):
            index[key.casefold()] = m
    return index


_OFFICIAL_SUFFIX = re.compile(r"(.+?)\s+(?:regions)?kommunes?")


def lookup(name: str) -> Optional[Municipality]:
    """The municipality called ``name`` (any case, name/official/alias), or None.

    Also accepts unofficial "X Kommune" phrasings such as "København Kommune"
    and genitives ("Aalborgs"), since people type those into filters.
    """
    key = " ".join(name.split()).casefold()
    suffix = _OFFICIAL_SUFFIX.fullmatch(key)
    stems = [key] + ([suffix.group(1)] if suffix else [])
    for stem in stems:
        for candidate in (stem, re.sub(r"(?:'|’)?s$", "", stem)):
            if candidate in _index():
                return _index()[candidate]
    return None


def other_organisations(names: Iterable[str]) -> list[str]:
    """The names that are not one of the 98 municipalities (KL, a ministry)."""
    return [n for n in names if lookup(n) is None]


def name_mentions(text: str, names: Iterable[str]) -> list[tuple[int, int, str]]:
    """Where ``text`` names one of ``names`` as written (whole words, case
    kept: "KL", not "kl."), in order: (start, end, name)."""
    return sorted((m.start(), m.end(), name) for name in names
                  for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text))


@lru_cache(maxsize=1)
def _mention_regex() -> re.Pattern[str]:
    """One alternation of every spelling, longest first so the longest name wins.

    Compiled case-sensitive; each ordinary spelling is wrapped in ``(?i:...)``
    and the :data:`COMMON_WORD_FORMS` match only as written or in capitals.
    """
    forms = {f for m in MUNICIPALITIES for f in (m.name, *m.aliases)}
    alternatives = []
    for form in sorted(forms, key=lambda f: (-len(f), f)):
        escaped = re.escape(form).replace(r"\ ", r"\s+")
        if form.casefold() in COMMON_WORD_FORMS:
            alternatives.append(f"{escaped}|{re.escape(form.upper())}")
        else:
            alternatives.append(f"(?i:{escaped})")
    return re.compile(
        r"(?<![\w])(?P<form>" + "|".join(alternatives) + r")"
        r"(?i:s|['’]s)?"
        r"(?P<official>(?:[^\S\n]+|[^\S\n]*\n[^\S\n]*)"
        r"(?:Regionskommunes?|Kommunes?|REGIONSKOMMUNES?|KOMMUNES?))?"
        r"(?![\w])"
    )


# What may stand between the start of a line and a sentence's first word.
_SENTENCE_START = re.compile(
    r"(?:\A[ \t]*(?:(?:[-–•*>#]+|\d+[.)])[ \t]+)?|[.!?:][\"”’)]*[ \t]+)[\"“”'‘’(*_]*\Z")


def _starts_sentence(text: str, start: int) -> bool:
    line_prefix = text[text.rfind("\n", 0, start) + 1:start]
    return _SENTENCE_START.search(line_prefix) is not None


def find_mentions(text: str) -> list[Mention]:
    """All municipality mentions in ``text``, in order, whole words only."""
    mentions = []
    for match in _mention_regex().finditer(text):
        form = match.group("form")
        official = match.group("official") is not None
        if (form.casefold() in COMMON_WORD_FORMS and not official
                and (form.isupper() or _starts_sentence(text, match.start()))):
            continue
        municipality = _index()[" ".join(form.split()).casefold()]
        mentions.append(Mention(municipality, match.start(), match.end(),
                                match.group(0), official))
    return mentions


_FILENAME_TOKEN = re.compile(r"[^\W_]+")
_KOMMUNE_TOKENS = frozenset({"kommune", "kommunes", "regionskommune"})


@lru_cache(maxsize=1)
def _token_index() -> dict[tuple[str, ...], Municipality]:
    """Every spelling as a tuple of casefolded file-name tokens ("lyngby", "taarbaek")."""
    return {tuple(_FILENAME_TOKEN.findall(key)): m for key, m in _index().items()}


def _filename_match(raw: list[str], tokens: list[str], i: int) -> tuple[Municipality, int] | None:
    """The longest spelling starting at token ``i``, and how many tokens it spans."""
    longest = max(len(k) for k in _token_index())
    for n in range(min(longest, len(tokens) - i), 0, -1):
        key = tuple(tokens[i:i + n])
        if key not in _token_index() and key[-1].endswith("s"):
            key = key[:-1] + (key[-1][:-1],)   # genitive: "koebenhavns"
        municipality = _token_index().get(key)
        if municipality is None:
            continue
        before_kommune = i + n < len(tokens) and tokens[i + n] in _KOMMUNE_TOKENS
        if " ".join(key) in COMMON_WORD_FORMS and not raw[i][0].isupper() and not before_kommune:
            continue
        return municipality, n
    return None


def from_filename(filename: str) -> Optional[Municipality]:
    """The one municipality named by the tokens of a file name, else None.

    "aalborg-magistraten-hoeringssvar-2015.txt" -> Aalborg.  Names that are
    ordinary words ("vejen") count only when capitalised or followed by
    "kommune", so "paa-vejen-mod-2020.pdf" names no municipality.  Two
    different municipalities make the name ambiguous: None.
    """
    raw = _FILENAME_TOKEN.findall(re.split(r"[\\/]", filename)[-1])
    tokens = [t.casefold() for t in raw]
    found: set[Municipality] = set()
    i = 0
    while i < len(tokens):
        match = _filename_match(raw, tokens, i)
        if match is None:
            i += 1
        else:
            found.add(match[0])
            i += match[1]
    return found.pop() if len(found) == 1 else None
