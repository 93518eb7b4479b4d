"""Questions across organisations: one row per organisation, silent ones listed."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from assistant.api import Assistant
from assistant.briefing import comparison_rows
from assistant.compare import comparison_scope
from assistant.config import Settings
from assistant.query import analyse
from conftest import REPO
from fixtures import make_docx

ORGS = ["Aalborg Kommune", "Fredensborg Kommune", "KL", "Slagelse Kommune"]


def scope(question):
    return comparison_scope(question, analyse(question), ORGS)


def test_which_questions_are_comparisons():
    municipalities = ["Aalborg Kommune", "Fredensborg Kommune", "Slagelse Kommune"]
    assert scope("Hvad siger kommunerne om sikkerhed?") == municipalities
    assert scope("Which municipalities mention welfare technology?") == municipalities
    assert scope("Hvordan forholder Aalborg og Slagelse sig til målsætning 2?") == \
        ["Aalborg Kommune", "Slagelse Kommune"]
    assert scope("Who mentions welfare technology?") == ORGS
    assert scope("Hvad siger Aalborg om sikkerhed?") is None
    assert scope("Hvad er fristen for høringssvar?") is None
    # a genitive asks for each one's view only before a word for a view
    assert scope("Hvad er kommunernes holdning til sikkerhed?") == municipalities
    assert scope("What are the municipalities' views on security?") == municipalities
    assert scope("Hvad handler temaet om kommunernes rammearkitektur om?") is None
    assert scope("Which areas does the goal about municipalities' joint efforts cover?") is None
    # the party named first is the one asked about
    assert scope("Which overall questions does KL ask the municipalities to answer?") is None
    assert scope("Hvad beder KL kommunerne om?") is None
    assert scope("Hvad siger kommunerne om KL's forslag?") == municipalities
    assert scope("Sammenlign KL og kommunerne om sikkerhed") == municipalities
    # what is asked of the municipalities is not what each of them says
    assert scope("Hvad skal kommunerne svare på i høringen?") is None
    assert scope("When must the municipalities respond to the hearing?") is None
    assert scope("Hvad bør alle kommunerne gøre ifølge strategien?") is None
    # ... nor is what was sent to them
    assert scope("Who sent the letter to the municipalities?") is None
    assert scope("Hvornår blev strategien sendt til kommunerne?") is None


def test_municipalities_on_security(shipped_assistant):
    answer = shipped_assistant.ask("Hvad siger kommunerne om sikkerhed?")
    rows = {f.organisation: f for f in answer.comparison}
    assert list(rows) == ["Aalborg Kommune", "Fredensborg Kommune", "Slagelse Kommune"]
    aalborg = rows["Aalborg Kommune"]
    assert not aalborg.silent
    assert all("sikkerhed" in p.chunk.text.lower() for p in aalborg.passages)
    # Slagelse's case only lists the strategy's theme titles; it states nothing on security.
    assert rows["Slagelse Kommune"].silent and rows["Fredensborg Kommune"].silent
    # Fredensborg's case never uses the word; Slagelse's does, in a theme title,
    # so it is not said to be silent, only to have nothing as relevant
    assert "Fredensborg Kommune: siger ikke noget om emnet" in answer.answer
    assert rows["Slagelse Kommune"].outranked and not rows["Fredensborg Kommune"].outranked
    assert ("Slagelse Kommune: intet udsagn om emnet, der er lige så relevant som de øvriges"
            in answer.answer)
    ranks = [p.rank for p in answer.passages]
    assert ranks == list(range(1, len(ranks) + 1))
    assert [p for f in answer.comparison for p in f.passages] == list(answer.passages)
    for p in answer.passages:
        assert f"[{p.rank}]" in answer.answer and p.highlights


def test_a_direct_statement_on_the_topic_speaks_though_others_score_higher(
        shipped_assistant, shipped_docs, tmp_path):
    """A hearing response from Horsens whose "Horsens Kommune mener, at
    informationssikkerhed skal prioriteres højere." scores 0.04 below Aalborg's
    best statement: Horsens was listed as having nothing as relevant."""
    make_docx(shipped_docs, "horsens-hoeringssvar.docx", [
        ("Title", "Høringssvar vedrørende fælleskommunal digitaliseringsstrategi 2016-2020"),
        ("Normal", "Horsens Kommune takker for muligheden for at afgive høringssvar. "
                   "Kommunen støtter strategiens vision og de ti temaer."),
        ("Heading 1", "Sikkerhed"),
        ("Normal", "Horsens Kommune mener, at informationssikkerhed skal prioriteres højere. "
                   "Der bør afsættes midler til fælles uddannelse af medarbejdere."),
        ("Heading 1", "Data"),
        ("Normal", "Kommunen ønsker, at de fælles datasæt gøres tilgængelige for lokale "
                   "virksomheder. Åbne data kan skabe vækst i hele regionen.")])
    # the shipped chunks' vectors are reused: only Horsens's are embedded
    shutil.copytree(shipped_assistant.settings.index_dir, tmp_path / "index")
    bot = Assistant(Settings(index_dir=tmp_path / "index", docs_dir=shipped_docs,
                             bulk_embed="never"), embedder=shipped_assistant.embedder)
    assert bot.index(show_progress=False).failures == []
    answer = bot.ask("Hvad siger kommunerne om sikkerhed?")
    rows = {f.organisation: f for f in answer.comparison}
    assert "Horsens Kommune: «Horsens Kommune mener, at informationssikkerhed" in answer.answer
    assert not rows["Aalborg Kommune"].silent
    # a theme title holding the word is still no statement
    assert rows["Slagelse Kommune"].outranked


def test_an_organisation_naming_the_topic_only_in_a_title_is_marked(shipped_assistant):
    """Slagelse's case names "Borgerbetjening 3.0" only in its list of the
    strategy's themes: quoted bare, the title read as Slagelse's view."""
    answer = shipped_assistant.ask("Hvad siger Aalborg og Slagelse om borgerbetjening?")
    rows = {f.organisation: f for f in answer.comparison}
    assert rows["Slagelse Kommune"].in_passing and not rows["Aalborg Kommune"].in_passing
    assert "- Slagelse Kommune (kun i forbifarten): «2. Borgerbetjening 3.0»" in answer.answer
    assert rows["Slagelse Kommune"].to_dict()["in_passing"] is True
    assert ("Slagelse Kommune (kun i forbifarten)", "2. Borgerbetjening 3.0", "[3]") in \
        comparison_rows(answer)


def test_english_comparison(shipped_assistant):
    answer = shipped_assistant.ask("Which municipalities mention welfare technology?")
    rows = {f.organisation: f for f in answer.comparison}
    assert any("velfærdsteknolog" in p.chunk.text for p in rows["Aalborg Kommune"].passages)
    assert rows["Slagelse Kommune"].silent
    assert "says nothing on the topic" in answer.answer


def test_two_named_municipalities(shipped_assistant):
    answer = shipped_assistant.ask("Hvordan forholder Aalborg og Slagelse sig til målsætning 2?")
    rows = {f.organisation: f for f in answer.comparison}
    assert list(rows) == ["Aalborg Kommune", "Slagelse Kommune"]
    assert any("målsætning 2" in p.chunk.text for p in rows["Slagelse Kommune"].passages)


def test_an_organisation_whose_documents_never_use_the_topic_is_silent(shipped_assistant):
    """Fredensborg's case never mentions data; asked in English, its nearest
    lines used to come within the relative gap and be quoted as its view.
    Now the rule for one organisation holds in a comparison too."""
    for question in ("What do Aalborg and Fredensborg say about data?",
                     "Hvad siger Aalborg og Fredensborg om data?"):
        rows = {f.organisation: f for f in shipped_assistant.ask(question).comparison}
        assert rows["Fredensborg Kommune"].silent, question
        assert any("data" in p.chunk.text.lower() for p in rows["Aalborg Kommune"].passages)


def test_a_named_municipality_without_documents_is_reported(shipped_assistant):
    answer = shipped_assistant.ask("Hvad siger Aalborg og Odense om data?")
    assert answer.no_source_for == "Odense Kommune"
    assert [f.organisation for f in answer.comparison] == ["Aalborg Kommune"]


def test_cli_json_adds_comparison_and_keeps_the_fields(shipped_assistant):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    index_dir = str(shipped_assistant.settings.index_dir)

    def ask(question):
        out = subprocess.run([sys.executable, "-m", "assistant", "ask", question, "--json",
                              "--index-dir", index_dir], cwd=REPO, env=env,
                             capture_output=True, text=True, timeout=180)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    plain = ask("Hvad siger Aalborg om sikkerhed?")
    assert set(plain) == {"question", "answer", "no_source_for", "passages"}
    compared = ask("Hvad siger kommunerne om sikkerhed?")
    assert set(compared) == {"question", "answer", "no_source_for", "passages", "comparison"}
    rows = {r["organisation"]: r for r in compared["comparison"]}
    assert rows["Slagelse Kommune"] == {"organisation": "Slagelse Kommune", "silent": True,
                                        "outranked": True, "in_passing": False, "passages": []}
    assert rows["Aalborg Kommune"]["passages"][0]["organisation"] == "Aalborg Kommune"


def test_a_passage_of_label_lines_does_not_make_an_organisation_speak(shipped_assistant):
    """Slagelse's case opens with label lines ("Kompetence: Økonomiudvalget");
    close to any question about the strategy, they were quoted as its view."""
    answer = shipped_assistant.ask("Which municipalities support the strategy?")
    quoted = [p.quote() for f in answer.comparison for p in f.passages]
    assert quoted and not any(q.startswith("Kompetence:") for q in quoted), quoted


@pytest.mark.parametrize("question", ["Hvad har kommunerne besluttet?",
                                      "What did the municipalities decide?"])
def test_asked_for_a_part_each_organisation_gives_its_own(shipped_assistant, question):
    """Each committee's decision is its own: none is "more relevant" than
    another, and the relative gap listed Fredensborg and Slagelse as having no
    statement as relevant as Aalborg's "Beslutning: Godkendt."."""
    answer = shipped_assistant.ask(question)
    said = {f.organisation: [p.quote() for p in f.passages] for f in answer.comparison}
    assert said["Aalborg Kommune"] == ["Beslutning: Godkendt."], said
    assert said["Fredensborg Kommune"] == ["Anbefaler Økonomiudvalgets indstilling."], said
    assert any("lægges vægt på målsætning 2" in q for q in said["Slagelse Kommune"]), said


def test_asked_for_a_part_none_holds_every_organisation_is_silent(shipped_assistant):
    """No hearing response or case here is signed: nothing is quoted as a signature."""
    answer = shipped_assistant.ask("Who signed the municipalities' responses?")
    assert answer.comparison and all(f.silent for f in answer.comparison), answer.answer
