"""Overviews: "Giv mig et overblik over Aalborgs høringssvar" quotes its main points."""
from __future__ import annotations

import pytest

from assistant.overview import asks_overview, doc_types_named
from conftest import make_assistant, quoted_sentences as quotes

AALBORG = "aalborg-magistraten-hoeringssvar-2015.txt"
KL_LETTER = "kl-hoeringsbrev-2015-03-03.txt"



@pytest.mark.parametrize("question, asks", [
    ("Giv mig et overblik over Aalborgs høringssvar", True),
    ("Opsummer KL's brev", True),
    ("Hvad er hovedpunkterne i Slagelses sag?", True),
    ("Summarise KL's letter", True),
    ("What are the key points of Aalborg's hearing response?", True),
    ("Hvad siger Aalborg om sikkerhed?", False),
    ("Hvad handler strategien om?", False),
    ("Hvad står der i resuméet om data?", False),
])
def test_which_questions_ask_for_an_overview(question, asks):
    assert asks_overview(question) is asks


def test_document_types_named():
    assert doc_types_named("Giv mig et overblik over Aalborgs høringssvar") == ["hearing_response"]
    assert doc_types_named("Summarise KL's letter") == ["letter"]
    assert doc_types_named("Opsummer dokumenterne") == []


def test_an_overview_of_aalborgs_response_quotes_its_positions(shipped_assistant):
    answer = shipped_assistant.ask("Giv mig et overblik over Aalborgs høringssvar")
    quoted = quotes(answer)
    assert len(quoted) >= 4
    assert {p.document.doc_id for p in answer.passages} == {AALBORG}
    text = " ".join(answer.passages[0].document.text.split())
    assert all(q in text for q in quoted)                 # quoted, never rewritten
    assert any("savnes" in q or "enig" in q for q in quoted), quoted   # it takes positions
    assert not any(q.endswith(("?", ":", ",")) for q in quoted)
    starts = [s for p in answer.passages for s, _ in p.highlights]
    assert starts == sorted(starts)                       # in the order of the document
    assert [p.rank for p in answer.passages] == list(range(1, len(answer.passages) + 1))


def test_an_overview_of_kls_letter_in_english(shipped_assistant):
    answer = shipped_assistant.ask("Summarise KL's letter")
    assert answer.language == "en" and answer.answer.startswith("Main points")
    assert {p.document.doc_id for p in answer.passages} == {KL_LETTER}
    assert any(q.startswith("Hermed sendes forslag") for q in quotes(answer)), answer.answer


def test_an_overview_respects_the_filters_and_reports_missing_municipalities(shipped_assistant):
    answer = shipped_assistant.ask("Giv mig et overblik", organisations=["Slagelse"])
    assert {p.document.meta.organisation for p in answer.passages} == {"Slagelse Kommune"}
    odense = shipped_assistant.ask("Giv mig et overblik over Odenses høringssvar")
    assert odense.no_source_for == "Odense Kommune" and not odense.passages


def test_an_overview_of_many_documents_covers_five_and_says_how_many_more(tmp_path, docs_dir,
                                                                         fake_embedder):
    for i in range(7):
        (docs_dir / f"notat-{i}.txt").write_text(
            f"Notat nummer {i} om digitalisering\n\n"
            f"Kommunen ønsker en fælles indsats for sikker drift i område {i}. "
            f"Det er vigtigt, at borgerne kan bruge løsningerne i område {i}.",
            encoding="utf-8")
    bot = make_assistant(tmp_path, fake_embedder)
    bot.index(show_progress=False)
    answer = bot.ask("Giv mig et overblik over dokumenterne")
    assert len({p.document.doc_id for p in answer.passages}) == 5
    assert "2 dokument(er) mere passer til spørgsmålet" in answer.answer


def test_a_letters_closing_and_signature_are_no_main_point(tmp_path, docs_dir, fake_embedder):
    """One sentence since the names signing a letter joined its closing;
    "Med venlig hilsen Martin Damm Kristian Wendelboe" has the six words of a
    point, and takes no position."""
    (docs_dir / "brev.txt").write_text(
        "Til kommunerne\n\nVi sender hermed forslaget til ny strategi i høring.\n\n"
        "Med venlig hilsen\n\nMartin Damm\n\nKristian Wendelboe", encoding="utf-8")
    bot = make_assistant(tmp_path, fake_embedder)
    bot.index(show_progress=False)
    quoted = quotes(bot.ask("Giv mig et overblik over dokumenterne"))
    assert quoted == ["Vi sender hermed forslaget til ny strategi i høring."]


@pytest.mark.parametrize("question, organisation", [
    ("Hvad mener Fredensborg?", "Fredensborg Kommune"),
    ("Hvad sagde Slagelse?", "Slagelse Kommune"),
    ("What does KL think?", "KL"),
])
def test_a_question_naming_only_whom_it_asks_gets_their_main_points(shipped_assistant,
                                                                    question, organisation):
    """No topic to search for: "sagde" used to be taken for one ("Dokumenterne
    fra Slagelse Kommune nævner ikke «sagde»")."""
    answer = shipped_assistant.ask(question)
    assert answer.answer.startswith(("Hovedpunkter", "Main points")), answer.answer
    assert {p.document.meta.organisation for p in answer.passages} == {organisation}
    assert not answer.not_in_documents
