"""The municipality gazetteer: complete, and precise about what counts as a mention."""
from __future__ import annotations

from collections import Counter

import pytest

from assistant.gazetteer import (
    COMMON_WORD_FORMS, MUNICIPALITIES, from_filename, find_mentions, lookup,
)


def names(text: str) -> list[str]:
    return [m.municipality.name for m in find_mentions(text)]


# --- the table -------------------------------------------------------------

def test_all_98_municipalities_in_five_regions():
    assert len(MUNICIPALITIES) == 98
    assert len({m.name for m in MUNICIPALITIES}) == 98
    assert Counter(m.region for m in MUNICIPALITIES) == {
        "Hovedstaden": 29, "Sjælland": 17, "Syddanmark": 22, "Midtjylland": 19, "Nordjylland": 11,
    }


@pytest.mark.parametrize("name, official", [
    ("Aalborg", "Aalborg Kommune"),
    ("København", "Københavns Kommune"),
    ("Vesthimmerland", "Vesthimmerlands Kommune"),
    ("Bornholm", "Bornholms Regionskommune"),
    ("Lyngby-Taarbæk", "Lyngby-Taarbæk Kommune"),
])
def test_official_names(name, official):
    assert lookup(name).official == official


def test_every_spelling_leads_back_to_its_own_municipality():
    for m in MUNICIPALITIES:
        assert m.name not in m.aliases
        for form in (m.name, m.official, *m.aliases):
            assert lookup(form) is m, form


def test_common_word_forms_are_real_spellings():
    spellings = {f.casefold() for m in MUNICIPALITIES for f in (m.name, *m.aliases)}
    assert COMMON_WORD_FORMS <= spellings


# --- lookup ----------------------------------------------------------------

@pytest.mark.parametrize("query, expected", [
    ("Copenhagen", "København"), ("Elsinore", "Helsingør"), ("aalborg", "Aalborg"),
    ("Aalborg Kommune", "Aalborg"), ("AALBORG KOMMUNE", "Aalborg"), ("Århus", "Aarhus"),
    ("Åbenrå", "Aabenraa"), ("Taarnby", "Tårnby"), ("Høje Taastrup", "Høje-Taastrup"),
    ("Lyngby", "Lyngby-Taarbæk"), ("Koege", "Køge"), ("Koge", "Køge"),
    ("Københavns Kommune", "København"), ("København Kommune", "København"),
    ("Horsens Kommune", "Horsens"), ("Aalborgs", "Aalborg"),
    ("Bornholms Regionskommune", "Bornholm"), ("  vejen  ", "Vejen"),
])
def test_lookup(query, expected):
    assert lookup(query).name == expected


@pytest.mark.parametrize("query", ["Atlantis", "", "Kommune", "KL"])
def test_lookup_unknown(query):
    assert lookup(query) is None


# --- find_mentions ---------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Hvad siger Aalborg om sikkerhed?", ["Aalborg"]),
    ("What does Aalborg say about security?", ["Aalborg"]),
    ("hvad siger odense", ["Odense"]),
    ("What does Copenhagen say?", ["København"]),
    ("Elsinore and Koege, Naestved, Sonderborg, Koge", ["Helsingør", "Køge", "Næstved",
                                                         "Sønderborg", "Køge"]),
    ("dialogmøder i København og Vejle", ["København", "Vejle"]),
])
def test_finds_names_in_questions_and_text(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize("text", [
    "vejledning", "Vejledning om digitalisering", "Aalborgvej 12", "på vejen mod 2020",
    "odder og greve", "Vejen frem mod 2020", "- Skive\n", "mange tønder", "aero engines",
    "VEJEN FREM",
])
def test_no_false_mentions(text):
    assert find_mentions(text) == []


@pytest.mark.parametrize("text, expected", [
    ("Vejen Kommune", ["Vejen"]),
    ("Vejen Kommunes høringssvar", ["Vejen"]),
    ("VEJEN KOMMUNE", ["Vejen"]),
    ("Svar fra Greve og Odder.", ["Greve", "Odder"]),
    ("Hvad mener Tønder?", ["Tønder"]),
    ("Hvad siger Skive. Varde Kommune siger noget andet.", ["Skive", "Varde"]),
])
def test_common_word_names_count_when_capitalised(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize("text, surface, official", [
    ("Aalborgs strategi", "Aalborgs", False),
    ("Københavns borgere", "Københavns", False),
    ("Copenhagen's strategy", "Copenhagen's", False),
    ("Københavns Kommune", "Københavns Kommune", True),
    ("Slagelse Kommunes høringssvar", "Slagelse Kommunes", True),
    ("Bornholms Regionskommune", "Bornholms Regionskommune", True),
    ("AALBORG KOMMUNE", "AALBORG KOMMUNE", True),
    ("i Aalborg kommune", "Aalborg", False),
])
def test_genitive_and_official_forms(text, surface, official):
    [mention] = find_mentions(text)
    assert mention.surface == surface
    assert mention.official_form is official
    assert text[mention.start:mention.end] == surface


@pytest.mark.parametrize("text, expected", [
    ("Lyngby-Taarbæk Kommune", ["Lyngby-Taarbæk"]),
    ("Høje-Taastrup og Høje Taastrup", ["Høje-Taastrup", "Høje-Taastrup"]),
    ("Ringkøbing-Skjern, Ikast-Brande og Faaborg-Midtfyn",
     ["Ringkøbing-Skjern", "Ikast-Brande", "Faaborg-Midtfyn"]),
    ("Frederiksberg, Frederikssund og Frederikshavn",
     ["Frederiksberg", "Frederikssund", "Frederikshavn"]),
    ("Slagelse-egnen", ["Slagelse"]),
    ("Sønderborg-Aabenraa", ["Sønderborg", "Aabenraa"]),
])
def test_longest_match_and_hyphens(text, expected):
    assert names(text) == expected


def test_longest_match_surface():
    [mention] = find_mentions("i Lyngby-Taarbæk")
    assert mention.surface == "Lyngby-Taarbæk"


# --- from_filename ---------------------------------------------------------

@pytest.mark.parametrize("filename, expected", [
    ("aalborg-magistraten-hoeringssvar-2015.txt", "Aalborg"),
    ("koebenhavn_hoeringssvar.pdf", "København"),
    ("koebenhavns-kommune.pdf", "København"),
    ("slagelse-oekonomiudvalget-2015-04-20.txt", "Slagelse"),
    ("lyngby-taarbaek-strategi.docx", "Lyngby-Taarbæk"),
    ("Hoeje Taastrup strategi.pdf", "Høje-Taastrup"),
    ("vejen-kommune-strategi.pdf", "Vejen"),
    ("Vejen_strategi.pdf", "Vejen"),
    ("/docs/2015/Sonderborg.pdf", "Sønderborg"),
])
def test_from_filename(filename, expected):
    assert from_filename(filename).name == expected


@pytest.mark.parametrize("filename", [
    "kl-hoeringsbrev-2015-03-03.txt",
    "oekonomiudvalget-digitaliserings-og-kanalstrategi-2015-18.txt",
    "aalborg-og-aarhus-sammenligning.pdf",    # two municipalities: ambiguous
    "paa-vejen-mod-2020.pdf",                 # an ordinary word
    "aalborgvej.pdf",
])
def test_from_filename_none(filename):
    assert from_filename(filename) is None
