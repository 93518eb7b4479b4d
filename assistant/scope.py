"""Whose documents a question is about, before anything is searched.

A municipality named in the question limits the search to its documents and
leaves the searched text ("Hvad siger Aalborg om sikkerhed?" searches
Aalborg's documents for "Hvad siger om sikkerhed?").  One without documents
is reported; where other organisations' documents name it (KL's letter on the
meetings in Vejle), those mentions are what is searched.  KL and other
organisations that are not municipalities limit the search only when their
view is asked for ("Hvad siger KL om ...").  A filter chosen in the UI or the
API is a hard limit.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .gazetteer import other_organisations
from .lexicon import Lexicon
from .query import QueryAnalysis, organisation_asked, without_strategy_speaker


@dataclass(frozen=True)
class Scope:
    query: str                               # the text to search
    organisations: list[str] | None = None   # only their documents (None: any)
    place: np.ndarray | None = None          # only these rows: others naming a municipality
    missing: tuple[str, ...] = ()            # municipalities asked about without documents
    nothing: bool = False                    # nothing may be searched
    excluded: tuple[str, ...] = ()           # named in the question, left out by the filter


def missing_municipalities(analysis: QueryAnalysis, indexed: list[str]) -> list[str]:
    """Municipalities the question names that have no documents in the index."""
    present = {o.casefold() for o in indexed}
    return [m.official for m in analysis.municipalities if m.official.casefold() not in present]


def question_scope(question: str, analysis: QueryAnalysis, chosen: list[str] | None,
                   indexed: list[str], lexicon: Lexicon) -> Scope:
    """The scope of ``question``; ``chosen`` is the organisation filter (or
    None), ``indexed`` the organisations with documents.  The strategy named
    as the speaker ("Hvad siger strategien om skoler?") is left out of the
    searched text like an organisation asked about."""
    scope = _scope(question, analysis, chosen, indexed, lexicon)
    return replace(scope, query=without_strategy_speaker(scope.query))


def _scope(question: str, analysis: QueryAnalysis, chosen: list[str] | None,
           indexed: list[str], lexicon: Lexicon) -> Scope:
    missing = tuple(missing_municipalities(analysis, indexed))
    if analysis.municipalities:
        asked = [m.official for m in analysis.municipalities if m.official not in missing]
        named = asked
        if chosen:  # an organisation filter is a hard limit: intersect with the question
            allowed = {o.casefold() for o in chosen}
            named = [o for o in asked if o.casefold() in allowed]
        if named:
            return Scope(analysis.topic or question, named, missing=missing)
        if chosen or not missing:                    # filtered out by the user's choice
            return Scope(question, missing=missing, nothing=True, excluded=tuple(asked))
        # only municipalities without documents: where others' documents name them
        place = lexicon.rows_mentioning(
            [m for m in analysis.municipalities if m.official in missing])
        return Scope(question, place=place, missing=missing, nothing=not len(place))
    if not chosen:
        asked = organisation_asked(question, other_organisations(indexed))
        if asked:                                    # "Hvad siger KL om ...": KL's documents
            return Scope(asked[1], [asked[0]])
    return Scope(question, chosen or None)
